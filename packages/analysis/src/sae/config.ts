/**
 * SAELens cfg.json, old and new field names, read into one shape. Handles `hook_point` / `hook_name` (also under
 * `metadata` in SAELens 6), `activation_fn_str` / `architecture`, `activation_fn_kwargs.k` / `k`,
 * `apply_b_dec_to_input`, `normalize_activations` and `prepend_bos`.
 */

export type SaeArchitecture = 'standard' | 'jumprelu' | 'topk';
export type SaeNormalization = 'none' | 'layer_norm' | 'constant_norm_rescale';

export interface SaeConfig {
  architecture: SaeArchitecture;
  dIn: number;
  dSae: number;
  /** TransformerLens hook name, e.g. blocks.3.hook_resid_post. */
  hookName: string;
  hookLayer: number | null;
  /** TopK only. */
  k: number | null;
  applyBDecToInput: boolean;
  normalization: SaeNormalization;
  prependBos: boolean;
  /** Extra fields kept as they were (model_name, context_size, dataset_path, training metadata, ...). */
  extra: Record<string, unknown>;
}

/**
 * SAELens cfg.json fields, classified (old SAEConfig, 6.x SAEConfig + metadata, training configs):
 * - implemented: architecture, activation_fn_str / activation_fn, activation_fn_kwargs.k / k, d_in, d_sae,
 *   hook_name / hook_point, hook_layer / hook_point_layer, apply_b_dec_to_input, normalize_activations,
 *   prepend_bos, finetuning_scaling_factor (folded into W_dec by loadSae), model_from_pretrained_kwargs
 *   .center_writing_weights (the hub's conventions).
 * - numerically irrelevant: dtype (weights become float32), device.
 * - refused unless neutral: MATH_FIELDS below, unknown architectures / activation functions / activation_fn_kwargs.
 * Every other key (model_name, context_size, dataset_path, neuronpedia_id, sae_lens_training_version, l1_coefficient
 * and the other training hyperparameters, ...) is metadata: kept in `extra`, never read by the maths.
 */
const KNOWN = new Set([
  'architecture',
  'activation_fn_str',
  'activation_fn',
  'activation_fn_kwargs',
  'k',
  'd_in',
  'd_sae',
  'hook_name',
  'hook_point',
  'hook_layer',
  'hook_point_layer',
  'apply_b_dec_to_input',
  'normalize_activations',
  'prepend_bos',
  'dtype',
  'device',
  'hook_head_index',
  'hook_point_head_index',
  'finetuning_scaling_factor',
  'reshape_activations',
  'rescale_acts_by_decoder_norm',
]);

/** Fields that change the computation, with the only values the engine computes correctly. */
const MATH_FIELDS: Record<string, { ok: (v: unknown) => boolean; why: string }> = {
  // An SAE on one head's slice of the activation: the engine's hooks have no per-head activations.
  hook_head_index: { ok: (v) => v == null, why: 'per-head SAEs are not implemented' },
  hook_point_head_index: { ok: (v) => v == null, why: 'per-head SAEs are not implemented' },
  // hook_z SAEs reshape [.., n_heads, d_head]; the engine has no hook_z.
  reshape_activations: { ok: (v) => v == null || v === 'none', why: 'only "none" is implemented' },
  // SAELens 6 TopK variant that multiplies activations by the decoder norms.
  rescale_acts_by_decoder_norm: { ok: (v) => !v, why: 'rescaling activations by decoder norms is not implemented' },
};

/** The activation_fn_kwargs the engine reads (anything else, e.g. a postact_fn, would be ignored). */
const ACTIVATION_KWARGS = new Set(['k']);

