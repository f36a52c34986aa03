/**
 * Training with the engine: a loss graph and its gradient graph are built ONCE (parameters are graph inputs, so
 * they can change on every step without a new session), exported to ONNX and run step by step in ONNX Runtime;
 * AdamW (optim.ts) updates the parameters in JavaScript between steps.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import cliProgress from 'cli-progress';
import { grad } from '../graph/autodiff.js';
import type { Graph, Tensor } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import { CompiledGraph, type FeedValue, type OrtModule } from '../runtime/session.js';
import { AdamW, type AdamWOptions, clipScale, globalNorm, learningRate, type ScheduleOptions } from './optim.js';

export interface LossGraph {
  graph: Graph;
  /** Scalar loss (shape []). */
  loss: Tensor;
  /** Parameter tensors (graph weights), named as in the parameter map. */
  params: Tensor[];
  /** Further scalars or tensors to return on every step (e.g. a reconstruction term). */
  metrics?: Record<string, Tensor>;
}

export interface TrainerOptions {
  ort: OrtModule;
  threads?: number;
  optimizer?: AdamWOptions;
  schedule: ScheduleOptions;
  /** Clip the global gradient norm to this (0 or absent: no clipping). */
  clipNorm?: number;
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  metrics: Record<string, Float32Array>;
}

export class GraphTrainer {
  private step_ = 0;

  private constructor(
    private readonly compiled: CompiledGraph,
    readonly params: Map<string, Float32Array>,
    readonly optimizer: AdamW,
    private readonly options: TrainerOptions,
    private readonly metricNames: string[],
  ) {}

  /** Differentiates `lossGraph.loss` w.r.t. every parameter, exports loss + gradients, and opens one session. */
  static async create(
    lossGraph: LossGraph,
    params: Map<string, Float32Array>,
    options: TrainerOptions,
  ): Promise<GraphTrainer> {
    for (const t of lossGraph.params) {
      const p = params.get(t.name);
      if (!p) throw new Error(`no initial value for parameter ${t.name}`);
      if (p.length !== t.size) throw new Error(`parameter ${t.name}: ${p.length} values for ${t}`);
    }
    if (lossGraph.loss.size !== 1) throw new Error(`loss must be a scalar, got ${lossGraph.loss}`);
    const grads = grad(lossGraph.loss, lossGraph.params);
    const outputs: Record<string, Tensor> = { loss: lossGraph.loss, ...lossGraph.metrics };
    lossGraph.params.forEach((t, i) => {
      outputs[`grad.${t.name}`] = grads[i]!;
    });
    const model = toOnnx(lossGraph.graph, { outputs, weights: 'input', name: 'train' });
    const compiled = await CompiledGraph.create(options.ort, model, { threads: options.threads });
    const optimizer = new AdamW(params, options.optimizer);
    return new GraphTrainer(compiled, params, optimizer, options, Object.keys(lossGraph.metrics ?? {}));
  }

  get stepsDone(): number {
    return this.step_;
  }

  /** Runs the loss and gradients for one batch (data feeds only; parameters are added) and updates. */
  async step(feeds: Record<string, FeedValue>): Promise<StepResult> {
    const all: Record<string, FeedValue> = { ...feeds };
    for (const [name, p] of this.params) all[name] = p;
    const out = await this.compiled.run(all);
    const grads = new Map<string, Float32Array>();
    for (const name of this.params.keys()) {
      const g = out[`grad.${name}`];
      if (g) grads.set(name, g.data);
    }
    const loss = out.loss!.data[0]!;
    const gradNorm = globalNorm(grads.values());
    const lr = learningRate(this.step_, this.options.schedule);
    if (Number.isFinite(loss) && Number.isFinite(gradNorm)) {
      this.optimizer.step(grads, lr, clipScale(gradNorm, this.options.clipNorm ?? 0));
    }
    const metrics: Record<string, Float32Array> = {};
    for (const m of this.metricNames) metrics[m] = out[m]!.data;
    return { step: this.step_++, loss, gradNorm, lr, metrics };
  }

  async release(): Promise<void> {
    await this.compiled.release();
  }
}

/** A JSONL loss log plus an optional progress bar (also prints in non-TTY logs, every few seconds). */
export class TrainingLog {
  private readonly stream: WriteStream | null;
  private readonly bar: cliProgress.SingleBar | null;

  constructor(path: string | null, total: number, options: { label?: string; progress?: boolean } = {}) {
    this.stream = path ? createWriteStream(path, { flags: 'a' }) : null;
    if (options.progress ?? true) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${options.label ?? 'train'} [{bar}] {percentage}% | {value}/{total} | loss {loss} | {eta_formatted} left`,
          noTTYOutput: true,
          notTTYSchedule: 20000,
          etaBuffer: 50,
          hideCursor: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { loss: '-' });
    } else this.bar = null;
  }

  write(record: Record<string, unknown>): void {
    this.stream?.write(`${JSON.stringify(record)}\n`);
  }

  tick(value: number, loss: number): void {
    this.bar?.update(value, { loss: loss.toFixed(4) });
  }

  async close(): Promise<void> {
    this.bar?.stop();
    const s = this.stream;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
  }
}
