// The walkthrough's demo circuit (/learn) over the real API, on the real bundled demo model: public, the seed pair,
// its metric equal to the plain model's logit difference, linked to the app's SAEs, saved to a team by createCircuit.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ASSETS_DIR, loadHookedGPT2, parseCircuitFile } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

const QUERY = '{ learnCircuit { model cleanPrefix patchPrefix cleanAnswer patchAnswer graph } }';
const BURST = 4;

let app: RunningApp;
let db: TestDatabase;
let dir: string;
const saved = { burst: process.env.COMPUTE_RATE_BURST, rate: process.env.COMPUTE_RATE_PER_SECOND };

beforeAll(async () => {
  // A small bucket that does not refill during the test, so the limit can be seen.
  process.env.COMPUTE_RATE_BURST = String(BURST);
  process.env.COMPUTE_RATE_PER_SECOND = '0.0001';
  dir = await mkdtemp(join(tmpdir(), 'learn-'));
  db = await createTestDatabase();
  app = await startApp({
    database: db.config,
    host: '127.0.0.1',
    port: 0,
    secureCookies: false,
    models: { bundledDir: DEMO_ASSETS_DIR, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
  });
}, 120_000);
afterAll(async () => {
  for (const [key, value] of [
    ['COMPUTE_RATE_BURST', saved.burst],
    ['COMPUTE_RATE_PER_SECOND', saved.rate],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await app?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Token ids read straight from the demo's tokenizer.json (byte-level BPE writes a leading space as Ġ). */
async function demoIds(words: string[]): Promise<number[]> {
  const vocab = JSON.parse(await readFile(join(DEMO_ASSETS_DIR, 'model', 'tokenizer.json'), 'utf8')).model.vocab;
  return words.map((w) => {
    const id = vocab[w.replace(/^ /, 'Ġ')];
    if (typeof id !== 'number') throw new Error(`"${w}" is not in the demo vocabulary`);
    return id;
  });
}

describe('learnCircuit: the walkthrough demo circuit', () => {
  it('is answered signed out: the seed pair on the demo model, metric = the model’s own logit difference', async () => {
    const anon = new TestClient(app.url);
    const { learnCircuit } = await anon.ok<{ learnCircuit: Record<string, unknown> }>(QUERY);
    expect(learnCircuit).toMatchObject({
      model: 'demo',
      cleanPrefix: 'The cat',
      patchPrefix: 'The cats',
      cleanAnswer: ' runs',
      patchAnswer: ' run',
    });
    const file = parseCircuitFile(learnCircuit.graph, 'learnCircuit');
    expect(file.dataset.promptTokens).toEqual(['<|endoftext|>', 'The', ' cat']);
    expect(file.dataset.patchTokens).toEqual(['<|endoftext|>', 'The', ' cats']);
    // Every SAE of the demo model, named by the app's ids so the editor links features to their pages.
    expect(file.saes).toHaveLength(13);
    for (const sae of file.saes) expect(sae.id).toBe(`demo/${sae.hook}`);
    // metric = logit[" run"] - logit[" runs"] at the last token, from a plain forward pass of the model
    const [bos, the, cat, cats, runs, run] = await demoIds(['<|endoftext|>', 'The', ' cat', ' cats', ' runs', ' run']);
    const { model } = await loadHookedGPT2(join(DEMO_ASSETS_DIR, 'model'));
    try {
      const out = await model.run([
        [bos!, the!, cat!],
        [bos!, the!, cats!],
      ]);
      const V = out.logits!.shape[2]!;
      const at = (b: number, id: number) => out.logits!.data[(b * 3 + 2) * V + id]!;
      expect(file.metrics.cleanMetric).toBeCloseTo(at(0, run!) - at(0, runs!), 3);
      expect(file.metrics.patchMetric).toBeCloseTo(at(1, run!) - at(1, runs!), 3);
      // the model agrees: " runs" after "The cat", " run" after "The cats"
      expect(at(0, runs!)).toBeGreaterThan(at(0, run!));
      expect(at(1, run!)).toBeGreaterThan(at(1, runs!));
    } finally {
      await model.dispose();
    }
    // A circuit worth showing: it recovers most of the behaviour, with feature nodes and edges to draw.
    expect(file.metrics.faithfulness).toBeGreaterThan(0.5);
    expect(file.nodes.filter((n) => n.kind === 'feature').length).toBeGreaterThan(10);
    expect(file.edges.length).toBeGreaterThan(10);
  }, 120_000);

  it('is computed once: a signed-in caller gets the same circuit, and saves it to a team with createCircuit', async () => {
    const first = (await new TestClient(app.url).ok<{ learnCircuit: { graph: { created: string } } }>(QUERY))
      .learnCircuit.graph;
    const ada = await TestClient.signUp(app.url, 'ada-learn@lab.org');
    const { learnCircuit } = await ada.ok<{ learnCircuit: { graph: { created: string; nodes: unknown[] } } }>(QUERY);
    expect(learnCircuit.graph.created).toBe(first.created);
    const { createTeam } = await ada.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Learners" }) { id } }',
    );
    const { createCircuit } = await ada.ok<{ createCircuit: { slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
      { i: { teamId: createTeam.id, title: 'The cat runs', graph: learnCircuit.graph } },
    );
    const { circuit } = await ada.ok<{ circuit: { version: { graph: { nodes: unknown[] } } } }>(
      'query($s: String!) { circuit(slug: $s) { version { graph } } }',
      { s: createCircuit.slug },
    );
    expect(circuit.version.graph.nodes).toHaveLength(learnCircuit.graph.nodes.length);
  }, 60_000);

  it('is rate-limited per client like the other model runs', async () => {
    const anon = new TestClient(app.url);
    // The first tests' signed-out calls came from this address too: BURST + 1 calls surely empty the bucket.
    const codes: (string | undefined)[] = [];
    for (let i = 0; i <= BURST; i++) codes.push((await anon.request(QUERY)).errors?.[0]?.extensions?.code as string);
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    expect(codes.filter((c) => c === undefined).length).toBeGreaterThan(0);
  });
});
