/** Loads a GPT-2 checkpoint from a Hugging Face directory (config.json + model.safetensors). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsLazy } from '../io/safetensors.js';
import { type GPT2Config, gpt2TensorKey, gpt2WeightShapes, missingWhy, parseGPT2Config } from './config.js';

export interface GPT2Checkpoint {
  config: GPT2Config;
  /** Float32 weights by Hugging Face name without the "transformer." prefix (see gpt2WeightShapes). */
  weights: Map<string, Float32Array>;
}

export async function loadGPT2Checkpoint(dir: string): Promise<GPT2Checkpoint> {
  const config = parseGPT2Config(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
  const shapes = gpt2WeightShapes(config);
  const path = join(dir, 'model.safetensors');
  const { tensors } = await readSafetensorsLazy(path, (name, info) => {
    const key = gpt2TensorKey(config, shapes, name, path);
    if (key === null) return null;
    const want = shapes.get(key)!;
    if (want.join() !== info.shape.join()) {
      throw new Error(`${path}: "${name}" has shape [${info.shape}], expected [${want}] from config.json`);
    }
    return key;
  });
  const weights = new Map<string, Float32Array>();
  for (const name of shapes.keys()) {
    const t = tensors.get(name);
    if (!t) throw new Error(`${path}: missing tensor "${name}"${missingWhy(name)}`);
    weights.set(name, t.data);
  }
  return { config, weights };
}
