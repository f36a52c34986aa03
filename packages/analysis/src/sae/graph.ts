/**
 * SAE and transcoder encode/decode as engine Graphs, exported to ONNX for onnxruntime-node and onnxruntime-web (the
 * same graph definitions), with fp32 or fp16 weights.
 */
import onnxProto from 'onnx-proto';
import { Graph, type Tensor } from '../graph/graph.js';
import { type ExportedModel, toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { CompiledGraph, type OrtModule } from '../runtime/session.js';
import { type SaeConfig, saeOutputWidth } from './config.js';
import { type Sae, type SaeWeights, saeWeightShapes, subtractsBDec } from './sae.js';

export interface SaeTensors {
  W_enc: Tensor;
  b_enc: Tensor;
  W_dec: Tensor;
  b_dec: Tensor;
  threshold?: Tensor;
  /** [d_out, d_in], skip transcoders only. */
  W_skip?: Tensor;
}

/** One tensor per parameter of `saeWeightShapes(c)`, made by `tensor` (a graph weight or a graph input). */
function saeParameterTensors(c: SaeConfig, tensor: (name: string, shape: number[]) => Tensor): SaeTensors {
  const t: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(saeWeightShapes(c))) t[name] = tensor(name, shape);
  return t as unknown as SaeTensors;
}

/** The SAE's (or transcoder's) parameters as graph weights (named and shaped as in SAELens). */
export function saeWeightTensors(g: Graph, c: SaeConfig): SaeTensors {
  return saeParameterTensors(c, (name, shape) => g.weight(name, shape));
}

/** The parameters as graph inputs `${prefix}W_enc`, ..., for graphs that take many SAEs' weights at run time. */
export function saeInputs(g: Graph, c: SaeConfig, prefix: string): SaeTensors {
  return saeParameterTensors(c, (name, shape) => g.input(`${prefix}${name}`, shape));
}

const SAE_PARAMETERS = ['W_enc', 'b_enc', 'W_dec', 'b_dec', 'threshold', 'W_skip'] as const;

/** The feeds for `saeInputs(g, config, prefix)` from the loaded weights. */
export function saeFeeds(w: SaeWeights, prefix: string): Record<string, Float32Array> {
  const f: Record<string, Float32Array> = {};
  for (const name of SAE_PARAMETERS) {
    const values = w[name];
    if (values) f[`${prefix}${name}`] = values;
  }
  return f;
}

export interface NormTensors {
  mean?: Tensor;
  std?: Tensor;
  factor?: Tensor;
}

/** Input normalisation of x [.., d_in]; returns the normalised x and what decode needs to undo it. */
export function saeNormalize(c: SaeConfig, x: Tensor): { x: Tensor; stats: NormTensors } {
  const g = x.graph;
  if (c.normalization === 'layer_norm') {
    const mean = op.reduceMean(x, [-1], true);
    const centred = op.sub(x, mean);
    const std = op.sqrt(op.mul(op.reduceSum(op.mul(centred, centred), [-1], true), op.scalar(g, 1 / (c.dIn - 1))));
    return { x: op.div(centred, op.add(std, op.scalar(g, 1e-5))), stats: { mean, std } };
  }
  if (c.normalization === 'constant_norm_rescale') {
    const norm = op.sqrt(op.reduceSum(op.mul(x, x), [-1], true));
    const factor = op.div(op.scalar(g, Math.sqrt(c.dIn)), norm);
    return { x: op.mul(x, factor), stats: { factor } };
  }
  return { x, stats: {} };
}

/** Encode: features [.., d_sae] (and pre-activations) from x [.., d_in]. */
export function saeEncode(
  c: SaeConfig,
  x: Tensor,
  w: SaeTensors,
): { features: Tensor; pre: Tensor; stats: NormTensors } {
  const g = x.graph;
  const { x: xn, stats } = saeNormalize(c, x);
  const xin = subtractsBDec(c) ? op.sub(xn, w.b_dec) : xn;
  const pre = op.add(op.matmul(xin, w.W_enc), w.b_enc);
  const zero = op.scalar(g, 0);
  let features: Tensor;
  if (c.architecture === 'standard') features = op.relu(pre);
  else if (c.architecture === 'jumprelu') features = op.where(op.greater(pre, w.threshold!), op.relu(pre), zero);
  else {
    // As SAELens: ReLU of the top k values, scattered back to their indices. Exactly k features even on ties
    // (ONNX TopK, like torch.topk on CPU, takes the lower index first), where keeping every value >= the k-th
    // largest would keep more.
    const [values, indices] = op.topK(pre, c.k!);
    features = op.scatterAddLast(op.zerosLike(pre), indices, op.relu(values));
  }
  return { features, pre, stats };
}

/**
 * Decode: x_hat [.., d_out] = f W_dec + b_dec, normalisation undone. A skip transcoder adds x W_skip^T, so it needs
 * `input`, the x [.., d_in] that was encoded.
 */
export function saeDecode(c: SaeConfig, features: Tensor, w: SaeTensors, stats: NormTensors, input?: Tensor): Tensor {
  let out = op.add(op.matmul(features, w.W_dec), w.b_dec);
  if (c.normalization === 'layer_norm') out = op.add(op.mul(out, stats.std!), stats.mean!);
  else if (c.normalization === 'constant_norm_rescale') out = op.div(out, stats.factor!);
  if (!c.transcoder?.skip) return out;
  if (!input) throw new Error('saeDecode: a skip transcoder needs its input x');
  return op.add(out, transcoderSkip(input, w.W_skip!));
}

