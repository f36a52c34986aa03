/**
 * Direct logit effects of SAE features: each decoder row times the unembedding, reduced to its k largest and k
 * smallest logits. One ONNX graph does the MatMul and both TopKs in onnxruntime, a chunk of rows per run, so only
 * about 4k numbers per feature come back to JavaScript (a 24,576-feature SAE against GPT-2's 50,257 tokens is
 * ~1.9 TFLOP, seconds in MLAS against ~40 minutes in scalar JavaScript).
 */
import { Graph } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { CompiledGraph, type OrtModule } from '../runtime/session.js';

/** Per feature f, entries [f * k, (f + 1) * k): token ids and logit values, strongest first. */
export interface LogitEffects {
  k: number;
  topIds: Uint32Array;
  topValues: Float32Array;
  /** Most negative first. */
  bottomIds: Uint32Array;
  bottomValues: Float32Array;
}

export interface LogitEffectsOptions {
  /** Decoder rows per run (default 256): bounds the [chunk, vocab] intermediate (256 x 50,257 floats = 51 MB). */
  chunk?: number;
  threads?: number;
}

/**
 * Graph: input `dirs` [chunk, d_model]; initializer `W_U` [vocab, d_model] (a constant, so ORT pre-packs it once).
 * Outputs the top k and the bottom k + 1 logits per row with their token ids (as float32: exact below 2^24), and
 * the full `logits`, fetched only for rows whose ties need resolving.
 */
function buildLogitGraph(chunk: number, dModel: number, vocab: number, k: number) {
  const g = new Graph();
  const dirs = g.input('dirs', [chunk, dModel]);
  const logits = op.gemm(dirs, g.weight('W_U', [vocab, dModel]), undefined, { transB: true });
  const [topValues, topIds] = op.topK(logits, k);
  const [bottomValues, bottomIds] = op.topK(logits, Math.min(k + 1, vocab), { largest: false });
  return {
    graph: g,
    outputs: {
      topValues,
      topIds: op.cast(topIds, 'float32'),
      bottomValues,
      bottomIds: op.cast(bottomIds, 'float32'),
      logits,
    },
  };
}

/**
 * One unembedding compiled once (ORT pre-packs it), for the decoders of any number of SAEs. Values are float32 dot
 * products. Ties are ordered as a stable descending sort of the row would order them: the lower token id first at
 * the top, the higher one first at the bottom (read from the sort's end).
 */
export class LogitEffectsSession {
  private constructor(
    private readonly compiled: CompiledGraph,
    readonly dModel: number,
    readonly vocab: number,
    readonly k: number,
    readonly chunk: number,
  ) {}

  /** `unembedding`: [vocab, d_model] (GPT-2: wte). */
  static async create(
    ort: OrtModule,
    unembedding: Float32Array,
    dModel: number,
    k: number,
    options: LogitEffectsOptions = {},
  ): Promise<LogitEffectsSession> {
    const vocab = unembedding.length / dModel;
    if (!Number.isInteger(vocab))
      throw new Error(`logit effects: unembedding (${unembedding.length}) is not [n, ${dModel}]`);
    if (k > vocab) throw new Error(`logit effects: k ${k} exceeds the vocabulary (${vocab})`);
    const chunk = Math.max(1, options.chunk ?? 256);
    const { graph, outputs } = buildLogitGraph(chunk, dModel, vocab, k);
    const model = toOnnx(graph, {
      outputs,
      weights: 'initializer',
      name: 'logit-effects',
      weightData: () => unembedding,
    });
    const compiled = await CompiledGraph.create(ort, model, { threads: options.threads });
    return new LogitEffectsSession(compiled, dModel, vocab, k, chunk);
  }

