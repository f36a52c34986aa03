// Label drafts (issue 16, items 5 and 6) over the real API: the explain job against a local HTTP server that speaks
// the OpenAI chat completions API, on the bundled demo model and SAEs. One feature and a whole SAE with a request
// cap, a feature that keeps failing, a resume after the server restarts mid-job (nothing drafted twice), the
// token-pattern draft without an endpoint, and the mutations' permissions and bad inputs. Dashboards are written by
// hand (activating contexts that hold a marker word the demo corpus never has), so the expected drafts, scores and
// request counts below are worked out from them, not read from the code.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppOptions, type RunningApp, startApp } from '../app.js';
import type { DatabaseConfig } from '../db/database.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';
import { markerLabeler, OpenAiStub } from '../testing/openai-stub.js';

const DEMO = new URL('../../../../packages/analysis/assets/demo', import.meta.url).pathname;
const MODEL = 'demo';
const SAE_ONE = 'demo/blocks.0.hook_resid_post';
const SAE_CAPPED = 'demo/blocks.1.hook_resid_post';
const SAE_FAILING = 'demo/blocks.2.hook_resid_post';
const SAE_RESUMED = 'demo/blocks.3.hook_resid_post';
const SAE_PATTERN = 'demo/blocks.0.hook_mlp_out';
const MARKER = ' ZEBRA';
const LLM_MODEL = 'stub-explainer-7b';

let db: TestDatabase;
let dir: string;
let durable: DatabaseConfig;
let stub: OpenAiStub;
let options: AppOptions;
let app: RunningApp;
let ada: TestClient;
let vic: TestClient;
let adaId: string;
let team: string;

/** A context of the demo's words with the marker (activation 2) and " stripes" (1) in it. */
const context = (i: number, marker = MARKER) => ({
  tokens: ['<|endoftext|>', ' the', ' keys', marker, ' stripes', ` near${i}`],
  values: [0, 0, 0, 2, 1, 0],
  max: 2,
});

/**
 * A dashboard of 4 top contexts and one quantile bin of 2: the explainer sees top 0 and 2 and the bin's first,
 * detection holds out top 1 and 3 and the bin's second (3 activating examples, and 3 of the corpus).
 */
function dashboard(saeId: string, featureIndex: number, marker = MARKER, density = 0.01) {
  return {
    saeId,
    featureIndex,
    maxActivation: 2,
    density,
    histogram: { edges: [0, 1, 2], counts: [0, 6] },
    topContexts: density ? [0, 1, 2, 3].map((i) => context(i, marker)) : [],
    quantiles: density ? [{ from: 0, to: 2, contexts: [context(4, marker), context(5, marker)] }] : [],
    topLogits: [
      { token: ' gallop', value: 1.5 },
      { token: ' graze', value: 1.2 },
      { token: ' run', value: 0.9 },
    ],
    bottomLogits: [{ token: ' is', value: -1.1 }],
    corpus: 'demo',
  };
}

const EXPLAIN = `mutation($t: ID!, $m: ID!, $s: ID!, $f: Int, $n: Int) {
  explainFeatures(teamId: $t, model: $m, sae: $s, featureIndex: $f, maxRequests: $n) { id }
}`;
const explain = (client: TestClient, vars: { sae: string; featureIndex?: number; maxRequests?: number }) =>
  client.request<{ explainFeatures: { id: string } }>(EXPLAIN, {
    t: team,
    m: MODEL,
    s: vars.sae,
    f: vars.featureIndex,
    n: vars.maxRequests,
  });
async function explainOk(vars: { sae: string; featureIndex?: number; maxRequests?: number }) {
  const { data, errors } = await explain(ada, vars);
  if (errors?.length || !data) throw new Error(JSON.stringify(errors));
  return data.explainFeatures.id;
}

const LABELS = `query($m: String!, $s: String!, $f: Int!) {
  featureLabels(feature: { modelId: $m, saeId: $s, featureIndex: $f }) {
    edges { node { name description status source detectionScore author { id } } }
  }
}`;
interface Label {
  name: string;
  description: string;
  status: string;
  source: string | null;
  detectionScore: number | null;
  author: { id: string } | null;
}
async function labelsOf(saeId: string, featureIndex: number): Promise<Label[]> {
  const { featureLabels } = await ada.ok<{ featureLabels: { edges: { node: Label }[] } }>(LABELS, {
    m: MODEL,
    s: saeId,
    f: featureIndex,
  });
  return featureLabels.edges.map((e) => e.node);
}

