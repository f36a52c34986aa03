import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRuntime, type RunningApp, startApp } from '../app.js';
import type { DatabaseConfig } from '../db/database.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';
import { InProcessQueue } from './queue.js';

let db: TestDatabase;
let dir: string;
/** A database that outlives a runtime: Postgres when DATABASE_URL is set, else PGlite on disk. */
let durable: DatabaseConfig;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'jobs-'));
  durable = db.config.kind === 'postgres' ? db.config : { kind: 'pglite', dataDir: join(dir, 'pglite') };
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('jobs over GraphQL', () => {
  let app: RunningApp;
  let user: TestClient;
  beforeAll(async () => {
    // The self-test job is an operator's.
    app = await startApp({
      database: durable,
      host: '127.0.0.1',
      port: 0,
      secureCookies: false,
      operatorEmails: 'jobs@lab.org',
    });
    user = await TestClient.signUp(app.url, 'jobs@lab.org');
  });
  afterAll(() => app?.stop());

  it('streams stage, percent and ETA over the subscription, then the result', async () => {
    const { startSelftestJob } = await user.ok<{ startSelftestJob: { id: string; status: string } }>(
      'mutation { startSelftestJob(steps: 4, stepMs: 150) { id status } }',
    );
    const ws = createClient({
      url: app.url.replace('http', 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: user.sessionCookie } });
        }
      },
    });
    const seen: { status: string; stage: string; percent: number; etaSeconds: number | null }[] = [];
    try {
      const events = ws.iterate<{ jobProgress: (typeof seen)[number] & { result: unknown } }>({
        query: 'subscription($id: ID!) { jobProgress(id: $id) { status stage percent etaSeconds result } }',
        variables: { id: startSelftestJob.id },
      });
      let last: { status: string; result: unknown } | undefined;
      for await (const event of events) {
        const progress = event.data!.jobProgress;
        seen.push(progress);
        last = progress;
        if (['SUCCEEDED', 'FAILED'].includes(progress.status)) break;
      }
      expect(last).toMatchObject({ status: 'SUCCEEDED', result: { resumedFrom: 0, visited: [1, 2, 3, 4] } });
    } finally {
      await ws.dispose();
    }
    const running = seen.filter((s) => s.status === 'RUNNING');
    expect(running.map((s) => s.stage)).toContain('step 2 of 4');
    expect(running.find((s) => s.percent === 50)?.etaSeconds).toBeGreaterThan(0);

    const other = await TestClient.signUp(app.url, 'nosy@lab.org');
    const peek = await other.request('query($id: ID!) { job(id: $id) { status } }', { id: startSelftestJob.id });
    expect(peek.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('records a failure with its message', async () => {
    const { startSelftestJob } = await user.ok<{ startSelftestJob: { id: string } }>(
      'mutation { startSelftestJob(steps: 3, stepMs: 10, failAt: 2) { id } }',
    );
    const job = await waitFor(
      () =>
        user.ok<{ job: { status: string; error: string } }>('query($id: ID!) { job(id: $id) { status error } }', {
          id: startSelftestJob.id,
        }),
      (r) => r.job.status === 'FAILED',
    );
    expect(job.job).toEqual({ status: 'FAILED', error: 'selftest failed at step 2 as asked' });
  });

  it('cancels a queued job (it never runs) and a running one (it stops at its next step, freeing the runner)', async () => {
    type JobRow = {
      status: string;
      stage: string;
      percent: number;
      error: string | null;
      result: unknown;
      attempts: number;
      startedAt: string | null;
      finishedAt: string | null;
    };
    const JOB = 'query($id: ID!) { job(id: $id) { status stage percent error result attempts startedAt finishedAt } }';
    const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { status stage finishedAt } }';
    const read = (id: string) => user.ok<{ job: JobRow }>(JOB, { id }).then((r) => r.job);
    const start = (steps: number, stepMs: number) =>
      user
        .ok<{ startSelftestJob: { id: string } }>(
          'mutation($s: Int!, $ms: Int!) { startSelftestJob(steps: $s, stepMs: $ms) { id } }',
          {
            s: steps,
            ms: stepMs,
          },
        )
        .then((r) => r.startSelftestJob.id);

    // 200 steps of 100 ms: 20 s if it ran to the end. The runner runs one job at a time, so the next one waits.
    const long = await start(200, 100);
    const running = await waitFor(
      () => read(long),
      (j) => j.status === 'RUNNING' && j.percent > 0,
    );
    expect(running.status).toBe('RUNNING');
    const queued = await start(1, 0);
    expect((await read(queued)).status).toBe('QUEUED');

    // Only its creator (or an admin of its team) may cancel it; someone else does not even see it.
    const nosy = await TestClient.signUp(app.url, 'cancel-nosy@lab.org');
    expect((await nosy.request(CANCEL, { id: long })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await read(long)).status).toBe('RUNNING');

    const cancelledQueued = await user.ok<{ cancelJob: { status: string; stage: string; finishedAt: string } }>(
      CANCEL,
      {
        id: queued,
      },
    );
    expect(cancelledQueued.cancelJob).toMatchObject({ status: 'CANCELLED', stage: 'cancelled' });
    const cancelledAt = Date.now();
    const cancelledRunning = await user.ok<{ cancelJob: { status: string; finishedAt: string | null } }>(CANCEL, {
      id: long,
    });
    expect(cancelledRunning.cancelJob.status).toBe('CANCELLED');
    expect(cancelledRunning.cancelJob.finishedAt).not.toBeNull();

    // The runner is free at once: a job started now runs and succeeds long before the 20 s the cancelled one had left.
    const next = await start(1, 0);
    const done = await waitFor(
      () => read(next),
      (j) => j.status === 'SUCCEEDED',
      10_000,
    );
    expect(done.status).toBe('SUCCEEDED');
    expect(Date.parse(done.startedAt!) - cancelledAt).toBeLessThan(5000);

    // The cancelled ones stay cancelled: the running one stopped where it was (no result, no failure recorded over
    // it), and the queued one was delivered to the runner (before the next job) but never started.
    const stopped = await read(long);
    expect(stopped).toMatchObject({ status: 'CANCELLED', stage: 'cancelled', error: null, result: null, attempts: 1 });
    expect(stopped.percent).toBeLessThan(50);
    expect(await read(queued)).toMatchObject({
      status: 'CANCELLED',
      stage: 'cancelled',
      error: null,
      result: null,
      attempts: 0,
      startedAt: null,
    });
    // Cancelling a finished job changes nothing.
    expect((await user.ok<{ cancelJob: { status: string } }>(CANCEL, { id: next })).cancelJob.status).toBe('SUCCEEDED');
  });
});

