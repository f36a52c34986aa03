// GraphQL over WebSocket (graphql-ws) through the same guards as HTTP: the same validation rules, token and cost
// limits, message-size limit, error masking and client key for rate limits, plus an Origin check on the upgrade
// (a browser sends the user's cookie with a WebSocket to any site that asks: only our pages may open one).
import type { IncomingMessage, Server } from 'node:http';
import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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
  const invalid = validate(schema, document, [...specifiedRules, ...apiValidationRules]);
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
  const cleanup = useServer<Record<string, unknown>, { request: IncomingMessage }>(
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