  /** `decoder`: [rows, d_model] (an SAE's W_dec). */
  async effects(decoder: Float32Array): Promise<LogitEffects> {
    const { dModel, vocab, k, chunk } = this;
    const rows = decoder.length / dModel;
    if (!Number.isInteger(rows)) throw new Error(`logit effects: decoder (${decoder.length}) is not [n, ${dModel}]`);
    const out: LogitEffects = {
      k,
      topIds: new Uint32Array(rows * k),
      topValues: new Float32Array(rows * k),
      bottomIds: new Uint32Array(rows * k),
      bottomValues: new Float32Array(rows * k),
    };
    const kb = Math.min(k + 1, vocab);
    const dirs = new Float32Array(chunk * dModel);
    for (let start = 0; start < rows; start += chunk) {
      const count = Math.min(chunk, rows - start);
      // The last chunk is zero-padded (static shapes); its padded rows are dropped below.
      dirs.fill(0);
      dirs.set(decoder.subarray(start * dModel, (start + count) * dModel));
      const r = await this.compiled.run({ dirs }, ['topValues', 'topIds', 'bottomValues', 'bottomIds']);
      out.topValues.set(r.topValues!.data.subarray(0, count * k), start * k);
      out.topIds.set(r.topIds!.data.subarray(0, count * k), start * k);
      const unresolved: number[] = [];
      for (let i = 0; i < count; i++) {
        const values = r.bottomValues!.data.subarray(i * kb, (i + 1) * kb);
        const ids = r.bottomIds!.data.subarray(i * kb, (i + 1) * kb);
        if (!reverseTies(values, ids, k)) unresolved.push(i);
        out.bottomValues.set(values.subarray(0, k), (start + i) * k);
        out.bottomIds.set(ids.subarray(0, k), (start + i) * k);
      }
      if (!unresolved.length) continue;
      const full = (await this.compiled.run({ dirs }, ['logits'])).logits!.data;
      for (const i of unresolved) bottomOfRow(full.subarray(i * vocab, (i + 1) * vocab), k, out, start + i);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.compiled.release();
  }
}

/** One decoder's logit effects with a session of its own (chunk capped at its row count). */
export async function logitEffects(
  ort: OrtModule,
  decoder: Float32Array,
  unembedding: Float32Array,
  dModel: number,
  k: number,
  options: LogitEffectsOptions = {},
): Promise<LogitEffects> {
  const rows = Math.max(1, Math.floor(decoder.length / dModel));
  const session = await LogitEffectsSession.create(ort, unembedding, dModel, k, {
    ...options,
    chunk: Math.min(options.chunk ?? 256, rows),
  });
  try {
    return await session.effects(decoder);
  } finally {
    await session.release();
  }
}

/**
 * TopK gives equal values lower id first; the bottom list wants higher id first. Reverses each run of equal values
 * in place among the first k; returns false when the run reaches past k (which ids belong is then unknown).
 */
function reverseTies(values: Float32Array, ids: Float32Array, k: number): boolean {
  if (values.length > k && values[k - 1] === values[k]) return false;
  for (let a = 0; a < k; ) {
    let b = a + 1;
    while (b < k && values[b] === values[a]) b++;
    ids.subarray(a, b).reverse();
    a = b;
  }
  return true;
}

/** The k smallest of one full row, ties by the higher id first (a scan from the top id, replacing only on <). */
function bottomOfRow(row: Float32Array, k: number, out: LogitEffects, f: number): void {
  const values = out.bottomValues.subarray(f * k, (f + 1) * k).fill(Number.POSITIVE_INFINITY);
  const ids = out.bottomIds.subarray(f * k, (f + 1) * k);
  for (let t = row.length - 1; t >= 0; t--) {
    const v = row[t]!;
    if (!(v < values[k - 1]!)) continue;
    // After every kept value <= v: those with equal value have higher ids and stay first.
    let at = k - 1;
    while (at > 0 && values[at - 1]! > v) {
      values[at] = values[at - 1]!;
      ids[at] = ids[at - 1]!;
      at--;
    }
    values[at] = v;
    ids[at] = t;
  }
}
