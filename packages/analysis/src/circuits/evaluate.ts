/**
 * Faithfulness and completeness of a node set (Marks et al.): every node outside the set is mean-ablated (its
 * per-position mean over the patch inputs), in one forward pass of GPT-2 with the SAEs spliced in (graphs.ts).
 * F(C) is the mean metric on the clean inputs; faithfulness = (F(C) - F(empty)) / (F(M) - F(empty)),
 * completeness = (F(M \ C) - F(empty)) / (F(M) - F(empty)). Any node set can be scored, e.g. a hand-edited one.
 */
import { toOnnx } from '../graph/onnx.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { CompiledGraph } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeFeeds } from '../sae/graph.js';
import type { Sae, SaeWeights } from '../sae/sae.js';
import {
  type CircuitMetric,
  type HookStats,
  type PromptPair,
  pairMetric,
  type RunControl,
  type SaeSource,
  toSaeSource,
} from './discover.js';
import {
  buildSplicedGPT2,
  compileSaeNodeGraph,
  readModelWeights,
  saeNodeGraphRows,
  splicedModelWeightNames,
} from './graphs.js';
import { METRIC_NODE_ID, parseNodeId } from './nodes.js';

export interface EvaluationScores {
  /** Mean metric with only the node set kept (the rest mean-ablated). */
  fCircuit: number;
  /** Mean metric with only the complement kept. */
  fComplement: number;
  /** The model's mean metric (everything kept). */
  fFull: number;
  /** Everything mean-ablated. */
  fEmpty: number;
  faithfulness: number;
  completeness: number;
  /** Nodes in the set (the metric node aside). */
  nodes: number;
}

export interface EvaluatorOptions {
  metric?: CircuitMetric;
  centerResid?: boolean;
  batch?: number;
  threads?: number;
  /** Per-position means over the patch inputs, from discoverCircuit (computed here when absent). */
  stats?: HookStats[];
}

/** How ablated nodes are set: their per-position means over the patch inputs, zero, or each pair's patch values. */
export type AblationMode = 'mean' | 'zero' | 'patch';

export interface AblationResult {
  mode: AblationMode;
  /** Nodes ablated (the metric node aside). */
  nodes: number;
  /** Metric per pair with every node kept, and with the nodes ablated. */
  before: number[];
  after: number[];
  meanBefore: number;
  meanAfter: number;
}

interface EvaluatedSae {
  hook: string;
  config: SaeConfig;
  weights: SaeWeights;
  dSae: number;
}

type Masks = Map<string, { keep: Float32Array; ekeep: Float32Array }>;

export class CircuitEvaluator {
  private constructor(
    private readonly model: HookedGPT2,
    private readonly saes: EvaluatedSae[],
    private readonly pairs: readonly PromptPair[],
    private readonly stats: Map<string, HookStats>,
    private readonly graph: CompiledGraph,
    private readonly baseFeeds: Record<string, Float32Array>,
    private readonly B: number,
    private readonly T: number,
    private readonly metric: CircuitMetric,
    private readonly centerResid: boolean,
  ) {}

