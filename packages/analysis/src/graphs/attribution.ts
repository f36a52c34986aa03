/**
 * Attribution graphs for one prompt (circuit-tracer's method, Ameisen et al. 2025) on the replacement model of
 * replacement.ts. Nodes: the active transcoder features at every (layer, position), an error node per (layer,
 * position), the token embeddings and the top logits (up to 10 by probability, until their cumulative probability
 * reaches 0.95). Edges: direct effects, exact because the replacement model is linear in its sources. Each target
 * (a logit, or a feature's pre-activation) gets one row of the adjacency matrix from one backward pass; `batch`
 * targets share each pass, run layer by layer through one compiled step graph.
 *
 * The adjacency matrix is laid out as circuit-tracer's: nodes [features, errors (layer-major), tokens, logits],
 * rows the targets, columns the sources: adjacency[target * n + source].
 */
import type { GPT2Config } from '../model/config.js';
import { attentionScale, unembeddingName } from '../model/config.js';
import type { CompiledGraph, OrtModule } from '../runtime/session.js';
import { saeOutputWidth } from '../sae/config.js';
import { saeFeeds } from '../sae/graph.js';
import {
  capturePrompt,
  compileFinalNorm,
  compileLayerStep,
  compileTranscoder,
  type PromptState,
  type TranscoderSource,
  transcoderLayer,
} from './replacement.js';

export interface ActiveFeature {
  layer: number;
  position: number;
  feature: number;
  activation: number;
}

export interface LogitTarget {
  token: number;
  probability: number;
}

export interface AttributionOptions {
  /** At most this many logit targets (default 10). */
  maxLogits?: number;
  /** Logit targets are added, most probable first, until their probabilities sum to this (default 0.95). */
  logitProbability?: number;
  /** These tokens' logits as the targets instead (circuit-tracer's attribution targets), e.g. ' are' and ' is'. */
  logitTokens?: number[];
  /** Features whose rows are computed (chosen by influence when more are active; default 7,500). */
  maxFeatureNodes?: number;
  /** Targets per backward pass (default 128). */
  batch?: number;
  centerResid?: boolean;
  threads?: number;
  onProgress?: (stage: string, percent: number) => void;
  signal?: AbortSignal;
}

export interface PromptModel {
  config: GPT2Config;
  /** Every model weight by Hugging Face name. */
  weights: Map<string, Float32Array>;
  ort: OrtModule;
}

export interface AttributionGraph {
  config: GPT2Config;
  tokens: number[];
  /** Features with rows, in node order (sorted by layer, position, feature). */
  features: ActiveFeature[];
  /** Features active on the prompt (before the node cap). */
  activeFeatures: number;
  logits: LogitTarget[];
  /** Nodes: features.length + nLayers * T errors + T tokens + logits.length. */
  n: number;
  /** [n, n] row-major, rows targets, columns sources (float32). */
  adjacency: Float32Array;
  timings: Record<string, number>;
}

/** Node index helpers for a graph's layout [features, errors, tokens, logits]. */
export function nodeLayout(g: Pick<AttributionGraph, 'features' | 'tokens' | 'logits' | 'config'>) {
  const F = g.features.length;
  const T = g.tokens.length;
  const E = g.config.nLayers * T;
  return {
    F,
    errorStart: F,
    tokenStart: F + E,
    logitStart: F + E + T,
    n: F + E + T + g.logits.length,
    error: (layer: number, position: number) => F + layer * T + position,
    token: (position: number) => F + E + position,
    logit: (i: number) => F + E + T + i,
  };
}

/** Logit targets as circuit-tracer picks them: most probable first, up to `max`, until `p` is covered. */
export function selectLogits(logits: ArrayLike<number>, max = 10, p = 0.95): LogitTarget[] {
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) top = Math.max(top, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - top);
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  const out: LogitTarget[] = [];
  let covered = 0;
  for (const token of ids.slice(0, max)) {
    const probability = Math.exp(logits[token]! - top) / sum;
    out.push({ token, probability });
    covered += probability;
    if (covered >= p) break;
  }
  return out;
}

