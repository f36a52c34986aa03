import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusVocabulary, demoTokenizerConfig, demoTokenizerJson, generateCorpus } from '../data/index.js';
import { mulberry32 } from '../data/prng.js';
import type { GPT2Config } from '../model/config.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { hookedGPT2FromWeights } from '../model/load.js';
import { randomGPT2Weights } from '../model/random.js';
import { referenceEncode, type Sae } from '../sae/sae.js';
import { TextTokenizer } from '../tokenizer/tokenizer.js';
import {
  computeDashboards,
  computeDashboardsForSaes,
  corpusContexts,
  type DashboardState,
  decodeDashboardState,
  encodeDashboardState,
} from './dashboards.js';

let dir: string;
let model: HookedGPT2;
let tokenizer: TextTokenizer;
let sae: Sae;
let weights: Map<string, Float32Array>;
let contexts: number[][];
const HOOK = 'blocks.1.hook_resid_post';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboards-'));
  const vocab = corpusVocabulary();
  const config: GPT2Config = {
    nLayers: 2,
    dModel: 16,
    nHeads: 2,
    nCtx: 16,
    vocabSize: vocab.length,
    lnEps: 1e-5,
    bosTokenId: 0,
  };
  weights = randomGPT2Weights(config, 3);
  model = await hookedGPT2FromWeights(config, weights, { cacheDir: dir });
  tokenizer = new TextTokenizer(demoTokenizerJson(vocab), demoTokenizerConfig());
  const r = mulberry32(5);
  const u = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  sae = {
    config: {
      architecture: 'standard',
      dIn: 16,
      dSae: 24,
      hookName: HOOK,
      hookLayer: 1,
      k: null,
      applyBDecToInput: false,
      normalization: 'none',
      prependBos: true,
      extra: {},
    },
    weights: { W_enc: u(16 * 24, 0.6), b_enc: u(24, 0.3), W_dec: u(24 * 16, 0.5), b_dec: new Float32Array(16) },
  };
  contexts = corpusContexts(tokenizer, generateCorpus({ seed: 2, documents: 12 }), 12, 0).slice(0, 40);
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const run = (extra: Partial<Parameters<typeof computeDashboards>[0]> = {}) =>
  computeDashboards({
    model,
    tokenizer,
    sae,
    contexts,
    unembedding: weights.get('wte.weight')!,
    centerResidual: false,
    options: { contextTokens: 12, batchSize: 8, topContexts: 5, reservoir: 6 },
    ...extra,
  });

