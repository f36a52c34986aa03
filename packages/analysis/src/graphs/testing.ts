/** Random transcoders for attribution-graph tests and benchmarks (fixed seeds, generated on each load). */
import { mulberry32 } from '../data/prng.js';
import type { SaeConfig } from '../sae/config.js';
import type { SaeWeights } from '../sae/sae.js';
import type { TranscoderSource } from './replacement.js';

export interface RandomTranscoderOptions {
  architecture?: 'standard' | 'topk';
  /** TopK's k (default 32). */
  k?: number;
  skip?: boolean;
}

/** Weights uniform in +-1/sqrt(d); biases so that a ReLU transcoder fires about half its features. */
export function randomTranscoderWeights(t: SaeConfig, seed: number): SaeWeights {
  const r = mulberry32(seed);
  const u = (n: number, s: number, o = 0) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = o + (r() * 2 - 1) * s;
    return a;
  };
  const scale = 1 / Math.sqrt(t.dIn);
  const dOut = t.transcoder?.dOut ?? t.dIn;
  const w: SaeWeights = {
    W_enc: u(t.dIn * t.dSae, scale),
    b_enc: u(t.dSae, 0.1, 0.02),
    W_dec: u(t.dSae * dOut, scale),
    b_dec: u(dOut, 0.1),
  };
  if (t.transcoder?.skip) w.W_skip = u(dOut * t.dIn, 0.5 * scale);
  return w;
}

/** One random transcoder per layer; each load regenerates it (so wide ones never sit in memory together). */
export function randomTranscoders(
  nLayers: number,
  dModel: number,
  dSae: number,
  seed: number,
  options: RandomTranscoderOptions = {},
): TranscoderSource[] {
  const architecture = options.architecture ?? 'topk';
  return Array.from({ length: nLayers }, (_, layer) => {
    const config: SaeConfig = {
      architecture,
      dIn: dModel,
      dSae,
      hookName: `blocks.${layer}.ln2.hook_normalized`,
      hookLayer: layer,
      k: architecture === 'topk' ? Math.min(dSae, options.k ?? 32) : null,
      applyBDecToInput: false,
      normalization: 'none',
      prependBos: false,
      extra: {},
      transcoder: {
        hookName: `blocks.${layer}.hook_mlp_out`,
        hookLayer: layer,
        dOut: dModel,
        skip: options.skip ?? false,
      },
    };
    return { config, load: async () => randomTranscoderWeights(config, seed + layer) };
  });
}
