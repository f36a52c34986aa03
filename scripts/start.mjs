// Starts the API server and the web app (both already built by `npm run build`) and prints where they are.
// Without DATABASE_URL the API uses the embedded PGlite database under .data/ (kept across restarts).
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const host = process.env.HOST ?? '127.0.0.1';
const apiPort = process.env.API_PORT ?? '4000';
const webPort = process.env.WEB_PORT ?? '3000';
const env = {
  ...process.env,
  HOST: host,
  API_PORT: apiPort,
  WEB_PORT: webPort,
  API_URL: process.env.API_URL ?? `http://127.0.0.1:${apiPort}`,
  // The web app's server.mjs proxies /graphql and appends the client's address to X-Forwarded-For: the API reads it.
  TRUST_PROXY: process.env.TRUST_PROXY ?? 'true',
  NEXT_TELEMETRY_DISABLED: '1',
};

const children = [];
const ready = new Set();
function run(name, args, readyLine) {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!ready.has(name) && chunk.toString().includes(readyLine)) {
      ready.add(name);
      // The web app answers before the API has migrated the database: say "open" once both are up.
      if (ready.size === 2) console.log(`\nReady: open ${webUrl} (GraphQL at ${webUrl}graphql)\n`);
    }
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} stopped (${signal ?? `exit code ${code}`}); stopping the rest.`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const webUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${webPort}/`;
run('API server', ['apps/server/dist/main.js'], 'API ready at');
run('web app', ['apps/web/server.mjs'], 'Web app ready at');
console.log(`Starting the API server and the web app (the first start creates the database: a few seconds)...`);