describe('feature dashboards', () => {
  it('finds each feature’s strongest contexts and density, as a direct encode does', async () => {
    const dashboards = await run();
    expect(dashboards).toHaveLength(24);
    // Direct: activations of every context at the hook, encoded in float64.
    const out = await model.run(contexts, { hooks: [HOOK], logits: false });
    const hook = out.hooks.get(HOOK)!;
    const rows = contexts.length * 12;
    const features = referenceEncode(sae, hook.data.subarray(0, rows * 16), rows).features;
    for (const f of [0, 7, 23]) {
      let max = 0;
      let fires = 0;
      for (let r = 0; r < rows; r++) {
        const v = features[r * 24 + f]!;
        if (v > 0) fires++;
        max = Math.max(max, v);
      }
      const d = dashboards[f]!;
      expect(d.density).toBeCloseTo(fires / rows, 10);
      expect(Math.abs(d.maxActivation - max) / Math.max(max, 1e-6)).toBeLessThan(1e-3);
      expect(d.topContexts.map((c) => c.max)).toEqual([...d.topContexts.map((c) => c.max)].sort((a, b) => b - a));
      expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(fires);
      if (d.topContexts[0]) {
        expect(d.topContexts[0].tokens).toHaveLength(12);
        expect(Math.max(...d.topContexts[0].values)).toBe(d.topContexts[0].max);
      }
      expect(d.topLogits).toHaveLength(10);
      expect(d.topLogits[0]!.value).toBeGreaterThanOrEqual(d.bottomLogits[0]!.value);
    }
    // Quantile bins run from weak to strong.
    const withBins = dashboards.find((d) => d.quantiles.length > 1)!;
    expect(withBins.quantiles[0]!.from).toBeLessThanOrEqual(withBins.quantiles.at(-1)!.to);
  });

  it('resumes from a checkpoint to the same result as an uninterrupted run', async () => {
    const full = await run();
    let saved: DashboardState | null = null;
    await expect(
      run({
        onCheckpoint: (state) => {
          if (state.contextsDone >= 16) {
            saved = structuredClone(state);
            throw new Error('interrupted');
          }
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(saved!.contextsDone).toBe(16);
    // Through the checkpoint's bytes, as a job saves and reads it.
    const resumed = await run({ state: decodeDashboardState(encodeDashboardState(saved!)) });
    expect(resumed).toEqual(full);
  });

  it('computes several SAEs on different hooks in one pass, as each alone', async () => {
    const second: Sae = {
      config: { ...sae.config, hookName: 'blocks.0.hook_resid_post', hookLayer: 0, dSae: 20 },
      weights: {
        ...sae.weights,
        W_enc: sae.weights.W_enc.map((v, i) => v * (i % 3 ? 1 : -1)).subarray(0, 16 * 20),
        b_enc: sae.weights.b_enc.subarray(0, 20),
        W_dec: sae.weights.W_dec.subarray(0, 20 * 16),
      },
    };
    let forwardRuns = 0;
    const counting = new Proxy(model, {
      get: (target, key) =>
        key === 'run'
          ? (...args: Parameters<HookedGPT2['run']>) => {
              forwardRuns++;
              return target.run(...args);
            }
          : Reflect.get(target, key),
    });
    const { results, timings } = await computeDashboardsForSaes({
      model: counting,
      tokenizer,
      saes: [sae, second],
      contexts,
      unembedding: weights.get('wte.weight')!,
      centerResidual: false,
      options: { contextTokens: 12, batchSize: 8, topContexts: 5, reservoir: 6 },
    });
    expect(forwardRuns).toBe(Math.ceil(contexts.length / 8));
    expect(timings.forward).toBeGreaterThan(0);
    const alone = await run({ sae: second });
    expect(alone.filter((d) => d.density > 0).length).toBeGreaterThan(5);
    expect(Array.from({ length: 20 }, (_, f) => results[1]!.dashboard(f))).toEqual(alone);
    expect(Array.from({ length: 24 }, (_, f) => results[0]!.dashboard(f))).toEqual(await run());
  });

  it('uses only the real tokens of right-padded batches (contexts of different lengths)', async () => {
    const ragged = contexts.map((c, i) => c.slice(0, 12 - (i % 4)));
    const dashboards = await run({ contexts: ragged });
    let fires = new Array(24).fill(0);
    const max = new Array(24).fill(0);
    let tokens = 0;
    for (const c of ragged) {
      const hook = (await model.run([c], { hooks: [HOOK], logits: false })).hooks.get(HOOK)!;
      const { features } = referenceEncode(sae, hook.data, c.length);
      tokens += c.length;
      for (let r = 0; r < c.length; r++) {
        for (let f = 0; f < 24; f++) {
          const v = features[r * 24 + f]!;
          if (v > 0) fires[f]++;
          max[f] = Math.max(max[f], v);
        }
      }
    }
    fires = fires.map((n) => n / tokens);
    expect(dashboards.map((d) => d.density)).toEqual(fires);
    dashboards.forEach((d, f) => {
      expect(Math.abs(d.maxActivation - max[f]) / Math.max(max[f], 1e-6)).toBeLessThan(1e-3);
      for (const c of d.topContexts) expect(c.values).toHaveLength(c.tokens.length);
    });
  });
});
