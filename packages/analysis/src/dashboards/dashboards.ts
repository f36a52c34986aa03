/**
 * Feature dashboards over a corpus: for every SAE feature, its top-activating contexts with per-token values,
 * a few contexts from each activation quantile, the activation density and histogram, and its direct logit
 * effects (W_dec times the unembedding). The state between batches is plain data, so a job can checkpoint it and
 * resume where it stopped.
 */
import type { HookedGPT2 } from '../model/hooked.js';
import { nodeOrt } from '../runtime/node.js';
import { SaeSession } from '../sae/graph.js';
import type { Sae } from '../sae/sae.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { type LogitEffects, logitEffects } from './logits.js';

export interface DashboardOptions {
  /** Tokens per context (BOS included when the SAE prepends it). */
  contextTokens?: number;
  /** Contexts per model run. */
  batchSize?: number;
  /** Top contexts kept per feature. */
  topContexts?: number;
  /** Random firing contexts kept per feature, from which the quantile examples are drawn. */
  reservoir?: number;
  /** Quantile bins and examples per bin. */
  quantileBins?: number;
  perBin?: number;
  histogramBins?: number;
  logitTokens?: number;
  seed?: number;
}

export interface FeatureContext {
  tokens: string[];
  /** Activation per token, rounded to 4 significant digits. */
  values: number[];
  max: number;
}

export interface FeatureDashboard {
  index: number;
  maxActivation: number;
  /** Share of tokens on which the feature is non-zero. */
  density: number;
  /** Log10-spaced bins over non-zero activations: edges (bins + 1) and counts. */
  histogram: { edges: number[]; counts: number[] };
  topContexts: FeatureContext[];
  /** Bins from the weakest to the strongest activations; each a few example contexts. */
  quantiles: { from: number; to: number; contexts: FeatureContext[] }[];
  topLogits: { token: string; value: number }[];
  bottomLogits: { token: string; value: number }[];
}

/** Accumulated over batches; JSON-serialisable for checkpoints. */
export interface DashboardState {
  contextsDone: number;
  tokensSeen: number;
  /** Per feature: firing token count. */
  fires: number[];
  /** Per feature: activation values seen (for the histogram), as log10 bin counts over [1e-4, 1e3]. */
  hist: number[][];
  top: FeatureContext[][];
  reservoir: FeatureContext[][];
  /** Per feature: how many firing contexts the reservoir has seen. */
  seenContexts: number[];
  rng: number;
}

const HIST_MIN_LOG = -4;
const HIST_MAX_LOG = 3;

const round4 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(4)));

export function emptyDashboardState(dSae: number, histogramBins: number, seed: number): DashboardState {
  return {
    contextsDone: 0,
    tokensSeen: 0,
    fires: new Array(dSae).fill(0),
    hist: Array.from({ length: dSae }, () => new Array(histogramBins).fill(0)),
    top: Array.from({ length: dSae }, () => []),
    reservoir: Array.from({ length: dSae }, () => []),
    seenContexts: new Array(dSae).fill(0),
    rng: seed >>> 0 || 1,
  };
}

/** xorshift32: reservoir sampling must be reproducible across resumes, so its state lives in DashboardState. */
function nextRandom(state: DashboardState): number {
  let x = state.rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state.rng = x >>> 0;
  return state.rng / 2 ** 32;
}

/** Splits a corpus into contexts of `length` token ids (BOS first when asked), dropping a short tail. */
export function corpusContexts(
  tokenizer: TextTokenizer,
  corpus: string,
  length: number,
  bos: number | null,
): number[][] {
  const body = bos === null ? length : length - 1;
  const ids: number[] = [];
  for (const line of corpus.split('\n')) if (line.trim()) ids.push(...tokenizer.encode(`${line}\n`));
  const contexts: number[][] = [];
  for (let start = 0; start + body <= ids.length; start += body) {
    const slice = ids.slice(start, start + body);
    contexts.push(bos === null ? slice : [bos, ...slice]);
  }
  return contexts;
}

