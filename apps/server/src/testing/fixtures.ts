import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  corpusVocabulary,
  encodeSafetensors,
  type GPT2Config,
  randomGPT2Weights,
  writeDemoTokenizer,
  writeGPT2Checkpoint,
} from '@workbench/analysis';

export interface TinyModelFixture {
  /** Use as the server's bundled-model folder (DEMO_DIR): model/ and saes/<hook>/. */
  dir: string;
  config: GPT2Config;
  weights: Map<string, Float32Array>;
  saeHook: string;
  saeDir: string;
}

/**
 * A tiny random GPT-2 with the demo tokenizer and one SAELens SAE at blocks.1.hook_resid_post, laid out as the
 * bundled demo is: for tests that need a model before (or without) the trained demo.
 */
export async function writeTinyModelFixture(dir: string, dSae = 8): Promise<TinyModelFixture> {
  const vocab = corpusVocabulary();
  const config: GPT2Config = {
    nLayers: 2,
    dModel: 16,
    nHeads: 2,
    nCtx: 32,
    vocabSize: vocab.length,
    lnEps: 1e-5,
    bosTokenId: 0,
  };
  const weights = randomGPT2Weights(config, 7);
  await writeGPT2Checkpoint(join(dir, 'model'), config, weights);
  await writeDemoTokenizer(join(dir, 'model'), vocab);
  const saeHook = 'blocks.1.hook_resid_post';
  const saeDir = join(dir, 'saes', saeHook);
  await mkdir(saeDir, { recursive: true });
  const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  await writeFile(
    join(saeDir, 'cfg.json'),
    JSON.stringify({
      d_in: config.dModel,
      d_sae: dSae,
      hook_name: saeHook,
      architecture: 'standard',
      model_name: 'demo',
      prepend_bos: true,
      normalize_activations: 'none',
      apply_b_dec_to_input: true,
    }),
  );
  await writeFile(
    join(saeDir, 'sae_weights.safetensors'),
    encodeSafetensors({
      W_enc: { shape: [config.dModel, dSae], data: filled(config.dModel * dSae, (i) => Math.sin(i)) },
      b_enc: { shape: [dSae], data: new Float32Array(dSae) },
      W_dec: { shape: [dSae, config.dModel], data: filled(config.dModel * dSae, (i) => Math.cos(i)) },
      b_dec: { shape: [config.dModel], data: new Float32Array(config.dModel) },
    }),
  );
  return { dir, config, weights, saeHook, saeDir };
}
