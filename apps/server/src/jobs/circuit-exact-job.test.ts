import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';

let dir: string;
let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'circuit-exact-job-'));
  await writeTinyModelFixture(dir, 8, { circuitHooks: true });
  db = await createTestDatabase();
  app = await startApp({
    database: db.config,
    host: '127.0.0.1',
    port: 0,
    secureCookies: false,
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
  });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const START = 'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id status } }';
const pairs = [
  {
    clean_prefix: 'The boy near the car',
    patch_prefix: 'The boys near the car',
    clean_answer: ' is',
    patch_answer: ' are',
  },
];

describe('circuit jobs by exact patching', () => {
  it('computes and stores a circuit whose method is exact; an unknown method is refused by name', async () => {
    const owner = await TestClient.signUp(app.url, 'exact@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Exact" }) { id } }',
    );
    const bad = await owner.request(START, {
      i: { teamId: createTeam.id, title: 'x', model: 'demo', pairs, method: 'exactly' },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'method' });

    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(START, {
      i: { teamId: createTeam.id, title: 'Exact (tiny)', model: 'demo', pairs, method: 'exact', nodeThreshold: 0 },
    });
    const job = await owner.waitForJob(startCircuitJob.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const { circuit } = await owner.ok<{
      circuit: { version: { message: string; graph: { method: { kind: string }; nodes: { id: string }[] } } };
    }>('query($s: String!) { circuit(slug: $s) { version { message graph } } }', { s: job.result!.slug as string });
    expect(circuit.version.graph.method.kind).toBe('exact');
    expect(circuit.version.graph.nodes.length).toBeGreaterThan(1);
    expect(circuit.version.message).toMatch(/1 pairs, exact/);
  });
});