  static async create(
    model: HookedGPT2,
    saeList: readonly (Sae | SaeSource)[],
    pairs: readonly PromptPair[],
    options: EvaluatorOptions = {},
    control: RunControl = {},
  ): Promise<CircuitEvaluator> {
    if (pairs.length === 0) throw new Error('no prompt pairs');
    const sources = saeList.map(toSaeSource);
    const c = model.config;
    const D = c.dModel;
    const T = Math.max(...pairs.map((p) => p.clean.length));
    const B = Math.min(options.batch ?? 32, pairs.length);
    const centerResid = options.centerResid ?? false;
    const saes: EvaluatedSae[] = [];
    for (const s of sources)
      saes.push({ hook: s.hook, config: s.config, weights: await s.load(), dSae: s.config.dSae });
    const stats = new Map((options.stats ?? []).map((s) => [s.hook, s]));
    const missing = sources.filter((s) => !stats.has(s.hook));
    if (missing.length) {
      // Per-position means of features and errors over the patch inputs.
      const lens = pairs.map((p) => p.patch.length);
      const hooks = missing.map((s) => s.hook);
      const acts = new Map(hooks.map((h) => [h, new Float32Array(pairs.length * T * D)]));
      for (let s = 0; s < pairs.length; s += B) {
        control.signal?.throwIfAborted();
        const part = pairs.slice(s, s + B);
        const out = await model.run(
          part.map((p) => p.patch),
          { hooks, logits: false, centerResid },
        );
        const Tc = Math.max(...part.map((p) => p.patch.length));
        for (const h of hooks) {
          const src = out.hooks.get(h)!.data;
          part.forEach((p, b) => {
            acts.get(h)!.set(src.subarray(b * Tc * D, (b * Tc + p.patch.length) * D), (s + b) * T * D);
          });
        }
      }
      const countAt = new Float32Array(T);
      for (const n of lens) for (let t = 0; t < n; t++) countAt[t]!++;
      const rows: number[] = [];
      pairs.forEach((p, i) => {
        for (let t = 0; t < p.patch.length; t++) rows.push(i * T + t);
      });
      const R = Math.min(256, 2 ** Math.ceil(Math.log2(Math.max(8, rows.length))));
      for (const src of missing) {
        const graph = await compileSaeNodeGraph(model.ort, src.config, R, options.threads);
        const S = src.config.dSae;
        const w = saes.find((x) => x.hook === src.hook)!.weights;
        const meanFeatures = new Float32Array(T * S);
        const meanError = new Float32Array(T * D);
        const a = acts.get(src.hook)!;
        for (let s = 0; s < rows.length; s += R) {
          const count = Math.min(R, rows.length - s);
          const x = new Float32Array(R * D);
          for (let r = 0; r < R; r++) {
            const row = rows[s + Math.min(r, count - 1)]!;
            x.set(a.subarray(row * D, row * D + D), r * D);
          }
          const out = await graph.run({ ...saeFeeds(w, ''), xc: x, xp: x, g: new Float32Array(R * D) }, ['fc', 'errc']);
          for (let r = 0; r < count; r++) {
            const t = rows[s + r]! % T;
            for (let j = 0; j < S; j++) meanFeatures[t * S + j]! += out.fc!.data[r * S + j]! / countAt[t]!;
            for (let k = 0; k < D; k++) meanError[t * D + k]! += out.errc!.data[r * D + k]! / countAt[t]!;
          }
        }
        await graph.release();
        stats.set(src.hook, { hook: src.hook, dSae: S, meanFeatures, meanError });
      }
    }
    const spliced = sources.map((s) => ({ hook: s.hook, config: s.config }));
    const { graph, outputs } = buildSplicedGPT2(c, spliced, B, T, centerResid);
    const compiled = await CompiledGraph.create(model.ort, toOnnx(graph, { outputs, name: 'gpt2-spliced' }), {
      threads: options.threads,
    });
    const baseFeeds: Record<string, Float32Array> = Object.fromEntries(
      await readModelWeights(model, splicedModelWeightNames(c)),
    );
    saes.forEach((s, i) => {
      Object.assign(baseFeeds, saeFeeds(s.weights, `s${i}.`));
      const st = stats.get(s.hook)!;
      baseFeeds[`s${i}.mean`] = st.meanFeatures;
      baseFeeds[`s${i}.emean`] = st.meanError;
    });
    return new CircuitEvaluator(
      model,
      saes,
      pairs,
      stats,
      compiled,
      baseFeeds,
      B,
      T,
      pairMetric(options.metric),
      centerResid,
    );
  }

  /** Masks with every node kept (fill 1) or ablated (fill 0). */
  private masks(fill: number): Masks {
    const m: Masks = new Map();
    for (const s of this.saes) {
      m.set(s.hook, {
        keep: new Float32Array(this.T * s.dSae).fill(fill),
        ekeep: new Float32Array(this.T).fill(fill),
      });
    }
    return m;
  }

  private setNodes(masks: Masks, ids: Iterable<string>, value: number): number {
    let n = 0;
    for (const id of ids) {
      if (id === METRIC_NODE_ID) continue;
      const { hook, feature, position } = parseNodeId(id);
      const m = masks.get(hook);
      if (!m) throw new Error(`node "${id}": no SAE at hook ${hook}`);
      const dSae = m.keep.length / this.T;
      if (feature !== null && feature >= dSae) throw new Error(`node "${id}": the SAE at ${hook} has ${dSae} features`);
      const positions = position === null ? Array.from({ length: this.T }, (_, t) => t) : [position];
      for (const t of positions) {
        if (t >= this.T) continue; // positions beyond this dataset's prompts ablate nothing
        if (feature === null) m.ekeep[t] = value;
        else m.keep[t * dSae + feature] = value;
      }
      n++;
    }
    return n;
  }