/** Given tokens as logit targets, with their probabilities. */
export function tokenTargets(logits: ArrayLike<number>, tokens: readonly number[]): LogitTarget[] {
  if (tokens.length === 0) throw new Error('no logit target tokens');
  const all = selectLogits(logits, logits.length, 2);
  const probability = new Map(all.map((l) => [l.token, l.probability]));
  return tokens.map((token) => {
    const p = probability.get(token);
    if (p === undefined) throw new Error(`logit target ${token} is outside the vocabulary (${logits.length})`);
    return { token, probability: p };
  });
}

/** One layer's transcoder on the prompt: its active features and the vectors the graph needs of each. */
interface LayerFeatures {
  /** Per position: indices into `active`. */
  byPosition: number[][];
  active: ActiveFeature[];
  /** Per active feature: encoder column W_enc[:, f] [d] (the seed of its row). */
  enc: Float32Array[];
  /** Per active feature: decoder row W_dec[f] times its activation [d] (what it writes). */
  dec: Float32Array[];
  /** The error term [T, d]: true MLP out - transcoder out. */
  error: Float32Array;
  skip: Float32Array | null;
}

const checkAbort = (signal?: AbortSignal) => {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('attribution aborted');
};

/** Encodes each layer's MLP input with its transcoder (weights loaded one layer at a time, then dropped). */
async function encodeLayers(
  ort: OrtModule,
  c: GPT2Config,
  state: PromptState,
  transcoders: readonly TranscoderSource[],
  threads: number | undefined,
): Promise<LayerFeatures[]> {
  const T = state.tokens.length;
  const D = c.dModel;
  const compiled = new Map<string, Promise<CompiledGraph>>();
  const layers: LayerFeatures[] = [];
  const sources = Array.from({ length: c.nLayers }, (_, l) => {
    const src = transcoders.find((t) => transcoderLayer(t.config) === l);
    if (!src) throw new Error(`no transcoder for layer ${l} (the model has ${c.nLayers} layers)`);
    return src;
  });
  // The next layer's weights are read while this layer's are used (reading is most of this stage).
  let loading = sources[0]!.load();
  try {
    for (let l = 0; l < c.nLayers; l++) {
      const src = sources[l]!;
      const tc = src.config;
      if (tc.dIn !== D || saeOutputWidth(tc) !== D)
        throw new Error(
          `transcoder of layer ${l}: d_in ${tc.dIn}, d_out ${saeOutputWidth(tc)}; the model's d_model is ${D}`,
        );
      const key = `${tc.architecture}/${tc.dSae}/${tc.k}/${tc.transcoder?.skip}`;
      if (!compiled.has(key)) compiled.set(key, compileTranscoder(ort, tc, T, threads));
      const w = await loading;
      if (l + 1 < c.nLayers) loading = sources[l + 1]!.load();
      const out = await (await compiled.get(key)!).run({ ...saeFeeds(w, ''), x: state.mlpIn[l]! });
      const f = out.features!.data;
      const y = out.output!.data;
      const lf: LayerFeatures = {
        byPosition: [],
        active: [],
        enc: [],
        dec: [],
        error: new Float32Array(T * D),
        skip: w.W_skip ? Float32Array.from(w.W_skip) : null,
      };
      for (let i = 0; i < T * D; i++) lf.error[i] = state.mlpOut[l]![i]! - y[i]!;
      for (let t = 0; t < T; t++) {
        const here: number[] = [];
        for (let j = 0; j < tc.dSae; j++) {
          const a = f[t * tc.dSae + j]!;
          if (a === 0) continue;
          here.push(lf.active.length);
          lf.active.push({ layer: l, position: t, feature: j, activation: a });
          const enc = new Float32Array(D);
          for (let d = 0; d < D; d++) enc[d] = w.W_enc[d * tc.dSae + j]!;
          const dec = w.W_dec.slice(j * D, (j + 1) * D);
          for (let d = 0; d < D; d++) dec[d]! *= a;
          lf.enc.push(enc);
          lf.dec.push(dec);
        }
        lf.byPosition.push(here);
      }
      layers.push(lf);
    }
  } finally {
    loading.catch(() => undefined); // a read still in flight when a layer failed
    for (const p of compiled.values()) await (await p).release();
  }
  return layers;
}

