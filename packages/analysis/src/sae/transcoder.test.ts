import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { nodeOrt } from '../runtime/node.js';
import { parseSaeConfig, type SaeArchitecture, type SaeConfig } from './config.js';
import { exportSaeEncoder, SaeSession } from './graph.js';
import { loadSae, referenceTranscode, type Sae, saveSae } from './sae.js';
import { maxDiff, randomWeights, roundedToHalf, saeFolders, tensor } from './test-support.js';

const { tempDir, folder } = saeFolders('transcoder-test-');

/** d_in 10 -> d_sae 32 -> d_out 7 (d_out differs from d_in, so a swapped shape cannot pass). */
function randomTranscoder(architecture: SaeArchitecture, skip: boolean, seed: number): Sae {
  const config: SaeConfig = {
    architecture,
    dIn: 10,
    dSae: 32,
    hookName: 'blocks.2.ln2.hook_normalized',
    hookLayer: 2,
    k: architecture === 'topk' ? 4 : null,
    applyBDecToInput: false,
    normalization: 'none',
    prependBos: true,
    extra: { model_name: 'test' },
    transcoder: { hookName: 'blocks.2.hook_mlp_out', hookLayer: 2, dOut: 7, skip },
  };
  return { config, weights: randomWeights(config, seed) };
}