  /** Mean metric over the pairs' clean prompts with these masks. */
  async meanMetric(masks: Masks, signal?: AbortSignal): Promise<number> {
    const metrics = await this.pairMetrics(masks, signal);
    let total = 0;
    for (const m of metrics) total += m;
    return total / metrics.length;
  }

  /** Metric per pair (clean prompts) with these masks; `means` replaces the ablated nodes' values (zero ablation). */
  async pairMetrics(masks: Masks, signal?: AbortSignal, means: Record<string, Float32Array> = {}): Promise<number[]> {
    const feeds = this.maskFeeds(masks, means);
    const metrics: number[] = [];
    for (let s = 0; s < this.pairs.length; s += this.B) {
      signal?.throwIfAborted();
      metrics.push(...(await this.runPairs(feeds, s, Math.min(this.B, this.pairs.length - s))));
    }
    return metrics;
  }

  private maskFeeds(masks: Masks, means: Record<string, Float32Array>): Record<string, Float32Array> {
    const feeds: Record<string, Float32Array> = { ...this.baseFeeds, ...means };
    this.saes.forEach((s, i) => {
      const m = masks.get(s.hook)!;
      feeds[`s${i}.keep`] = m.keep;
      feeds[`s${i}.ekeep`] = m.ekeep;
    });
    return feeds;
  }

  /** Metrics of `real` pairs from `s` in one run (the batch's spare rows repeat the last pair). */
  private async runPairs(feeds: Record<string, Float32Array>, s: number, real: number): Promise<number[]> {
    const { B, T, pairs } = this;
    const D = this.model.config.dModel;
    const tokens = new BigInt64Array(B * T);
    const select = new Float32Array(B * T);
    const pair = new BigInt64Array(B * 2);
    for (let b = 0; b < B; b++) {
      const p = pairs[s + Math.min(b, real - 1)]!;
      p.clean.forEach((id, t) => {
        tokens[b * T + t] = BigInt(id);
      });
      select[b * T + p.clean.length - 1] = 1;
      const [a, w] =
        this.metric.kind === 'tokens' ? [this.metric.answer, this.metric.wrong] : [p.patchAnswer, p.cleanAnswer];
      pair[2 * b] = BigInt(this.metric.kind === 'direction' ? 0 : a);
      pair[2 * b + 1] = BigInt(this.metric.kind === 'direction' ? 0 : w);
    }
    const out = await this.graph.run({ ...feeds, tokens, select, pair });
    const metrics: number[] = [];
    for (let b = 0; b < real; b++) {
      if (this.metric.kind === 'direction') {
        let m = 0;
        for (let k = 0; k < D; k++) m += out.final!.data[b * D + k]! * this.metric.vector[k]!;
        metrics.push(m);
      } else metrics.push(out.metric!.data[b]!);
    }
    return metrics;
  }

