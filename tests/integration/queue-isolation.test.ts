import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../apps/server/src/testing/database.js';
import { TestClient } from '../../apps/server/src/testing/graphql-client.js';
import {
  API_READY,
  killStartedProcesses,
  MAIN,
  type StartedProcess,
  startProcess,
  WORKER,
} from '../../apps/server/src/testing/process.js';

// Two deployments (each an API server that only enqueues and a worker) on two databases share one Redis, with no
// QUEUE_PREFIX set: each must get its own queue, so neither worker takes, drops or delays the other's jobs. A job
// taken by the wrong worker would wait for its own deployment's sweep of QUEUED jobs (every 30 s) to be queued again.
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

const JOBS_PER_DEPLOYMENT = 6;
/**
 * The most a job may wait between being enqueued and its worker starting it (server times, so a slow test client
 * does not count): each self-test job takes about 50 ms, so even queued behind the rest this is generous, and it is
 * far below the 30 s a dropped job would wait for the sweep.
 */
const START_WITHIN_MS = 5000;

interface Deployment {
  name: string;
  db: TestDatabase;
  dataDir: string;
  api: StartedProcess;
  worker: StartedProcess;
  operator: TestClient;
}

const deployments: Deployment[] = [];

async function startDeployment(name: string): Promise<Deployment> {
  const db = await createTestDatabase();
  if (db.config.kind !== 'postgres') throw new Error('expected Postgres');
  const dataDir = await mkdtemp(join(tmpdir(), `wb-queue-${name}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    DATABASE_URL: db.config.url,
    DATA_DIR: dataDir,
    DEMO_DIR: '',
    OPERATOR_EMAILS: `ops@${name}.org`,
    JOB_QUOTA_PER_USER: String(JOBS_PER_DEPLOYMENT),
  };
  delete env.QUEUE_PREFIX; // the default, derived from the database, is what keeps deployments apart
  const [api, worker] = await Promise.all([
    startProcess([MAIN], { ...env, API_PORT: '0', JOB_CONCURRENCY: '0' }, API_READY),
    startProcess([WORKER], { ...env, JOB_CONCURRENCY: '1' }, /Worker ready/),
  ]);
  const operator = await TestClient.signUp(api.match[1] as string, `ops@${name}.org`);
  return { name, db, dataDir, api, worker, operator };
}

beforeAll(async () => {
  if (!enabled) return;
  deployments.push(...(await Promise.all([startDeployment('a'), startDeployment('b')])));
});
afterAll(async () => {
  await Promise.all(
    deployments.map(async ({ api, worker }) => {
      for (const started of [api, worker]) started.child.kill('SIGTERM');
      await Promise.race([
        Promise.all([api.exited, worker.exited]),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
    }),
  );
  killStartedProcesses();
  for (const { db, dataDir } of deployments) {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

describe.skipIf(!enabled)('two deployments on one Redis', () => {
  it("runs every job of each deployment on its own worker within seconds, none taken by the other's", async () => {
    const [a, b] = deployments as [Deployment, Deployment];
    const ids = new Map<Deployment, string[]>([
      [a, []],
      [b, []],
    ]);
    // Interleaved, so both workers wait on the queue while the other deployment's jobs arrive.
    for (let i = 0; i < JOBS_PER_DEPLOYMENT; i++) {
      for (const deployment of [a, b]) {
        const { startSelftestJob } = await deployment.operator.ok<{ startSelftestJob: { id: string } }>(
          'mutation { startSelftestJob(steps: 2, stepMs: 20) { id } }',
        );
        ids.get(deployment)!.push(startSelftestJob.id);
      }
    }

    const waitUntil = Date.now() + 20_000; // below the sweep's 30 s too
    for (const deployment of [a, b]) {
      for (const id of ids.get(deployment)!) {
        const finished = await deployment.operator.waitForJob(id, Math.max(0, waitUntil - Date.now()));
        expect(finished, `job ${id} of deployment ${deployment.name}`).toEqual({
          status: 'SUCCEEDED',
          error: null,
          result: { resumedFrom: 0, visited: [1, 2], attempts: 1 },
        });
        const { job } = await deployment.operator.ok<{ job: { createdAt: string; startedAt: string } }>(
          'query($id: ID!) { job(id: $id) { createdAt startedAt } }',
          { id },
        );
        const waitedMs = Date.parse(job.startedAt) - Date.parse(job.createdAt);
        expect(waitedMs, `job ${id} of deployment ${deployment.name} waited to start`).toBeLessThan(START_WITHIN_MS);
      }
    }

    // Neither worker was handed a job of the other deployment (it would say so, naming the job).
    for (const [deployment, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const output = deployment.worker.output();
      for (const id of ids.get(other)!) expect(output, `worker ${deployment.name}`).not.toContain(id);
    }
  });
});
