import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { Kind, parse } from 'graphql';
import type { WebSocketServer } from 'ws';
import { buildContext, type Context, SHARE_TOKEN_HEADER } from '../graphql/context.js';
import { maskError } from '../graphql/format-error.js';
import { apiValidationRules, costLimitPlugin, MAX_TOKENS } from '../graphql/limits.js';
import { resolvers } from '../graphql/resolvers.js';
import { typeDefs } from '../graphql/schema.js';
import { ENCODER_PATH, EncoderStore } from '../models/encoders.js';
import type { Services } from '../services/index.js';
import { waitingFor } from '../shutdown.js';
import { databaseHealth } from './health.js';
import {
  answerClientError,
  type CookieSecurity,
  clientAddress,
  decodeSegment,
  guarded,
  HttpError,
  parseTarget,
  readBody,
  requireMethod,
  secureCookiesFor,
} from './requests.js';
import { startGraphQLWebSocket } from './websocket.js';

export interface ApiServerOptions {
  services: Services;
  port: number;
  host: string;
  /** Adds `Secure` to cookies: always, never, or `'auto'`: when the request came over HTTPS (COOKIE_SECURE). */
  secureCookies: CookieSecurity;
  /** Where built SAE encoders are kept. */
  engineCacheDir?: string;
  /** Page origins besides the app's own that may open a WebSocket (ALLOWED_ORIGINS). */
  allowedOrigins?: readonly string[];
  /** Client addresses from X-Forwarded-For (TRUST_PROXY); otherwise the socket's peer. */
  trustProxy?: boolean;
}

export interface ApiServer {
  url: string;
  httpServer: Server;
  /**
   * Stops taking connections, gives requests in flight and WebSocket clients `graceMs` to finish, then cuts
   * whatever is left: it always returns within about graceMs.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Big enough for a circuit at Neuronpedia's cap (7,500 nodes and 50,000 links: 3 MB bare, about 10 MB with labels
 * and per-node fields), small enough that one request cannot exhaust memory.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Whether the request's document holds a subscription, which runs over WebSocket only. Such a request is refused
 * before Apollo sees it: Apollo would run the fields without their subscribe functions ("Cannot return null", an
 * internal error), and graphql's own validation of a subscription throws (a 500) when its root field has @include
 * or @skip with a variable or a wrong value. Only a document that mentions "subscription" is parsed here.
 */
function holdsSubscription(method: string | undefined, body: unknown, url: URL): boolean {
  const query =
    method === 'GET'
      ? url.searchParams.get('query')
      : body && typeof body === 'object' && !Array.isArray(body)
        ? (body as { query?: unknown }).query
        : undefined;
  if (typeof query !== 'string' || !query.includes('subscription')) return false;
  try {
    return parse(query, { maxTokens: MAX_TOKENS }).definitions.some(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription',
    );
  } catch {
    // Apollo answers the syntax error.
    return false;
  }
}

const SUBSCRIPTION_OVER_HTTP = JSON.stringify({
  errors: [
    {
      message: 'Subscriptions run over WebSocket (graphql-ws) at /graphql, not over HTTP',
      extensions: { code: 'BAD_REQUEST' },
    },
  ],
});

/** GraphQL over HTTP (Apollo Server 5 on plain node:http) and over WebSocket (graphql-ws), on one port and path. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { services, secureCookies } = options;
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const health = databaseHealth(services.prisma);
  const encoders = new EncoderStore(services.models, join(options.engineCacheDir ?? tmpdir(), 'sae-encoders'));
  const httpServer = createServer();
  const { wsServer, dispose: disposeWs } = startGraphQLWebSocket({
    httpServer,
    schema,
    services,
    secureCookies,
    allowedOrigins: options.allowedOrigins ?? [],
    maxPayload: MAX_BODY_BYTES,
    trustProxy: options.trustProxy ?? false,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: apiValidationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskError,
    // This process decides when and how it stops (main.ts), within a deadline: Apollo's own handler would stop the
    // server on SIGTERM and re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [costLimitPlugin(schema)],
  });
  await apollo.start();

  const graphqlRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    requireMethod(req, ['GET', 'POST']);
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const raw = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES) : '';
    // Apollo checks the content type (its CSRF rule) and the body's shape; it only needs JSON parsed for it.
    let body: unknown = raw;
    if (raw && headers.get('content-type')?.startsWith('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'request body is not valid JSON');
      }
    }
    if (holdsSubscription(req.method, body, url)) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(SUBSCRIPTION_OVER_HTTP);
      return;
    }
    const shareHeader = req.headers[SHARE_TOKEN_HEADER];
    const context = await buildContext(
      services,
      {
        cookie: req.headers.cookie,
        shareTokens: Array.isArray(shareHeader) ? shareHeader.join(',') : shareHeader,
        address: clientAddress(req, options.trustProxy ?? false),
      },
      secureCookiesFor(req, secureCookies, options.trustProxy ?? false),
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
  };

  /** Every path this server answers; the rest are 404s. */
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = parseTarget(req.url);
    if (url.pathname === '/graphql') return graphqlRoute(req, res, url);
    if (url.pathname.startsWith(ENCODER_PATH)) {
      requireMethod(req, ['GET', 'HEAD']);
      return encoders.handle(req, res, decodeSegment(url.pathname.slice(ENCODER_PATH.length)), url.searchParams);
    }
    if (url.pathname === '/healthz') {
      requireMethod(req, ['GET', 'HEAD']);
      const report = await health();
      // no-store: a cached "ok" in a proxy would hide a database that is gone.
      res
        .writeHead(report.status === 'ok' ? 200 : 503, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(JSON.stringify(report));
      return;
    }
    throw new HttpError(404, 'not found: the API lives at /graphql');
  };

