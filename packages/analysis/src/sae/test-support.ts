/** Set-up shared by the SAE and transcoder tests (test-only: the package build leaves test-support.ts files out). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { encodeSafetensors, tensorToFloat32 } from '../io/safetensors.js';
import type { SaeConfig } from './config.js';
import { floatToHalf } from './graph.js';
import type { Sae, SaeWeights } from './sae.js';

/**
 * `tempDir` makes a fresh folder named from `prefix`; `folder` writes a SAELens folder by hand (cfg.json fields and
 * safetensors tensors exactly as given) into one. Every folder made is removed after the calling test file.
 */
export function saeFolders(prefix: string) {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  const folder = async (
    cfg: Record<string, unknown>,
    tensors: Record<string, { shape: number[]; data: Float32Array }>,
  ) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'cfg.json'), JSON.stringify(cfg));
    await writeFile(join(dir, 'sae_weights.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
    return dir;
  };
  return { tempDir, folder };
}

/** A safetensors tensor of `shape`: `data` as float32, or zeros. */
export const tensor = (shape: number[], data?: ArrayLike<number>) => ({
  shape,
  data: Float32Array.from(data ?? { length: shape.reduce((a, b) => a * b, 1) }, (v) => v ?? 0),
});

/**
 * Uniform random weights for `config` from `seed` (d_out is the transcoder's, else d_in), with a threshold for
 * JumpReLU and W_skip for a skip transcoder; drawn in a fixed order, so a seed always gives the same weights.
 */
export function randomWeights(config: SaeConfig, seed: number): SaeWeights {
  const { architecture, dIn, dSae } = config;
  const dOut = config.transcoder?.dOut ?? dIn;
  const r = mulberry32(seed);
  const u = (n: number, s: number, o = 0) => Float32Array.from({ length: n }, () => o + (r() * 2 - 1) * s);
  return {
    W_enc: u(dIn * dSae, 0.5),
    b_enc: u(dSae, 0.2),
    W_dec: u(dSae * dOut, 0.5),
    b_dec: u(dOut, 0.3),
    ...(architecture === 'jumprelu' ? { threshold: u(dSae, 0.1, 0.15) } : {}),
    ...(config.transcoder?.skip ? { W_skip: u(dOut * dIn, 0.4) } : {}),
  };
}

/** The largest absolute difference between two arrays of the same length (the test fails when lengths differ). */
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** `sae` with every weight rounded to float16 and back: what an fp16 export computes with. */
export function roundedToHalf(sae: Sae): Sae {
  const half = (a: Float32Array) => tensorToFloat32(new Uint8Array(Uint16Array.from(a, floatToHalf).buffer), 'F16');
  return {
    config: sae.config,
    weights: Object.fromEntries(Object.entries(sae.weights).map(([k, v]) => [k, half(v)])) as unknown as SaeWeights,
  };
}