/** Prompt prefix lengths compiled per graph (T/8, 2T/8, ..., T): about halves the backward passes' work. */
const PREFIX_STEPS = 8;

type Target = { kind: 'logit'; index: number } | { kind: 'feature'; layer: number; index: number };

/** Runs batched backward passes; each returns one row over the source columns [features (all active), errors, tokens]. */
class RowComputer {
  /** One compiled step per prompt prefix length: a target at position p needs only positions 0..p (causality). */
  private readonly steps = new Map<number, CompiledGraph>();
  private final!: CompiledGraph;
  /** Prefix lengths with a compiled step, ascending (the last is the prompt's length). */
  readonly lengths: number[];
  private readonly prefixPatterns = new Map<string, Float32Array>();
  readonly K: number;
  /** Column of layer l's k-th active feature at position t. */
  private readonly featureColumn: number[][][];
  readonly columns: number;
  readonly featureCount: number;
  private readonly unembedMean: Float32Array;
  private readonly decPadded: Float32Array[];

  constructor(
    private readonly c: GPT2Config,
    private readonly weights: Map<string, Float32Array>,
    private readonly state: PromptState,
    private readonly layers: LayerFeatures[],
    private readonly logits: LogitTarget[],
    private readonly R: number,
  ) {
    const T = state.tokens.length;
    const D = c.dModel;
    this.lengths = [
      ...new Set(Array.from({ length: PREFIX_STEPS }, (_, k) => Math.ceil((T * (k + 1)) / PREFIX_STEPS))),
    ];
    this.K = Math.max(1, ...layers.flatMap((lf) => lf.byPosition.map((p) => p.length)));
    let col = 0;
    this.featureColumn = layers.map((lf) => lf.byPosition.map((p) => p.map(() => col++)));
    this.featureCount = col;
    this.columns = col + c.nLayers * T + T;
    // circuit-tracer's logit targets are demeaned: logit - mean logit, so a shift of every logit is no effect.
    const U = weights.get(unembeddingName(c))!;
    const V = c.vocabSize;
    this.unembedMean = new Float32Array(D);
    for (let v = 0; v < V; v++) for (let d = 0; d < D; d++) this.unembedMean[d]! += U[v * D + d]! / V;
    this.decPadded = layers.map((lf) => {
      const out = new Float32Array(T * this.K * D);
      lf.byPosition.forEach((ids, t) => {
        ids.forEach((id, k) => {
          out.set(lf.dec[id]!, (t * this.K + k) * D);
        });
      });
      return out;
    });
  }

  async compile(ort: OrtModule, centerResid: boolean, threads?: number) {
    const T = this.state.tokens.length;
    const skip = this.layers.some((l) => l.skip);
    for (const n of this.lengths) {
      const spec = { rows: this.R, T: n, K: this.K, skip, centerResid, attnScale: attentionScale(this.c, 0) };
      this.steps.set(n, await compileLayerStep(ort, this.c, spec, threads));
    }
    this.final = await compileFinalNorm(ort, this.c, this.R, T, threads);
  }

  async release() {
    for (const s of this.steps.values()) await s.release();
    await this.final?.release();
  }

  /** The shortest compiled prefix that holds position `p`. */
  lengthFor(p: number): number {
    return this.lengths.find((n) => n > p)!;
  }

  /** The source column of an error node and of a token. */
  errorColumn = (l: number, t: number) => this.featureCount + l * this.state.tokens.length + t;
  tokenColumn = (t: number) => this.featureCount + this.c.nLayers * this.state.tokens.length + t;
  /** The column of the i-th active feature of layer l (index into layers[l].active). */
  columnOf(l: number, i: number): number {
    const f = this.layers[l]!.active[i]!;
    return this.featureColumn[l]![f.position]![this.layers[l]!.byPosition[f.position]!.indexOf(i)]!;
  }

