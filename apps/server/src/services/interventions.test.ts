// Interventions over the real API on the bundled demo model: steering a plural-number feature (picked from a circuit
// computed here, not by index) moves the is/are logit difference toward " are"; ablating a circuit's subject
// features gives the metric its own evaluation gives for the same nodes; bad input is BAD_USER_INPUT naming the field.
import { DEMO_ASSETS_DIR } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

let test: TestApp;

beforeAll(async () => {
  test = await startModelTestApp(DEMO_ASSETS_DIR, 'interventions-');
}, 120_000);
afterAll(() => test?.stop());

const STEER = `query($sae: ID!, $feature: Int!, $text: String!, $strength: Float!, $positions: [Int!], $compare: [String!], $n: Int, $freeze: Boolean) {
  steerFeature(model: "demo", sae: $sae, feature: $feature, text: $text, strength: $strength, positions: $positions, compareTokens: $compare, continuation: $n, freezeAttention: $freeze) {
    tokens positions hook scale scaleSource addedNorm compareTokens
    unsteered { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
    steered { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
    frozen { logitDiff continuation continuationText topTokens { tokenId token probability logit } }
  }
}`;

// Singular subjects (clean) against plural ones (patch), every pair asking " is" against " are"; words of the demo
// vocabulary (the same as circuit-job.test.ts uses).
const PAIRS = ['boy', 'girl', 'dog', 'cat', 'doctor', 'pilot'].flatMap((noun) =>
  ['near the car', 'behind the tree'].map((place) => ({
    clean_prefix: `The ${noun} ${place}`,
    patch_prefix: `The ${noun}s ${place}`,
    clean_answer: ' is',
    patch_answer: ' are',
  })),
);

interface Run {
  logitDiff: number;
  continuation: string[];
  continuationText: string;
  topTokens: { tokenId: number; token: string; probability: number; logit: number }[];
}
interface Steering {
  tokens: string[];
  positions: number[] | null;
  hook: string;
  scale: number;
  scaleSource: string;
  addedNorm: number;
  unsteered: Run;
  steered: Run;
  frozen: Run | null;
}
interface Node {
  id: string;
  kind: string;
  hook: string;
  feature: number | null;
  position: number | null;
  effect: number;
  activation?: number;
}

