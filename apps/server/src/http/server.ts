import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { makeExecutableSchema } from '@graphql-tools/schema';
import depthLimit from 'graphql-depth-limit';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildContext, type Context, SHARE_TOKEN_HEADER } from '../graphql/context.js';
import { costLimitPlugin, MAX_DEPTH } from '../graphql/limits.js';
import { resolvers } from '../graphql/resolvers.js';
import { typeDefs } from '../graphql/schema.js';
import { ENCODER_PATH, EncoderStore } from '../models/encoders.js';
import { AppError } from '../services/errors.js';
import type { Services } from '../services/index.js';

export interface ApiServerOptions {
  services: Services;
  port: number;
  host: string;
  /** Adds `Secure` to cookies; on when served over HTTPS. */
  secureCookies: boolean;
  /** Where built SAE encoders are kept. */
  engineCacheDir?: string;
}

export interface ApiServer {
  url: string;
  httpServer: Server;
  close(): Promise<void>;
}

/**
 * Big enough for a circuit at Neuronpedia's cap (7,500 nodes and 50,000 links: 3 MB bare, about 10 MB with labels
 * and per-node fields), small enough that one request cannot exhaust memory.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The client's address. The web app's proxy appends the address it saw to X-Forwarded-For, so the last entry is
 * the one to trust; earlier entries come from the client and could be anything (a new one per request would dodge
 * the per-address rate limit). Without the header (a direct call): the socket's peer.
 */
function clientAddress(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? req.socket.remoteAddress;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GraphQL over HTTP (Apollo Server 5 on plain node:http) and over WebSocket (graphql-ws), on one port and path. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { services, secureCookies } = options;
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const encoders = new EncoderStore(services.models, join(options.engineCacheDir ?? tmpdir(), 'sae-encoders'));
  const httpServer = createServer();
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      schema,
      context: (ctx) =>
        buildContext(
          services,
          {
            cookie: ctx.extra.request.headers.cookie,
            shareTokens: (ctx.connectionParams?.shareToken as string | undefined) ?? undefined,
          },
          secureCookies,
        ),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: [depthLimit(MAX_DEPTH)],
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Errors the services raise on purpose carry a code; anything else is a bug: log it, show no internals.
    formatError: (formatted, error) => {
      const original = unwrapResolverError(error);
      if (original instanceof AppError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') return formatted;
      console.error('unexpected error', original);
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      costLimitPlugin(schema),
      { serverWillStart: async () => ({ drainServer: async () => wsCleanup.dispose() }) },
    ],
  });
  await apollo.start();

  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith(ENCODER_PATH) && req.method === 'GET') {
      await encoders.handle(req, res, url);
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the API lives at /graphql');
      return;
    }
    try {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const raw = req.method === 'POST' ? await readBody(req) : '';
      let body: unknown = raw;
      if (raw && headers.get('content-type')?.startsWith('application/json')) {
        try {
          body = JSON.parse(raw);
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('request body is not valid JSON');
          return;
        }
      }
      const shareHeader = req.headers[SHARE_TOKEN_HEADER];
      const context = await buildContext(
        services,
        {
          cookie: req.headers.cookie,
          shareTokens: Array.isArray(shareHeader) ? shareHeader.join(',') : shareHeader,
          address: clientAddress(req),
        },
        secureCookies,
      );
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => context,
      });
      for (const [key, value] of result.headers) res.setHeader(key, value);
      if (context.setCookies.length) res.setHeader('set-cookie', context.setCookies);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      if (status === 500) console.error('request failed', error);
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 500 ? 'internal error' : (error as Error).message);
    }
  });

  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/graphql`,
    httpServer,
    close: () => apollo.stop(),
  };
}
