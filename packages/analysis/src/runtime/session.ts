/**
 * Runs an exported graph in ONNX Runtime. The same code drives onnxruntime-node and onnxruntime-web: both expose
 * onnxruntime-common's InferenceSession and Tensor, passed in as `OrtModule`.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-web';
import type { DType } from '../graph/graph.js';
import type { ExportedModel } from '../graph/onnx.js';

export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array | string, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: new (
    type: 'float32' | 'int64' | 'bool',
    data: Float32Array | BigInt64Array | Uint8Array,
    dims: readonly number[],
  ) => OrtTensor;
}

export type FeedValue = Float32Array | BigInt64Array | Uint8Array;

export interface RunResult {
  data: Float32Array;
  dims: number[];
}

export interface SessionOptions {
  threads?: number;
  /**
   * Let idle ORT worker threads spin (default false): spinning helps a little on an idle machine and costs a lot
   * when other processes share the cores.
   */
  spinning?: boolean;
  /** Passed through to ORT (e.g. externalData for onnxruntime-web). */
  extra?: InferenceSession.SessionOptions;
}

export class CompiledGraph {
  private constructor(
    private readonly ort: OrtModule,
    readonly session: InferenceSession,
    readonly model: ExportedModel,
  ) {}

  /** `path`: load the model from this file instead of `model.bytes` (external data resolves next to it). */
  static async create(
    ort: OrtModule,
    model: ExportedModel,
    options: SessionOptions = {},
    path?: string,
  ): Promise<CompiledGraph> {
    // WORKBENCH_ORT_SPIN=1 turns spinning on for dedicated machines (servers, benchmarks); Node only.
    const spinFromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
      ?.WORKBENCH_ORT_SPIN;
    const spin = (options.spinning ?? spinFromEnv === '1') ? '1' : '0';
    const session = await ort.InferenceSession.create(path ?? model.bytes, {
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
      ...options.extra,
    });
    return new CompiledGraph(ort, session, model);
  }

  /** Runs with the given feeds (every graph input by name); returns the float32 outputs by name. */
  private inFlight = 0;
  private releaseWhenIdle = false;

  async run(feeds: Record<string, FeedValue>, outputs?: string[]): Promise<Record<string, RunResult>> {
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const t of this.model.inputs) {
      const v = feeds[t.name];
      if (!v) throw new Error(`missing graph input "${t.name}" (${t})`);
      if (v.length !== t.size)
        throw new Error(`graph input "${t.name}" needs ${t.size} values (${t}), got ${v.length}`);
      ortFeeds[t.name] = new this.ort.Tensor(ortType(t.dtype), v, t.shape);
    }
    this.inFlight++;
    let result: InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run(ortFeeds, outputs ?? this.model.outputNames);
    } finally {
      this.inFlight--;
      if (this.releaseWhenIdle && this.inFlight === 0) void this.session.release();
    }
    const out: Record<string, RunResult> = {};
    for (const [name, value] of Object.entries(result)) {
      out[name] = { data: value.data as Float32Array, dims: [...value.dims] };
    }
    return out;
  }

  /** Frees the session (after any runs in progress). */
  async release(): Promise<void> {
    if (this.inFlight > 0) this.releaseWhenIdle = true;
    else await this.session.release();
  }
}

function ortType(dtype: DType): 'float32' | 'int64' | 'bool' {
  return dtype;
}