  const connections = trackConnections(httpServer);
  httpServer.on('request', guarded(route));
  httpServer.on('clientError', answerClientError);

  // A port in use must fail the start, not leave it waiting forever.
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/graphql`,
    httpServer,
    close: (graceMs = DEFAULT_GRACE_MS) =>
      closeServer({ httpServer, wsServer, connections, graceMs, disposeWs, apollo }),
  };
}

const DEFAULT_GRACE_MS = 3000;

/** Open sockets and requests in flight, so shutdown can wait for them and say which it gave up on. */
function trackConnections(httpServer: Server) {
  const state = { sockets: 0, requests: 0 };
  httpServer.on('connection', (socket) => {
    state.sockets++;
    socket.once('close', () => state.sockets--);
  });
  httpServer.on('request', (_req, res: ServerResponse) => {
    state.requests++;
    res.once('close', () => state.requests--);
  });
  return state;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * httpServer.close() alone waits for every keep-alive and WebSocket connection to end, which a client may never do
 * (that is how app.stop() hung): idle sockets are closed at once, the rest get the grace period, then every HTTP
 * connection is closed and every WebSocket terminated.
 */
async function closeServer(parts: {
  httpServer: Server;
  wsServer: WebSocketServer;
  connections: { sockets: number; requests: number };
  graceMs: number;
  disposeWs: () => Promise<void>;
  apollo: ApolloServer<Context>;
}): Promise<void> {
  const { httpServer, wsServer, connections, graceMs } = parts;
  const done = waitingFor(
    () =>
      `HTTP server: ${connections.requests} request(s) in flight, ${connections.sockets} socket(s), ` +
      `${wsServer.clients.size} WebSocket client(s)`,
  );
  try {
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    // graphql-ws closes each client with 1001 "Going away"; its promise waits for them all to close.
    const wsDisposed = parts.disposeWs().catch((error) => console.error('closing WebSockets:', error));
    await Promise.race([Promise.all([closed, wsDisposed]), sleep(graceMs)]);
    for (const client of wsServer.clients) client.terminate();
    httpServer.closeAllConnections();
    await Promise.race([Promise.all([closed, wsDisposed]), sleep(500)]);
    await parts.apollo.stop();
  } finally {
    done();
  }
}
