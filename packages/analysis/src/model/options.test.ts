/**
 * GPT-2 config options (issue 17): scale_attn_by_inverse_layer_idx, scale_attn_weights: false and untied output
 * embeddings, each in a Hugging Face checkpoint loaded through the production path and checked against the float64
 * reference; and the options that change the computation without being implemented are refused by name.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allHookNames } from '../hooks.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { type GPT2Config, gpt2WeightShapes, parseGPT2Config } from './config.js';
import type { HookedGPT2 } from './hooked.js';
import { hookedGPT2FromWeights, loadHookedGPT2 } from './load.js';
import { loadGPT2Checkpoint } from './loader.js';
import { configToJson, randomGPT2Weights, writeGPT2Checkpoint } from './random.js';
import { referenceForward } from './reference.js';

const base: GPT2Config = { nLayers: 3, dModel: 8, nHeads: 2, nCtx: 8, vocabSize: 11, lnEps: 1e-5, bosTokenId: 10 };
const tokens = [
  [1, 5, 3, 9, 2],
  [4, 4, 0, 7, 10],
];
const hooks = allHookNames(base.nLayers);

const VARIANTS: [string, GPT2Config][] = [
  ['scale_attn_by_inverse_layer_idx', { ...base, scaleAttnByInverseLayerIdx: true }],
  ['scale_attn_weights: false', { ...base, scaleAttnWeights: false }],
  ['tie_word_embeddings: false', { ...base, tieWordEmbeddings: false }],
  ['all three', { ...base, scaleAttnByInverseLayerIdx: true, scaleAttnWeights: false, tieWordEmbeddings: false }],
];

const dirs: string[] = [];
const models: HookedGPT2[] = [];
afterAll(async () => {
  await Promise.all(models.map((m) => m.dispose()));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'gpt2-options-'));
  dirs.push(d);
  return d;
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Writes a checkpoint (with "transformer." and mask buffers, as save_pretrained does) and loads it back. */
async function roundTrip(config: GPT2Config, seed: number) {
  const dir = await tempDir();
  await writeGPT2Checkpoint(dir, config, randomGPT2Weights(config, seed), {
    prefix: 'transformer.',
    maskBuffers: true,
  });
  const { weights } = await loadGPT2Checkpoint(dir);
  const { model } = await loadHookedGPT2(dir, { cacheDir: join(dir, 'cache'), threads: 1 });
  models.push(model);
  return { dir, weights, model };
}

