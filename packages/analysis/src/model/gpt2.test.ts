import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHookNames } from '../hooks.js';
import { nodeOrt } from '../runtime/node.js';
import type { GPT2Config } from './config.js';
import { hookShape } from './gpt2-graph.js';
import { HookedGPT2, type Intervention } from './hooked.js';
import { loadHookedGPT2 } from './load.js';
import { loadGPT2Checkpoint } from './loader.js';
import { randomGPT2Weights, writeGPT2Checkpoint } from './random.js';
import { type ReferenceOptions, referenceForward } from './reference.js';

const config: GPT2Config = { nLayers: 2, dModel: 8, nHeads: 2, nCtx: 8, vocabSize: 11, lnEps: 1e-5, bosTokenId: 10 };
const tokens = [
  [1, 5, 3, 9, 2],
  [4, 4, 0, 7, 10],
];
const B = tokens.length;
const T = 5;
const hooks = allHookNames(config.nLayers);

let dir: string;
let weights: Map<string, Float32Array>;
let model: HookedGPT2;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const size = (name: string) => hookShape(config, name, B, T).reduce((a, b) => a * b, 1);

/** Gradient of sum_b metric_b with respect to a hook, by float64 central differences on the reference model. */
function numericGrad(name: string, base: ReferenceOptions): Float64Array {
  const n = size(name);
  const out = new Float64Array(n);
  const eps = 1e-5;
  const keep = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    const addv = new Float64Array(n);
    const evalAt = (delta: number) => {
      addv[i] = delta;
      const interventions = new Map(base.interventions ?? []);
      interventions.set(name, { keep, add: addv });
      const r = referenceForward(config, weights, tokens, { ...base, interventions });
      return r.metric!.reduce((a, b) => a + b, 0);
    };
    out[i] = (evalAt(eps) - evalAt(-eps)) / (2 * eps);
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpt2-test-'));
  await writeGPT2Checkpoint(dir, config, randomGPT2Weights(config, 7), { prefix: 'transformer.', maskBuffers: true });
  const ckpt = await loadGPT2Checkpoint(dir);
  weights = ckpt.weights;
  // the production path: weights packed into a cache file, read by ORT as external initializers
  model = (await loadHookedGPT2(dir, { cacheDir: join(dir, 'cache'), threads: 1 })).model;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GPT-2 loader', () => {
  it('weights fed as graph inputs give the same results as packed initializers, and graphs are cached', async () => {
    const viaInputs = new HookedGPT2(config, weights, nodeOrt, { threads: 1 });
    const a = await viaInputs.run(tokens, { hooks: ['blocks.1.hook_resid_mid'] });
    const b = await model.run(tokens, { hooks: ['blocks.1.hook_resid_mid'] });
    expect(maxAbsDiff(a.logits!.data, b.logits!.data)).toBeLessThan(1e-5);
    const before = model.cachedGraphs;
    await model.run(tokens, { hooks: ['blocks.1.hook_resid_mid'] });
    expect(model.cachedGraphs).toBe(before);
    await viaInputs.dispose();
  });

  it('reloading a folder reuses the packed weights and serialized graphs', async () => {
    const again = await loadHookedGPT2(dir, { cacheDir: join(dir, 'cache'), threads: 1 });
    expect(again.model.weights).toEqual(model.weights);
    const out = await again.model.run(tokens);
    const ref = referenceForward(config, weights, tokens);
    expect(maxAbsDiff(out.logits!.data, ref.logits)).toBeLessThan(1e-4);
    await again.model.dispose();
  });

  it('reads config and weights, strips "transformer.", skips mask buffers', () => {
    expect(model.config).toEqual(config);
    expect(weights.get('h.1.attn.c_attn.weight')!.length).toBe(8 * 24);
    expect([...weights.keys()].some((k) => k.includes('attn.bias') && !k.includes('c_attn'))).toBe(false);
  });
});

