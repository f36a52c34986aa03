// JOB_MEMORY_MB: a dashboards or circuit job whose estimated peak memory exceeds the limit is refused before it
// runs (JOB_TOO_LARGE at enqueue, with the numbers; a job that reaches a runner with a lower limit fails with the same
// message before loading anything), and under the limit the estimate shows in the job's progress and result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { type TinyModelFixture, writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';
import { defaultJobMemoryMb } from './memory.js';
import { jobTopic } from './runner.js';

let dir: string;
let fixture: TinyModelFixture;
let tight: TestApp;
let roomy: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-job-memory-'));
  fixture = await writeTinyModelFixture(dir, 8, { circuitHooks: true });
  const models = { bundledDir: dir, registryDir: join(dir, 'registry') };
  tight = await startTestApp({ models, engineCacheDir: join(dir, 'engine-cache'), jobMemoryMb: 1 });
  roomy = await startTestApp({
    models,
    engineCacheDir: join(dir, 'engine-cache'),
    jobMemoryMb: 64_000,
    operatorEmails: 'op@lab.org',
  });
});

afterAll(async () => {
  await tight?.stop();
  await roomy?.stop();
  await rm(dir, { recursive: true, force: true });
});

const DASHBOARDS = 'mutation($s: ID!) { computeDashboards(model: "demo", sae: $s, maxContexts: 8) { id } }';
const CIRCUIT = 'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }';
const pairs = [
  {
    clean_prefix: 'The boy near the car',
    patch_prefix: 'The boys near the car',
    clean_answer: ' is',
    patch_answer: ' are',
  },
];
const circuitInput = (teamId: string) => ({
  teamId,
  title: 'Agreement (tiny)',
  model: 'demo',
  pairs,
  method: 'ig',
  steps: 2,
  nodeThreshold: 0,
});

async function teamOf(client: TestClient): Promise<string> {
  const { createTeam } = await client.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "M" }) { id } }',
  );
  return createTeam.id;
}

/** The tiny model's estimate is the runtime's 200 MiB plus under 10 MiB (mostly the tokenized corpus), times 1.15. */
const TINY_ESTIMATE = /^estimated peak memory (2[34]\d) MB of 62\.5 GB allowed$/;

