import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../data/prng.js';
/** Tiny random models, SAEs and prompt pairs for circuit tests and benchmarks. */
import type { GPT2Config } from '../model/config.js';
import type { SaeConfig } from '../sae/config.js';
import type { Sae } from '../sae/sae.js';
import type { PromptPair, SaeSource } from './discover.js';

/** A ReLU SAE (no normalisation) with uniform random weights; biases make about half the features fire. */
export function randomCircuitSae(
  hook: string,
  dIn: number,
  dSae: number,
  seed: number,
  architecture: 'standard' | 'topk' = 'standard',
): Sae {
  const r = mulberry32(seed);
  const u = (n: number, s: number, o = 0) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = o + (r() * 2 - 1) * s;
    return a;
  };
  const scale = 1 / Math.sqrt(dIn);
  return {
    config: circuitSaeConfig(hook, dIn, dSae, architecture),
    weights: {
      W_enc: u(dIn * dSae, scale),
      b_enc: u(dSae, 0.1, 0.05),
      W_dec: u(dSae * dIn, scale),
      b_dec: u(dIn, 0.1),
    },
  };
}

function circuitSaeConfig(hook: string, dIn: number, dSae: number, architecture: 'standard' | 'topk'): SaeConfig {
  return {
    architecture,
    dIn,
    dSae,
    hookName: hook,
    hookLayer: null,
    k: architecture === 'topk' ? Math.max(1, Math.floor(dSae / 4)) : null,
    applyBDecToInput: true,
    normalization: 'none',
    prependBos: false,
    extra: {},
  };
}

/**
 * randomCircuitSae's SAE, its weights generated anew on every load (the same each time): many wide SAEs never
 * sit in memory together.
 */
export function lazyRandomCircuitSae(hook: string, dIn: number, dSae: number, seed: number): SaeSource {
  return {
    hook,
    config: circuitSaeConfig(hook, dIn, dSae, 'standard'),
    load: async () => randomCircuitSae(hook, dIn, dSae, seed).weights,
  };
}

export function circuitHooks(nLayers: number, embed = true): string[] {
  const hooks = embed ? ['hook_embed'] : [];
  for (let l = 0; l < nLayers; l++)
    hooks.push(`blocks.${l}.hook_attn_out`, `blocks.${l}.hook_mlp_out`, `blocks.${l}.hook_resid_post`);
  return hooks;
}

/** Random pairs: the patch prompt differs from the clean one at one position (like a subject's number). */
export function randomPairs(config: GPT2Config, count: number, length: number, seed: number): PromptPair[] {
  const r = mulberry32(seed);
  const tok = () => 1 + Math.floor(r() * (config.vocabSize - 1));
  return Array.from({ length: count }, () => {
    const clean = Array.from({ length }, tok);
    const patch = [...clean];
    const at = Math.min(length - 1, 1);
    patch[at] = (clean[at]! % (config.vocabSize - 1)) + 1;
    const cleanAnswer = tok();
    let patchAnswer = tok();
    if (patchAnswer === cleanAnswer) patchAnswer = (cleanAnswer % (config.vocabSize - 1)) + 1;
    return { clean, patch, cleanAnswer, patchAnswer };
  });
}

/** Neuronpedia's graph schema from ../shared beside the repository, or null where that folder is absent. */
export function sharedNeuronpediaSchema(): Record<string, unknown> | null {
  const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
  try {
    return JSON.parse(
      readFileSync(resolve(repoRoot, '..', 'shared', 'data', 'neuronpedia', 'graph-schema.json'), 'utf8'),
    );
  } catch {
    return null;
  }
}