describe('interventions', () => {
  let owner: TestClient;
  let circuitId: string;
  let nodes: Node[];
  let saeIds: Record<string, string>;

  beforeAll(async () => {
    owner = await TestClient.signUp(test.app.url, 'steer@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Interventions" }) { id } }',
    );
    const { startCircuitJob } = await owner.ok<{ startCircuitJob: { id: string } }>(
      'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
      { i: { teamId: createTeam.id, title: 'is/are', model: 'demo', pairs: PAIRS, nodeThreshold: 0.05 } },
    );
    const job = await owner.waitForJob(startCircuitJob.id, 120_000);
    expect(job.error).toBeNull();
    const { circuit } = await owner.ok<{
      circuit: { id: string; version: { graph: { nodes: Node[]; saes: { hook: string; id: string }[] } } };
    }>('query($s: String!) { circuit(slug: $s) { id version { graph } } }', { s: job.result!.slug });
    circuitId = circuit.id;
    nodes = circuit.version.graph.nodes;
    saeIds = Object.fromEntries(circuit.version.graph.saes.map((s) => [s.hook, s.id]));
  }, 180_000);

  it('steering the circuit’s strongest plural-subject feature up moves logit(" are") - logit(" is") toward " are"', async () => {
    // A node's effect is (activation on the plural prompt - on the singular one) x the gradient of m = logit(" are")
    // - logit(" is"), summed over the path. A feature at the subject (BOS, The, subject: position 2) silent on the
    // singular subjects (mean clean activation ~0) with a positive effect is one plural subjects turn on and that
    // says " are"; the strongest such. (A positive effect alone could as well be a singular feature saying " is".)
    const plural = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2 && (n.activation ?? 0) < 0.05)
      .sort((a, b) => b.effect - a.effect)[0]!;
    expect(plural.effect).toBeGreaterThan(0);
    const sae = saeIds[plural.hook]!;
    // Its dashboard says how strongly it fires at most; strength counts in multiples of that.
    await test.app.runtime.services.prisma.featureDashboard.create({
      data: {
        saeId: sae,
        featureIndex: plural.feature!,
        maxActivation: 4,
        density: 0.01,
        histogram: {},
        topContexts: [],
        quantiles: [],
        topLogits: [],
        bottomLogits: [],
        corpus: 'test',
      },
    });
    const steerAt = (text: string, strength: number, positions: number[] | null = null, freeze = false) =>
      owner.ok<{ steerFeature: Steering }>(STEER, {
        sae,
        feature: plural.feature,
        text,
        strength,
        positions,
        compare: [' are', ' is'],
        n: 5,
        freeze,
      });
    const { steerFeature: up } = await steerAt('The teacher behind the car', 2);
    expect(up.tokens).toHaveLength(6); // BOS + 5 words
    expect(up.scaleSource).toBe('DASHBOARD');
    expect(up.scale).toBe(4);
    // The singular subject prefers " is"; steered, the difference moves toward " are" by a clear margin (measured:
    // blocks.0.hook_resid_post #309, -9.09 -> 6.98; #616, -9.09 -> -1.05 with the SAEs before their dead-feature
    // retrain).
    expect(up.unsteered.logitDiff).toBeLessThan(0);
    expect(up.steered.logitDiff - up.unsteered.logitDiff).toBeGreaterThan(1);
    // Row 0 of the batch ran without the vector: the same as the model's plain next-token distribution sums to < 1.
    const probs = up.unsteered.topTokens.map((t) => t.probability);
    expect([...probs].sort((a, b) => b - a)).toEqual(probs);
    expect(probs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
    expect(up.unsteered.continuation.length).toBeLessThanOrEqual(5);
    expect(up.unsteered.continuationText).toBe(up.unsteered.continuation.join(''));

    // Suppressing it on a plural subject moves the difference the other way.
    const { steerFeature: down } = await steerAt('The teachers behind the car', -2);
    expect(down.unsteered.logitDiff).toBeGreaterThan(0);
    expect(down.steered.logitDiff).toBeLessThan(down.unsteered.logitDiff);

    // Only at the subject's position: still toward " are", and the added vector is strength x max act x |row|.
    const { steerFeature: atSubject } = await steerAt('The teacher behind the car', 2, [2]);
    expect(atSubject.positions).toEqual([2]);
    expect(atSubject.steered.logitDiff).toBeGreaterThan(atSubject.unsteered.logitDiff);
    expect(atSubject.addedNorm).toBeCloseTo(up.addedNorm, 5);
    // Strength 0 changes nothing.
    const { steerFeature: zero } = await steerAt('The teacher behind the car', 0);
    expect(zero.steered.logitDiff).toBeCloseTo(zero.unsteered.logitDiff, 5);
    expect(zero.steered.continuation).toEqual(zero.unsteered.continuation);

    // With attention frozen, a third run beside the two (none without asking); the free runs are the same as before.
    expect(up.frozen).toBeNull();
    const { steerFeature: frozen } = await steerAt('The teacher behind the car', 2, null, true);
    expect(frozen.steered.logitDiff).toBeCloseTo(up.steered.logitDiff, 4);
    expect(frozen.frozen!.continuation.length).toBeLessThanOrEqual(5);
    expect(frozen.frozen!.logitDiff).not.toBeCloseTo(frozen.steered.logitDiff, 2);
    // Measured: -9.09 unsteered, 6.98 free, -5.60 frozen: most of the shift (about 4/5) comes through attention
    // patterns (half of it with the SAEs before their dead-feature retrain: -1.05 free, -5.45 frozen).
  });

  it('ablating the circuit’s top subject features gives the metric its own evaluation predicts, per pair', async () => {
    const subject = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2)
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, 8)
      .map((n) => n.id);
    const ablate = async (mode: string) => {
      const { ablateSelection } = await owner.ok<{ ablateSelection: { id: string } }>(
        'mutation($c: ID!, $n: [String!]!, $m: String!) { ablateSelection(circuitId: $c, version: 1, nodeIds: $n, mode: $m) { id } }',
        { c: circuitId, n: subject, m: mode },
      );
      const job = await owner.waitForJob(ablateSelection.id, 120_000);
      expect(job.error).toBeNull();
      return job.result as {
        nodes: number;
        meanBefore: number;
        meanAfter: number;
        pairs: { clean: string; before: number; after: number }[];
      };
    };
    const { evaluateSelection } = await owner.ok<{ evaluateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
      { c: circuitId, n: subject },
    );
    const scores = (await owner.waitForJob(evaluateSelection.id, 120_000)).result as {
      fFull: number;
      fComplement: number;
    };
    const mean = await ablate('mean');
    expect(mean.nodes).toBe(subject.length);
    expect(mean.pairs).toHaveLength(12);
    expect(Math.abs(mean.meanBefore - scores.fFull)).toBeLessThan(1e-4);
    expect(Math.abs(mean.meanAfter - scores.fComplement)).toBeLessThan(1e-4);
    const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(average(mean.pairs.map((p) => p.after))).toBeCloseTo(mean.meanAfter, 6);
    expect(mean.pairs[0]!.clean).toMatch(/^The /);
    // The clean prompts prefer the clean answer (m < 0); taking the subject's number away weakens that.
    expect(mean.meanBefore).toBeLessThan(0);
    expect(mean.meanAfter).toBeGreaterThan(mean.meanBefore);

    // Patching them to each plural prompt's values sets the singular features about where zeroing does (they are off
    // on plural subjects) and turns the plural ones on, so every pair moves further toward the patch answer than
    // zeroed (measured on average -7.22 before, -5.76 zeroed, 3.44 patched; the smallest per-pair gap 0.61). Not
    // compared with mean ablation: the top features include noun-specific ones (feature splitting), and the mean over
    // the patch inputs gives every pair a share of each noun's plural feature (measured 6.95), while a pair's own
    // values help only where its noun's feature is in the set (boys, girls, doctors: 8.2 to 9.0; dogs, cats: -3.5 to
    // -1.9).
    const patch = await ablate('patch');
    expect(patch.meanBefore).toBeCloseTo(mean.meanBefore, 4);
    const zero = await ablate('zero');
    expect(zero.meanAfter).not.toBeCloseTo(zero.meanBefore, 2);
    expect(patch.meanAfter).toBeGreaterThan(zero.meanAfter);
    expect(patch.pairs.map((p) => p.clean)).toEqual(zero.pairs.map((p) => p.clean));
    patch.pairs.forEach((p, i) => {
      expect(p.after, p.clean).toBeGreaterThan(zero.pairs[i]!.after);
    });
  }, 240_000);

  it('refuses bad input with BAD_USER_INPUT naming the field, and strangers’ circuits as NOT_FOUND', async () => {
    const client = await TestClient.signUp(test.app.url, 'bad-input@lab.org');
    const sae = 'demo/blocks.1.hook_resid_post';
    const steer = (vars: Record<string, unknown>) =>
      client.request(STEER, { sae, feature: 3, text: 'The teacher behind the car', strength: 1, ...vars });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ strength: 101 }, 'strength', /between -100 and 100/],
      [{ strength: -250 }, 'strength', /between -100 and 100/],
      [{ positions: [0, 6] }, 'positions', /6 is outside the text's 6 tokens/],
      [{ positions: [-1] }, 'positions.0', /start at 0/],
      [{ feature: 1024 }, 'feature', /beyond the 1024 features/],
      [{ text: '   ' }, 'text', /must not be empty/],
      [{ text: 'the boy '.repeat(20) }, 'text', /tokens, more than the limit of 32/],
      [{ compare: [' is'] }, 'compareTokens', /two tokens/],
      [{ compare: [' is are', ' is'] }, 'compareTokens', /is 2 tokens/],
      [{ n: 21 }, 'continuation', /at most 20/],
    ];
    for (const [vars, field, message] of cases) {
      const { errors } = await steer(vars);
      expect(errors?.[0]?.extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(errors?.[0]?.message).toMatch(message);
    }
    expect((await steer({ sae: 'demo/blocks.9.hook_resid_post' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const ablate = (who: TestClient, vars: Record<string, unknown>) =>
      who.request(
        'mutation($c: ID!, $n: [String!]!, $m: String!) { ablateSelection(circuitId: $c, version: 1, nodeIds: $n, mode: $m) { id } }',
        { c: circuitId, n: [nodes.find((n) => n.kind === 'feature')!.id], m: 'mean', ...vars },
      );
    const ablationCases: [Record<string, unknown>, string][] = [
      [{ m: 'average' }, 'mode'],
      [{ n: [] }, 'nodeIds'],
      [{ n: ['not a node'] }, 'nodeIds'],
      [{ n: ['blocks.9.hook_resid_post:3:2'] }, 'nodeIds'],
    ];
    for (const [vars, field] of ablationCases) {
      const { errors } = await ablate(owner, vars);
      expect(errors?.[0]?.extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // Someone outside the team may not read the circuit, so may not ablate it either.
    expect((await ablate(client, {})).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const anonymous = new TestClient(test.app.url);
    expect((await ablate(anonymous, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('counts steering against the compute rate limit', async () => {
    const client = await TestClient.signUp(test.app.url, 'many@lab.org');
    const codes: string[] = [];
    for (let i = 0; i < 40 && !codes.includes('RATE_LIMITED'); i++) {
      const { errors } = await client.request(STEER, {
        sae: 'demo/blocks.1.hook_resid_post',
        feature: 3,
        text: 'The boy',
        strength: 1,
        n: 0,
      });
      codes.push(errors?.[0]?.extensions?.code ?? 'OK');
    }
    expect(codes).toContain('RATE_LIMITED');
    expect(codes[0]).toBe('OK');
  });
});
