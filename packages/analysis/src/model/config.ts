/**
 * GPT-2 hyperparameters, read from a Hugging Face config.json. Every GPT2Config field is classified below
 * (GPT2_CONFIG_FIELDS): implemented, numerically irrelevant here, or refused when set to a value that changes the
 * computation, so nothing that changes the maths is accepted and then ignored.
 */
export interface GPT2Config {
  nLayers: number;
  dModel: number;
  nHeads: number;
  /** Context length (number of learned positions). */
  nCtx: number;
  vocabSize: number;
  lnEps: number;
  /** `<|endoftext|>` for GPT-2: prepended as BOS when asked. */
  bosTokenId: number;
  // The options below are absent for GPT-2's defaults, so older configs (and cache keys built from them) stay equal.
  /** HF `scale_attn_weights` (default true): scores divided by sqrt(d_head). */
  scaleAttnWeights?: boolean;
  /** HF `scale_attn_by_inverse_layer_idx` (default false): scores of layer l also divided by l + 1. */
  scaleAttnByInverseLayerIdx?: boolean;
  /** HF `tie_word_embeddings` (default true); false: logits use the checkpoint's own `lm_head.weight`. */
  tieWordEmbeddings?: boolean;
}

/** GPT-2 small's shape (124M parameters): what the benchmarks run with random weights. */
export const GPT2_SMALL: GPT2Config = {
  nLayers: 12,
  dModel: 768,
  nHeads: 12,
  nCtx: 1024,
  vocabSize: 50257,
  lnEps: 1e-5,
  bosTokenId: 50256,
};

/** The factor attention scores of layer `layer` are multiplied by before the causal mask and softmax (as HF). */
export function attentionScale(c: GPT2Config, layer: number): number {
  let scale = c.scaleAttnWeights === false ? 1 : 1 / Math.sqrt(c.dModel / c.nHeads);
  if (c.scaleAttnByInverseLayerIdx) scale /= layer + 1;
  return scale;
}

/** The weight logits are computed with ([vocab, d], used transposed): wte when tied, else lm_head. */
export function unembeddingName(c: GPT2Config): 'wte.weight' | 'lm_head.weight' {
  return c.tieWordEmbeddings === false ? 'lm_head.weight' : 'wte.weight';
}

/** Activation functions equal to the tanh-approximated GELU the graph computes (HF ACT2FN names). */
const TANH_GELU = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

type FieldRule =
  | { kind: 'implemented' }
  /** Read nowhere in an fp32 forward pass of GPT2LMHeadModel (training, generation, other heads, numerics). */
  | { kind: 'irrelevant' }
  /** Accepted only when `ok(value)`: anything else changes the computation in a way this engine does not do. */
  | { kind: 'refused'; ok: (v: unknown, json: Record<string, unknown>) => boolean; why: string };

const empty = (v: unknown) =>
  v == null ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Object.keys(v!).length);

/**
 * Every field of transformers' GPT2Config (and the PretrainedConfig fields a GPT-2 config.json carries). Keys not
 * listed are metadata (names, versions, ids) and are accepted.
 */
export const GPT2_CONFIG_FIELDS: Record<string, FieldRule> = {
  vocab_size: { kind: 'implemented' },
  n_positions: { kind: 'implemented' },
  n_ctx: { kind: 'implemented' }, // older name of n_positions
  n_embd: { kind: 'implemented' },
  n_layer: { kind: 'implemented' },
  n_head: { kind: 'implemented' },
  layer_norm_epsilon: { kind: 'implemented' },
  bos_token_id: { kind: 'implemented' },
  scale_attn_weights: { kind: 'implemented' },
  scale_attn_by_inverse_layer_idx: { kind: 'implemented' },
  tie_word_embeddings: { kind: 'implemented' },
  activation_function: {
    kind: 'refused',
    ok: (v) => v == null || TANH_GELU.has(String(v)),
    why: 'only the tanh-approximated GELU (gelu_new, gelu_pytorch_tanh, gelu_fast) is implemented',
  },
  n_inner: {
    kind: 'refused',
    ok: (v, json) => v == null || v === 4 * Number(json.n_embd),
    why: 'only n_inner = 4 * n_embd (or null) is implemented',
  },
  add_cross_attention: {
    kind: 'refused',
    ok: (v) => !v,
    why: 'cross-attention blocks are not implemented',
  },
  model_type: { kind: 'refused', ok: (v) => v == null || v === 'gpt2', why: 'only GPT-2 (model_type "gpt2") is' },
  pruned_heads: { kind: 'refused', ok: empty, why: 'pruned attention heads are not implemented' },
  quantization_config: { kind: 'refused', ok: empty, why: 'quantised checkpoints are not implemented' },
  // Numerics only: the upcast is to float32, which is what the engine computes in anyway.
  reorder_and_upcast_attn: { kind: 'irrelevant' },
  _attn_implementation: { kind: 'irrelevant' }, // eager / sdpa / flash: the same function
  attn_implementation: { kind: 'irrelevant' },
  torch_dtype: { kind: 'irrelevant' }, // weights are converted to float32 on load
  dtype: { kind: 'irrelevant' },
  resid_pdrop: { kind: 'irrelevant' }, // dropout: training only
  embd_pdrop: { kind: 'irrelevant' },
  attn_pdrop: { kind: 'irrelevant' },
  summary_first_dropout: { kind: 'irrelevant' },
  initializer_range: { kind: 'irrelevant' }, // initialisation: training only
  // summary_*: GPT2DoubleHeadsModel's multiple-choice head, not the language-model head.
  summary_type: { kind: 'irrelevant' },
  summary_use_proj: { kind: 'irrelevant' },
  summary_activation: { kind: 'irrelevant' },
  summary_proj_to_labels: { kind: 'irrelevant' },
  // Classification heads (GPT2ForSequenceClassification / TokenClassification), not the LM head.
  num_labels: { kind: 'irrelevant' },
  id2label: { kind: 'irrelevant' },
  label2id: { kind: 'irrelevant' },
  problem_type: { kind: 'irrelevant' },
  eos_token_id: { kind: 'irrelevant' }, // generation
  pad_token_id: { kind: 'irrelevant' }, // the engine pads on the right and crops: no attention mask
  use_cache: { kind: 'irrelevant' }, // KV cache: generation speed only
  task_specific_params: { kind: 'irrelevant' }, // generation defaults
  output_attentions: { kind: 'irrelevant' },
  output_hidden_states: { kind: 'irrelevant' },
  return_dict: { kind: 'irrelevant' },
  gradient_checkpointing: { kind: 'irrelevant' },
  torchscript: { kind: 'irrelevant' },
  chunk_size_feed_forward: { kind: 'irrelevant' }, // GPT-2's MLP ignores it (and chunking is exact anyway)
  is_decoder: { kind: 'irrelevant' },
  is_encoder_decoder: { kind: 'irrelevant' },
};