  /** Rows of up to R targets, run on the prompt's first T positions (every target's position below T). */
  async rows(targets: Target[], T: number): Promise<Float32Array[]> {
    const { c, state, R } = this;
    const D = c.dModel;
    if (targets.length > R) throw new Error(`at most ${R} targets per pass`);
    const step = this.steps.get(T);
    if (!step) throw new Error(`no step compiled for ${T} positions`);
    const rows = targets.map(() => new Float32Array(this.columns));
    let g: Float32Array = new Float32Array(R * T * D);
    const logitRows = targets.flatMap((t, r) => (t.kind === 'logit' ? [[r, t.index] as const] : []));
    if (logitRows.length) {
      const U = this.weights.get(unembeddingName(c))!;
      const u = new Float32Array(R * T * D);
      for (const [r, i] of logitRows) {
        const tok = this.logits[i]!.token;
        const at = (r * T + T - 1) * D;
        for (let d = 0; d < D; d++) u[at + d] = U[tok * D + d]! - this.unembedMean[d]!;
      }
      if (T !== state.tokens.length) throw new Error('logit targets need every position');
      const out = await this.final.run({
        u,
        scalef: state.scales.get('ln_f')!,
        'w.ln_f.weight': this.weights.get('ln_f.weight')!,
      });
      g = out.gx!.data;
    }
    const top = Math.max(...targets.map((t) => (t.kind === 'logit' ? c.nLayers - 1 : t.layer)));
    for (let l = top; l >= 0; l--) {
      const lf = this.layers[l]!;
      const seed = new Float32Array(R * T * D);
      targets.forEach((t, r) => {
        if (t.kind !== 'feature' || t.layer !== l) return;
        seed.set(lf.enc[t.index]!, (r * T + lf.active[t.index]!.position) * D);
      });
      const out = await step.run(this.stepFeeds(step, l, T, g, seed));
      const fc = out.fc!.data;
      const ec = out.ec!.data;
      targets.forEach((_, r) => {
        const row = rows[r]!;
        for (let t = 0; t < T; t++) {
          const cols = this.featureColumn[l]![t]!;
          for (let k = 0; k < cols.length; k++) row[cols[k]!] = fc[(t * R + r) * this.K + k]!;
          row[this.errorColumn(l, t)] = ec[r * T + t]!;
        }
      });
      g = out.gpre!.data;
    }
    targets.forEach((_, r) => {
      const row = rows[r]!;
      for (let t = 0; t < T; t++) {
        let s = 0;
        const at = (r * T + t) * D;
        for (let d = 0; d < D; d++) s += g[at + d]! * state.embed[t * D + d]!;
        row[this.tokenColumn(t)] = s;
      }
    });
    return rows;
  }

  /** Layer l's pattern [H, T, T] cut to the first n positions (queries and keys): causal, so still exact. */
  private patternPrefix(l: number, n: number): Float32Array {
    const T = this.state.tokens.length;
    const full = this.state.patterns[l]!;
    if (n === T) return full;
    const key = `${l}/${n}`;
    let p = this.prefixPatterns.get(key);
    if (!p) {
      p = new Float32Array(this.c.nHeads * n * n);
      for (let h = 0; h < this.c.nHeads; h++)
        for (let i = 0; i < n; i++) p.set(full.subarray((h * T + i) * T, (h * T + i) * T + n), (h * n + i) * n);
      this.prefixPatterns.set(key, p);
    }
    return p;
  }

  private stepFeeds(
    step: CompiledGraph,
    l: number,
    T: number,
    g: Float32Array,
    seed: Float32Array,
  ): Record<string, Float32Array> {
    const D = this.c.dModel;
    const feeds: Record<string, Float32Array> = {
      g,
      seed,
      pattern: this.patternPrefix(l, T),
      scale1: this.state.scales.get(`h.${l}.ln_1`)!.subarray(0, T),
      scale2: this.state.scales.get(`h.${l}.ln_2`)!.subarray(0, T),
      dec: this.decPadded[l]!.subarray(0, T * this.K * D),
      err: this.layers[l]!.error.subarray(0, T * D),
    };
    for (const t of step.model.inputs) {
      if (!t.name.startsWith('w.')) continue;
      const name = t.name.slice(2);
      if (name === 'W_skip') feeds[t.name] = this.layers[l]!.skip ?? new Float32Array(t.size);
      else feeds[t.name] = this.weights.get(`h.${l}.${name}`)!;
    }
    return feeds;
  }
}

