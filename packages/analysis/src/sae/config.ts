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

const KNOWN = new Set([
  'architecture',
  'activation_fn_str',
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
  'finetuning_scaling_factor',
]);

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

  const arch = String(field('architecture') ?? '').toLowerCase();
  const fn = String(field('activation_fn_str') ?? '').toLowerCase();
  let architecture: SaeArchitecture;
  if (arch === 'jumprelu' || fn === 'jumprelu') architecture = 'jumprelu';
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
    const kwargs = (field('activation_fn_kwargs') ?? {}) as Record<string, unknown>;
    const kv = kwargs.k ?? field('k');
    if (typeof kv !== 'number' || !Number.isInteger(kv) || kv <= 0)
      throw new Error(`${source}: a TopK SAE needs a positive integer k ("activation_fn_kwargs.k" or "k")`);
    k = kv;
  }
  const norm = String(field('normalize_activations') ?? 'none');
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
