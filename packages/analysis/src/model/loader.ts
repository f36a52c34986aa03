/** Loads a GPT-2 checkpoint from a Hugging Face directory (config.json + model.safetensors). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsLazy } from '../io/safetensors.js';
import { type GPT2Config, gpt2WeightShapes, parseGPT2Config } from './config.js';

export interface GPT2Checkpoint {
  config: GPT2Config;
  /** Float32 weights by Hugging Face name without the "transformer." prefix (see gpt2WeightShapes). */
  weights: Map<string, Float32Array>;
}

/** Buffers and duplicates that are not parameters: the causal mask buffers and the tied lm_head. */
const SKIPPED = /(^|\.)attn\.(bias|masked_bias)$|^lm_head\.weight$/;

export async function loadGPT2Checkpoint(dir: string): Promise<GPT2Checkpoint> {
  const config = parseGPT2Config(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
  const shapes = gpt2WeightShapes(config);
  const path = join(dir, 'model.safetensors');
  const { tensors } = await readSafetensorsLazy(path, (name, info) => {
    const key = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (SKIPPED.test(key)) return null;
    const want = shapes.get(key);
    if (!want) throw new Error(`${path}: unexpected tensor "${name}" for GPT-2`);
    if (want.join() !== info.shape.join()) {
      throw new Error(`${path}: "${name}" has shape [${info.shape}], expected [${want}] from config.json`);
    }
    return key;
  });
  const weights = new Map<string, Float32Array>();
  for (const name of shapes.keys()) {
    const t = tensors.get(name);
    if (!t) throw new Error(`${path}: missing tensor "${name}"`);
    weights.set(name, t.data);
  }
  return { config, weights };
}
