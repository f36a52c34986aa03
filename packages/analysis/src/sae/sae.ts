/**
 * A sparse autoencoder in SAELens format: weights, loading and saving (cfg.json + sae_weights.safetensors), and a
 * float64 plain-TypeScript reference encode/decode that the ONNX graphs (graph.ts) are tested against. A transcoder
 * is the same object with `config.transcoder` set: its decoder writes d_out values (another hook), and a skip
 * transcoder adds x W_skip^T.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSafetensors, type FloatTensor, readSafetensors } from '../io/safetensors.js';
import { finetuningScalingFactor, parseSaeConfig, type SaeConfig, saeConfigToJson, saeOutputWidth } from './config.js';

export interface SaeWeights {
  /** [d_in, d_sae] */
  W_enc: Float32Array;
  /** [d_sae] */
  b_enc: Float32Array;
  /** [d_sae, d_out] (d_out = d_in for an SAE) */
  W_dec: Float32Array;
  /** [d_out] */
  b_dec: Float32Array;
  /** [d_sae], JumpReLU only. */
  threshold?: Float32Array;
  /** [d_out, d_in] as SAELens stores it (output += x W_skip^T), skip transcoders only. */
  W_skip?: Float32Array;
}

export interface Sae {
  config: SaeConfig;
  weights: SaeWeights;
}

export const SAE_CONFIG_FILE = 'cfg.json';
export const SAE_WEIGHTS_FILE = 'sae_weights.safetensors';

export function saeWeightShapes(c: SaeConfig): Record<string, number[]> {
  const dOut = saeOutputWidth(c);
  const shapes: Record<string, number[]> = {
    W_enc: [c.dIn, c.dSae],
    b_enc: [c.dSae],
    W_dec: [c.dSae, dOut],
    b_dec: [dOut],
  };
  if (c.architecture === 'jumprelu') shapes.threshold = [c.dSae];
  if (c.transcoder?.skip) shapes.W_skip = [dOut, c.dIn];
  return shapes;
}

/** "SAE" or "transcoder", for messages. */
function kindOf(c: SaeConfig): string {
  return c.transcoder ? (c.transcoder.skip ? 'skip transcoder' : 'transcoder') : 'SAE';
}

/** Checks that weights fit the config; errors name the source, tensor, expected and actual shapes. */
export function checkSaeWeights(config: SaeConfig, tensors: Map<string, FloatTensor>, source: string): SaeWeights {
  const out: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(saeWeightShapes(config))) {
    const t = tensors.get(name);
    if (!t) {
      const have = [...tensors.keys()].join(', ') || 'none';
      throw new Error(`${source}: missing tensor "${name}" (expected shape [${shape}]); tensors present: ${have}`);
    }
    // A bias saved as [1, n] is accepted as [n].
    const squeezed = t.shape.length > shape.length && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
    if (squeezed.join() !== shape.join()) {
      throw new Error(
        `${source}: tensor "${name}" has shape [${t.shape}], expected [${shape}] (d_in ${config.dIn}, d_sae ${config.dSae}${config.transcoder ? `, d_out ${config.transcoder.dOut}` : ''} from cfg.json)`,
      );
    }
    out[name] = t.data;
  }
  return out as unknown as SaeWeights;
}

/**
 * cfg.json fields replaced on load, as SAELens's `config_overrides`: written next to cfg.json by `models fetch` for
 * a release whose files say less than the catalog knows (e.g. that a "standard" SAE is an MLP transcoder).
 */
export const SAE_OVERRIDES_FILE = 'cfg.overrides.json';

