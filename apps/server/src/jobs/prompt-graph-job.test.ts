// The one-prompt attribution graph job over the real API on the real bundled demo model and its transcoders:
// refusals by field before anything is queued, progress while it runs, and the graph stored as a team circuit that
// versions, votes and comments work on like any other.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CircuitFile, DEMO_ASSETS_DIR } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogModel } from '../models/catalog.js';
import { ModelService } from '../models/service.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';
import { graphTranscoders } from './prompt-graph.js';
import { jobTopic } from './runner.js';

let dir: string;
let roomy: TestApp;
let tight: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-graph-job-'));
  const models = { bundledDir: DEMO_ASSETS_DIR, registryDir: join(dir, 'registry') };
  const engineCacheDir = join(dir, 'engine-cache');
  roomy = await startTestApp({ models, engineCacheDir, jobMemoryMb: 64_000, operatorEmails: 'op@lab.org' });
  tight = await startTestApp({ models, engineCacheDir, jobMemoryMb: 1 });
}, 120_000);
afterAll(async () => {
  await roomy?.stop();
  await tight?.stop();
  await rm(dir, { recursive: true, force: true });
});

const START = 'mutation($i: PromptGraphJobInput!) { startPromptGraphJob(input: $i) { id status } }';
const PROMPT = 'The cats near the tree';

async function teamOf(client: TestClient, name: string): Promise<string> {
  const { createTeam } = await client.ok<{ createTeam: { id: string } }>(
    'mutation($n: String!) { createTeam(input: { name: $n }) { id } }',
    { n: name },
  );
  return createTeam.id;
}

/** Progress stages heard on a job's topic from now on. */
function listen(app: TestApp, id: string) {
  const heard: string[] = [];
  const stop = new AbortController();
  void (async () => {
    for await (const event of app.app.runtime.services.events.subscribe(jobTopic(id), stop.signal)) {
      const e = event as { kind: string; stage?: string };
      if (e.kind === 'progress') heard.push(e.stage!);
    }
  })();
  return { heard, stop };
}

