import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { encodeSafetensors, tensorToFloat32 } from '../io/safetensors.js';
import { nodeOrt } from '../runtime/node.js';
import { parseSaeConfig, type SaeArchitecture, type SaeConfig, type SaeNormalization } from './config.js';
import { exportSaeEncoder, floatToHalf, SaeSession } from './graph.js';
import { loadSae, referenceDecode, referenceEncode, type Sae, saveSae } from './sae.js';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'sae-test-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function randomSae(
  architecture: SaeArchitecture,
  normalization: SaeNormalization,
  seed: number,
  applyBDecToInput = true,
): Sae {
  const dIn = 12;
  const dSae = 40;
  const r = mulberry32(seed);
  const u = (n: number, s: number, o = 0) => Float32Array.from({ length: n }, () => o + (r() * 2 - 1) * s);
  const config: SaeConfig = {
    architecture,
    dIn,
    dSae,
    hookName: 'blocks.1.hook_resid_post',
    hookLayer: 1,
    k: architecture === 'topk' ? 5 : null,
    applyBDecToInput,
    normalization,
    prependBos: true,
    extra: { model_name: 'test' },
  };
  return {
    config,
    weights: {
      W_enc: u(dIn * dSae, 0.5),
      b_enc: u(dSae, 0.2),
      W_dec: u(dSae * dIn, 0.5),
      b_dec: u(dIn, 0.3),
      ...(architecture === 'jumprelu' ? { threshold: u(dSae, 0.1, 0.15) } : {}),
    },
  };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

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
      if (arch === 'topk') expect(active).toBeLessThanOrEqual(rows * 5);
      expect(active).toBeGreaterThan(0);
      // fp16 weights: the same graph, matching the reference run on fp16-rounded weights
      const half = (a: Float32Array) => tensorToFloat32(new Uint8Array(Uint16Array.from(a, floatToHalf).buffer), 'F16');
      const rounded: Sae = {
        config: loaded.config,
        weights: Object.fromEntries(
          Object.entries(loaded.weights).map(([k, v]) => [k, half(v)]),
        ) as unknown as Sae['weights'],
      };
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