/**
 * Influence of every source column on the logits through the rows computed so far (circuit-tracer's partial
 * influences): rows normalised by their absolute sums, walked back from the logits' probabilities. One pass, rows
 * visited targets first (logits, then features from the last layer down: a feature's sources are all below it).
 */
function partialInfluence(
  rows: Float32Array[],
  rowColumn: number[],
  rowLayer: number[],
  weights: number[],
  columns: number,
): Float64Array {
  const influence = new Float64Array(columns);
  const order = rows.map((_, r) => r).sort((a, b) => rowLayer[b]! - rowLayer[a]! || a - b);
  for (const r of order) {
    const w = rowColumn[r] === -1 ? weights[r]! : influence[rowColumn[r]!]!;
    if (w === 0) continue;
    const row = rows[r]!;
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += Math.abs(row[j]!);
    const s = w / Math.max(sum, 1e-8);
    for (let j = 0; j < columns; j++) if (row[j] !== 0) influence[j]! += s * Math.abs(row[j]!);
  }
  return influence;
}

/** Batches between recomputing the partial influences that pick the next features (circuit-tracer's default). */
const UPDATE_INTERVAL = 4;

/** Computes the attribution graph of one prompt (unpruned: prune it with prune.ts). */
export async function attribute(
  model: PromptModel,
  transcoders: readonly TranscoderSource[],
  tokens: number[],
  options: AttributionOptions = {},
): Promise<AttributionGraph> {
  const c = model.config;
  const { signal, threads } = options;
  const progress = options.onProgress ?? (() => undefined);
  const maxFeatures = options.maxFeatureNodes ?? 7500;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 0)
    throw new Error(`maxFeatureNodes must be a non-negative integer, got ${maxFeatures}`);
  const R = Math.max(1, Math.floor(options.batch ?? 128));
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    timings[name] = +((performance.now() - t0) / 1000).toFixed(3);
    t0 = performance.now();
  };
  progress('forward pass', 0);
  const state = await capturePrompt(model.ort, c, model.weights, tokens, {
    centerResid: options.centerResid,
    threads,
  });
  lap('forward_s');
  checkAbort(signal);
  progress('transcoders', 2);
  const layers = await encodeLayers(model.ort, c, state, transcoders, threads);
  lap('transcoders_s');
  const logits = options.logitTokens
    ? tokenTargets(state.lastLogits, options.logitTokens)
    : selectLogits(state.lastLogits, options.maxLogits ?? 10, options.logitProbability ?? 0.95);
  const computer = new RowComputer(c, model.weights, state, layers, logits, R);
  await computer.compile(model.ort, options.centerResid ?? false, threads);
  lap('compile_s');
  try {
    const all = layers.flatMap((lf, l) => lf.active.map((_, i) => ({ layer: l, index: i })));
    const rows: Float32Array[] = [];
    const rowColumn: number[] = [];
    const rowLayer: number[] = [];
    for (let s = 0; s < logits.length; s += R) {
      const batch = logits.slice(s, s + R).map((_, k): Target => ({ kind: 'logit', index: s + k }));
      rows.push(...(await computer.rows(batch, tokens.length)));
      rowColumn.push(...batch.map(() => -1));
      rowLayer.push(...batch.map(() => c.nLayers));
    }
    const wanted = Math.min(maxFeatures, all.length);
    const visited = new Set<number>();
    const chosen: { layer: number; index: number; column: number }[] = [];
    // All features fit: by prefix length, then highest layers first (a pass goes no further than it must).
    // Otherwise, as circuit-tracer, the next batch is the unvisited features of highest influence through the rows
    // computed so far.
    const position = (i: number) => layers[all[i]!.layer]!.active[all[i]!.index]!.position;
    const order: number[] | null =
      wanted === all.length
        ? all
            .map((_, i) => i)
            .sort(
              (a, b) =>
                computer.lengthFor(position(a)) - computer.lengthFor(position(b)) || all[b]!.layer - all[a]!.layer,
            )
        : null;
    let ranked: number[] = [];
    let sinceUpdate = UPDATE_INTERVAL;
    while (chosen.length < wanted) {
      checkAbort(signal);
      let next: number[];
      if (order) {
        // a batch never spans two prefix lengths
        const n = computer.lengthFor(position(order[0]!));
        let take = 0;
        while (take < Math.min(R, order.length) && computer.lengthFor(position(order[take]!)) === n) take++;
        next = order.splice(0, take);
      } else {
        if (sinceUpdate >= UPDATE_INTERVAL || ranked.length === 0) {
          const inf = partialInfluence(
            rows,
            rowColumn,
            rowLayer,
            logits.map((l) => l.probability),
            computer.columns,
          );
          ranked = all
            .map((f, i) => ({ i, v: inf[computer.columnOf(f.layer, f.index)]! }))
            .filter((x) => !visited.has(x.i))
            .sort((a, b) => b.v - a.v)
            .map((x) => x.i);
          sinceUpdate = 0;
        }
        next = ranked.splice(0, Math.min(R, wanted - chosen.length));
        sinceUpdate++;
      }
      const batch = next.map((i): Target => ({ kind: 'feature', ...all[i]! }));
      rows.push(...(await computer.rows(batch, computer.lengthFor(Math.max(...next.map(position))))));
      for (const i of next) {
        visited.add(i);
        const column = computer.columnOf(all[i]!.layer, all[i]!.index);
        chosen.push({ ...all[i]!, column });
        rowColumn.push(column);
        rowLayer.push(all[i]!.layer);
      }
      progress('backward passes', 5 + (90 * chosen.length) / Math.max(1, wanted));
    }
    lap('backward_s');
    const graph = squareAdjacency(c, state, layers, logits, rows, rowColumn, chosen, computer);
    lap('assemble_s');
    progress('attributed', 95);
    return { ...graph, timings };
  } finally {
    await computer.release();
  }
}