export function parseSaeConfig(json: Record<string, unknown>, source = 'cfg.json'): SaeConfig {
  const meta = (typeof json.metadata === 'object' && json.metadata !== null ? json.metadata : {}) as Record<
    string,
    unknown
  >;
  const field = (...keys: string[]): unknown => {
    for (const k of keys) {
      if (json[k] !== undefined && json[k] !== null) return json[k];
      if (meta[k] !== undefined && meta[k] !== null) return meta[k];
    }
    return undefined;
  };
  const int = (key: string): number => {
    const v = json[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new Error(`${source}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const hookName = field('hook_name', 'hook_point');
  if (typeof hookName !== 'string' || hookName === '')
    throw new Error(`${source}: no hook name (expected "hook_name" or "hook_point")`);

  for (const [key, rule] of Object.entries(MATH_FIELDS)) {
    const v = field(key);
    if (!rule.ok(v)) throw new Error(`${source}: ${key} = ${JSON.stringify(v)} is not supported: ${rule.why}`);
  }
  const arch = String(field('architecture') ?? '').toLowerCase();
  // activation_fn is the old name of activation_fn_str.
  const fn = String(field('activation_fn_str', 'activation_fn') ?? '').toLowerCase();
  if (fn !== '' && fn !== 'relu' && fn !== 'topk' && fn !== 'jumprelu') {
    throw new Error(`${source}: activation_fn_str = ${JSON.stringify(fn)} is not supported (relu, topk, jumprelu)`);
  }
  const kwargs = field('activation_fn_kwargs') ?? {};
  for (const key of Object.keys(kwargs as object)) {
    if (!ACTIVATION_KWARGS.has(key))
      throw new Error(`${source}: activation_fn_kwargs.${key} is not supported (only k is implemented)`);
  }
  let architecture: SaeArchitecture;
  if (arch === 'jumprelu' || arch === 'jump_relu' || fn === 'jumprelu') architecture = 'jumprelu';
  else if (arch === 'topk' || fn === 'topk') architecture = 'topk';
  else if (arch === 'standard' || arch === 'relu' || (arch === '' && (fn === 'relu' || fn === ''))) {
    architecture = 'standard';
  } else {
    throw new Error(
      `${source}: unsupported SAE architecture "${arch || fn}" (supported: standard/relu, jumprelu, topk)`,
    );
  }
  let k: number | null = null;
  if (architecture === 'topk') {
    const kv = (kwargs as Record<string, unknown>).k ?? field('k');
    if (typeof kv !== 'number' || !Number.isInteger(kv) || kv <= 0)
      throw new Error(`${source}: a TopK SAE needs a positive integer k ("activation_fn_kwargs.k" or "k")`);
    k = kv;
  }
  // Old configs say true / false (SAELens reads true as expected_average_only_in).
  const rawNorm = field('normalize_activations');
  const norm = rawNorm === false ? 'none' : rawNorm === true ? 'expected_average_only_in' : String(rawNorm ?? 'none');
  let normalization: SaeNormalization;
  if (norm === 'layer_norm' || norm === 'constant_norm_rescale') normalization = norm;
  else if (norm === 'none' || norm === 'expected_average_only_in' || norm === 'None' || norm === 'null')
    // expected_average_only_in is a training-time scale that SAELens folds into the weights when saving.
    normalization = 'none';
  else throw new Error(`${source}: unsupported normalize_activations "${norm}"`);

  const dIn = int('d_in');
  const dSae = int('d_sae');
  if (k !== null && k > dSae) throw new Error(`${source}: k = ${k} exceeds d_sae = ${dSae}`);
  const layer = field('hook_layer', 'hook_point_layer');
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(json)) if (!KNOWN.has(key)) extra[key] = v;
  return {
    architecture,
    dIn,
    dSae,
    hookName,
    hookLayer: typeof layer === 'number' ? layer : layerOfHook(hookName),
    k,
    applyBDecToInput: field('apply_b_dec_to_input') === undefined ? true : Boolean(field('apply_b_dec_to_input')),
    normalization,
    prependBos: field('prepend_bos') === undefined ? true : Boolean(field('prepend_bos')),
    extra,
  };
}

function layerOfHook(name: string): number | null {
  const m = /^blocks\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** cfg.json as SAELens writes it (flat fields that both old and new SAELens read; extras kept). */
export function saeConfigToJson(c: SaeConfig): Record<string, unknown> {
  return {
    ...c.extra,
    architecture: c.architecture,
    d_in: c.dIn,
    d_sae: c.dSae,
    dtype: 'float32',
    device: 'cpu',
    hook_name: c.hookName,
    hook_layer: c.hookLayer ?? 0,
    hook_head_index: null,
    activation_fn_str: c.architecture === 'topk' ? 'topk' : 'relu',
    activation_fn_kwargs: c.k !== null ? { k: c.k } : {},
    ...(c.k !== null ? { k: c.k } : {}),
    apply_b_dec_to_input: c.applyBDecToInput,
    finetuning_scaling_factor: false,
    normalize_activations: c.normalization,
    prepend_bos: c.prependBos,
  };
}

/**
 * cfg.json's `finetuning_scaling_factor`: when true, the weights file holds a per-feature scale [d_sae] that SAELens
 * multiplies the feature activations by before decoding (loadSae folds it into W_dec).
 */
export function finetuningScalingFactor(json: Record<string, unknown>, source = 'cfg.json'): boolean {
  const v = json.finetuning_scaling_factor ?? false;
  if (typeof v !== 'boolean')
    throw new Error(`${source}: finetuning_scaling_factor must be true or false, got ${JSON.stringify(v)}`);
  return v;
}