export interface DashboardRun {
  model: HookedGPT2;
  tokenizer: TextTokenizer;
  sae: Sae;
  contexts: number[][];
  /** The unembedding [vocab, d_model] (GPT-2: wte), for logit effects. */
  unembedding: Float32Array;
  centerResidual: boolean;
  options?: DashboardOptions;
  /** Resume from here (a checkpoint). */
  state?: DashboardState;
  onProgress?: (stage: string, percent: number) => void | Promise<void>;
  /** Called after each batch with the state so far: save it to resume later. */
  onCheckpoint?: (state: DashboardState) => void | Promise<void>;
  signal?: AbortSignal;
}

export async function computeDashboards(run: DashboardRun): Promise<FeatureDashboard[]> {
  const o = {
    contextTokens: 32,
    batchSize: 16,
    topContexts: 10,
    reservoir: 40,
    quantileBins: 5,
    perBin: 3,
    histogramBins: 28,
    logitTokens: 10,
    seed: 1,
    ...run.options,
  };
  const { model, tokenizer, sae, contexts } = run;
  const { dSae, dIn, hookName } = sae.config;
  const state = run.state ?? emptyDashboardState(dSae, o.histogramBins, o.seed);
  const session = await SaeSession.create(nodeOrt, sae, { rows: o.batchSize * o.contextTokens, threads: 2 });
  try {
    for (let start = state.contextsDone; start < contexts.length; start += o.batchSize) {
      if (run.signal?.aborted) throw new Error('cancelled');
      const batch = contexts.slice(start, start + o.batchSize);
      const out = await model.run(batch, { hooks: [hookName], logits: false, centerResid: run.centerResidual });
      const hook = out.hooks.get(hookName)!;
      const seq = hook.shape[1]!;
      // Rows of real tokens only (sequences can be right-padded).
      const rows: { context: number; position: number }[] = [];
      const x = new Float32Array(batch.reduce((n, c) => n + c.length, 0) * dIn);
      for (const [b, context] of batch.entries()) {
        for (let p = 0; p < context.length; p++) {
          x.set(hook.data.subarray((b * seq + p) * dIn, (b * seq + p + 1) * dIn), rows.length * dIn);
          rows.push({ context: b, position: p });
        }
      }
      const { features } = await session.encode(x, rows.length);
      accumulate(state, features, rows, batch, tokenizer, o);
      state.contextsDone = Math.min(contexts.length, start + o.batchSize);
      await run.onCheckpoint?.(state);
      await run.onProgress?.('encoding the corpus', (90 * state.contextsDone) / contexts.length);
    }
  } finally {
    await session.release();
  }
  await run.onProgress?.('logit effects', 92);
  const effects = await logitEffects(nodeOrt, sae.weights.W_dec, run.unembedding, dIn, o.logitTokens, { threads: 2 });
  const logits = logitLists(effects, tokenizer);
  return Array.from({ length: dSae }, (_, f) => finish(state, f, logits(f), o));
}

