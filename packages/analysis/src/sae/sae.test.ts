import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { nodeOrt } from '../runtime/node.js';
import { parseSaeConfig, type SaeArchitecture, type SaeConfig, type SaeNormalization } from './config.js';
import { exportSaeEncoder, SaeSession } from './graph.js';
import { loadSae, referenceDecode, referenceEncode, type Sae, saveSae } from './sae.js';
import { maxDiff, randomWeights, roundedToHalf, saeFolders, tensor } from './test-support.js';

const { tempDir, folder } = saeFolders('sae-test-');

function randomSae(
  architecture: SaeArchitecture,
  normalization: SaeNormalization,
  seed: number,
  applyBDecToInput = true,
): Sae {
  const config: SaeConfig = {
    architecture,
    dIn: 12,
    dSae: 40,
    hookName: 'blocks.1.hook_resid_post',
    hookLayer: 1,
    k: architecture === 'topk' ? 5 : null,
    applyBDecToInput,
    normalization,
    prependBos: true,
    extra: { model_name: 'test' },
  };
  return { config, weights: randomWeights(config, seed) };
}

/**
 * Each row keeps exactly its k largest pre-activations, at their values, and nothing else (this data's top k are
 * all positive, so TopK's ReLU drops none of them).
 */
function expectTopK(features: ArrayLike<number>, pre: ArrayLike<number>, rows: number, dSae: number, k: number) {
  expect(features.length).toBe(rows * dSae);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: dSae }, (_, j) => pre[r * dSae + j]!);
    const largest = new Set(
      row
        .map((v, j) => [v, j] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k)
        .map(([, j]) => j),
    );
    const kept = row.flatMap((_, j) => (features[r * dSae + j] !== 0 ? [j] : []));
    expect(kept, `row ${r}`).toEqual([...largest].sort((a, b) => a - b));
    for (const j of kept) expect(Math.abs(features[r * dSae + j]! - row[j]!), `row ${r}`).toBeLessThan(1e-4);
  }
}

const CASES: [SaeArchitecture, SaeNormalization, boolean][] = [
  ['standard', 'none', true],
  ['standard', 'layer_norm', false],
  ['jumprelu', 'none', true],
  ['jumprelu', 'constant_norm_rescale', true],
  ['topk', 'none', true],
  ['topk', 'layer_norm', true],
];