/** Throws, naming the option and its value, when config.json asks for something the engine does not compute. */
export function checkGPT2Options(json: Record<string, unknown>): void {
  for (const [key, rule] of Object.entries(GPT2_CONFIG_FIELDS)) {
    if (rule.kind !== 'refused' || !(key in json) || rule.ok(json[key], json)) continue;
    throw new Error(`config.json: ${key} = ${JSON.stringify(json[key])} is not supported: ${rule.why}`);
  }
}

export function parseGPT2Config(json: Record<string, unknown>): GPT2Config {
  const num = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.json: "${key}" must be a number`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'boolean')
      throw new Error(`config.json: "${key}" must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  checkGPT2Options(json);
  const config: GPT2Config = {
    nLayers: num('n_layer'),
    dModel: num('n_embd'),
    nHeads: num('n_head'),
    nCtx: num('n_positions', json.n_ctx as number | undefined),
    vocabSize: num('vocab_size'),
    lnEps: num('layer_norm_epsilon', 1e-5),
    bosTokenId: num('bos_token_id', 50256),
  };
  if (config.dModel % config.nHeads !== 0)
    throw new Error(`config.json: n_embd ${config.dModel} is not divisible by n_head ${config.nHeads}`);
  // Only non-default options are written (see GPT2Config).
  if (!bool('scale_attn_weights', true)) config.scaleAttnWeights = false;
  if (bool('scale_attn_by_inverse_layer_idx', false)) config.scaleAttnByInverseLayerIdx = true;
  if (!bool('tie_word_embeddings', true)) config.tieWordEmbeddings = false;
  return config;
}

/** Shapes of every weight, by Hugging Face name (without the "transformer." prefix). */
export function gpt2WeightShapes(c: GPT2Config): Map<string, number[]> {
  const d = c.dModel;
  const shapes = new Map<string, number[]>([
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.nCtx, d]],
  ]);
  for (let l = 0; l < c.nLayers; l++) {
    const p = `h.${l}.`;
    shapes.set(`${p}ln_1.weight`, [d]).set(`${p}ln_1.bias`, [d]);
    shapes.set(`${p}attn.c_attn.weight`, [d, 3 * d]).set(`${p}attn.c_attn.bias`, [3 * d]);
    shapes.set(`${p}attn.c_proj.weight`, [d, d]).set(`${p}attn.c_proj.bias`, [d]);
    shapes.set(`${p}ln_2.weight`, [d]).set(`${p}ln_2.bias`, [d]);
    shapes.set(`${p}mlp.c_fc.weight`, [d, 4 * d]).set(`${p}mlp.c_fc.bias`, [4 * d]);
    shapes.set(`${p}mlp.c_proj.weight`, [4 * d, d]).set(`${p}mlp.c_proj.bias`, [d]);
  }
  shapes.set('ln_f.weight', [d]).set('ln_f.bias', [d]);
  if (c.tieWordEmbeddings === false) shapes.set('lm_head.weight', [c.vocabSize, d]);
  return shapes;
}

/** Causal-mask buffers: in the checkpoint, not parameters. */
const MASK_BUFFER = /(^|\.)attn\.(bias|masked_bias)$/;

/**
 * The engine's name for a checkpoint tensor (without "transformer."), or null for one to skip: mask buffers, and
 * lm_head.weight of a tied model (HF ties it to wte whatever the file holds). Throws for any other tensor the model
 * has no place for (cross-attention, a classification head, ...): it would otherwise be silently unused.
 */
export function gpt2TensorKey(
  c: GPT2Config,
  shapes: ReadonlyMap<string, number[]>,
  name: string,
  source: string,
): string | null {
  const key = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
  if (MASK_BUFFER.test(key)) return null;
  if (key === 'lm_head.weight' && c.tieWordEmbeddings !== false) return null;
  if (!shapes.has(key)) throw new Error(`${source}: unexpected tensor "${name}" for GPT-2`);
  return key;
}

/** Why a missing tensor is needed, when that is not obvious (appended to the error). */
export function missingWhy(name: string): string {
  return name === 'lm_head.weight' ? ' (config.json says tie_word_embeddings: false)' : '';
}
