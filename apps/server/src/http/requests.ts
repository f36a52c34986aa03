// The parts of the HTTP pipeline that every route shares: how a request's target and body are read, how a refusal
// is answered, and the one wrapper that keeps a failing handler from taking the process down.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** A refusal the client caused: answered with its status and message, never logged as a server fault. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The client's address. Only behind a proxy (TRUST_PROXY) is X-Forwarded-For read: the web app's proxy appends the
 * address it saw, so the last entry is the one to trust; earlier entries come from the client and could be
 * anything (a new one per request would dodge the per-address rate limit). Otherwise, or without the header: the
 * socket's peer, whatever the header says (a client talking to the API directly could write any address there).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (!trustProxy) return req.socket.remoteAddress;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? req.socket.remoteAddress;
}

/**
 * `Secure` on the session cookie: `true` or `false` as configured (COOKIE_SECURE), or `'auto'` (the default): on
 * when this request came over HTTPS.
 */
export type CookieSecurity = boolean | 'auto';

/**
 * Whether the client reached the app over HTTPS: a TLS socket, or behind a trusted proxy (TRUST_PROXY) an
 * X-Forwarded-Proto whose first entry is https. Each proxy appends the scheme it was reached by (the web app's proxy
 * adds `http` after an HTTPS terminator's `https`), so the first entry is what the browser used. A client that writes
 * the header itself only changes its own cookie.
 */
export function requestIsHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const header = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

export function secureCookiesFor(req: IncomingMessage, setting: CookieSecurity, trustProxy: boolean): boolean {
  return setting === 'auto' ? requestIsHttps(req, trustProxy) : setting;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * The request target as a URL. Origin-form targets ("/graphql?x") are read relative to a fixed base, so "//x" is a
 * path, not a host; absolute-form targets (sent to proxies) are accepted as they are; anything else is a 400.
 */
export function parseTarget(target: string | undefined): URL {
  const raw = target ?? '/';
  const absolute = raw.startsWith('/') ? `http://localhost${raw}` : raw;
  // URL.parse needs Node 22; canParse is in Node 20.
  const url = URL.canParse(absolute) ? new URL(absolute) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new HttpError(400, 'bad request target');
  return url;
}

/** One percent-encoded path segment, decoded; bad encoding ("%zz") is the client's mistake. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad percent-encoding in the path');
  }
}

/** Answers with a short plain-text message, unless the response has already begun (then it is just ended). */
export function sendText(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(message);
}

/** Refuses a method a route does not serve (405 with the methods it does, as HTTP asks). */
export function requireMethod(req: IncomingMessage, allowed: readonly string[]): void {
  if (!allowed.includes(req.method ?? '')) {
    throw new HttpError(405, `method ${req.method} not allowed here; use ${allowed.join(' or ')}`, {
      allow: allowed.join(', '),
    });
  }
}

/**
 * The whole body as text, at most `limit` bytes. A declared Content-Length over the limit is refused before
 * anything is read; a client that stops sending mid-body (closes, resets) ends in a 400 that no one will read.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'request body incomplete');
  }
  // A stream can end early without an error when the socket half-closes: the declared length tells.
  if (Number.isFinite(declared) && size < declared) throw new HttpError(400, 'request body incomplete');
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = (limit: number) =>
  // The rest of the body is never read: close the connection rather than parse it as the next request.
  new HttpError(413, `request body over the limit of ${limit} bytes`, { connection: 'close' });

/**
 * The top-level wrapper every request goes through: an HttpError becomes its answer; anything else is a bug,
 * logged once and answered 500, and the process keeps serving.
 */
export function guarded(route: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      try {
        if (error instanceof HttpError) {
          sendText(res, error.status, error.message, error.headers);
          return;
        }
        console.error(`${req.method} ${req.url?.slice(0, 200)}: unexpected error`, error);
        sendText(res, 500, 'internal error');
      } catch (failure) {
        // Not even an answer could be written (a broken socket): drop the connection, keep the process.
        console.error('could not answer a failed request', failure);
        res.destroy();
      }
    });
  };
}

/**
 * Requests Node's parser rejects before any route sees them (an unknown method, a request line that is not HTTP,
 * headers over the size limit, a client too slow to send them): a status with a short message, then the socket
 * is closed, as Node does by default but without an empty body.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers too large (cookies included)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request took too long to arrive']
        : [400, 'Bad Request', 'malformed HTTP request'];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${message.length}\r\nConnection: close\r\n\r\n${message}`,
  );
}