/** The rows re-indexed into circuit-tracer's square matrix over the chosen features, errors, tokens and logits. */
function squareAdjacency(
  c: GPT2Config,
  state: PromptState,
  layers: LayerFeatures[],
  logits: LogitTarget[],
  rows: Float32Array[],
  rowColumn: number[],
  chosen: { layer: number; index: number; column: number }[],
  computer: RowComputer,
): Omit<AttributionGraph, 'timings'> {
  const sorted = [...chosen].sort((a, b) => a.column - b.column);
  const features = sorted.map((f) => layers[f.layer]!.active[f.index]!);
  const T = state.tokens.length;
  const layout = nodeLayout({ features, tokens: state.tokens, logits, config: c });
  const n = layout.n;
  // source column (of all active features, errors, tokens) -> node index
  const nodeOfColumn = new Int32Array(computer.columns).fill(-1);
  sorted.forEach((f, i) => {
    nodeOfColumn[f.column] = i;
  });
  for (let l = 0; l < c.nLayers; l++)
    for (let t = 0; t < T; t++) nodeOfColumn[computer.errorColumn(l, t)] = layout.error(l, t);
  for (let t = 0; t < T; t++) nodeOfColumn[computer.tokenColumn(t)] = layout.token(t);
  const featureNode = new Map(sorted.map((f, i) => [f.column, i]));
  const adjacency = new Float32Array(n * n);
  rows.forEach((row, r) => {
    const col = rowColumn[r]!;
    const target = col === -1 ? layout.logit(r) : featureNode.get(col)!;
    const base = target * n;
    for (let j = 0; j < row.length; j++) {
      const v = row[j]!;
      if (v === 0) continue;
      const node = nodeOfColumn[j]!;
      if (node >= 0) adjacency[base + node] = v;
    }
  });
  const activeFeatures = layers.reduce((s, lf) => s + lf.active.length, 0);
  return { config: c, tokens: state.tokens, features, activeFeatures, logits, n, adjacency };
}