describe('transcoders (SAELens transcoder / skip_transcoder / jumprelu_transcoder)', () => {
  const cases: [SaeArchitecture, boolean][] = [
    ['standard', false],
    ['standard', true],
    ['jumprelu', false],
    ['jumprelu', true],
    ['topk', false],
    ['topk', true],
  ];
  for (const [arch, skip] of cases) {
    it(`${arch}${skip ? ' + skip' : ''}: saved, loaded and run in ORT (fp32 and fp16) as the float64 reference`, async () => {
      const tc = randomTranscoder(arch, skip, 11);
      const dir = await tempDir();
      await saveSae(dir, tc);
      const loaded = await loadSae(dir);
      expect(loaded.config).toEqual(tc.config);
      const rows = 9;
      const r = mulberry32(5);
      const x = Float32Array.from({ length: rows * tc.config.dIn }, () => (r() * 2 - 1) * 2);
      const ref = referenceTranscode(loaded, x, rows);
      expect(ref.output.length).toBe(rows * 7);
      const session = await SaeSession.create(nodeOrt, loaded, { rows: 4, reconstruction: true, threads: 1 });
      const out = await session.encode(x, rows);
      await session.release();
      expect(maxDiff(out.features, ref.features)).toBeLessThanOrEqual(1e-4);
      expect(maxDiff(out.reconstruction!, ref.output)).toBeLessThanOrEqual(1e-4);
      const active = ref.features.filter((v) => v > 0).length;
      expect(active).toBeGreaterThan(0);
      if (arch === 'topk') expect(active).toBe(rows * 4);
      // fp16 weights: the same graph, matching the reference run on fp16-rounded weights
      const rounded = roundedToHalf(loaded);
      const ref16 = referenceTranscode(rounded, x, rows);
      const s16 = await nodeOrt.InferenceSession.create(
        exportSaeEncoder(loaded, { rows, dtype: 'fp16', reconstruction: true }).bytes,
      );
      const res = await s16.run({ x: new nodeOrt.Tensor('float32', x, [rows, tc.config.dIn]) });
      await s16.release();
      expect(maxDiff(res.reconstruction!.data as Float32Array, ref16.output)).toBeLessThanOrEqual(1e-4);
    });
  }

  it('skip transcoder by hand: y = relu(x W_enc + b_enc) W_dec + b_dec + x W_skip^T', async () => {
    // x = [2, 0.5]; pre = x + [0, -1] = [2, -0.5]; f = [2, 0]; f W_dec = [2, 4, 6]; + b_dec = [2.1, 4.2, 6.3];
    // x W_skip^T = [2, 0.5, 2.5]; y = [4.1, 4.7, 8.8]
    const dir = await folder(
      {
        architecture: 'skip_transcoder',
        d_in: 2,
        d_sae: 2,
        d_out: 3,
        dtype: 'float32',
        apply_b_dec_to_input: false,
        normalize_activations: 'none',
        metadata: { hook_name: 'blocks.0.ln2.hook_normalized', hook_name_out: 'blocks.0.hook_mlp_out' },
      },
      {
        W_enc: tensor([2, 2], [1, 0, 0, 1]),
        b_enc: tensor([2], [0, -1]),
        W_dec: tensor([2, 3], [1, 2, 3, 4, 5, 6]),
        b_dec: tensor([3], [0.1, 0.2, 0.3]),
        W_skip: tensor([3, 2], [1, 0, 0, 1, 1, 1]),
      },
    );
    const tc = await loadSae(dir);
    expect(tc.config.transcoder).toEqual({
      hookName: 'blocks.0.hook_mlp_out',
      hookLayer: 0,
      dOut: 3,
      skip: true,
    });
    const x = Float32Array.from([2, 0.5]);
    const session = await SaeSession.create(nodeOrt, tc, { rows: 1, reconstruction: true, threads: 1 });
    const out = await session.encode(x, 1);
    await session.release();
    expect(Array.from(out.features)).toEqual([2, 0]);
    const want = [4.1, 4.7, 8.8];
    expect(maxDiff(out.reconstruction!, want)).toBeLessThan(1e-5);
    expect(maxDiff(referenceTranscode(tc, x, 1).output, want)).toBeLessThan(1e-6);
  });

  it('reads SAELens 6 (metadata), SAELens 5 (flat) and Dunefsky et al. (is_transcoder) configs', () => {
    const v6 = parseSaeConfig({
      architecture: 'jumprelu_skip_transcoder',
      d_in: 768,
      d_sae: 24576,
      d_out: 768,
      apply_b_dec_to_input: true,
      normalize_activations: 'none',
      metadata: { hook_name: 'blocks.5.ln2.hook_normalized', hook_name_out: 'blocks.5.hook_mlp_out' },
    });
    expect(v6).toMatchObject({
      architecture: 'jumprelu',
      hookName: 'blocks.5.ln2.hook_normalized',
      hookLayer: 5,
      // SAELens never subtracts b_dec (d_out wide) from a transcoder's input
      applyBDecToInput: false,
      transcoder: { hookName: 'blocks.5.hook_mlp_out', hookLayer: 5, dOut: 768, skip: true },
    });
    const v5 = parseSaeConfig({
      architecture: 'transcoder',
      activation_fn_str: 'topk',
      activation_fn_kwargs: { k: 32 },
      d_in: 768,
      d_sae: 24576,
      d_out: 768,
      hook_name: 'blocks.8.ln2.hook_normalized',
      hook_name_out: 'blocks.8.hook_mlp_out',
      hook_layer_out: 8,
      hook_head_index_out: null,
      model_name: 'gpt2',
    });
    expect(v5).toMatchObject({ architecture: 'topk', k: 32, transcoder: { dOut: 768, skip: false } });
    expect(v5.extra).toEqual({ model_name: 'gpt2' });
    const dunefsky = parseSaeConfig({
      is_transcoder: true,
      hook_point: 'blocks.3.ln2.hook_normalized',
      hook_point_layer: 3,
      out_hook_point: 'blocks.3.hook_mlp_out',
      out_hook_point_layer: 3,
      d_in: 768,
      d_out: 768,
      d_sae: 24576,
    });
    expect(dunefsky).toMatchObject({
      architecture: 'standard',
      // these configs' b_dec has the input's width and is subtracted first (apply_b_dec_to_input, default true)
      applyBDecToInput: true,
      transcoder: { hookName: 'blocks.3.hook_mlp_out', hookLayer: 3, dOut: 768, skip: false },
    });
    // ... but never into another width, and never for SAELens's own transcoder architectures
    const base = { hook_point: 'blocks.3.ln2.hook_normalized', out_hook_point: 'blocks.3.hook_mlp_out', d_sae: 8 };
    expect(parseSaeConfig({ ...base, is_transcoder: true, d_in: 4, d_out: 6 }).applyBDecToInput).toBe(false);
    expect(
      parseSaeConfig({ ...base, architecture: 'transcoder', d_in: 4, d_out: 4, apply_b_dec_to_input: true })
        .applyBDecToInput,
    ).toBe(false);
    // an SAE config stays an SAE (no transcoder key)
    expect(parseSaeConfig({ d_in: 4, d_sae: 8, hook_name: 'blocks.0.hook_resid_post' }).transcoder).toBeUndefined();
  });

  const cfg = {
    architecture: 'transcoder',
    d_in: 4,
    d_sae: 8,
    d_out: 3,
    hook_name: 'blocks.0.ln2.hook_normalized',
    hook_name_out: 'blocks.0.hook_mlp_out',
  };
  const plain = { W_enc: tensor([4, 8]), b_enc: tensor([8]), W_dec: tensor([8, 3]), b_dec: tensor([3]) };
  const refused: [string, Record<string, unknown>, Record<string, { shape: number[]; data: Float32Array }>, RegExp][] =
    [
      ['a per-head output', { ...cfg, hook_head_index_out: 2 }, plain, /hook_head_index_out = 2 is not supported/],
      [
        'input normalisation',
        { ...cfg, normalize_activations: 'layer_norm' },
        plain,
        /normalize_activations = "layer_norm" is not supported for transcoders/,
      ],
      ['no output hook', { ...cfg, hook_name_out: undefined }, plain, /needs "hook_name_out"/],
      [
        'a W_skip the config does not use',
        cfg,
        { ...plain, W_skip: tensor([3, 4]) },
        /"W_skip" not used by a standard transcoder/,
      ],
      [
        'a skip transcoder without W_skip',
        { ...cfg, architecture: 'skip_transcoder' },
        plain,
        /missing tensor "W_skip" \(expected shape \[3,4\]\)/,
      ],
      [
        'W_skip stored [d_in, d_out]',
        { ...cfg, architecture: 'skip_transcoder' },
        { ...plain, W_skip: tensor([4, 3]) },
        /tensor "W_skip" has shape \[4,3\], expected \[3,4\] \(d_in 4, d_sae 8, d_out 3/,
      ],
      [
        'W_dec of the input width',
        cfg,
        { ...plain, W_dec: tensor([8, 4]) },
        /"W_dec" has shape \[8,4\], expected \[8,3\]/,
      ],
      [
        'an SAE config with an output of its own',
        { ...cfg, architecture: 'standard' },
        plain,
        /d_out, hook_name_out set but architecture "standard" is not a transcoder/,
      ],
    ];
  for (const [what, config, tensors, message] of refused) {
    it(`refuses ${what}`, async () => {
      await expect(loadSae(await folder(config, tensors))).rejects.toThrow(message);
    });
  }
});