describe('SAE (SAELens format)', () => {
  for (const [arch, norm, bdec] of CASES) {
    it(`${arch} / ${norm}${bdec ? '' : ' / no b_dec on input'}: saved, loaded and run in ORT as the reference`, async () => {
      const sae = randomSae(arch, norm, 7, bdec);
      const dir = await tempDir();
      await saveSae(dir, sae);
      const loaded = await loadSae(dir);
      expect(loaded.config).toEqual(sae.config);
      const rows = 9;
      const r = mulberry32(3);
      const x = Float32Array.from({ length: rows * sae.config.dIn }, () => (r() * 2 - 1) * 2 + 0.3);
      const ref = referenceEncode(loaded, x, rows);
      const xhat = referenceDecode(loaded, ref.features, rows, ref.stats);
      const session = await SaeSession.create(nodeOrt, loaded, { rows: 4, reconstruction: true, threads: 1 });
      const out = await session.encode(x, rows);
      await session.release();
      expect(maxDiff(out.features, ref.features)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(out.reconstruction!, xhat)).toBeLessThanOrEqual(1e-4);
      // sparsity as the architecture says
      let active = 0;
      for (const v of ref.features) if (v > 0) active++;
      if (arch === 'topk') {
        expectTopK(out.features, ref.pre, rows, sae.config.dSae, 5);
        expectTopK(ref.features, ref.pre, rows, sae.config.dSae, 5);
      }
      expect(active).toBeGreaterThan(0);
      // fp16 weights: the same graph, matching the reference run on fp16-rounded weights
      const rounded = roundedToHalf(loaded);
      const ref16 = referenceEncode(rounded, x, rows);
      const bytes16 = exportSaeEncoder(loaded, { rows, dtype: 'fp16', reconstruction: true }).bytes;
      const bytes32 = exportSaeEncoder(loaded, { rows, dtype: 'fp32', reconstruction: true }).bytes;
      const weightCount = Object.values(loaded.weights).reduce((n, w) => n + w.length, 0);
      expect(bytes32.byteLength - bytes16.byteLength).toBeGreaterThan(1.5 * weightCount);
      const s16 = await nodeOrt.InferenceSession.create(bytes16);
      const res = await s16.run({ x: new nodeOrt.Tensor('float32', x, [rows, sae.config.dIn]) });
      await s16.release();
      expect(maxDiff(res.features!.data as Float32Array, ref16.features)).toBeLessThanOrEqual(1e-4);
    });
  }

  it('reads old and new cfg field names', () => {
    const old = parseSaeConfig({
      d_in: 768,
      d_sae: 24576,
      hook_point: 'blocks.8.hook_resid_pre',
      hook_point_layer: 8,
      activation_fn_str: 'topk',
      activation_fn_kwargs: { k: 32 },
      normalize_activations: 'layer_norm',
      apply_b_dec_to_input: false,
      prepend_bos: false,
      model_name: 'gpt2',
    });
    expect(old).toMatchObject({
      architecture: 'topk',
      k: 32,
      hookName: 'blocks.8.hook_resid_pre',
      hookLayer: 8,
      normalization: 'layer_norm',
      applyBDecToInput: false,
      prependBos: false,
    });
    expect(old.extra.model_name).toBe('gpt2');
    const v6 = parseSaeConfig({
      architecture: 'jumprelu',
      d_in: 2304,
      d_sae: 16384,
      apply_b_dec_to_input: true,
      normalize_activations: 'none',
      metadata: { hook_name: 'blocks.20.hook_resid_post', prepend_bos: true },
    });
    expect(v6).toMatchObject({
      architecture: 'jumprelu',
      hookName: 'blocks.20.hook_resid_post',
      hookLayer: 20,
      k: null,
    });
    expect(parseSaeConfig({ d_in: 4, d_sae: 8, hook_name: 'hook_embed', activation_fn_str: 'relu' }).architecture).toBe(
      'standard',
    );
    expect(() => parseSaeConfig({ d_in: 4, d_sae: 8, hook_name: 'x', architecture: 'gated' })).toThrow(/gated/);
    expect(() => parseSaeConfig({ d_in: 4, d_sae: 8, hook_name: 'x', architecture: 'topk' })).toThrow(/k/);
    expect(() => parseSaeConfig({ d_in: 4, d_sae: 8 })).toThrow(/hook_name/);
  });

  it('names file, tensor, expected and actual shapes on mismatch; names missing tensors', async () => {
    const dir = await tempDir();
    const cfg = { d_in: 4, d_sae: 8, hook_name: 'blocks.0.hook_mlp_out', architecture: 'jumprelu' };
    await writeFile(join(dir, 'cfg.json'), JSON.stringify(cfg));
    const t = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    await writeFile(
      join(dir, 'sae_weights.safetensors'),
      encodeSafetensors({ W_enc: t([8, 4]), b_enc: t([8]), W_dec: t([8, 4]), b_dec: t([4]), threshold: t([8]) }),
    );
    await expect(loadSae(dir)).rejects.toThrow(
      /sae_weights\.safetensors: tensor "W_enc" has shape \[8,4\], expected \[4,8\]/,
    );
    await writeFile(
      join(dir, 'sae_weights.safetensors'),
      encodeSafetensors({ W_enc: t([4, 8]), b_enc: t([8]), W_dec: t([8, 4]), b_dec: t([4]) }),
    );
    await expect(loadSae(dir)).rejects.toThrow(
      /sae_weights\.safetensors: missing tensor "threshold" \(expected shape \[8\]\)/,
    );
  });
});

