// Attribution-graph edges against a float64 reference that shares no code with them: the plain-TypeScript GPT-2
// (model/reference.ts) with its own patterns and LayerNorm scales frozen and every MLP output held at its value
// (the direct-effect model); a source's edge into a target is the target's change when that source alone is
// removed (a feature's decoder vector, an error term, a token's embedding). Also: logit targets as circuit-tracer
// picks them, and the feature-node cap choosing features by influence.
import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../model/config.js';
import { randomGPT2Weights } from '../model/random.js';
import { type ReferenceIntervention, referenceForward } from '../model/reference.js';
import { nodeOrt } from '../runtime/node.js';
import { referenceTranscode, type SaeWeights } from '../sae/sae.js';
import { attribute, nodeLayout, selectLogits, tokenTargets } from './attribution.js';
import { randomTranscoders } from './testing.js';

const config: GPT2Config = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 16, vocabSize: 24, lnEps: 1e-5, bosTokenId: 0 };
const weights = randomGPT2Weights(config, 3, 0.3);
const tokens = [0, 5, 11, 3, 20, 7];
const T = tokens.length;
const D = config.dModel;
const V = config.vocabSize;
const sources = randomTranscoders(config.nLayers, D, 32, 90, { architecture: 'topk', k: 4 });

/** The float64 direct-effect model: a clean reference run, its frozen state, and the transcoders' split of each MLP. */
async function directEffectModel() {
  const clean = referenceForward(config, weights, [tokens]);
  const tc = await Promise.all(sources.map((s) => s.load()));
  const mlpIn = (hooks: Map<string, Float64Array>, l: number) => {
    // ln2.hook_normalized with the clean run's denominator (frozen): (x - mean) / scale, no weight or bias
    const x = hooks.get(`blocks.${l}.hook_resid_mid`)!;
    const scale = clean.scales.get(`h.${l}.ln_2`)!;
    const out = new Float64Array(T * D);
    for (let t = 0; t < T; t++) {
      let mean = 0;
      for (let d = 0; d < D; d++) mean += x[t * D + d]! / D;
      for (let d = 0; d < D; d++) out[t * D + d] = (x[t * D + d]! - mean) / scale[t]!;
    }
    return out;
  };
  const split = tc.map((w: SaeWeights, l) =>
    referenceTranscode({ config: sources[l]!.config, weights: w }, mlpIn(clean.hooks, l), T),
  );
  const mlpOut = (l: number) => clean.hooks.get(`blocks.${l}.hook_mlp_out`)!;
  const embed = new Float64Array(T * D).map(
    (_, i) => clean.hooks.get('hook_embed')![i]! + clean.hooks.get('hook_pos_embed')![i]!,
  );
  /** Targets (demeaned logits at the last position, every feature's pre-activation) with `remove` subtracted. */
  const run = (remove: { hook: string; position: number; vector: ArrayLike<number> } | null) => {
    const interventions = new Map<string, ReferenceIntervention>();
    for (let l = 0; l < config.nLayers; l++) {
      const add = Float64Array.from(mlpOut(l));
      interventions.set(`blocks.${l}.hook_mlp_out`, { keep: new Float64Array(T * D), add });
    }
    if (remove) {
      const iv = interventions.get(remove.hook) ?? {
        keep: new Float64Array(T * D).fill(1),
        add: new Float64Array(T * D),
      };
      const add = iv.add as Float64Array;
      for (let d = 0; d < D; d++) add[remove.position * D + d]! -= remove.vector[d]!;
      interventions.set(remove.hook, iv);
    }
    const r = referenceForward(config, weights, [tokens], {
      frozenPatterns: clean.patterns,
      frozenScales: clean.scales,
      interventions,
    });
    const last = r.logits.subarray((T - 1) * V, T * V);
    const mean = last.reduce((s, v) => s + v, 0) / V;
    const pre = (l: number, t: number, f: number) => {
      const x = mlpIn(r.hooks, l);
      let s = 0;
      for (let d = 0; d < D; d++) s += x[t * D + d]! * tc[l]!.W_enc[d * 32 + f]!;
      return s;
    };
    return { logit: (token: number) => last[token]! - mean, pre };
  };
  return { clean, tc, split, mlpOut, embed, run };
}

