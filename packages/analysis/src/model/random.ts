/** Random GPT-2 checkpoints: for tests (written to disk in Hugging Face format) and benchmarks. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../data/prng.js';
import { encodeSafetensors, type FloatTensor } from '../io/safetensors.js';
import { type GPT2Config, gpt2WeightShapes } from './config.js';

/** Weights uniform in [-scale, scale]; LayerNorm gains around 1. */
export function randomGPT2Weights(config: GPT2Config, seed = 1, scale = 0.3): Map<string, Float32Array> {
  const random = mulberry32(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of gpt2WeightShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const gain = /ln_\w+\.weight$/.test(name);
    for (let i = 0; i < data.length; i++) data[i] = (gain ? 1 : 0) + (random() * 2 - 1) * scale;
    weights.set(name, data);
  }
  return weights;
}

export function configToJson(c: GPT2Config): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_layer: c.nLayers,
    n_embd: c.dModel,
    n_head: c.nHeads,
    n_positions: c.nCtx,
    n_ctx: c.nCtx,
    vocab_size: c.vocabSize,
    layer_norm_epsilon: c.lnEps,
    activation_function: 'gelu_new',
    bos_token_id: c.bosTokenId,
    eos_token_id: c.bosTokenId,
    scale_attn_weights: c.scaleAttnWeights ?? true,
    scale_attn_by_inverse_layer_idx: c.scaleAttnByInverseLayerIdx ?? false,
    tie_word_embeddings: c.tieWordEmbeddings ?? true,
  };
}

/** Writes config.json + model.safetensors as Hugging Face does (optionally with "transformer." and mask buffers). */
export async function writeGPT2Checkpoint(
  dir: string,
  config: GPT2Config,
  weights: Map<string, Float32Array>,
  options: { prefix?: string; maskBuffers?: boolean } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tensors: Record<string, FloatTensor> = {};
  const shapes = gpt2WeightShapes(config);
  for (const [name, data] of weights) tensors[`${options.prefix ?? ''}${name}`] = { shape: shapes.get(name)!, data };
  if (options.maskBuffers) {
    const n = config.nCtx;
    const mask = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) mask[i * n + j] = 1;
    for (let l = 0; l < config.nLayers; l++)
      tensors[`${options.prefix ?? ''}h.${l}.attn.bias`] = { shape: [1, 1, n, n], data: mask };
  }
  await writeFile(join(dir, 'config.json'), JSON.stringify(configToJson(config), null, 2));
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
}