  /**
   * The metric per pair before (every node kept) and after ablating the nodes `ids`, everything else kept: 'mean'
   * sets them to their per-position means over the patch inputs (as score() ablates the nodes outside a set),
   * 'zero' to zero, 'patch' to their values on each pair's patch prompt (one pair per run).
   */
  async ablate(ids: Iterable<string>, mode: AblationMode, signal?: AbortSignal): Promise<AblationResult> {
    const list = [...ids];
    const masks = this.masks(1);
    const nodes = this.setNodes(masks, list, 0);
    const before = await this.pairMetrics(this.masks(1), signal);
    let after: number[];
    if (mode === 'patch') after = await this.patchedMetrics(masks, list, signal);
    else after = await this.pairMetrics(masks, signal, mode === 'zero' ? this.zeroMeans() : {});
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mode, nodes, before, after, meanBefore: mean(before), meanAfter: mean(after) };
  }

  private zeroMeans(): Record<string, Float32Array> {
    const D = this.model.config.dModel;
    return Object.fromEntries(
      this.saes.flatMap((s, i) => [
        [`s${i}.mean`, new Float32Array(this.T * s.dSae)],
        [`s${i}.emean`, new Float32Array(this.T * D)],
      ]),
    );
  }

  /** Each pair with the masked-out nodes set to that pair's patch-prompt features and errors. */
  private async patchedMetrics(masks: Masks, ids: string[], signal?: AbortSignal): Promise<number[]> {
    const { T } = this;
    const D = this.model.config.dModel;
    const hooks = [...new Set(ids.filter((id) => id !== METRIC_NODE_ID).map((id) => parseNodeId(id).hook))];
    const touched = this.saes.map((s, i) => ({ ...s, i })).filter((s) => hooks.includes(s.hook));
    const graphs = new Map<string, CompiledGraph>();
    const R = saeNodeGraphRows(T);
    try {
      for (const s of touched) graphs.set(s.hook, await compileSaeNodeGraph(this.model.ort, s.config, R));
      const metrics: number[] = [];
      for (const [index, p] of this.pairs.entries()) {
        signal?.throwIfAborted();
        if (p.patch.length !== p.clean.length)
          throw new Error(`pair ${index}: patching needs clean and patch prompts of equal length`);
        const out = await this.model.run([p.patch], {
          hooks: touched.map((s) => s.hook),
          logits: false,
          centerResid: this.centerResid,
        });
        const values: Record<string, Float32Array> = {};
        for (const s of touched) {
          const acts = out.hooks.get(s.hook)!.data;
          const x = new Float32Array(R * D);
          x.set(acts.subarray(0, p.patch.length * D));
          const node = await graphs
            .get(s.hook)!
            .run({ ...saeFeeds(s.weights, ''), xc: x, xp: x, g: new Float32Array(R * D) }, ['fc', 'errc']);
          values[`s${s.i}.mean`] = new Float32Array(T * s.dSae);
          values[`s${s.i}.mean`]!.set(node.fc!.data.subarray(0, p.patch.length * s.dSae));
          values[`s${s.i}.emean`] = new Float32Array(T * D);
          values[`s${s.i}.emean`]!.set(node.errc!.data.subarray(0, p.patch.length * D));
        }
        metrics.push(...(await this.runPairs(this.maskFeeds(masks, values), index, 1)));
      }
      return metrics;
    } finally {
      for (const g of graphs.values()) await g.release();
    }
  }

  /** Scores a node set (ids as in CircuitNode.id; the metric node is ignored). */
  async score(ids: Iterable<string>, signal?: AbortSignal): Promise<EvaluationScores> {
    const list = [...ids];
    const circuit = this.masks(0);
    const nodes = this.setNodes(circuit, list, 1);
    const complement = this.masks(1);
    this.setNodes(complement, list, 0);
    const fFull = await this.fFull(signal);
    const fEmpty = await this.fEmpty(signal);
    const fCircuit = await this.meanMetric(circuit, signal);
    const fComplement = await this.meanMetric(complement, signal);
    const span = fFull - fEmpty;
    return {
      fCircuit,
      fComplement,
      fFull,
      fEmpty,
      faithfulness: (fCircuit - fEmpty) / span,
      completeness: (fComplement - fEmpty) / span,
      nodes,
    };
  }

  private full: number | null = null;
  private empty: number | null = null;

  async fFull(signal?: AbortSignal): Promise<number> {
    this.full ??= await this.meanMetric(this.masks(1), signal);
    return this.full;
  }

  async fEmpty(signal?: AbortSignal): Promise<number> {
    this.empty ??= await this.meanMetric(this.masks(0), signal);
    return this.empty;
  }

  async release(): Promise<void> {
    await this.graph.release();
  }

  get hookStats(): HookStats[] {
    return [...this.stats.values()];
  }
}

/** Scores any node set (e.g. a hand-edited circuit) on a dataset: faithfulness and completeness. */
export async function evaluateNodeSet(
  model: HookedGPT2,
  saes: readonly (Sae | SaeSource)[],
  pairs: readonly PromptPair[],
  nodeIds: Iterable<string>,
  options: EvaluatorOptions = {},
  control: RunControl = {},
): Promise<EvaluationScores> {
  const ev = await CircuitEvaluator.create(model, saes, pairs, options, control);
  try {
    return await ev.score(nodeIds, control.signal);
  } finally {
    await ev.release();
  }
}