describe('attribution graph edges', () => {
  it('equal the float64 reference’s direct effects of removing each source, into logits and features', async () => {
    const g = await attribute({ config, weights, ort: nodeOrt }, sources, tokens, { batch: 16 });
    const layout = nodeLayout(g);
    const ref = await directEffectModel();
    const base = ref.run(null);
    const targets = [
      ...g.logits.map((l, i) => ({ row: layout.logit(i), value: (r: ReturnType<typeof ref.run>) => r.logit(l.token) })),
      ...g.features
        .map((f, i) => ({ f, i }))
        .filter(({ f }) => f.layer === 1)
        .slice(0, 6)
        .map(({ f, i }) => ({ row: i, value: (r: ReturnType<typeof ref.run>) => r.pre(1, f.position, f.feature) })),
    ];
    const removals: { column: number; hook: string; position: number; vector: ArrayLike<number> }[] = [];
    g.features.forEach((f, i) => {
      const dec = ref.tc[f.layer]!.W_dec.subarray(f.feature * D, (f.feature + 1) * D).map((v) => v * f.activation);
      removals.push({ column: i, hook: `blocks.${f.layer}.hook_mlp_out`, position: f.position, vector: dec });
    });
    for (let l = 0; l < config.nLayers; l++)
      for (let t = 0; t < T; t++) {
        const err = Array.from({ length: D }, (_, d) => ref.mlpOut(l)[t * D + d]! - ref.split[l]!.output[t * D + d]!);
        removals.push({ column: layout.error(l, t), hook: `blocks.${l}.hook_mlp_out`, position: t, vector: err });
      }
    for (let t = 0; t < T; t++)
      removals.push({
        column: layout.token(t),
        hook: 'blocks.0.hook_resid_pre',
        position: t,
        vector: ref.embed.subarray(t * D, (t + 1) * D),
      });
    let compared = 0;
    let nonzero = 0;
    for (const rm of removals) {
      const without = ref.run(rm);
      for (const target of targets) {
        const expected = target.value(base) - target.value(without);
        const got = g.adjacency[target.row * g.n + rm.column]!;
        expect(Math.abs(got - expected)).toBeLessThan(1e-4 + 1e-4 * Math.abs(expected));
        compared++;
        if (Math.abs(expected) > 1e-3) nonzero++;
      }
    }
    expect(compared).toBe(removals.length * targets.length);
    expect(nonzero).toBeGreaterThan(compared / 4);
    // The graph's active features are the float64 transcoders' (k = 4 per position and layer).
    const active = ref.split.flatMap((s, l) =>
      [...s.features.keys()].filter((k) => s.features[k] !== 0).map((k) => `${l}/${Math.floor(k / 32)}/${k % 32}`),
    );
    expect(g.features.map((f) => `${f.layer}/${f.position}/${f.feature}`)).toEqual(active);
  });

  it('caps feature nodes, choosing by influence through the rows computed so far (first: the logit rows)', async () => {
    const full = await attribute({ config, weights, ort: nodeOrt }, sources, tokens);
    const cap = 8;
    const capped = await attribute({ config, weights, ort: nodeOrt }, sources, tokens, {
      maxFeatureNodes: cap,
      batch: cap,
    });
    expect(capped.activeFeatures).toBe(full.features.length);
    expect(capped.features).toHaveLength(cap);
    // One batch after the logits: the 8 features of highest direct influence sum_i p_i |A[i, f]| / sum_j |A[i, j]|.
    const L = nodeLayout(full);
    const score = full.features.map((_, f) =>
      full.logits.reduce((s, l, i) => {
        const row = full.adjacency.subarray(L.logit(i) * full.n, (L.logit(i) + 1) * full.n);
        const total = row.reduce((a, v) => a + Math.abs(v), 0);
        return s + (l.probability * Math.abs(row[f]!)) / total;
      }, 0),
    );
    const top = score
      .map((v, f) => ({ v, f }))
      .sort((a, b) => b.v - a.v)
      .slice(0, cap)
      .map(({ f }) => full.features[f]!);
    const key = (f: { layer: number; position: number; feature: number }) => `${f.layer}/${f.position}/${f.feature}`;
    expect(capped.features.map(key).sort()).toEqual(top.map(key).sort());
    // In batches of 4 (influence recomputed through the rows so far), the first batch is the same top 4 and every
    // edge the capped graph keeps is the full graph's.
    const several = await attribute({ config, weights, ort: nodeOrt }, sources, tokens, {
      maxFeatureNodes: 12,
      batch: 4,
    });
    expect(several.features).toHaveLength(12);
    const keys = new Set(several.features.map(key));
    for (const f of top.slice(0, 4)) expect(keys.has(key(f))).toBe(true);
    const S = nodeLayout(several);
    const fullIndex = new Map(full.features.map((f, i) => [key(f), i]));
    several.features.forEach((f, i) => {
      const j = fullIndex.get(key(f))!;
      several.features.forEach((src, k) => {
        expect(several.adjacency[i * several.n + k]).toBeCloseTo(
          full.adjacency[j * full.n + fullIndex.get(key(src))!]!,
          5,
        );
      });
      expect(several.adjacency[i * several.n + S.token(2)]).toBeCloseTo(full.adjacency[j * full.n + L.token(2)]!, 5);
    });
  });
});

describe('selectLogits', () => {
  it('takes the most probable tokens until 0.95 is covered, at most 10 (circuit-tracer)', () => {
    const logits = [0.6, 0.3, 0.06, 0.04].map(Math.log);
    expect(selectLogits(logits).map((l) => l.token)).toEqual([0, 1, 2]);
    expect(selectLogits(logits, 2).map((l) => l.token)).toEqual([0, 1]);
    expect(selectLogits(logits)[1]!.probability).toBeCloseTo(0.3, 6);
    const flat = new Array(30).fill(0);
    expect(selectLogits(flat)).toHaveLength(10);
  });

  it('or takes the tokens asked for, with their probabilities, and refuses tokens outside the vocabulary', () => {
    const logits = [0.6, 0.3, 0.06, 0.04].map(Math.log);
    expect(tokenTargets(logits, [3, 1])).toEqual([
      { token: 3, probability: expect.closeTo(0.04, 6) },
      { token: 1, probability: expect.closeTo(0.3, 6) },
    ]);
    expect(() => tokenTargets(logits, [9])).toThrow(/logit target 9 is outside the vocabulary \(4\)/);
  });
});