describe('hooked GPT-2 vs float64 reference', () => {
  for (const centerResid of [false, true]) {
    it(`logits and every hook match (centerResid=${centerResid})`, async () => {
      const out = await model.run(tokens, { hooks, centerResid });
      const ref = referenceForward(config, weights, tokens, { centerResid });
      expect(out.logits!.shape).toEqual([B, T, config.vocabSize]);
      expect(maxAbsDiff(out.logits!.data, ref.logits)).toBeLessThan(1e-4);
      for (const name of hooks) {
        const got = out.hooks.get(name)!;
        expect(got.shape).toEqual(hookShape(config, name, B, T));
        expect(maxAbsDiff(got.data, ref.hooks.get(name)!), name).toBeLessThan(1e-4);
      }
      if (centerResid) {
        const resid = out.hooks.get('blocks.1.hook_resid_post')!.data;
        const mean = resid.slice(0, 8).reduce((a, b) => a + b, 0) / 8;
        expect(Math.abs(mean)).toBeLessThan(1e-5);
      }
    });
  }

  it('pads shorter sequences without changing their results, and prepends BOS', async () => {
    const alone = await model.run([[3, 1, 4]], { hooks: ['blocks.1.hook_resid_post'] });
    const batched = await model.run(
      [
        [3, 1, 4],
        [1, 5, 9, 2, 6, 5],
      ],
      { hooks: ['blocks.1.hook_resid_post'] },
    );
    expect(batched.logits!.shape).toEqual([2, 6, 11]);
    const first = batched.logits!.data.subarray(0, 3 * 11);
    expect(maxAbsDiff(first, alone.logits!.data)).toBeLessThan(1e-5);
    const withBos = await model.run([[3, 1]], { prependBos: true });
    expect(withBos.tokens).toEqual([[10, 3, 1]]);
    const ref = referenceForward(config, weights, [[10, 3, 1]]);
    expect(maxAbsDiff(withBos.logits!.data, ref.logits)).toBeLessThan(1e-4);
  });

  it('applies replace and add interventions at hooks and positions', async () => {
    const d = config.dModel;
    const value = Array.from({ length: d }, (_, i) => (i - 3) / 4);
    const interventions: Intervention[] = [
      { hook: 'blocks.0.hook_resid_mid', mode: 'replace', positions: [1, 3], value },
      { hook: 'blocks.1.hook_mlp_out', mode: 'add', batch: [1], positions: [4], value },
      { hook: 'blocks.1.attn.hook_pattern', mode: 'add', batch: [0], value: new Array(2 * T * T).fill(0.01) },
    ];
    const out = await model.run(tokens, { interventions, hooks: ['blocks.1.hook_resid_post'] });
    const refIv = new Map<string, { keep: Float64Array; add: Float64Array }>();
    const mk = (name: string) => {
      const n = size(name);
      const entry = { keep: new Float64Array(n).fill(1), add: new Float64Array(n) };
      refIv.set(name, entry);
      return entry;
    };
    const mid = mk('blocks.0.hook_resid_mid');
    for (let b = 0; b < B; b++)
      for (const t of [1, 3])
        for (let i = 0; i < d; i++) {
          mid.keep[(b * T + t) * d + i] = 0;
          mid.add[(b * T + t) * d + i] = value[i]!;
        }
    const mlp = mk('blocks.1.hook_mlp_out');
    for (let i = 0; i < d; i++) mlp.add[(1 * T + 4) * d + i] = value[i]!;
    const pat = mk('blocks.1.attn.hook_pattern');
    for (let i = 0; i < 2 * T * T; i++) pat.add[i] = 0.01;
    const ref = referenceForward(config, weights, tokens, { interventions: refIv });
    expect(maxAbsDiff(out.logits!.data, ref.logits)).toBeLessThan(1e-4);
    expect(
      maxAbsDiff(out.hooks.get('blocks.1.hook_resid_post')!.data, ref.hooks.get('blocks.1.hook_resid_post')!),
    ).toBeLessThan(1e-4);
    const clean = await model.run(tokens);
    expect(maxAbsDiff(out.logits!.data, clean.logits!.data)).toBeGreaterThan(1e-3);
  });

  const metric = { answer: [3, 7], wrong: [5, 2], position: [4, 3] };
  const refMetric = {
    positions: [4, 3],
    tokens: [
      [3, 5],
      [7, 2],
    ] as [number, number][],
  };

  for (const variant of [
    { freezeAttention: false, freezeLayerNorm: false, centerResid: false },
    { freezeAttention: true, freezeLayerNorm: false, centerResid: false },
    { freezeAttention: false, freezeLayerNorm: true, centerResid: true },
    { freezeAttention: true, freezeLayerNorm: true, centerResid: false },
  ]) {
    it(`gradients of a logit difference w.r.t. every hook match finite differences (${JSON.stringify(variant)})`, async () => {
      const out = await model.gradients(tokens, { gradHooks: hooks, metric, ...variant });
      const clean = referenceForward(config, weights, tokens, { metric: refMetric, centerResid: variant.centerResid });
      expect(maxAbsDiff(out.metric, clean.metric!)).toBeLessThan(1e-4);
      const base: ReferenceOptions = {
        metric: refMetric,
        centerResid: variant.centerResid,
        ...(variant.freezeAttention ? { frozenPatterns: clean.patterns } : {}),
        ...(variant.freezeLayerNorm ? { frozenScales: clean.scales } : {}),
      };
      let nonzero = 0;
      for (const name of hooks) {
        const numeric = numericGrad(name, base);
        const got = out.grads.get(name)!;
        expect(got.shape).toEqual(hookShape(config, name, B, T));
        expect(maxAbsDiff(got.data, numeric), name).toBeLessThan(1e-4);
        if (numeric.some((v) => Math.abs(v) > 1e-3)) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(hooks.length / 2);
    });
  }

  it('freezing attention or LayerNorm scales changes the gradients (the options are not no-ops)', async () => {
    const gradHooks = ['blocks.0.hook_resid_pre'];
    const plain = await model.gradients(tokens, { gradHooks, metric });
    const frozenAttn = await model.gradients(tokens, { gradHooks, metric, freezeAttention: true });
    const frozenLn = await model.gradients(tokens, { gradHooks, metric, freezeLayerNorm: true });
    const g = (o: typeof plain) => o.grads.get('blocks.0.hook_resid_pre')!.data;
    expect(maxAbsDiff(g(plain), g(frozenAttn))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(g(plain), g(frozenLn))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(plain.metric, frozenAttn.metric)).toBeLessThan(1e-6);
  });

  it('a vector-Jacobian product seeded at a hook, with detached paths, matches finite differences', async () => {
    const seedHook = 'blocks.1.hook_resid_post';
    const detach = ['blocks.1.hook_mlp_out', 'blocks.0.attn.hook_pattern'];
    const gradHooks = ['blocks.1.hook_attn_out', 'blocks.1.hook_resid_pre', 'hook_embed', 'blocks.0.mlp.hook_post'];
    const seed = Float64Array.from({ length: size(seedHook) }, (_, i) => Math.sin(i * 1.7));
    const out = await model.gradients(tokens, { gradHooks, detach, metric: { hook: seedHook, weights: seed } });
    const clean = referenceForward(config, weights, tokens);
    const value = (interventions: Map<string, { keep: ArrayLike<number>; add: ArrayLike<number> }>) => {
      for (const d of detach) interventions.set(d, { keep: new Float64Array(size(d)), add: clean.hooks.get(d)! });
      const h = referenceForward(config, weights, tokens, { interventions }).hooks.get(seedHook)!;
      return h.reduce((acc, v, i) => acc + v * seed[i]!, 0);
    };
    const perExample = out.metric.reduce((a, b) => a + b, 0);
    expect(Math.abs(perExample - value(new Map()))).toBeLessThan(1e-4);
    for (const name of gradHooks) {
      const n = size(name);
      const numeric = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const at = (delta: number) => {
          const add = new Float64Array(n);
          add[i] = delta;
          return value(new Map([[name, { keep: new Float64Array(n).fill(1), add }]]));
        };
        numeric[i] = (at(1e-5) - at(-1e-5)) / 2e-5;
      }
      expect(maxAbsDiff(out.grads.get(name)!.data, numeric), name).toBeLessThan(1e-4);
    }
    // with the MLP detached, resid_post = resid_mid + const: the gradient at attn_out is the seed itself
    expect(maxAbsDiff(out.grads.get('blocks.1.hook_attn_out')!.data, seed)).toBeLessThan(1e-6);
  });
});