describe('SAELens options (issue 17): implemented, or refused by name', () => {
  const t = tensor;

  it('finetuning_scaling_factor: features times the per-feature scale are decoded (float64 check)', async () => {
    const sae = randomSae('standard', 'none', 5);
    const { dIn, dSae } = sae.config;
    const r = mulberry32(8);
    const scale = Float32Array.from({ length: dSae }, () => 0.2 + 2 * r());
    const w = sae.weights;
    const tensors = {
      W_enc: t([dIn, dSae], w.W_enc),
      b_enc: t([dSae], w.b_enc),
      W_dec: t([dSae, dIn], w.W_dec),
      b_dec: t([dIn], w.b_dec),
    };
    const cfg = { d_in: dIn, d_sae: dSae, hook_name: 'blocks.1.hook_resid_post', architecture: 'standard' };
    const rows = 6;
    const x = Float32Array.from({ length: rows * dIn }, () => (r() * 2 - 1) * 2);
    // SAELens decode: (f * s) @ W_dec + b_dec, with f the unscaled encoding
    const f = referenceEncode(sae, x, rows).features;
    const expected = new Float64Array(rows * dIn);
    for (let row = 0; row < rows; row++)
      for (let i = 0; i < dIn; i++) {
        let v = w.b_dec[i]!;
        for (let j = 0; j < dSae; j++) v += f[row * dSae + j]! * scale[j]! * w.W_dec[j * dIn + i]!;
        expected[row * dIn + i] = v;
      }
    // the parameter's name, and the older file name SAELens renames on load
    for (const name of ['finetuning_scaling_factor', 'scaling_factor']) {
      const dir = await folder({ ...cfg, finetuning_scaling_factor: true }, { ...tensors, [name]: t([dSae], scale) });
      const loaded = await loadSae(dir);
      const session = await SaeSession.create(nodeOrt, loaded, { rows: 4, reconstruction: true, threads: 1 });
      const out = await session.encode(x, rows);
      await session.release();
      expect(maxDiff(out.features, f)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(out.reconstruction!, expected), name).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(referenceDecode(loaded, f, rows), expected)).toBeLessThanOrEqual(1e-5);
    }
    // without the flag the scale would be ignored: refused unless it is all ones (SAELens saved ones for a while)
    await expect(loadSae(await folder(cfg, { ...tensors, scaling_factor: t([dSae], scale) }))).rejects.toThrow(
      /"scaling_factor" is not all ones but cfg\.json has finetuning_scaling_factor false/,
    );
    const ones = await loadSae(await folder(cfg, { ...tensors, scaling_factor: t([dSae], new Array(dSae).fill(1)) }));
    expect(maxDiff(ones.weights.W_dec, w.W_dec)).toBe(0);
    await expect(loadSae(await folder({ ...cfg, finetuning_scaling_factor: true }, tensors))).rejects.toThrow(
      /finetuning_scaling_factor true but there is no "finetuning_scaling_factor" tensor \[40\]/,
    );
  });

  it('TopK keeps exactly k features on ties, the lowest indices first (as torch.topk on CPU)', async () => {
    const dIn = 3;
    const dSae = 8;
    // W_enc = 0, so pre = b_enc for every input: 0.9 at 2 and 6; 0.5 at 1, 3, 4 and 7; k = 4 keeps 2, 6, 1, 3.
    const b_enc = Float32Array.from([0.1, 0.5, 0.9, 0.5, 0.5, -0.2, 0.9, 0.5]);
    const sae: Sae = {
      config: {
        architecture: 'topk',
        dIn,
        dSae,
        hookName: 'blocks.0.hook_resid_post',
        hookLayer: 0,
        k: 4,
        applyBDecToInput: true,
        normalization: 'none',
        prependBos: true,
        extra: {},
      },
      weights: {
        W_enc: new Float32Array(dIn * dSae),
        b_enc,
        W_dec: Float32Array.from({ length: dSae * dIn }, (_, i) => i / 10),
        b_dec: new Float32Array(dIn),
      },
    };
    const rows = 3;
    const x = Float32Array.from({ length: rows * dIn }, (_, i) => i - 4);
    const want = [0, 0.5, 0.9, 0.5, 0, 0, 0.9, 0];
    const ref = referenceEncode(sae, x, rows).features;
    const session = await SaeSession.create(nodeOrt, sae, { rows: 2, reconstruction: true, threads: 1 });
    const out = await session.encode(x, rows);
    await session.release();
    for (let row = 0; row < rows; row++) {
      const got = Array.from(out.features.subarray(row * dSae, (row + 1) * dSae), (v) => Math.round(v * 1e6) / 1e6);
      expect(got, `row ${row}`).toEqual(want);
      expect(Array.from(ref.subarray(row * dSae, (row + 1) * dSae))).toEqual(want.map((v) => Math.fround(v)));
    }
  });

  const cfg = { d_in: 4, d_sae: 8, hook_name: 'blocks.0.hook_resid_post' };
  const refused: [Record<string, unknown>, string][] = [
    [{ hook_head_index: 3 }, 'hook_head_index = 3'],
    [{ hook_point_head_index: 0 }, 'hook_point_head_index = 0'],
    [{ reshape_activations: 'hook_z' }, 'reshape_activations = "hook_z"'],
    [{ architecture: 'topk', k: 2, rescale_acts_by_decoder_norm: true }, 'rescale_acts_by_decoder_norm = true'],
    [{ activation_fn_str: 'tanh-relu' }, 'activation_fn_str = "tanh-relu"'],
    [{ architecture: 'standard', activation_fn: 'tanh-relu' }, 'activation_fn_str = "tanh-relu"'],
    [
      { activation_fn_str: 'topk', activation_fn_kwargs: { k: 2, postact_fn: 'gelu' } },
      'activation_fn_kwargs.postact_fn',
    ],
    [{ architecture: 'gated' }, '"gated"'],
    [{ architecture: 'batchtopk' }, '"batchtopk"'],
    [{ finetuning_scaling_factor: 'yes' }, 'finetuning_scaling_factor must be true or false'],
  ];
  for (const [extra, message] of refused) {
    it(`refuses ${JSON.stringify(extra)}`, async () => {
      const dir = await folder(
        { ...cfg, ...extra },
        { W_enc: t([4, 8]), b_enc: t([8]), W_dec: t([8, 4]), b_dec: t([4]) },
      );
      await expect(loadSae(dir)).rejects.toThrow(message);
    });
  }

  it('accepts neutral values and metadata; old activation_fn names and boolean normalize_activations', async () => {
    const neutral = parseSaeConfig({
      ...cfg,
      hook_head_index: null,
      reshape_activations: 'none',
      rescale_acts_by_decoder_norm: false,
      normalize_activations: false,
      model_name: 'gpt2',
      context_size: 128,
      l1_coefficient: 8e-5,
      neuronpedia_id: 'gpt2-small/0-res-jb',
      some_future_metadata: { a: 1 },
    });
    expect(neutral).toMatchObject({ architecture: 'standard', normalization: 'none' });
    expect(neutral.extra).toMatchObject({ model_name: 'gpt2', some_future_metadata: { a: 1 } });
    // SAELens renames activation_fn to activation_fn_str: an old TopK config must not be read as ReLU
    expect(parseSaeConfig({ ...cfg, activation_fn: 'topk', activation_fn_kwargs: { k: 2 } })).toMatchObject({
      architecture: 'topk',
      k: 2,
    });
  });

  it('refuses a tensor the architecture has no use for (it would otherwise be ignored)', async () => {
    const tensors = { W_enc: t([4, 8]), b_enc: t([8]), W_dec: t([8, 4]), b_dec: t([4]), b_gate: t([8]) };
    await expect(loadSae(await folder(cfg, tensors))).rejects.toThrow(/"b_gate" not used by a standard SAE/);
    const { b_gate: _unused, ...standard } = tensors;
    const jump = { ...standard, threshold: t([8]), log_threshold: t([8]) };
    expect((await loadSae(await folder({ ...cfg, architecture: 'jumprelu' }, jump))).config.architecture).toBe(
      'jumprelu',
    );
  });
});