describe('JOB_MEMORY_MB', () => {
  it('is read from the environment, unset by default (75% of the memory, shared by the jobs run at once)', () => {
    expect(loadConfig({ JOB_MEMORY_MB: '4096' }).JOB_MEMORY_MB).toBe(4096);
    expect(loadConfig({ JOB_MEMORY_MB: '0' }).JOB_MEMORY_MB).toBe(0);
    expect(loadConfig({}).JOB_MEMORY_MB).toBeUndefined();
    expect(() => loadConfig({ JOB_MEMORY_MB: '-1' })).toThrow(/^bad environment variable JOB_MEMORY_MB/);
    expect(defaultJobMemoryMb(2)).toBe(Math.floor((0.75 * totalmem()) / 2 ** 20 / 2));
    expect(defaultJobMemoryMb(0)).toBe(defaultJobMemoryMb(1));
  });

  it('refuses a dashboards and a circuit job above the limit at once, naming estimate, limit and what to reduce', async () => {
    const user = await TestClient.signUp(tight.app.url, 'tight@lab.org');
    const dashboards = await user.request(DASHBOARDS, { s: `demo/${fixture.saeHook}` });
    const d = dashboards.errors?.[0];
    expect(d?.extensions).toMatchObject({ code: 'JOB_TOO_LARGE', limitMb: 1 });
    expect(d?.extensions?.estimateMb).toBeGreaterThanOrEqual(230);
    expect(d?.message).toMatch(
      /^This dashboards job needs an estimated 2\d\d MB of memory at its peak, more than the 1 MB a job may use \(JOB_MEMORY_MB=1\); use a smaller corpus or maxContexts, or fewer SAEs or ones with fewer features$/,
    );

    const circuit = await user.request(CIRCUIT, { i: circuitInput(await teamOf(user)) });
    const c = circuit.errors?.[0];
    expect(c?.extensions).toMatchObject({ code: 'JOB_TOO_LARGE', limitMb: 1 });
    expect(c?.message).toMatch(
      /^This circuit job needs an estimated 2\d\d MB .* \(JOB_MEMORY_MB=1\); use fewer SAEs \(saeIds\), fewer pairs \(n\), fewer steps, or a maxNodes$/,
    );
    // Nothing was queued, so nothing ran.
    expect(await tight.app.runtime.services.prisma.job.count()).toBe(0);
  });

  it('fails a job that reaches a runner whose limit it exceeds, before it loads anything', async () => {
    // As a worker with less memory than the API server that queued it would: the job checks again when it starts.
    const { runner, services } = tight.app.runtime;
    const job = await runner.enqueue('dashboards', {
      modelId: 'demo',
      saeId: `demo/${fixture.saeHook}`,
      maxContexts: 8,
    });
    let row = await services.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    for (const deadline = Date.now() + 30_000; !['FAILED', 'SUCCEEDED'].includes(row.status); ) {
      if (Date.now() > deadline) throw new Error(`job still ${row.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await services.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    }
    expect(row.status).toBe('FAILED');
    expect(row.error).toMatch(/^This dashboards job needs an estimated 2\d\d MB .* \(JOB_MEMORY_MB=1\);/);
    expect(row.stage).toMatch(/^estimated peak memory 2\d\d MB of 1 MB allowed$/);
    expect(await services.prisma.featureDashboard.count()).toBe(0);
  });

  it('runs jobs under the limit and reports the estimate in their progress and result', async () => {
    const op = await TestClient.signUp(roomy.app.url, 'op@lab.org');
    const teamId = await teamOf(op);
    const { events } = roomy.app.runtime.services;
    // A self-test holds the one job slot, so the jobs below are queued and their progress is heard from the start.
    const { startSelftestJob } = await op.ok<{ startSelftestJob: { id: string } }>(
      'mutation { startSelftestJob(steps: 10, stepMs: 100) { id } }',
    );
    const { computeDashboards } = await op.ok<{ computeDashboards: { id: string } }>(DASHBOARDS, {
      s: `demo/${fixture.saeHook}`,
    });
    const { startCircuitJob } = await op.ok<{ startCircuitJob: { id: string } }>(CIRCUIT, { i: circuitInput(teamId) });
    const stages = (id: string) => {
      const heard: string[] = [];
      const stop = new AbortController();
      void (async () => {
        for await (const event of events.subscribe(jobTopic(id), stop.signal)) {
          const e = event as { kind: string; stage?: string };
          if (e.kind === 'progress') heard.push(e.stage!);
        }
      })();
      return { heard, stop };
    };
    const dashboards = stages(computeDashboards.id);
    const circuit = stages(startCircuitJob.id);
    expect((await op.waitForJob(startSelftestJob.id)).status).toBe('SUCCEEDED');
    const dashboardsJob = await op.waitForJob(computeDashboards.id);
    const circuitJob = await op.waitForJob(startCircuitJob.id);
    dashboards.stop.abort();
    circuit.stop.abort();
    expect(dashboardsJob).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(circuitJob).toMatchObject({ status: 'SUCCEEDED', error: null });

    for (const [job, heard] of [
      [dashboardsJob, dashboards.heard],
      [circuitJob, circuit.heard],
    ] as const) {
      expect(heard[0]).toMatch(TINY_ESTIMATE);
      const mb = Number(TINY_ESTIMATE.exec(heard[0]!)![1]);
      expect(job.result?.estimatedPeakMemoryMb).toBe(mb);
      expect(heard[1]).toMatch(
        /^loading the model and SAEs? \(estimated peak memory 2[34]\d MB of 62\.5 GB allowed\)$/,
      );
    }
  });
});
