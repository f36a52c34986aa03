/** Node entry points: a hooked GPT-2 from a Hugging Face folder or from in-memory weights, on onnxruntime-node. */
import { createHash } from 'node:crypto';
import { access, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeOrt } from '../runtime/node.js';
import type { OrtModule } from '../runtime/session.js';
import { loadTokenizer } from '../tokenizer/load.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import type { GPT2Config } from './config.js';
import { HookedGPT2, type HookedModelOptions } from './hooked.js';
import { defaultCacheDir, gpt2WeightsFile, readPackedWeights, weightsToFile } from './store.js';
import type { WeightSource } from './weights.js';

export interface LoadOptions extends HookedModelOptions {
  /** Where packed weights and serialized graphs are cached (default ~/.cache/workbench-engine). */
  cacheDir?: string;
  ort?: OrtModule;
  /**
   * 'per-session' (default): every compiled graph reads the packed file as pre-packed initializers, the fastest
   * matmuls, but each cached session holds its own copy (about 0.6 GB for GPT-2 small). 'shared': the weights are
   * held once in memory and fed to every graph as inputs, however many sessions are cached (ORT cannot pre-pack
   * them: matmuls run slower). For work that compiles many graphs of one model, like circuits.
   */
  weightSharing?: 'per-session' | 'shared';
}

/** Writes each graph once as `<weights dir>/graph-<hash>.onnx`, next to the weights it references. */
export async function writeModelFile(
  w: WeightSource & { kind: 'file' },
  key: string,
  bytes: Uint8Array,
): Promise<string> {
  const name = `graph-${createHash('sha256').update(key).update(w.key).digest('hex').slice(0, 24)}.onnx`;
  const path = join(w.dir, name);
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }
  return path;
}

/**
 * Loads GPT-2 from a Hugging Face folder: weights are converted once into a packed float32 file in the cache and
 * read from there by ORT; the tokenizer comes from tokenizer.json or vocab.json + merges.txt when present.
 */
export async function loadHookedGPT2(
  dir: string,
  options: LoadOptions = {},
): Promise<{ model: HookedGPT2; tokenizer: TextTokenizer | null; config: GPT2Config }> {
  const { config, source } = await gpt2WeightsFile(dir, options.cacheDir ?? defaultCacheDir());
  const weights = options.weightSharing === 'shared' ? await readPackedWeights(source) : source;
  const model = new HookedGPT2(config, weights, options.ort ?? nodeOrt, { writeModel: writeModelFile, ...options });
  const tokenizer = await loadTokenizer(dir).catch(() => null);
  return { model, tokenizer, config };
}

/**
 * A hooked GPT-2 over in-memory weights (random or trained): packed once into the cache for fast sessions, or, with
 * weightSharing 'shared', these very arrays fed to every graph.
 */
export async function hookedGPT2FromWeights(
  config: GPT2Config,
  weights: Map<string, Float32Array>,
  options: LoadOptions = {},
): Promise<HookedGPT2> {
  if (options.weightSharing === 'shared') return new HookedGPT2(config, weights, options.ort ?? nodeOrt, options);
  const source = await weightsToFile(weights, options.cacheDir ?? defaultCacheDir());
  return new HookedGPT2(config, source, options.ort ?? nodeOrt, { writeModel: writeModelFile, ...options });
}