describe('GPT-2 config options vs the float64 reference', () => {
  for (const [name, config] of VARIANTS) {
    it(`${name}: read from config.json; logits, every hook and a gradient match`, async () => {
      const { weights, model } = await roundTrip(config, 5);
      expect(model.config).toEqual(config);
      const out = await model.run(tokens, { hooks });
      const ref = referenceForward(config, weights, tokens);
      expect(maxAbsDiff(out.logits!.data, ref.logits)).toBeLessThan(1e-4);
      for (const h of hooks) expect(maxAbsDiff(out.hooks.get(h)!.data, ref.hooks.get(h)!), h).toBeLessThan(1e-4);
      // The metric's gradient at the last residual stream, against float64 central differences.
      const hook = `blocks.${config.nLayers - 1}.hook_resid_post`;
      const metric = { answer: [3, 7], wrong: [5, 2] };
      const g = (await model.gradients(tokens, { gradHooks: [hook], metric })).grads.get(hook)!.data;
      const refMetric = { positions: [4, 4], tokens: [[3, 5] as [number, number], [7, 2] as [number, number]] };
      const n = g.length;
      const at = (i: number, delta: number) => {
        const add = new Float64Array(n);
        add[i] = delta;
        const interventions = new Map([[hook, { keep: new Float64Array(n).fill(1), add }]]);
        return referenceForward(config, weights, tokens, { interventions, metric: refMetric }).metric!.reduce(
          (a, b) => a + b,
        );
      };
      const numeric = Array.from({ length: n }, (_, i) => (at(i, 1e-5) - at(i, -1e-5)) / 2e-5);
      expect(maxAbsDiff(g, numeric)).toBeLessThan(1e-4);
    });
  }

  it('each option changes the result (none is a no-op), and GPT-2 defaults stay absent from the config', async () => {
    const weights = randomGPT2Weights({ ...base, tieWordEmbeddings: false }, 5);
    const plain = referenceForward(base, weights, tokens).logits;
    for (const [name, config] of VARIANTS) {
      expect(maxAbsDiff(referenceForward(config, weights, tokens).logits, plain), name).toBeGreaterThan(1e-2);
    }
    expect(parseGPT2Config(configToJson(base))).toEqual(base);
    expect(Object.keys(parseGPT2Config(configToJson(base)))).not.toContain('scaleAttnWeights');
  });

  it('one weights file serves configs that differ only in options (graph files are keyed by the config)', async () => {
    const dir = await tempDir();
    const weights = randomGPT2Weights(base, 9);
    const scaledConfig = { ...base, scaleAttnByInverseLayerIdx: true };
    const plain = await hookedGPT2FromWeights(base, weights, { cacheDir: dir, threads: 1 });
    const scaled = await hookedGPT2FromWeights(scaledConfig, weights, { cacheDir: dir, threads: 1 });
    models.push(plain, scaled);
    const before = await plain.run(tokens);
    const after = await scaled.run(tokens);
    expect(maxAbsDiff(after.logits!.data, referenceForward(scaledConfig, weights, tokens).logits)).toBeLessThan(1e-4);
    expect(maxAbsDiff(after.logits!.data, before.logits!.data)).toBeGreaterThan(1e-2);
  });

  it('untied: lm_head.weight is required; tied: a stored lm_head.weight is ignored, as Hugging Face ties it', async () => {
    const untied = { ...base, tieWordEmbeddings: false };
    const dir = await tempDir();
    const weights = randomGPT2Weights(untied, 3);
    const withoutHead = new Map([...weights].filter(([n]) => n !== 'lm_head.weight'));
    await writeGPT2Checkpoint(dir, untied, withoutHead);
    await expect(loadGPT2Checkpoint(dir)).rejects.toThrow(/missing tensor "lm_head\.weight".*tie_word_embeddings/);
    await expect(loadHookedGPT2(dir, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/lm_head\.weight/);
    // the same file with config.json saying tied: lm_head.weight is a duplicate of wte and is skipped
    await writeGPT2Checkpoint(dir, untied, weights);
    await writeFile(join(dir, 'config.json'), JSON.stringify(configToJson(base)));
    const tied = await loadGPT2Checkpoint(dir);
    expect(tied.weights.has('lm_head.weight')).toBe(false);
  });
});

describe('options that change the computation and are not implemented are refused by name', () => {
  const json = configToJson(base);
  const refused: [string, unknown][] = [
    ['activation_function', 'relu'],
    ['activation_function', 'gelu'],
    ['activation_function', 'silu'],
    ['n_inner', 16],
    ['add_cross_attention', true],
    ['model_type', 'gpt_neo'],
    ['pruned_heads', { '0': [1] }],
    ['quantization_config', { quant_method: 'bitsandbytes' }],
  ];
  for (const [key, value] of refused) {
    it(`${key} = ${JSON.stringify(value)}`, () => {
      // a substring: the message names the option and the value as written in config.json
      expect(() => parseGPT2Config({ ...json, [key]: value })).toThrow(`${key} = ${JSON.stringify(value)}`);
    });
  }

  it('numerics-only and metadata options are accepted', () => {
    const accepted = {
      ...json,
      activation_function: 'gelu_pytorch_tanh',
      reorder_and_upcast_attn: true,
      n_inner: null,
      add_cross_attention: false,
      pruned_heads: {},
      attn_pdrop: 0.1,
      summary_type: 'cls_index',
      use_cache: true,
      torch_dtype: 'float16',
      transformers_version: '4.57.0',
      some_future_metadata: 'x',
    };
    expect(parseGPT2Config(accepted)).toEqual(base);
    expect(parseGPT2Config({ ...json, n_inner: 4 * base.dModel, activation_function: 'gelu_fast' })).toEqual(base);
    expect(() => parseGPT2Config({ ...json, scale_attn_weights: 'yes' })).toThrow(/scale_attn_weights/);
  });

  it('a checkpoint folder with an option refused, or a tensor the model has no place for, does not load', async () => {
    const dir = await tempDir();
    await writeGPT2Checkpoint(dir, base, randomGPT2Weights(base, 1));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...json, add_cross_attention: true }));
    await expect(loadHookedGPT2(dir, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/add_cross_attention = true/);
    // cross-attention weights (or any unknown tensor) would otherwise be silently unused
    await writeFile(join(dir, 'config.json'), JSON.stringify(json));
    const shapes = gpt2WeightShapes(base);
    const tensors = Object.fromEntries(
      [...randomGPT2Weights(base, 1)].map(([n, data]) => [n, { shape: shapes.get(n)!, data }]),
    );
    tensors['h.0.crossattention.c_attn.weight'] = { shape: [8, 16], data: new Float32Array(128) };
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
    await expect(loadHookedGPT2(dir, { cacheDir: join(dir, 'cache') })).rejects.toThrow(
      /unexpected tensor "h\.0\.crossattention\.c_attn\.weight"/,
    );
    await expect(loadGPT2Checkpoint(dir)).rejects.toThrow(/crossattention/);
  });
});