/** cfg.json with cfg.overrides.json (when present) applied. */
export async function readSaeConfigJson(dir: string): Promise<{ json: Record<string, unknown>; source: string }> {
  const read = async (name: string, optional: boolean): Promise<Record<string, unknown>> => {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${path}: cannot read SAE config (${(error as Error).message})`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`${path}: cannot read SAE config (${(error as Error).message})`);
    }
  };
  const overrides = await read(SAE_OVERRIDES_FILE, true);
  const json = { ...(await read(SAE_CONFIG_FILE, false)), ...overrides };
  const source = join(dir, SAE_CONFIG_FILE) + (Object.keys(overrides).length ? ` (+ ${SAE_OVERRIDES_FILE})` : '');
  return { json, source };
}

/** Loads a SAELens folder: cfg.json (+ cfg.overrides.json) + sae_weights.safetensors. */
export async function loadSae(dir: string): Promise<Sae> {
  const { json, source: cfgPath } = await readSaeConfigJson(dir);
  const config = parseSaeConfig(json, cfgPath);
  const weightsPath = join(dir, SAE_WEIGHTS_FILE);
  const { tensors } = await readSafetensors(weightsPath);
  if (config.architecture === 'jumprelu' && !tensors.has('threshold') && tensors.has('log_threshold')) {
    const lt = tensors.get('log_threshold')!;
    tensors.set('threshold', { shape: lt.shape, data: lt.data.map(Math.exp) });
  }
  if (config.architecture === 'jumprelu') tensors.delete('log_threshold'); // the same parameter, stored as its log
  const scale = takeScalingFactor(config, tensors, finetuningScalingFactor(json, cfgPath), weightsPath);
  refuseUnknownTensors(config, tensors, weightsPath);
  const weights = checkSaeWeights(config, tensors, weightsPath);
  if (scale) weights.W_dec = foldFeatureScale(weights.W_dec, scale, config);
  return { config, weights };
}

/** Names SAELens gives the per-feature scale: the parameter, and the older file name it renames on load. */
const SCALE_TENSORS = ['finetuning_scaling_factor', 'scaling_factor'];

/**
 * Removes the per-feature scale from `tensors` and returns it when cfg.json's finetuning_scaling_factor is true. A
 * scale of all ones is dropped (SAELens saved one for a while); any other scale the config does not enable is an
 * error, as in SAELens, rather than silently unused.
 */
function takeScalingFactor(
  config: SaeConfig,
  tensors: Map<string, FloatTensor>,
  enabled: boolean,
  source: string,
): Float32Array | null {
  const name = SCALE_TENSORS.find((n) => tensors.has(n));
  const t = name ? tensors.get(name)! : null;
  if (name) tensors.delete(name);
  if (!enabled) {
    if (t?.data.some((v) => v !== 1))
      throw new Error(`${source}: tensor "${name}" is not all ones but cfg.json has finetuning_scaling_factor false`);
    return null;
  }
  if (!t) {
    throw new Error(
      `${source}: cfg.json has finetuning_scaling_factor true but there is no "finetuning_scaling_factor" tensor [${config.dSae}]`,
    );
  }
  if (t.data.length !== config.dSae)
    throw new Error(`${source}: tensor "${name}" has shape [${t.shape}], expected [${config.dSae}] (d_sae)`);
  return t.data;
}

/**
 * decode(f) = (f * s) W_dec + b_dec = f (diag(s) W_dec) + b_dec: scaling row j of W_dec by s_j makes every consumer
 * of W_dec (graphs, circuits, dashboards, the browser) decode as SAELens does, with the features left unscaled.
 */
function foldFeatureScale(W_dec: Float32Array, scale: Float32Array, c: SaeConfig): Float32Array {
  const d = saeOutputWidth(c);
  const out = new Float32Array(W_dec.length);
  for (let j = 0; j < c.dSae; j++) for (let i = 0; i < d; i++) out[j * d + i] = W_dec[j * d + i]! * scale[j]!;
  return out;
}

/**
 * A tensor the SAE has no use for (a gate, a skip connection in a config without one, ...) means an architecture
 * this engine does not run.
 */
function refuseUnknownTensors(config: SaeConfig, tensors: Map<string, FloatTensor>, source: string): void {
  const known = saeWeightShapes(config);
  const unknown = [...tensors.keys()].filter((n) => !(n in known));
  if (unknown.length > 0) {
    throw new Error(
      `${source}: tensor${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} not used by a ${config.architecture} ${kindOf(config)}`,
    );
  }
}

/** Writes a SAELens folder (cfg.json + sae_weights.safetensors, float32). */
export async function saveSae(dir: string, sae: Sae): Promise<void> {
  await mkdir(dir, { recursive: true });
  const shapes = saeWeightShapes(sae.config);
  const tensors: Record<string, FloatTensor> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const data = sae.weights[name as keyof SaeWeights];
    if (!data) throw new Error(`saveSae: missing weight ${name}`);
    tensors[name] = { shape, data };
  }
  checkSaeWeights(sae.config, new Map(Object.entries(tensors)), 'saveSae');
  await writeFile(join(dir, SAE_CONFIG_FILE), `${JSON.stringify(saeConfigToJson(sae.config), null, 2)}\n`);
  await writeFile(join(dir, SAE_WEIGHTS_FILE), encodeSafetensors(tensors, { format: 'pt' }));
}

/** Per-row normalisation statistics, needed to undo the normalisation on decode. */
export interface NormStats {
  /** layer_norm: mean and unbiased std per row; constant_norm_rescale: the factor sqrt(d_in)/||x|| per row. */
  mean?: Float64Array;
  std?: Float64Array;
  factor?: Float64Array;
}

/** Float64 reference: applies the input normalisation to `rows` rows of x [rows, d_in]. */
export function referenceNormalize(
  config: SaeConfig,
  x: ArrayLike<number>,
  rows: number,
): { x: Float64Array; stats: NormStats } {
  const d = config.dIn;
  const out = Float64Array.from(x as ArrayLike<number>);
  if (config.normalization === 'none') return { x: out, stats: {} };
  if (config.normalization === 'layer_norm') {
    const mean = new Float64Array(rows);
    const std = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let i = 0; i < d; i++) m += out[r * d + i]!;
      m /= d;
      let v = 0;
      for (let i = 0; i < d; i++) v += (out[r * d + i]! - m) ** 2;
      const s = Math.sqrt(v / (d - 1));
      for (let i = 0; i < d; i++) out[r * d + i] = (out[r * d + i]! - m) / (s + 1e-5);
      mean[r] = m;
      std[r] = s;
    }
    return { x: out, stats: { mean, std } };
  }
  const factor = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let i = 0; i < d; i++) n += out[r * d + i]! ** 2;
    const f = Math.sqrt(d) / Math.sqrt(n);
    for (let i = 0; i < d; i++) out[r * d + i] = out[r * d + i]! * f;
    factor[r] = f;
  }
  return { x: out, stats: { factor } };
}

/**
 * Whether encode subtracts b_dec from its input: an SAE's option; for a transcoder only when its config asks and
 * b_dec has the input's width (SAELens transcoders: never, see parseSaeConfig).
 */
export function subtractsBDec(c: SaeConfig): boolean {
  return c.applyBDecToInput && saeOutputWidth(c) === c.dIn;
}

/** Float64 reference encode: feature activations [rows, d_sae] (and the normalisation stats). */
export function referenceEncode(
  sae: Sae,
  x: ArrayLike<number>,
  rows: number,
): { features: Float64Array; pre: Float64Array; stats: NormStats } {
  const { config: c, weights: w } = sae;
  const { x: xn, stats } = referenceNormalize(c, x, rows);
  const pre = new Float64Array(rows * c.dSae);
  const xin = new Float64Array(c.dIn);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < c.dIn; i++) xin[i] = xn[r * c.dIn + i]! - (subtractsBDec(c) ? w.b_dec[i]! : 0);
    const row = pre.subarray(r * c.dSae, (r + 1) * c.dSae);
    for (let j = 0; j < c.dSae; j++) row[j] = w.b_enc[j]!;
    for (let i = 0; i < c.dIn; i++) {
      const xi = xin[i]!;
      if (xi === 0) continue;
      const off = i * c.dSae;
      for (let j = 0; j < c.dSae; j++) row[j]! += xi * w.W_enc[off + j]!;
    }
  }
  const features = new Float64Array(rows * c.dSae);
  for (let r = 0; r < rows; r++) {
    const p = pre.subarray(r * c.dSae, (r + 1) * c.dSae);
    const f = features.subarray(r * c.dSae, (r + 1) * c.dSae);
    if (c.architecture === 'standard') for (let j = 0; j < c.dSae; j++) f[j] = Math.max(0, p[j]!);
    else if (c.architecture === 'jumprelu')
      for (let j = 0; j < c.dSae; j++) f[j] = p[j]! > w.threshold![j]! ? Math.max(0, p[j]!) : 0;
    else {
      const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]!);
      for (const j of order.slice(0, c.k!)) f[j] = Math.max(0, p[j]!);
    }
  }
  return { features, pre, stats };
}

/**
 * Float64 reference decode: x_hat [rows, d_out] = f W_dec + b_dec, with the normalisation undone. A skip
 * transcoder also needs its input x [rows, d_in] (the raw activations that were encoded) for + x W_skip^T.
 */
export function referenceDecode(
  sae: Sae,
  features: ArrayLike<number>,
  rows: number,
  stats: NormStats = {},
  input?: ArrayLike<number>,
): Float64Array {
  const { config: c, weights: w } = sae;
  const d = saeOutputWidth(c);
  if (c.transcoder?.skip && (!input || input.length !== rows * c.dIn))
    throw new Error(`referenceDecode: a skip transcoder needs its input x [${rows}, ${c.dIn}]`);
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const o = out.subarray(r * d, (r + 1) * d);
    for (let i = 0; i < d; i++) o[i] = w.b_dec[i]!;
    for (let j = 0; j < c.dSae; j++) {
      const f = features[r * c.dSae + j]!;
      if (f === 0) continue;
      const off = j * d;
      for (let i = 0; i < d; i++) o[i]! += f * w.W_dec[off + i]!;
    }
    if (c.normalization === 'layer_norm') {
      for (let i = 0; i < d; i++) o[i] = o[i]! * stats.std![r]! + stats.mean![r]!;
    } else if (c.normalization === 'constant_norm_rescale') {
      for (let i = 0; i < d; i++) o[i] = o[i]! / stats.factor![r]!;
    }
    if (c.transcoder?.skip) addSkip(o, w.W_skip!, input!, r, c.dIn);
  }
  return out;
}

/** o += x_r W_skip^T, W_skip [d_out, d_in]. */
function addSkip(o: Float64Array, W_skip: Float32Array, x: ArrayLike<number>, r: number, dIn: number): void {
  for (let i = 0; i < o.length; i++) {
    let v = 0;
    for (let j = 0; j < dIn; j++) v += W_skip[i * dIn + j]! * x[r * dIn + j]!;
    o[i]! += v;
  }
}

/** Float64 reference of a whole transcoder (or SAE): features [rows, d_sae] and output [rows, d_out] from x. */
export function referenceTranscode(
  sae: Sae,
  x: ArrayLike<number>,
  rows: number,
): { features: Float64Array; output: Float64Array } {
  const { features, stats } = referenceEncode(sae, x, rows);
  return { features, output: referenceDecode(sae, features, rows, stats, x) };
}
