/**
 * SAELens cfg.json, old and new field names, read into one shape. Handles `hook_point` / `hook_name` (also under
 * `metadata` in SAELens 6), `activation_fn_str` / `architecture`, `activation_fn_kwargs.k` / `k`,
 * `apply_b_dec_to_input`, `normalize_activations` and `prepend_bos`; and transcoders (SAELens `transcoder`,
 * `skip_transcoder`, `jumprelu_transcoder`, `jumprelu_skip_transcoder`, and the `is_transcoder` configs of Dunefsky
 * et al.), which read one hook and predict another: `d_out`, `hook_name_out` / `out_hook_point`, `hook_layer_out`.
 */

export type SaeArchitecture = 'standard' | 'jumprelu' | 'topk';
export type SaeNormalization = 'none' | 'layer_norm' | 'constant_norm_rescale';

/**
 * What makes an SAE a transcoder: it reads `hookName` (e.g. blocks.L.ln2.hook_normalized) and predicts the
 * activation at `hookName` here (e.g. blocks.L.hook_mlp_out), of width `dOut`:
 * y = f W_dec + b_dec (+ x W_skip^T for a skip transcoder), f = act(x W_enc + b_enc).
 */
export interface TranscoderOutput {
  /** TransformerLens hook the transcoder predicts (SAELens `hook_name_out`). */
  hookName: string;
  hookLayer: number | null;
  dOut: number;
  /** A skip transcoder: a linear skip connection W_skip [d_out, d_in] from the input to the output. */
  skip: boolean;
}

export interface SaeConfig {
  /** The activation function: standard (ReLU), jumprelu or topk (for SAEs and transcoders alike). */
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
  /** Present for a transcoder only; an SAE reconstructs its input (d_out = d_in). */
  transcoder?: TranscoderOutput;
}

/** Width of what decode produces: d_out for a transcoder, d_in for an SAE. */
export function saeOutputWidth(c: SaeConfig): number {
  return c.transcoder?.dOut ?? c.dIn;
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
  // transcoders
  'd_out',
  'hook_name_out',
  'hook_layer_out',
  'hook_head_index_out',
  'is_transcoder',
  'out_hook_point',
  'out_hook_point_layer',
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
  hook_head_index_out: { ok: (v) => v == null, why: 'per-head transcoder outputs are not implemented' },
};

/** SAELens transcoder architectures: [activation, skip connection]. */
const TRANSCODER_ARCHITECTURES: Record<string, [SaeArchitecture | null, boolean]> = {
  // "transcoder" and "skip_transcoder" take their activation from activation_fn (ReLU unless it says topk)
  transcoder: [null, false],
  skip_transcoder: [null, true],
  jumprelu_transcoder: ['jumprelu', false],
  jumprelu_skip_transcoder: ['jumprelu', true],
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
  const rawArch = String(field('architecture') ?? '').toLowerCase();
  const transcoderArch = TRANSCODER_ARCHITECTURES[rawArch];
  const isTranscoder = transcoderArch !== undefined || field('is_transcoder') === true;
  const arch = transcoderArch ? (transcoderArch[0] ?? '') : rawArch;
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
  const config: SaeConfig = {
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
  if (!isTranscoder) {
    // An output of its own (another hook, another width) would be dropped by an SAE: refused, not ignored.
    const out = field('hook_name_out', 'out_hook_point');
    const stray = [
      ...(field('d_out') !== undefined && field('d_out') !== dIn ? ['d_out'] : []),
      ...(out !== undefined && out !== hookName ? ['hook_name_out'] : []),
    ];
    if (stray.length > 0)
      throw new Error(
        `${source}: ${stray.join(', ')} set but architecture "${rawArch || architecture}" is not a transcoder (transcoder, skip_transcoder, jumprelu_transcoder, jumprelu_skip_transcoder)`,
      );
    return config;
  }
  // SAELens's transcoder classes never subtract b_dec (d_out wide) from the input, whatever the config says; the
  // is_transcoder configs of Dunefsky et al. do when apply_b_dec_to_input (b_dec then has the input's width).
  const legacy = transcoderArch === undefined;
  return { ...config, ...transcoderFields(field, config, transcoderArch?.[1] ?? false, legacy, source) };
}

/**
 * A transcoder's output side. Input normalisation, which SAELens applies to the input but does not undo on an
 * output of another hook, is refused rather than guessed.
 */
function transcoderFields(
  field: (...keys: string[]) => unknown,
  c: SaeConfig,
  skip: boolean,
  legacy: boolean,
  source: string,
): Pick<SaeConfig, 'transcoder' | 'applyBDecToInput'> {
  const hookOut = field('hook_name_out', 'out_hook_point');
  if (typeof hookOut !== 'string' || hookOut === '')
    throw new Error(`${source}: a transcoder needs "hook_name_out" (or "out_hook_point"), the hook it predicts`);
  const dOut = field('d_out') ?? c.dIn;
  if (typeof dOut !== 'number' || !Number.isInteger(dOut) || dOut <= 0)
    throw new Error(`${source}: "d_out" must be a positive integer, got ${JSON.stringify(dOut)}`);
  if (c.normalization !== 'none')
    throw new Error(`${source}: normalize_activations = "${c.normalization}" is not supported for transcoders`);
  const layerOut = field('hook_layer_out', 'out_hook_point_layer');
  return {
    applyBDecToInput: legacy && dOut === c.dIn && c.applyBDecToInput,
    transcoder: {
      hookName: hookOut,
      hookLayer: typeof layerOut === 'number' ? layerOut : layerOfHook(hookOut),
      dOut,
      skip,
    },
  };
}

function layerOfHook(name: string): number | null {
  const m = /^blocks\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** cfg.json as SAELens writes it (flat fields that both old and new SAELens read; extras kept). */
export function saeConfigToJson(c: SaeConfig): Record<string, unknown> {
  const sae = {
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
  return c.transcoder ? { ...sae, ...transcoderToJson(c, c.transcoder) } : sae;
}

/**
 * SAELens transcoder fields. TopK has no SAELens transcoder architecture of its own: it is written as
 * "transcoder" / "skip_transcoder" with activation_fn_str "topk", as SAELens 5 read it (SAELens 6 reads the
 * architecture alone, as ReLU).
 */
function transcoderToJson(c: SaeConfig, t: TranscoderOutput): Record<string, unknown> {
  const base = t.skip ? 'skip_transcoder' : 'transcoder';
  return {
    architecture: c.architecture === 'jumprelu' ? `jumprelu_${base}` : base,
    activation_fn_str: c.architecture === 'topk' ? 'topk' : 'relu',
    d_out: t.dOut,
    hook_name_out: t.hookName,
    hook_layer_out: t.hookLayer ?? 0,
    hook_head_index_out: null,
    apply_b_dec_to_input: false,
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