const prisma = () => app.runtime.services.prisma;
const errorOf = (r: { errors?: { message: string; extensions?: { code?: string; field?: string } }[] }) => ({
  code: r.errors?.[0]?.extensions?.code,
  field: r.errors?.[0]?.extensions?.field,
  message: r.errors?.[0]?.message,
});

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'wb-explain-'));
  durable = db.config.kind === 'postgres' ? db.config : { kind: 'pglite', dataDir: join(dir, 'pglite') };
  stub = await OpenAiStub.start(markerLabeler(MARKER, 'the word zebra'));
  options = {
    database: durable,
    host: '127.0.0.1',
    port: 0,
    secureCookies: false,
    models: { bundledDir: DEMO, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
    // Three drafts at once: the counts below hold as they would one at a time.
    llm: {
      baseUrl: stub.baseUrl,
      apiKey: 'sk-stub-key',
      model: LLM_MODEL,
      timeoutMs: 2000,
      maxRetries: 1,
      concurrency: 3,
    },
    llmRequests: { default: 50, cap: 100 },
  };
  app = await startApp(options);
  ada = await TestClient.signUp(app.url, 'ada@explain.org');
  vic = await TestClient.signUp(app.url, 'vic@explain.org');
  adaId = (await ada.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  team = (await ada.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Zoo" }) { id } }'))
    .createTeam.id;
  await ada.ok(
    'mutation($t: ID!) { addTeamMember(input: { teamId: $t, email: "vic@explain.org", role: VIEWER }) { role } }',
    {
      t: team,
    },
  );
  await prisma().featureDashboard.createMany({
    data: [
      dashboard(SAE_ONE, 3),
      ...[0, 1, 2, 3, 4, 5].map((f) => dashboard(SAE_CAPPED, f)),
      dashboard(SAE_CAPPED, 6, MARKER, 0), // dead: never drafted
      ...[0, 1, 2, 3].map((f) => dashboard(SAE_FAILING, f, [MARKER, ' BROKEN', ' SLOW', MARKER][f])),
      ...[0, 1, 2, 3].map((f) => dashboard(SAE_RESUMED, f)),
      ...[0, 1].map((f) => dashboard(SAE_PATTERN, f)),
    ],
  });
});

afterAll(async () => {
  await app?.stop();
  await stub?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('explain job with an OpenAI-compatible endpoint', () => {
  it('says an LLM is configured, which and where', async () => {
    const { labelDrafting } = await ada.ok<{ labelDrafting: Record<string, unknown> }>(
      '{ labelDrafting { llmConfigured model endpoint defaultMaxRequests maxRequestsCap } }',
    );
    expect(labelDrafting).toEqual({
      llmConfigured: true,
      model: LLM_MODEL,
      endpoint: new URL(stub.baseUrl).origin,
      defaultMaxRequests: 50,
      maxRequestsCap: 100,
    });
  });

  it('drafts one feature: a proposed label by the starter, marked with the model, scored by detection', async () => {
    const before = stub.requests.length;
    const job = await ada.waitForJob(await explainOk({ sae: SAE_ONE, featureIndex: 3 }));
    expect(job.status).toBe('SUCCEEDED');
    expect(job.result).toMatchObject({ drafter: 'LLM', model: LLM_MODEL, drafted: 1, failed: [], requests: 2 });
    const [label, ...others] = await labelsOf(SAE_ONE, 3);
    expect(others).toEqual([]);
    expect(label).toMatchObject({ name: 'the word zebra', status: 'PROPOSED', author: { id: adaId } });
    expect(label!.description).toBe('The word ZEBRA and the words around it.');
    // The stub answers 1 exactly for the 3 held-out contexts with the marker, 0 for the 3 corpus ones.
    expect(label!.detectionScore).toBe(1);
    const source = JSON.parse(label!.source!);
    expect(source).toMatchObject({ format: 'LLM', model: LLM_MODEL, corpus: 'demo', explainedFrom: 3 });
    expect(source.detection).toMatchObject({
      score: 1,
      truePositives: 3,
      falseNegatives: 0,
      trueNegatives: 3,
      falsePositives: 0,
      examples: 6,
    });

    const [explainer, detector] = stub.requests.slice(before);
    expect(explainer!.authorization).toBe('Bearer sk-stub-key');
    expect(explainer!.body.model).toBe(LLM_MODEL);
    // The explainer sees top contexts 0 and 2 and the bin's first (near0, near2, near4), marked; never near1/3/5.
    const shown = explainer!.body.messages[1]!.content;
    expect(shown).toContain('Example 1: <|endoftext|> the keys<< ZEBRA stripes>> near0');
    expect(shown).toContain('Activations: " ZEBRA" 10, " stripes" 5');
    expect(shown.match(/near\d/g)).toEqual(['near0', 'near2', 'near4']);
    // Detection holds out near1, near3 and near5, unmarked, beside 3 corpus contexts without the marker.
    const test = detector!.body.messages[1]!.content;
    expect(test.startsWith('Label: the word zebra: The word ZEBRA and the words around it.')).toBe(true);
    expect(test.match(/near\d/g)?.sort()).toEqual(['near1', 'near3', 'near5']);
    expect(test).not.toContain('<<');
    expect(test.split('\n').filter((l) => l.startsWith('Example ')).length).toBe(6);
    // The key reaches the endpoint only: not the job's row.
    const row = await prisma().job.findFirstOrThrow({ where: { kind: 'explain' } });
    expect(JSON.stringify(row)).not.toContain('sk-stub-key');
  });

  it('scores a label that says every example activates at chance (0.5)', async () => {
    const saying = stub.handler;
    stub.handler = (request, i) =>
      request.prompt.includes('Examples:') ? { content: '[1, 1, 1, 1, 1, 1]' } : saying(request, i);
    try {
      const job = await ada.waitForJob(await explainOk({ sae: SAE_ONE, featureIndex: 3 }));
      expect(job.result).toMatchObject({ drafted: 1, requests: 2 });
    } finally {
      stub.handler = saying;
    }
    const scores = (await labelsOf(SAE_ONE, 3)).map((l) => l.detectionScore).sort();
    expect(scores).toEqual([0.5, 1]);
  });

  it('stops an SAE-wide job at its request cap, saying so, and a second job goes on from there', async () => {
    const job = await ada.waitForJob(await explainOk({ sae: SAE_CAPPED, maxRequests: 5 }));
    expect(job.status).toBe('SUCCEEDED');
    // 6 firing features (the dead one is not drafted); 2 requests each: 2 drafted in 4, a third would pass 5.
    expect(job.result).toMatchObject({
      features: 6,
      drafted: 2,
      requests: 4,
      maxRequests: 5,
      stoppedAtCap: true,
      left: 4,
    });
    expect((job.result as { summary: string }).summary).toBe(
      'Stopped at the request cap (5 requests): 2 of 6 features drafted, 4 left. Start the job again to go on; drafted features are skipped.',
    );
    expect((await labelsOf(SAE_CAPPED, 0)).length).toBe(1);
    expect((await labelsOf(SAE_CAPPED, 2)).length).toBe(0);

    const next = await ada.waitForJob(await explainOk({ sae: SAE_CAPPED, maxRequests: 100 }));
    expect(next.result).toMatchObject({ features: 6, alreadyDrafted: 2, drafted: 4, requests: 8, stoppedAtCap: false });
    for (const f of [0, 1, 2, 3, 4, 5]) expect((await labelsOf(SAE_CAPPED, f)).length).toBe(1);
    expect((await labelsOf(SAE_CAPPED, 6)).length).toBe(0);
    // The SAE page's table shows each draft's score (the stub found the 3 marked contexts of 6 each time).
    const { saeFeatures } = await ada.ok<{
      saeFeatures: { edges: { node: { featureIndex: number; label: { detectionScore: number | null } | null } }[] };
    }>(
      'query($t: ID, $s: ID!) { saeFeatures(model: "demo", sae: $s, teamId: $t, filter: LABELED) { edges { node { featureIndex label { detectionScore } } } } }',
      { t: team, s: SAE_CAPPED },
    );
    expect(saeFeatures.edges.map((e) => [e.node.featureIndex, e.node.label?.detectionScore])).toEqual(
      [0, 1, 2, 3, 4, 5].map((f) => [f, 1]),
    );
  });

  it('records features that keep failing (malformed JSON, a timeout) with the reason, and goes on', async () => {
    const labeler = stub.handler;
    stub.handler = (request, i) => {
      if (request.prompt.includes('BROKEN')) return { malformed: '{"choices": [' };
      if (request.prompt.includes('SLOW')) return { hang: true };
      return labeler(request, i);
    };
    try {
      const job = await ada.waitForJob(await explainOk({ sae: SAE_FAILING }));
      expect(job.status).toBe('SUCCEEDED');
      // 2 drafts of 2 requests, the malformed answer (not retried), the timeout tried twice (maxRetries 1).
      expect(job.result).toMatchObject({ features: 4, drafted: 2, requests: 7 });
      const failed = (job.result as { failed: { featureIndex: number; reason: string }[] }).failed;
      const byFeature = [...failed].sort((a, b) => a.featureIndex - b.featureIndex);
      expect(byFeature.map((f) => f.featureIndex)).toEqual([1, 2]);
      expect(byFeature[0]!.reason).toMatch(/not valid JSON/);
      expect(byFeature[1]!.reason).toBe('timed out after 2000 ms (2 tries)');
      expect((job.result as { summary: string }).summary).toBe('2 of 4 features drafted (2 failed).');
    } finally {
      stub.handler = labeler;
    }
    expect((await labelsOf(SAE_FAILING, 1)).length).toBe(0);
    expect((await labelsOf(SAE_FAILING, 2)).length).toBe(0);
    expect((await labelsOf(SAE_FAILING, 3)).length).toBe(1);
  });

  it('resumes after the server restarts mid-job: drafted features are skipped, none drafted twice', async () => {
    // Slow answers, so that the restart lands in the middle of the job.
    stub.delayMs = 250;
    stub.maxOpen = 0;
    const before = stub.requests.length;
    const id = await explainOk({ sae: SAE_RESUMED });
    try {
      const deadline = Date.now() + 60_000;
      while ((await prisma().featureLabel.count({ where: { saeId: SAE_RESUMED } })) < 1) {
        if (Date.now() > deadline) throw new Error('no draft within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      await app.stop();
      app = await startApp(options);
    } finally {
      stub.delayMs = 0;
    }
    ada = ada.at(app.url);
    vic = vic.at(app.url);
    const job = await ada.waitForJob(id);
    expect(job.status).toBe('SUCCEEDED');
    const result = job.result as { drafted: number; alreadyDrafted: number; requests: number; features: number };
    expect(result.features).toBe(4);
    expect(result.alreadyDrafted).toBeGreaterThanOrEqual(1);
    expect(result.alreadyDrafted + result.drafted).toBe(4);
    for (const f of [0, 1, 2, 3]) {
      expect(await prisma().featureLabel.count({ where: { saeId: SAE_RESUMED, featureIndex: f } })).toBe(1);
    }
    // Every request, before and after the restart, is counted (the checkpoint carries the first run's); one the
    // shutdown aborted may have been counted without reaching the stub.
    const received = stub.requests.length - before;
    expect(result.requests).toBeGreaterThanOrEqual(received);
    expect(result.requests).toBeLessThanOrEqual(received + 1);
    const row = await prisma().job.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(2);
    // Drafts ran three at a time (LLM_CONCURRENCY): the stub answered several requests at once.
    expect(stub.maxOpen).toBeGreaterThanOrEqual(2);
  });
});

describe('explainFeatures refuses', () => {
  it('a viewer (FORBIDDEN) and the signed-out (UNAUTHENTICATED)', async () => {
    expect(errorOf(await explain(vic, { sae: SAE_ONE, featureIndex: 3 })).code).toBe('FORBIDDEN');
    expect(errorOf(await explain(new TestClient(app.url), { sae: SAE_ONE, featureIndex: 3 })).code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('bad input with BAD_USER_INPUT naming the field', async () => {
    const cases: [Parameters<typeof explain>[1], string, RegExp][] = [
      [{ sae: 'demo/no.such.hook' }, 'sae', /has no SAE "demo\/no.such.hook"/],
      [{ sae: SAE_ONE, maxRequests: -1 }, 'maxRequests', /at least 1/],
      [{ sae: SAE_ONE, maxRequests: 101 }, 'maxRequests', /at most 100/],
      [{ sae: SAE_ONE, featureIndex: -2 }, 'featureIndex', /non-negative/],
      [{ sae: SAE_ONE, featureIndex: 1024 }, 'featureIndex', /has 1024 features/],
      [{ sae: SAE_ONE, featureIndex: 4 }, 'featureIndex', /no dashboards yet/],
      [{ sae: 'demo/hook_embed' }, 'sae', /no dashboards yet/],
    ];
    for (const [vars, field, message] of cases) {
      const error = errorOf(await explain(ada, vars));
      expect(error, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(error.message).toMatch(message);
    }
    const badTeam = await ada.request(EXPLAIN, { t: 'not-a-team', m: MODEL, s: SAE_ONE });
    expect(errorOf(badTeam)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'teamId' });
  });
});

const PATTERN = `mutation($t: ID!, $m: ID!, $s: ID!, $f: Int!) {
  draftLabelFromTokenPattern(teamId: $t, model: $m, sae: $s, featureIndex: $f) { name description source detectionScore }
}`;

describe('without an endpoint: token-pattern drafts', () => {
  beforeAll(async () => {
    await app.stop();
    app = await startApp({ ...options, llm: null });
    ada = ada.at(app.url);
    vic = vic.at(app.url);
  });

  it('says no LLM is configured', async () => {
    const { labelDrafting } = await ada.ok<{ labelDrafting: Record<string, unknown> }>(
      '{ labelDrafting { llmConfigured model endpoint } }',
    );
    expect(labelDrafting).toEqual({ llmConfigured: false, model: null, endpoint: null });
  });

  it('drafts from the tokens the feature fires on and promotes, marked as such, with no score', async () => {
    const before = stub.requests.length;
    const { draftLabelFromTokenPattern: label } = await ada.ok<{
      draftLabelFromTokenPattern: { name: string; description: string; source: string; detectionScore: null };
    }>(PATTERN, { t: team, m: MODEL, s: SAE_PATTERN, f: 0 });
    // 6 contexts: " ZEBRA" 2 and " stripes" 1 in each (12 of 18, 6 of 18); logits as written in the dashboard.
    expect(label.name).toBe('fires on " ZEBRA", " stripes"; promotes " gallop", " graze", " run"');
    expect(label.description).toBe(
      'Token-pattern draft (no language model). Of the activation in the dashboard\'s 6 contexts, " ZEBRA" has 67%, ' +
        '" stripes" has 33%. Its decoder direction promotes " gallop", " graze", " run" and suppresses " is" through ' +
        'the unembedding.',
    );
    expect(label.detectionScore).toBeNull();
    expect(JSON.parse(label.source)).toMatchObject({
      format: 'TOKEN_PATTERN',
      corpus: 'demo',
      promotes: [' gallop', ' graze', ' run'],
      suppresses: [' is'],
    });
    expect(stub.requests.length).toBe(before);
  });

  it('runs the explain job on token patterns, skipping features that already have one', async () => {
    const before = stub.requests.length;
    const job = await ada.waitForJob(await explainOk({ sae: SAE_PATTERN }));
    expect(job.result).toMatchObject({
      drafter: 'TOKEN_PATTERN',
      model: null,
      features: 2,
      alreadyDrafted: 1,
      drafted: 1,
      requests: 0,
      summary: '1 of 1 feature drafted (1 drafted before).',
    });
    expect(stub.requests.length).toBe(before);
    const [label] = await labelsOf(SAE_PATTERN, 1);
    expect(JSON.parse(label!.source!).format).toBe('TOKEN_PATTERN');
    expect((await labelsOf(SAE_PATTERN, 0)).length).toBe(1);
  });

  it('refuses a viewer, and a feature without a dashboard naming the field', async () => {
    const viewer = await vic.request(PATTERN, { t: team, m: MODEL, s: SAE_PATTERN, f: 0 });
    expect(errorOf(viewer).code).toBe('FORBIDDEN');
    const missing = await ada.request(PATTERN, { t: team, m: MODEL, s: SAE_PATTERN, f: 9 });
    expect(errorOf(missing)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'featureIndex' });
    expect(errorOf(missing).message).toMatch(/no dashboard yet/);
  });
});
