import { z } from 'zod';
import { type GPT2Config, parseGPT2Config } from '../model/config.js';
import { configToJson } from '../model/random.js';

const positiveInt = z.number().int().positive();

/** The fields of a Hugging Face GPT-2 `config.json` the engine needs (others are kept but not checked). */
export const gpt2ConfigSchema = z.looseObject({
  model_type: z.string(),
  n_embd: positiveInt,
  n_layer: positiveInt,
  n_head: positiveInt,
  vocab_size: positiveInt,
  n_positions: positiveInt,
  n_inner: positiveInt.nullish(),
  layer_norm_epsilon: z.number().positive().optional(),
  activation_function: z.string().optional(),
});
export type Gpt2Config = z.infer<typeof gpt2ConfigSchema>;

/**
 * A SAELens `cfg.json`. Newer configs say `hook_name` and `architecture`; older ones `hook_point`,
 * `activation_fn_str` and `activation_fn_kwargs.k`.
 */
export const saeConfigSchema = z.looseObject({
  d_in: positiveInt,
  d_sae: positiveInt,
  hook_name: z.string().optional(),
  hook_point: z.string().optional(),
  hook_layer: z.number().int().optional(),
  hook_point_layer: z.number().int().optional(),
  architecture: z.string().optional(),
  activation_fn_str: z.string().optional(),
  activation_fn: z.string().optional(),
  activation_fn_kwargs: z.looseObject({ k: positiveInt.optional() }).nullish(),
  k: positiveInt.optional(),
  model_name: z.string().optional(),
  normalize_activations: z.string().nullish(),
  apply_b_dec_to_input: z.boolean().optional(),
  prepend_bos: z.boolean().optional(),
  model_from_pretrained_kwargs: z.looseObject({ center_writing_weights: z.boolean().optional() }).nullish(),
  dtype: z.string().optional(),
});
export type SaeConfig = z.infer<typeof saeConfigSchema>;

export const registryFileSchema = z.object({
  /** Path relative to the entry's folder. */
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RegistryFile = z.infer<typeof registryFileSchema>;

/** How activations must be prepared before an SAE sees them. */
export const conventionsSchema = z.object({
  /** Prepend `<|endoftext|>` as BOS to every prompt (TransformerLens default; SAELens `prepend_bos`). */
  prependBos: z.boolean(),
  /**
   * Subtract the per-token mean over d_model from the hooked activation: TransformerLens loads GPT-2 with
   * `center_writing_weights`, so SAEs trained on its activations (gpt2-small-res-jb) saw centred vectors.
   */
  centerResidual: z.boolean(),
  /** SAELens `normalize_activations`: none, layer_norm (the OpenAI SAEs), constant_norm_rescale, ... */
  normalize: z.string(),
});
export type SaeConventions = z.infer<typeof conventionsSchema>;

const entryBase = {
  id: z.string().min(1),
  /** Hub repository, or null for a folder added offline. */
  repo: z.string().nullable(),
  /** The commit the files came from (X-Repo-Commit), or null for a folder added offline. */
  revision: z.string().nullable(),
  /** The folder holding the files: relative to the registry's folder when inside it, else absolute. */
  path: z.string(),
  files: z.array(registryFileSchema),
  source: z.enum(['hub', 'local']),
  addedAt: z.string(),
};

/**
 * A registered model's configuration: the engine's GPT2Config (model/config.ts), as parseGPT2Config read it from
 * the model's config.json, so the registry, the hub check and the engine share one config shape. Read back, it goes
 * through parseGPT2Config again (via the config.json it stands for), so a hand-edited entry gets the engine's checks.
 */
export const gpt2EngineConfigSchema = z
  .strictObject({
    nLayers: positiveInt,
    dModel: positiveInt,
    nHeads: positiveInt,
    nCtx: positiveInt,
    vocabSize: positiveInt,
    lnEps: z.number().positive(),
    bosTokenId: z.number().int().nonnegative(),
    scaleAttnWeights: z.boolean().optional(),
    scaleAttnByInverseLayerIdx: z.boolean().optional(),
    tieWordEmbeddings: z.boolean().optional(),
  } satisfies Record<keyof GPT2Config, z.ZodType>)
  .transform((c, ctx): GPT2Config => {
    try {
      return parseGPT2Config(configToJson(c));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const modelEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('model'),
  architecture: z.literal('gpt2'),
  /** Other names SAE configs use for this model (cfg.model_name), e.g. gpt2, gpt2-small. */
  aliases: z.array(z.string()).default([]),
  config: gpt2EngineConfigSchema,
  tokenizer: z.enum(['tokenizer.json', 'vocab.json+merges.txt']),
});
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export const saeEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('sae'),
  /** SAELens release this SAE belongs to, e.g. gpt2-small-res-jb, when known. */
  release: z.string().nullable(),
  /** The registered model it was checked against, or null when none was. */
  model: z.string().nullable(),
  /** cfg.model_name as written. */
  modelName: z.string().nullable(),
  /** TransformerLens hook name, e.g. blocks.8.hook_resid_pre. */
  hook: z.string(),
  d_in: positiveInt,
  d_sae: positiveInt,
  /** standard (ReLU), jumprelu or topk. */
  architecture: z.enum(['standard', 'jumprelu', 'topk']),
  /** k for TopK SAEs. */
  k: positiveInt.nullable(),
  applyBDecToInput: z.boolean(),
  conventions: conventionsSchema,
  /**
   * For a transcoder: the hook it predicts (e.g. blocks.8.hook_mlp_out; `hook` is where it reads), its output width
   * and whether it has a skip connection. Null for an SAE (and in registries written before transcoders).
   */
  transcoder: z.object({ hookOut: z.string(), dOut: positiveInt, skip: z.boolean() }).nullable().default(null),
});
export type SaeEntry = z.infer<typeof saeEntrySchema>;

export const registryEntrySchema = z.discriminatedUnion('kind', [modelEntrySchema, saeEntrySchema]);
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

export const registrySchema = z.object({
  version: z.literal(1),
  entries: z.array(registryEntrySchema),
});
export type Registry = z.infer<typeof registrySchema>;