/** The skip connection x W_skip^T [.., d_out] of a skip transcoder (W_skip [d_out, d_in] as SAELens stores it). */
export function transcoderSkip(x: Tensor, W_skip: Tensor): Tensor {
  return op.matmul(x, op.transposeLast(W_skip));
}

export interface SaeGraphOptions {
  /** Rows (tokens) per run: the graph has static shapes; pad the last batch. */
  rows: number;
  /** Also output `reconstruction` [rows, d_out]: a transcoder's prediction of its output hook (default false). */
  reconstruction?: boolean;
}

/** Graph with input `x` [rows, d_in] and outputs `features` [rows, d_sae] (+ `reconstruction`). */
export function buildSaeGraph(
  c: SaeConfig,
  options: SaeGraphOptions,
): { graph: Graph; outputs: Record<string, Tensor> } {
  const graph = new Graph();
  const x = graph.input('x', [options.rows, c.dIn]);
  const w = saeWeightTensors(graph, c);
  const { features, stats } = saeEncode(c, x, w);
  const outputs: Record<string, Tensor> = { features };
  if (options.reconstruction) outputs.reconstruction = saeDecode(c, features, w, stats, x);
  return { graph, outputs };
}

export interface SaeExportOptions extends SaeGraphOptions {
  /** Weight precision in the file (default fp32). fp16 weights are cast to float32 inside the graph. */
  dtype?: 'fp32' | 'fp16';
}

/**
 * ONNX bytes of the SAE encoder (input `x` float32 [rows, d_in]; output `features` float32 [rows, d_sae], and
 * `reconstruction` when asked), weights embedded. Runs in onnxruntime-web and onnxruntime-node.
 */
export function exportSaeEncoder(sae: Sae, options: SaeExportOptions): ExportedModel {
  const { graph, outputs } = buildSaeGraph(sae.config, options);
  const model = toOnnx(graph, {
    outputs,
    weights: 'initializer',
    name: `sae:${sae.config.hookName}`,
    weightData: (name) => {
      const d = sae.weights[name as keyof SaeWeights];
      if (!d) throw new Error(`SAE has no weight ${name}`);
      return d;
    },
  });
  if ((options.dtype ?? 'fp32') === 'fp32') return model;
  return { ...model, bytes: weightsToFloat16(model.bytes, new Set(Object.keys(sae.weights))) };
}

const { onnx } = onnxProto;

/** Rewrites float32 initializers named in `names` as float16, each followed by a Cast back to float32. */
export function weightsToFloat16(bytes: Uint8Array, names: Set<string>): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const casts: onnxProto.onnx.INodeProto[] = [];
  for (const init of graph.initializer ?? []) {
    if (!init.name || !names.has(init.name) || init.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
    const raw = init.rawData!;
    const f32 = new Float32Array(raw.byteLength / 4);
    new Uint8Array(f32.buffer).set(raw);
    const half = new Uint16Array(f32.length);
    for (let i = 0; i < f32.length; i++) half[i] = floatToHalf(f32[i]!);
    const original = init.name;
    init.name = `${original}.fp16`;
    init.dataType = onnx.TensorProto.DataType.FLOAT16;
    init.rawData = new Uint8Array(half.buffer);
    casts.push({
      opType: 'Cast',
      name: `cast_${original}`,
      input: [init.name],
      output: [original],
      attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }],
    });
  }
  graph.node = [...casts, ...(graph.node ?? [])];
  return onnx.ModelProto.encode(model).finish();
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE float32 -> float16 bits, round to nearest even (overflow to infinity, subnormals kept). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  e = h >>> 10;
  return sign | h;
}

/** An SAE compiled for a runtime: encodes any number of rows in fixed-size chunks. */
export class SaeSession {
  private constructor(
    readonly sae: Sae,
    private readonly compiled: CompiledGraph,
    readonly rows: number,
    readonly reconstruction: boolean,
  ) {}

  static async create(ort: OrtModule, sae: Sae, options: SaeExportOptions & { threads?: number }): Promise<SaeSession> {
    const compiled = await CompiledGraph.create(ort, exportSaeEncoder(sae, options), { threads: options.threads });
    return new SaeSession(sae, compiled, options.rows, options.reconstruction ?? false);
  }

  /**
   * x: n rows of d_in float32 values; returns features [n, d_sae] (and the reconstruction [n, d_out]: for a
   * transcoder, its prediction of the output hook).
   */
  async encode(x: Float32Array, n: number): Promise<{ features: Float32Array; reconstruction: Float32Array | null }> {
    const { dIn, dSae } = this.sae.config;
    const dOut = saeOutputWidth(this.sae.config);
    if (x.length !== n * dIn) throw new Error(`SAE encode: ${x.length} values for ${n} rows of ${dIn}`);
    const features = new Float32Array(n * dSae);
    const recon = this.reconstruction ? new Float32Array(n * dOut) : null;
    for (let start = 0; start < n; start += this.rows) {
      const count = Math.min(this.rows, n - start);
      const chunk = new Float32Array(this.rows * dIn);
      chunk.set(x.subarray(start * dIn, (start + count) * dIn));
      if (count < this.rows) {
        // pad rows with the first row of the chunk, not zeros (zeros have no norm for the normalisations)
        for (let r = count; r < this.rows; r++) chunk.copyWithin(r * dIn, 0, dIn);
      }
      const out = await this.compiled.run({ x: chunk });
      features.set(out.features!.data.subarray(0, count * dSae), start * dSae);
      if (recon) recon.set(out.reconstruction!.data.subarray(0, count * dOut), start * dOut);
    }
    return { features, reconstruction: recon };
  }

  async release(): Promise<void> {
    await this.compiled.release();
  }
}
