/** GPT-2 hyperparameters, read from a Hugging Face config.json. */
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

export function parseGPT2Config(json: Record<string, unknown>): GPT2Config {
  const num = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.json: "${key}" must be a number`);
    return v;
  };
  const activation = json.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh') {
    throw new Error(`config.json: activation_function "${activation}" is not supported (GPT-2 uses gelu_new)`);
  }
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
  if (json.n_inner != null && json.n_inner !== 4 * config.dModel)
    throw new Error('config.json: only n_inner = 4 * n_embd is supported');
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
  return shapes;
}
