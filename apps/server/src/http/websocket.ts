// GraphQL over WebSocket (graphql-ws) through the same guards as HTTP: the same validation rules, token and cost
// limits, message-size limit, error masking and client key for rate limits, plus an Origin check on the upgrade
// (a browser sends the user's cookie with a WebSocket to any site that asks: only our pages may open one).
import type { IncomingMessage, Server } from 'node:http';
import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  parse,
  type SelectionSetNode,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { buildContext } from '../graphql/context.js';
import { maskError } from '../graphql/format-error.js';
import { apiValidationRules, MAX_COST, MAX_TOKENS, nulCharacterRefusal, queryCost } from '../graphql/limits.js';
import type { Services } from '../services/index.js';
import { type CookieSecurity, clientAddress, secureCookiesFor } from './requests.js';

export interface WebSocketOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  secureCookies: CookieSecurity;
  /** Origins besides the app's own (the Host it was reached at) whose pages may open a socket. */
  allowedOrigins: readonly string[];
  /** Largest message accepted, in bytes: the same as an HTTP body. */
  maxPayload: number;
  /** Client addresses from X-Forwarded-For (TRUST_PROXY). */
  trustProxy: boolean;
}

/**
 * The page's origin must be the app's own (same host as the request, which the web proxy passes on) or listed.
 * No Origin at all is a client that is not a browser (Node, curl): it has no user's cookie to borrow.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  if (!URL.canParse(origin)) return false;
  return new URL(origin).host === req.headers.host;
}

const requestError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

/**
 * No @skip or @include on a subscription's root selection (a rule of the GraphQL spec that graphql 16 does not
 * check): with its one root field skipped, graphql's subscribe throws a TypeError, and graphql's own validation
 * (SingleFieldSubscriptionsRule) throws when the directive's value is a variable or of the wrong type.
 */
const subscriptionRootDirectivesRule: ValidationRule = (context) => {
  const check = (set: SelectionSetNode, seen: Set<string>) => {
    for (const selection of set.selections) {
      if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) {
        context.reportError(
          new GraphQLError('A subscription’s root field may not have @skip or @include', { nodes: selection }),
        );
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) check(selection.selectionSet, seen);
      if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = context.getFragment(selection.name.value);
        if (fragment) check(fragment.selectionSet, seen);
      }
    }
  };
  return {
    OperationDefinition(operation) {
      if (operation.operation === 'subscription') check(operation.selectionSet, new Set());
    },
  };
};

/** Parse, validate and cost an operation the way Apollo does for HTTP; errors carry Apollo's codes. */
function prepare(
  schema: GraphQLSchema,
  payload: { query: string; operationName?: string | null; variables?: unknown },
) {
  let document: ExecutionArgs['document'];
  try {
    document = parse(payload.query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    const message = /call stack/.test((error as Error).message)
      ? 'Query is nested too deeply to parse'
      : (error as Error).message;
    return [requestError('GRAPHQL_PARSE_FAILED', message)];
  }
  // First on its own: graphql's rule for subscriptions evaluates those directives and throws on a bad one.
  const skipped = validate(schema, document, [subscriptionRootDirectivesRule]);
  const invalid = skipped.length ? skipped : validate(schema, document, [...specifiedRules, ...apiValidationRules]);
  if (invalid.length) return invalid.map((error) => requestError('GRAPHQL_VALIDATION_FAILED', error.message));
  const operation = getOperationAST(document, payload.operationName ?? undefined);
  if (!operation) return [requestError('OPERATION_RESOLUTION_FAILURE', 'Unknown or ambiguous operation')];
  const variables = (payload.variables ?? {}) as Record<string, unknown>;
  const nul = nulCharacterRefusal(variables);
  if (nul) return [requestError('BAD_USER_INPUT', nul)];
  let cost: number;
  try {
    cost = queryCost(schema, document, variables, operation.name?.value);
  } catch (error) {
    // Bad variables: graphql's execution reports them with the field; the counter's own limits are the client's.
    if (error instanceof GraphQLError) return [requestError('BAD_USER_INPUT', error.message)];
    throw error;
  }
  if (cost > MAX_COST) {
    return [requestError('BAD_USER_INPUT', `Query costs ${cost}, more than the limit of ${MAX_COST}; ask for less`)];
  }
  return { schema, document, operationName: payload.operationName, variableValues: variables };
}

/** Errors a result carries, masked as HTTP masks them; request errors without a code are the client's input. */
function maskErrors(errors: readonly GraphQLError[]) {
  return errors.map((error) => {
    const formatted = error.toJSON();
    const isRequestError = !error.path && !error.originalError && !formatted.extensions?.code;
    return maskError(
      isRequestError ? { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } } : formatted,
      error,
    );
  });
}

