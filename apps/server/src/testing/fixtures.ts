import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  corpusVocabulary,
  encodeSafetensors,
  type GPT2Config,
  randomGPT2Weights,
  saveSae,
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
export async function writeTinyModelFixture(
  dir: string,
  dSae = 8,
  /** Also SAEs at every layer's attn_out, mlp_out and resid_post: what a feature circuit needs. */
  options: {
    circuitHooks?: boolean;
    /** tie_word_embeddings: false, with its own lm_head.weight (as some GPT-2 finetunes ship). */
    untied?: boolean;
    /** Also a TopK(4) transcoder of every layer's MLP (transcoders/<input hook>/): what an attribution graph needs. */
    transcoders?: boolean;
  } = {},
): Promise<TinyModelFixture> {
  const vocab = corpusVocabulary();
  const config: GPT2Config = {
    nLayers: 2,
    dModel: 16,
    nHeads: 2,
    nCtx: 32,
    vocabSize: vocab.length,
    lnEps: 1e-5,
    bosTokenId: 0,
    ...(options.untied ? { tieWordEmbeddings: false } : {}),
  };
  const weights = randomGPT2Weights(config, 7);
  await writeGPT2Checkpoint(join(dir, 'model'), config, weights);
  await writeDemoTokenizer(join(dir, 'model'), vocab);
  const saeHook = 'blocks.1.hook_resid_post';
  const saeDir = join(dir, 'saes', saeHook);
  const hooks = options.circuitHooks
    ? [0, 1].flatMap((l) => ['hook_attn_out', 'hook_mlp_out', 'hook_resid_post'].map((h) => `blocks.${l}.${h}`))
    : [saeHook];
  for (const [k, hook] of hooks.entries()) await writeSae(join(dir, 'saes', hook), hook, config.dModel, dSae, k);
  if (options.transcoders)
    for (let layer = 0; layer < config.nLayers; layer++) await writeTranscoder(dir, layer, config.dModel, 2 * dSae);
  return { dir, config, weights, saeHook, saeDir };
}

/** A standard (ReLU) SAELens SAE with deterministic weights; `variant` makes each hook's differ. */
async function writeSae(saeDir: string, hook: string, dIn: number, dSae: number, variant: number): Promise<void> {
  await mkdir(saeDir, { recursive: true });
  const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  await writeFile(
    join(saeDir, 'cfg.json'),
    JSON.stringify({
      d_in: dIn,
      d_sae: dSae,
      hook_name: hook,
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
      W_enc: { shape: [dIn, dSae], data: filled(dIn * dSae, (i) => Math.sin(i + variant * 7)) },
      b_enc: { shape: [dSae], data: new Float32Array(dSae) },
      W_dec: { shape: [dSae, dIn], data: filled(dIn * dSae, (i) => Math.cos(i + variant * 7)) },
      b_dec: { shape: [dIn], data: new Float32Array(dIn) },
    }),
  );
}

/** A TopK(4) SAELens transcoder of one layer's MLP (ln2.hook_normalized -> hook_mlp_out) with deterministic weights. */
async function writeTranscoder(dir: string, layer: number, d: number, dSae: number): Promise<void> {
  const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  const hook = `blocks.${layer}.ln2.hook_normalized`;
  await saveSae(join(dir, 'transcoders', hook), {
    config: {
      architecture: 'topk',
      dIn: d,
      dSae,
      hookName: hook,
      hookLayer: layer,
      k: 4,
      applyBDecToInput: false,
      normalization: 'none',
      prependBos: true,
      extra: { model_name: 'demo' },
      transcoder: { hookName: `blocks.${layer}.hook_mlp_out`, hookLayer: layer, dOut: d, skip: false },
    },
    weights: {
      W_enc: filled(d * dSae, (i) => Math.sin(i + layer * 5)),
      b_enc: new Float32Array(dSae),
      W_dec: filled(dSae * d, (i) => 0.1 * Math.cos(i + layer * 5)),
      b_dec: new Float32Array(d),
    },
  });
}