describe('one-prompt attribution graph jobs', () => {
  it('refuses bad input with BAD_USER_INPUT naming the field, and strangers', async () => {
    const owner = await TestClient.signUp(roomy.app.url, 'graph-refusals@lab.org');
    const teamId = await teamOf(owner, 'Refusals');
    const base = { teamId, title: 'g', model: 'demo', prompt: PROMPT };
    const field = async (input: Record<string, unknown>) => {
      const result = await owner.request(START, { i: { ...base, ...input } });
      return { code: result.errors?.[0]?.extensions?.code, field: result.errors?.[0]?.extensions?.field };
    };
    const refused = (name: string) => ({ code: 'BAD_USER_INPUT', field: name });
    expect(await field({ model: 'gpt-17' })).toEqual(refused('model'));
    expect(await field({ transcoders: 'someone-elses' })).toEqual(refused('transcoders'));
    expect(await field({ prompt: '   ' })).toEqual(refused('prompt'));
    expect(await field({ prompt: 'a'.repeat(2001) })).toEqual(refused('prompt'));
    // The demo model's context is 32 tokens: 40 words do not fit.
    expect(await field({ prompt: Array(40).fill('the').join(' ') })).toEqual(refused('prompt'));
    expect(await field({ nodeThreshold: 1.5 })).toEqual(refused('nodeThreshold'));
    expect(await field({ edgeThreshold: -0.1 })).toEqual(refused('edgeThreshold'));
    expect(await field({ maxFeatureNodes: 0 })).toEqual(refused('maxFeatureNodes'));
    expect(await field({ title: ' ' })).toEqual(refused('title'));

    const stranger = await TestClient.signUp(roomy.app.url, 'graph-stranger@lab.org');
    const denied = await stranger.request(START, { i: base });
    expect(denied.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { count } = await roomy.app.runtime.services.prisma.job
      .aggregate({
        where: { kind: 'graph' },
        _count: true,
      })
      .then((r) => ({ count: r._count }));
    expect(count).toBe(0);
  });

  it('refuses a model without a transcoder at every layer, naming the layers missing', () => {
    const model = (id: string): CatalogModel => ({
      id,
      source: 'local',
      path: `/models/${id}`,
      config: { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 32, vocabSize: 50, lnEps: 1e-5, bosTokenId: 0 },
      fileHash: '',
    });
    const transcoder = (id: string, modelId: string, layer: number) => ({
      id,
      modelId,
      path: `/tc/${id}`,
      hookIn: `blocks.${layer}.ln2.hook_normalized`,
      hookOut: `blocks.${layer}.hook_mlp_out`,
      dIn: 16,
      dOut: 16,
      dSae: 8,
      architecture: 'topk',
      k: 2,
      skip: false,
      fileHash: '',
    });
    const models = new ModelService(
      { models: [model('bare'), model('half')], saes: [], transcoders: [transcoder('set/l0', 'half', 0)] },
      dir,
    );
    const refusal = (modelId: string, set?: string) => {
      try {
        graphTranscoders(models, modelId, set);
      } catch (error) {
        const e = error as { message: string; extensions: { code: string; field: string } };
        return { code: e.extensions.code, field: e.extensions.field, message: e.message };
      }
      return null;
    };
    expect(refusal('bare')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transcoders', message: /no transcoders/ });
    expect(refusal('half')).toMatchObject({ field: 'transcoders', message: /covers all 2 layers/ });
    expect(refusal('half', 'set')).toMatchObject({
      field: 'transcoders',
      message: /set set has no transcoder for layer\(s\) 1$/,
    });
  });

  it('refuses a graph over the memory limit (JOB_TOO_LARGE with the numbers)', async () => {
    const owner = await TestClient.signUp(tight.app.url, 'graph-tight@lab.org');
    const teamId = await teamOf(owner, 'Tight');
    const result = await owner.request(START, { i: { teamId, title: 'g', model: 'demo', prompt: PROMPT } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'JOB_TOO_LARGE', limitMb: 1 });
    expect(result.errors?.[0]?.message).toMatch(/^This graph job needs an estimated \d+ MB .*shorter prompt/);
  });

  it('computes the graph with progress and stores it as a circuit with versions, votes, comments and labels', async () => {
    const op = await TestClient.signUp(roomy.app.url, 'op@lab.org');
    const teamId = await teamOf(op, 'Graphs');
    // A self-test holds the one job slot, so the graph job is queued and its progress is heard from the start.
    const { startSelftestJob } = await op.ok<{ startSelftestJob: { id: string } }>(
      'mutation { startSelftestJob(steps: 5, stepMs: 100) { id } }',
    );
    const { startPromptGraphJob } = await op.ok<{ startPromptGraphJob: { id: string; status: string } }>(START, {
      i: { teamId, title: 'Cats, one prompt', model: 'demo', prompt: PROMPT, transcoders: 'demo' },
    });
    expect(startPromptGraphJob.status).toBe('QUEUED');
    const progress = listen(roomy, startPromptGraphJob.id);
    await op.waitForJob(startSelftestJob.id);
    const job = await op.waitForJob(startPromptGraphJob.id, 120_000);
    progress.stop.abort();
    expect(job.error).toBeNull();
    expect(job.status).toBe('SUCCEEDED');
    expect(progress.heard[0]).toMatch(/^estimated peak memory \d+ MB of 62\.5 GB allowed$/);
    expect(progress.heard[1]).toMatch(/^loading the model and the demo transcoders/);
    for (const stage of ['forward pass', 'transcoders', 'pruning', 'saving the graph'])
      expect(progress.heard).toContain(stage);

    const { circuit } = await op.ok<{
      circuit: {
        id: string;
        title: string;
        latestVersion: number;
        version: { message: string; graph: CircuitFile };
      };
    }>('query($s: String!) { circuit(slug: $s) { id title latestVersion version { message graph } } }', {
      s: job.result!.slug,
    });
    expect(circuit).toMatchObject({ title: 'Cats, one prompt', latestVersion: 1 });
    const graph = circuit.version.graph;
    expect(circuit.version.message).toBe('Computed: attribution graph of one prompt, demo transcoders');
    expect(graph.model.name).toBe('demo');
    // Transcoders by the catalog's ids (Model.transcoders), never by the server's folders.
    expect(graph.saes.map((s) => s.id)).toEqual([0, 1, 2, 3].map((l) => `demo/blocks.${l}.ln2.hook_normalized`));
    expect(JSON.stringify(graph)).not.toContain(DEMO_ASSETS_DIR);
    expect(graph.method).toMatchObject({ kind: 'graph', nodeThreshold: 0.8, edgeThreshold: 0.98, maxNodes: 7500 });
    expect(graph.dataset.prompt).toBe(PROMPT);
    // The demo tokenizer is word-level: BOS, then one token per word.
    expect(graph.dataset.promptTokens).toEqual(['<|endoftext|>', 'The', ' cats', ' near', ' the', ' tree']);
    expect(graph.nodes.length).toBe(job.result!.nodes);
    expect(graph.edges.length).toBe(job.result!.edges);
    const kinds = new Set(graph.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['error', 'feature', 'input', 'output']);
    // Every token embedding is kept (pruning always keeps them), and the logits carry their probabilities.
    expect(graph.nodes.filter((n) => n.kind === 'input')).toHaveLength(6);
    const logits = graph.nodes.filter((n) => n.kind === 'output');
    const p = (label: string) => logits.find((n) => n.label === label)?.probability ?? 0;
    // A model that learned agreement: after a plural subject, " are" is far more likely than " is".
    expect(p(' are')).toBeGreaterThan(5 * p(' is'));
    expect(job.result!.replacementScore).toBe(graph.metrics.replacementScore);
    expect(graph.metrics.replacementScore).toBeGreaterThan(0.5);
    expect(graph.metrics.replacementScore).toBeLessThanOrEqual(1);
    expect(graph.metrics.completenessScore).toBeGreaterThan(0.5);
    expect(graph.metrics.faithfulness).toBeNull();

    // It is a circuit like any other: a vote, a comment and a second version.
    const { voteCircuit } = await op.ok<{ voteCircuit: { score: number } }>(
      'mutation($c: ID!) { voteCircuit(circuitId: $c, value: 1) { score } }',
      { c: circuit.id },
    );
    expect(voteCircuit.score).toBe(1);
    await op.ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'NODE', circuitId: circuit.id, nodeId: logits[0]!.id }, body: 'Why this logit?' },
    });
    // Its transcoder features take team labels like SAE features (by the transcoder's catalog id), in range only.
    const feature = graph.nodes.find((n) => n.kind === 'feature')!;
    const saeId = graph.saes.find((s) => s.hook === feature.hook)!.id!;
    const LABEL = 'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id name } }';
    const label = { teamId, modelId: 'demo', saeId, name: 'plural subject' };
    const { proposeLabel } = await op.ok<{ proposeLabel: { name: string } }>(LABEL, {
      i: { ...label, featureIndex: feature.feature },
    });
    expect(proposeLabel.name).toBe('plural subject');
    const outOfRange = await op.request(LABEL, { i: { ...label, featureIndex: 1024 } });
    expect(outOfRange.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'featureIndex' });

    const edited = { ...graph, nodes: graph.nodes.slice(0, -1) };
    const { saveCircuitVersion } = await op.ok<{ saveCircuitVersion: { number: number } }>(
      'mutation($c: ID!, $g: JSON!) { saveCircuitVersion(input: { circuitId: $c, baseVersion: 1, graph: $g, message: "drop a node" }) { number } }',
      { c: circuit.id, g: edited },
    );
    expect(saveCircuitVersion.number).toBe(2);
  });
});