export function startGraphQLWebSocket(options: WebSocketOptions) {
  const { services, secureCookies } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.maxPayload,
    verifyClient: ({ req }, done) =>
      originAllowed(req, options.allowedOrigins) ? done(true) : done(false, 403, 'origin not allowed'),
  });
  const cleanup = serveGraphQLWs<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: (ctx) => {
        const token = ctx.connectionParams?.shareToken;
        if (token !== undefined && token !== null && typeof token !== 'string') {
          ctx.extra.socket.close(4400, 'connectionParams.shareToken must be a string');
          return false;
        }
        return true;
      },
      context: (ctx) =>
        buildContext(
          services,
          {
            cookie: ctx.extra.request.headers.cookie,
            shareTokens: (ctx.connectionParams?.shareToken as string | undefined) ?? undefined,
            address: clientAddress(ctx.extra.request, options.trustProxy),
          },
          secureCookiesFor(ctx.extra.request, secureCookies, options.trustProxy),
        ),
      onSubscribe: (_ctx, _id, payload) => prepare(options.schema, payload),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: maskErrors(result.errors) } : undefined,
      onError: (_ctx, _id, _payload, errors) => maskErrors(errors),
    },
    wsServer,
  );
  return { wsServer, dispose: async () => cleanup.dispose() };
}

/** What a client may send in graphql-transport-ws; graphql-ws throws on the rest (the server's own messages). */
const CLIENT_MESSAGE_TYPES = new Set(['connection_init', 'ping', 'pong', 'subscribe', 'complete']);
/** graphql-ws's keep-alive: a ping this often, and a client that does not answer within as long is dropped. */
const KEEP_ALIVE_MS = 12_000;

const sentAServerMessage = (data: string) => {
  try {
    const { type } = JSON.parse(data) as { type?: unknown };
    return typeof type === 'string' && !CLIENT_MESSAGE_TYPES.has(type);
  } catch {
    return false;
  }
};

/**
 * The client's doing, not a fault here: a frame that breaks the WebSocket protocol (ws has already closed the socket
 * with its code: 1002, 1007, 1009) or a connection that went away.
 */
const clientCaused = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return code.startsWith('WS_ERR_') || ['ECONNRESET', 'EPIPE', 'ERR_STREAM_DESTROYED'].includes(code);
};

/**
 * graphql-ws's adapter for ws (graphql-ws/use/ws), but a client's mistakes are not reported as the server's: its
 * adapter logged "Internal error" for every malformed frame and closed with 4500 (internal error) when a client
 * sent a server's message (connection_ack, next, error); here those close with 4400, and only real faults are logged.
 */
function serveGraphQLWs<P extends Record<string, unknown>>(
  options: ServerOptions<P, { socket: WebSocket; request: IncomingMessage }>,
  wsServer: WebSocketServer,
) {
  const server = makeServer(options);
  wsServer.options.handleProtocols = handleProtocols;
  // The HTTP server's errors are re-emitted here: one without a listener would be thrown.
  wsServer.on('error', (error) => console.error('WebSocket server error:', error));
  wsServer.on('connection', (socket, request) => {
    socket.on('error', (error) => {
      if (!clientCaused(error)) console.error('WebSocket error:', error);
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    let pongWait: NodeJS.Timeout | undefined;
    const pinger = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, KEEP_ALIVE_MS);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // A write that fails means the client is gone; its close event ends the subscriptions.
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (raw) => {
            const data = String(raw);
            try {
              await handle(data);
            } catch (error) {
              if (sentAServerMessage(data)) {
                socket.close(CloseCode.BadRequest, 'Clients may not send connection_ack, next or error');
                return;
              }
              if (!clientCaused(error)) console.error('WebSocket message failed:', error);
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pinger);
      closed(code, String(reason)).catch((error) => console.error('WebSocket close failed:', error));
    });
  });
  return {
    dispose: async () => {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