describe('jobs across restarts', () => {
  it('runs a job queued before a restart, resumes an interrupted one from its checkpoint, and fails one interrupted too often', async () => {
    // A process that only enqueues, then stops before anything ran.
    const first = await createRuntime({ database: durable, jobConcurrency: 0 });
    const queued = await first.runner.enqueue('selftest', { steps: 2, stepMs: 1 });
    const prisma1 = first.services.prisma;
    // Two jobs a dead process left RUNNING: one with a checkpoint, one already tried three times.
    const interrupted = await prisma1.job.create({
      data: {
        kind: 'selftest',
        input: { steps: 4, stepMs: 1 },
        status: 'RUNNING',
        attempts: 1,
        checkpoint: { done: 2 },
      },
    });
    const hopeless = await prisma1.job.create({
      data: { kind: 'selftest', input: { steps: 2, stepMs: 1 }, status: 'RUNNING', attempts: 3 },
    });
    await first.close();

    const second = await createRuntime({ database: durable, jobConcurrency: 1 });
    try {
      const prisma = second.services.prisma;
      const read = (id: string) => prisma.job.findUniqueOrThrow({ where: { id } });
      const finished = (j: { status: string }) => ['SUCCEEDED', 'FAILED'].includes(j.status);
      expect(await waitFor(() => read(queued.id), finished)).toMatchObject({ status: 'SUCCEEDED' });
      const resumed = await waitFor(() => read(interrupted.id), finished);
      expect(resumed).toMatchObject({ status: 'SUCCEEDED', attempts: 2, result: { resumedFrom: 2, visited: [3, 4] } });
      const failed = await read(hopeless.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/interrupted 3 times/);
    } finally {
      await second.close();
    }
  });
});

describe('jobs across a graceful restart', () => {
  it('puts a running job back in the queue on shutdown and resumes it from its checkpoint', async () => {
    const first = await createRuntime({ database: durable, jobConcurrency: 1 });
    const job = await first.runner.enqueue('selftest', { steps: 30, stepMs: 40 });
    const read = (prisma: typeof first.services.prisma) => prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    await waitFor(
      () => read(first.services.prisma),
      (j) => j.percent >= 20,
    );
    await first.close();

    const second = await createRuntime({ database: durable, jobConcurrency: 1 });
    try {
      const done = await waitFor(
        () => read(second.services.prisma),
        (j) => ['SUCCEEDED', 'FAILED'].includes(j.status),
      );
      expect(done.status).toBe('SUCCEEDED');
      const result = done.result as { resumedFrom: number; visited: number[] };
      expect(result.resumedFrom).toBeGreaterThanOrEqual(6);
      expect(result.visited[0]).toBe(result.resumedFrom + 1);
      expect(result.visited.at(-1)).toBe(30);
    } finally {
      await second.close();
    }
  });
});

describe('a delivery the runner cannot claim', () => {
  it('is refused with an error when this database has no such job, and left alone when the row says it is not ours now', async () => {
    const runtime = await createRuntime({ database: durable, jobConcurrency: 0 });
    try {
      const { prisma } = runtime.services;
      const stranger = randomUUID();
      await expect(runtime.runner.execute(stranger)).rejects.toThrow(
        `no job ${stranger} in this deployment's database: it was queued by another deployment that shares this Redis queue (give each deployment its own QUEUE_PREFIX); left to that deployment`,
      );
      // A duplicate delivery of a job another runtime is running, and of a finished one: nothing to do, nothing changed.
      const heartbeatAt = new Date();
      const running = await prisma.job.create({
        data: { kind: 'selftest', input: {}, status: 'RUNNING', attempts: 1, heartbeatAt },
      });
      const finished = await prisma.job.create({
        data: { kind: 'selftest', input: {}, status: 'SUCCEEDED', attempts: 1, result: { visited: [1] } },
      });
      await runtime.runner.execute(running.id);
      await runtime.runner.execute(finished.id);
      expect(await prisma.job.findUniqueOrThrow({ where: { id: running.id } })).toMatchObject({
        status: 'RUNNING',
        attempts: 1,
        heartbeatAt,
      });
      expect(await prisma.job.findUniqueOrThrow({ where: { id: finished.id } })).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 1,
        result: { visited: [1] },
      });
      await prisma.job.update({ where: { id: running.id }, data: { status: 'CANCELLED' } }); // no later sweep revives it
    } finally {
      await runtime.close();
    }
  });
});

describe('in-process queue', () => {
  it('runs no more than its concurrency at once', async () => {
    const queue = new InProcessQueue(2);
    let active = 0;
    let peak = 0;
    const done: string[] = [];
    queue.work(async (id) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 30));
      active--;
      done.push(id);
    });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await queue.add(id);
    await queue.drained();
    expect(peak).toBe(2);
    expect(done.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
