// Serves the built Next.js app and proxies /graphql (HTTP and WebSocket) to the API server, so the browser talks
// to one origin: cookies stay first-party and no CORS is needed.
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProxyServer } from 'http-proxy-3';
import next from 'next';

const port = Number(process.env.WEB_PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const apiOrigin = process.env.API_URL ?? 'http://127.0.0.1:4000';

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const proxy = createProxyServer({ target: apiOrigin, ws: true, xfwd: true });
proxy.on('error', (error, _req, res) => {
  console.error(`API proxy error (${apiOrigin}): ${error.message}`);
  if (res && 'writeHead' in res && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(`The API server at ${apiOrigin} is not reachable`);
  } else {
    res?.destroy?.();
  }
});

const isApi = (url = '') => url === '/graphql' || url.startsWith('/graphql?') || url.startsWith('/api/');

const server = createServer((req, res) => {
  if (isApi(req.url)) proxy.web(req, res);
  else handle(req, res);
});
const nextUpgrade = app.getUpgradeHandler?.();
server.on('upgrade', (req, socket, head) => {
  if (isApi(req.url)) proxy.ws(req, socket, head);
  else if (nextUpgrade) nextUpgrade(req, socket, head);
  else socket.destroy();
});
server.listen(port, host, () => {
  console.log(`Web app ready at http://${host}:${server.address().port}/ (API proxied to ${apiOrigin})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
