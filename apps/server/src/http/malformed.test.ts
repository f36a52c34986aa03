// Malformed HTTP, sent as raw bytes the way an attacker (or a broken client) would: each is answered with a 4xx and
// a short message, and the process keeps serving. Before the request pipeline had one guard, "//" and "/api/%zz"
// stopped the process (an exception in an async request handler) and a bad cookie was a 500.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/app.js';

let testApp: TestApp | undefined;
let app: RunningApp;
let port: number;

beforeAll(async () => {
  testApp = await startTestApp();
  app = testApp.app;
  port = Number(new URL(app.url).port);
});
afterAll(async () => {
  await testApp?.stop();
});

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * Writes `request` on a fresh socket and reads until the server closes it. With `hangUpAfterMs` the client
 * closes its side first (a truncated upload), and no answer is expected.
 */
function sendRaw(request: string | Buffer, hangUpAfterMs?: number): Promise<RawAnswer | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (hangUpAfterMs === undefined ? reject(error) : resolve(null)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (!status) return resolve(null);
      resolve({ status: Number(status), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(request);
    if (hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), hangUpAfterMs);
  });
}

const request = (head: string, body = '') =>
  `${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;
const postJson = (body: string, extra = '') =>
  request(`POST /graphql HTTP/1.1\r\nContent-Type: application/json${extra}`, body);

const MB = 1024 * 1024;

/** [what, raw request, expected status] */
const cases: [string, string | Buffer, number][] = [
  ['"//" as the target', request('GET // HTTP/1.1'), 404],
  ['"//host/x" as the target', request('GET //evil.example/graphql HTTP/1.1'), 404],
  ['bad percent-encoding in an /api path', request('GET /api/sae-encoder/%zz HTTP/1.1'), 400],
  ['"*" as the target', request('GET * HTTP/1.1'), 400],
  ['unknown path', request('GET /nope HTTP/1.1'), 404],
  [
    'bad percent-encoding in the session cookie',
    postJson('{"query":"{ me { id } }"}', '\r\nCookie: wb_session=%E0%A4%A'),
    200,
  ],
  ['a non-ASCII cookie', postJson('{"query":"{ me { id } }"}', '\r\nCookie: wb_session=\xfc\xe9'), 200],
  ['a cookie over the header limit', request(`GET /healthz HTTP/1.1\r\nCookie: wb_session=${'a'.repeat(20_000)}`), 431],
  ['a body that is not JSON', postJson('{"query": '), 400],
  ['a JSON array', postJson('[]'), 400],
  ['a JSON number', postJson('5'), 400],
  ['JSON null', postJson('null'), 400],
  ['a query that is a number', postJson('{"query": 5}'), 400],
  ['variables that are a string', postJson('{"query": "{ __typename }", "variables": "x"}'), 400],
  ['variables that are an array', postJson('{"query": "{ __typename }", "variables": [1]}'), 400],
  [
    'text/plain (Apollo blocks it as a CSRF risk)',
    request('POST /graphql HTTP/1.1\r\nContent-Type: text/plain', '{}'),
    400,
  ],
  ['no content type', request('POST /graphql HTTP/1.1', '{"query":"{ __typename }"}'), 400],
  ['PUT on /graphql', request('PUT /graphql HTTP/1.1', '{}'), 405],
  ['DELETE on /healthz', request('DELETE /healthz HTTP/1.1'), 405],
  ['POST on an /api path', request('POST /api/sae-encoder/x HTTP/1.1', 'x'), 405],
  ['an unknown method', request('BREW /graphql HTTP/1.1'), 400],
  ['a header line without a colon', request('GET /healthz HTTP/1.1\r\nnot a header'), 400],
  [
    'a declared body over the limit',
    request(`POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${17 * MB}`),
    413,
  ],
  ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400],
];

describe('malformed HTTP', () => {
  it.each(cases)('%s is answered with a status and a message', async (_what, raw, status) => {
    const answer = await sendRaw(raw);
    expect(answer?.status).toBe(status);
    if (status >= 400) {
      expect(answer?.body.length).toBeGreaterThan(0);
      expect(answer?.body).not.toMatch(/internal|stack|at \w+ \(/i);
    }
    expect((await fetch(app.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });

  it('refuses a chunked body that grows over the limit with 413 and closes the connection', async () => {
    const head =
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = 'a'.repeat(MB);
    const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(17);
    const answer = await sendRaw(Buffer.from(head + body));
    expect(answer?.status).toBe(413);
    expect(answer?.body).toMatch(/over the limit/);
  });

  it('survives bodies cut short (Content-Length larger than sent, then the client hangs up)', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const cut = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`;
      await Promise.all(Array.from({ length: 20 }, () => sendRaw(cut, 100)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      console.error = original;
    }
    // A client that leaves is not a server fault: nothing logged as one.
    expect(errors).toEqual([]);
    expect((await fetch(app.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });

  it('still answers GraphQL after all of the above', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('the guard around every route', () => {
  it('answers an unexpected error with 500, logs it once, and keeps serving', async () => {
    const { createServer } = await import('node:http');
    const { guarded, HttpError } = await import('./requests.js');
    let calls = 0;
    const server = createServer(
      guarded(async (_req, res) => {
        calls++;
        if (calls === 1) throw new Error('a bug in a handler');
        if (calls === 2) throw new HttpError(418, 'short and stout');
        res.end('fine');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const first = await fetch(url);
      expect([first.status, await first.text()]).toEqual([500, 'internal error']);
      const second = await fetch(url);
      expect([second.status, await second.text()]).toEqual([418, 'short and stout']);
      expect(await (await fetch(url)).text()).toBe('fine');
    } finally {
      console.error = original;
      server.close();
    }
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.[1])).toContain('a bug in a handler');
  });
});