function accumulate(
  state: DashboardState,
  features: Float32Array,
  rows: { context: number; position: number }[],
  batch: number[][],
  tokenizer: TextTokenizer,
  o: Required<DashboardOptions>,
): void {
  const dSae = state.fires.length;
  state.tokensSeen += rows.length;
  // Per feature, per context in the batch: the context's activations, built only for features that fire there.
  const perContext = new Map<number, Map<number, Float32Array>>();
  for (const [r, { context, position }] of rows.entries()) {
    const base = r * dSae;
    for (let f = 0; f < dSae; f++) {
      const v = features[base + f]!;
      if (v <= 0) continue;
      state.fires[f]!++;
      const bin = Math.floor(((Math.log10(v) - HIST_MIN_LOG) / (HIST_MAX_LOG - HIST_MIN_LOG)) * o.histogramBins);
      state.hist[f]![Math.max(0, Math.min(o.histogramBins - 1, bin))]!++;
      let byContext = perContext.get(f);
      if (!byContext) {
        byContext = new Map();
        perContext.set(f, byContext);
      }
      let values = byContext.get(context);
      if (!values) {
        values = new Float32Array(batch[context]!.length);
        byContext.set(context, values);
      }
      values[position] = v;
    }
  }
  const texts = new Map<number, string[]>();
  const textOf = (c: number) => {
    let t = texts.get(c);
    if (!t) {
      t = tokenizer.tokenTexts(batch[c]!);
      texts.set(c, t);
    }
    return t;
  };
  for (const [f, byContext] of perContext) {
    for (const [c, values] of byContext) {
      let max = 0;
      for (const v of values) if (v > max) max = v;
      const top = state.top[f]!;
      const makeContext = (): FeatureContext => ({
        tokens: textOf(c),
        values: Array.from(values, round4),
        max: round4(max),
      });
      if (top.length < o.topContexts || max > top.at(-1)!.max) {
        top.push(makeContext());
        top.sort((a, b) => b.max - a.max);
        if (top.length > o.topContexts) top.pop();
      }
      // Reservoir sampling (algorithm R) of firing contexts, for the quantile examples.
      const seen = ++state.seenContexts[f]!;
      const reservoir = state.reservoir[f]!;
      if (reservoir.length < o.reservoir) reservoir.push(makeContext());
      else {
        const slot = Math.floor(nextRandom(state) * seen);
        if (slot < o.reservoir) reservoir[slot] = makeContext();
      }
    }
  }
}

/** Token texts of the logit effects, decoded once per distinct token. */
function logitLists(effects: LogitEffects, tokenizer: TextTokenizer) {
  const { k } = effects;
  const distinct = [...new Set([...effects.topIds, ...effects.bottomIds])];
  const texts = new Map(tokenizer.tokenTexts(distinct).map((t, i) => [distinct[i]!, t]));
  const list = (ids: Uint32Array, values: Float32Array, f: number) =>
    Array.from({ length: k }, (_, j) => ({ token: texts.get(ids[f * k + j]!)!, value: round4(values[f * k + j]!) }));
  return (f: number) => ({
    top: list(effects.topIds, effects.topValues, f),
    bottom: list(effects.bottomIds, effects.bottomValues, f),
  });
}

function finish(
  state: DashboardState,
  f: number,
  logits: { top: { token: string; value: number }[]; bottom: { token: string; value: number }[] },
  o: Required<DashboardOptions>,
): FeatureDashboard {
  const top = state.top[f]!;
  const sample = [...state.reservoir[f]!].sort((a, b) => a.max - b.max);
  const quantiles: FeatureDashboard['quantiles'] = [];
  if (sample.length) {
    const bins = Math.min(o.quantileBins, sample.length);
    for (let b = 0; b < bins; b++) {
      const from = Math.floor((b * sample.length) / bins);
      const to = Math.floor(((b + 1) * sample.length) / bins);
      const slice = sample.slice(from, to);
      quantiles.push({ from: slice[0]!.max, to: slice.at(-1)!.max, contexts: slice.slice(-o.perBin) });
    }
  }
  const step = (HIST_MAX_LOG - HIST_MIN_LOG) / o.histogramBins;
  return {
    index: f,
    maxActivation: top[0]?.max ?? 0,
    density: state.tokensSeen ? state.fires[f]! / state.tokensSeen : 0,
    histogram: {
      edges: Array.from({ length: o.histogramBins + 1 }, (_, i) => round4(10 ** (HIST_MIN_LOG + i * step))),
      counts: state.hist[f]!,
    },
    topContexts: top,
    quantiles,
    topLogits: logits.top,
    bottomLogits: logits.bottom,
  };
}
