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
  dir = await mkdtemp(join(tmpdir(), 'circuit-job-'));
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
  {
    clean_prefix: 'The girl behind the tree',
    patch_prefix: 'The girls behind the tree',
    clean_answer: ' is',
    patch_answer: ' are',
  },
];

describe('circuit jobs', () => {
  it('computes a circuit in the background and stores it as the first version of a new team circuit', async () => {
    const owner = await TestClient.signUp(app.url, 'circuits@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "C" }) { id } }',
    );
    const outsider = await TestClient.signUp(app.url, 'outside@lab.org');
    const denied = await outsider.request(START, {
      i: { teamId: createTeam.id, title: 'x', model: 'demo', pairs, method: 'atp' },
    });
    expect(denied.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const both = await owner.request(START, {
      i: { teamId: createTeam.id, title: 'x', model: 'demo', pairs, dataset: 'nounpp' },
    });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dataset' });

    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(START, {
      i: {
        teamId: createTeam.id,
        title: 'Agreement (tiny)',
        model: 'demo',
        pairs,
        method: 'ig',
        steps: 4,
        nodeThreshold: 0,
      },
    });
    const job = await owner.waitForJob(startCircuitJob.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    const slug = job.result!.slug as string;
    const { circuit } = await owner.ok<{
      circuit: {
        title: string;
        latestVersion: number;
        version: { message: string; graph: { schema: string; nodes: { id: string }[]; metrics: { nodes: number } } };
      };
    }>('query($s: String!) { circuit(slug: $s) { title latestVersion version { message graph } } }', { s: slug });
    expect(circuit).toMatchObject({ title: 'Agreement (tiny)', latestVersion: 1 });
    expect(circuit.version.graph.schema).toBe('workbench.circuit');
    expect(circuit.version.graph.nodes.length).toBeGreaterThan(0);
    expect(circuit.version.graph.metrics.nodes).toBe(job.result!.nodes);
    expect(circuit.version.message).toMatch(/custom, 2 pairs, ig/);

    // Score hand-picked node sets of the stored version: everything, and nothing.
    const { circuit: ids } = await owner.ok<{ circuit: { id: string } }>(
      'query($s: String!) { circuit(slug: $s) { id } }',
      {
        s: slug,
      },
    );
    const allNodes = circuit.version.graph.nodes.map((n) => n.id);
    const evaluate = async (nodeIds: string[]) => {
      const { evaluateSelection } = await owner.ok<{ evaluateSelection: { id: string } }>(
        'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
        { c: ids.id, n: nodeIds },
      );
      return owner.waitForJob(evaluateSelection.id);
    };
    const all = await evaluate(allNodes);
    expect(all.status).toBe('SUCCEEDED');
    expect(all.result!.faithfulness).toBeCloseTo(1, 3);
    const none = await evaluate([]);
    expect(none.result!.faithfulness).toBeCloseTo(0, 3);
    expect(none.result!.completeness).toBeCloseTo(1, 3);
    const stranger = await outsider.request(
      'mutation($c: ID!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: []) { id } }',
      { c: ids.id },
    );
    expect(stranger.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('uses and records every given pair, so scoring the stored circuit again reproduces its faithfulness', async () => {
    // Words of the demo vocabulary, singular and plural: unknown ones would all be one [UNK] token, and refused.
    const nouns = ['boy', 'girl', 'dog', 'cat', 'doctor', 'teacher', 'pilot'];
    // 21 pairs: more than the default n (20), which applies to datasets, not to pairs given one by one.
    const many = ['near the car', 'behind the tree', 'by the house'].flatMap((place) =>
      nouns.map((noun) => ({
        clean_prefix: `The ${noun} ${place}`,
        patch_prefix: `The ${noun}s ${place}`,
        clean_answer: ' is',
        patch_answer: ' are',
      })),
    );
    const owner = await TestClient.signUp(app.url, 'pairs@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Pairs" }) { id } }',
    );
    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(START, {
      i: {
        teamId: createTeam.id,
        title: 'Many pairs',
        model: 'demo',
        pairs: many,
        method: 'atp',
        nodeThreshold: 0.01,
      },
    });
    const job = await owner.waitForJob(startCircuitJob.id);
    expect(job.error).toBeNull();
    const { circuit } = await owner.ok<{
      circuit: {
        id: string;
        version: {
          graph: {
            nodes: { id: string }[];
            dataset: { pairs: number; examples: unknown[] };
            metrics: { faithfulness: number };
          };
        };
      };
    }>('query($s: String!) { circuit(slug: $s) { id version { graph } } }', { s: job.result!.slug as string });
    const { graph } = circuit.version;
    expect(graph.dataset).toMatchObject({ pairs: 21, examples: many });
    const { evaluateSelection } = await owner.ok<{ evaluateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
      { c: circuit.id, n: graph.nodes.map((n) => n.id) },
    );
    const scored = await owner.waitForJob(evaluateSelection.id);
    expect(scored.result!.faithfulness).toBeCloseTo(graph.metrics.faithfulness, 4);
  });

  it('refuses, at start and without queuing a job, a custom pair the model cannot tell apart', async () => {
    const owner = await TestClient.signUp(app.url, 'same-pair@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Same" }) { id } }',
    );
    const start = (pair: Partial<(typeof pairs)[number]>) =>
      owner.request(START, {
        i: { teamId: createTeam.id, title: 'x', model: 'demo', pairs: [pairs[0], { ...pairs[1], ...pair }] },
      });

    const same = await start({ patch_prefix: 'The girl behind the tree' });
    expect(same.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pairs.1' });
    const message = same.errors?.[0]?.message ?? '';
    expect(message).toContain('Pair 2: "The girl behind the tree" and "The girl behind the tree" tokenize identically');
    expect(message).toContain('(tokens: The | girl | behind | the | tree)');
    expect(message).toContain("change the subject's number");

    // Different words, same tokens: both are unknown to the demo vocabulary, so both become one <unk>.
    const unknown = await start({
      clean_prefix: 'The zorb behind the tree',
      patch_prefix: 'The zorbs behind the tree',
    });
    expect(unknown.errors?.[0]?.message).toContain(
      '"The zorb behind the tree" and "The zorbs behind the tree" tokenize identically',
    );

    const sameAnswer = await start({ patch_answer: ' is' });
    expect(sameAnswer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pairs.1' });
    expect(sameAnswer.errors?.[0]?.message).toMatch(/^Pair 2: the answers " is" and " is" are the same token/);

    expect(await app.runtime.services.prisma.job.count({ where: { teamId: createTeam.id } })).toBe(0);
  });

  it('does not save a computed circuit into a team its owner has left meanwhile', async () => {
    const owner = await TestClient.signUp(app.url, 'leaver-owner@lab.org');
    const leaver = await TestClient.signUp(app.url, 'leaver@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Left" }) { id } }',
    );
    const { me } = await leaver.ok<{ me: { id: string } }>('{ me { id } }');
    const save = () =>
      app.runtime.services.circuits.createForJob(
        { teamId: createTeam.id, createdById: me.id },
        { title: 'late', visibility: 'TEAM', graph: { nodes: [{ id: 'a' }], edges: [] }, message: 'computed' },
      );
    await expect(save()).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: createTeam.id, email: 'leaver@lab.org', role: 'MEMBER' },
    });
    await expect(save()).resolves.toMatchObject({ teamId: createTeam.id, title: 'late' });
  });

  it('computes and stores a circuit whose method is exact; an unknown method is refused by name', async () => {
    const owner = await TestClient.signUp(app.url, 'exact@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Exact" }) { id } }',
    );
    const bad = await owner.request(START, {
      i: { teamId: createTeam.id, title: 'x', model: 'demo', pairs: pairs.slice(0, 1), method: 'exactly' },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'method' });

    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(START, {
      i: {
        teamId: createTeam.id,
        title: 'Exact (tiny)',
        model: 'demo',
        pairs: pairs.slice(0, 1),
        method: 'exact',
        nodeThreshold: 0,
      },
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
