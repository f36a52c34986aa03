// /healthz asks the database: 200 {"status":"ok","database":"ok"} while it answers, 503 with a short reason when a
// query fails or hangs past the probe's timeout. Before, it answered 200 'ok' whatever state the database was in.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { createTestDatabase } from '../testing/database.js';
import { endPgliteThreads } from '../testing/pglite-threads.mjs';
import { hasPostgres } from '../testing/services.js';
import { HEALTH_TIMEOUT_MS } from './health.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const test = await startTestApp(options);
  cleanups.push(() => test.stop());
  return test;
}

const healthUrl = (apiUrl: string) => apiUrl.replace('/graphql', '/healthz');

async function health(apiUrl: string, method = 'GET') {
  const response = await fetch(healthUrl(apiUrl), { method });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Asks until /healthz answers `status` (a probe's answer is reused for a second), or fails after `withinMs`. */
async function healthBecomes(apiUrl: string, status: number, withinMs = 8000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await health(apiUrl);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`/healthz still answers ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('/healthz', () => {
  it('answers 200 with JSON while the database answers, HEAD without a body, other methods 405', async () => {
    const { app } = await started();
    const answer = await health(app.url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(answer.text)).toEqual({ status: 'ok', database: 'ok' });

    const head = await health(app.url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');

    const post = await health(app.url, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('shares one database query among a flood of concurrent checks', async () => {
    let probes = 0;
    const { app } = await started({ onQuery: (sql) => void (/^SELECT 1$/i.test(sql.trim()) && probes++) });
    // One query per reuse period (1 s) that the flood lasts: a slow machine may spread 200 requests over more.
    const floodFor = async (checks: number) => {
      const startedAt = Date.now();
      const answers = await Promise.all(Array.from({ length: checks }, () => health(app.url)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      return 1 + Math.floor((Date.now() - startedAt) / 1000);
    };
    const periods = await floodFor(200);
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(periods);
    // Once the answer is older than the reuse period, the next check asks the database again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = probes;
    const laterPeriods = await floodFor(50);
    expect(probes).toBeGreaterThan(before);
    expect(probes - before).toBeLessThanOrEqual(laterPeriods);
  });
});

describe('/healthz on the embedded database', () => {
  /** The API on an in-memory PGlite, whatever DATABASE_URL says. */
  async function startedOnPglite() {
    const app = await startApp({ host: '127.0.0.1', port: 0, secureCookies: false, database: { kind: 'pglite' } });
    cleanups.push(() => app.stop(4000));
    return app;
  }

  it('answers 503 within the probe timeout while a long statement holds the database', async () => {
    const app = await startedOnPglite();
    expect((await health(app.url)).status).toBe(200);
    // PGlite runs one statement at a time: while this one sleeps, no other query is answered.
    const sleeping = app.runtime.services.prisma.$queryRaw`SELECT pg_sleep(5)::text AS slept`;
    const finished = sleeping.then(() => {});
    await expectTimedOut(app.url);
    await finished;
    expect((await healthBecomes(app.url, 200)).status).toBe(200);
  });

  it("answers 503 once the database's thread has ended (main.ts then stops the API: database-loss.test.ts)", async () => {
    const app = await startedOnPglite();
    expect((await health(app.url)).status).toBe(200);
    expect(endPgliteThreads()).toBe(1);
    await app.runtime.databaseLost;
    const answer = await healthBecomes(app.url, 503);
    expect(JSON.parse(answer.text)).toMatchObject({
      status: 'unavailable',
      database: expect.stringMatching(/^query failed/),
    });
  });
});

describe.runIf(hasPostgres())('/healthz on Postgres', () => {
  it('answers 503 with a short reason, naming neither the database nor its address, once the database is dropped', async () => {
    const { app, db } = await started();
    expect((await health(app.url)).status).toBe(200);
    await db.drop();
    const answer = await healthBecomes(app.url, 503);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(answer.text) as { status: string; database: string };
    expect(body.status).toBe('unavailable');
    expect(body.database).toMatch(/^query failed \(.*DatabaseDoesNotExist/);
    expect(body.database.length).toBeLessThan(80);
    const url = new URL(db.config.kind === 'postgres' ? db.config.url : '');
    for (const secret of [url.pathname.slice(1), url.host, url.username]) expect(answer.text).not.toContain(secret);
    expect((await health(app.url, 'HEAD')).status).toBe(503);
  });

  it('answers 503 within the probe timeout when the database stops answering, and 200 again once it answers', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    if (db.config.kind !== 'postgres') throw new Error('expected Postgres');
    const target = new URL(db.config.url);
    const relay = await startRelay(target.hostname, Number(target.port || 5432));
    cleanups.push(() => relay.close());
    const through = new URL(db.config.url);
    through.host = `127.0.0.1:${relay.port}`;
    const app = await startApp({
      host: '127.0.0.1',
      port: 0,
      secureCookies: false,
      database: { kind: 'postgres', url: through.toString() },
    });
    cleanups.push(async () => {
      relay.resume();
      await app.stop(4000);
    });
    expect((await health(app.url)).status).toBe(200);

    // A network that stops passing packets: connections stay open, queries never come back.
    relay.pause();
    await expectTimedOut(app.url);

    relay.resume();
    expect(JSON.parse((await healthBecomes(app.url, 200)).text)).toEqual({ status: 'ok', database: 'ok' });
  });
});

/** Past the reuse of the last "ok", /healthz answers 503 within about its timeout, saying the database did not answer. */
async function expectTimedOut(apiUrl: string) {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const askedAt = Date.now();
  const answer = await health(apiUrl);
  expect(answer.status).toBe(503);
  expect(JSON.parse(answer.text)).toEqual({
    status: 'unavailable',
    database: `no answer within ${HEALTH_TIMEOUT_MS} ms`,
  });
  expect(Date.now() - askedAt).toBeLessThan(HEALTH_TIMEOUT_MS + 2000);
}

/** A TCP relay to host:port whose traffic can be held (both ways, on open and new connections) and let go again. */
async function startRelay(host: string, port: number) {
  const sockets = new Set<Socket>();
  let paused = false;
  /** Bytes that arrived while paused, in order, with the socket they are for. */
  let held: [Socket, Buffer][] = [];
  const forward = (to: Socket, chunk: Buffer) => (paused ? held.push([to, chunk]) : to.write(chunk));
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    client.on('data', (chunk) => forward(upstream, chunk));
    upstream.on('data', (chunk) => forward(client, chunk));
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('relay has no port');
  return {
    port: address.port,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const [to, chunk] of held) to.write(chunk);
      held = [];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
