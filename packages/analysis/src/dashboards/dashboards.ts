/**
 * Feature dashboards over a corpus: for every SAE feature, its top-activating contexts with per-token values,
 * a few contexts from each activation quantile, the activation density and histogram, and its direct logit
 * effects (W_dec times the unembedding). Several SAEs of one model share one pass: each batch runs the model once
 * with every SAE's hook and feeds each SAE its own. The state between batches lives in typed arrays (state.ts),
 * so a job can checkpoint it and resume where it stopped; token text is decoded only when dashboards are written.
 */
import type { HookedGPT2 } from '../model/hooked.js';
import { nodeOrt } from '../runtime/node.js';
import type { OrtModule } from '../runtime/session.js';
import { SaeSession } from '../sae/graph.js';
import type { Sae } from '../sae/sae.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { type LogitEffects, LogitEffectsSession } from './logits.js';
import {
  accumulateBatch,
  checkDashboardState,
  type DashboardShape,
  type DashboardState,
  emptyDashboardState,
  HIST_MAX_LOG,
  HIST_MIN_LOG,
  type KeptContext,
  sampledContextsOf,
  topContextsOf,
} from './state.js';

export {
  type DashboardState,
  decodeDashboardState,
  emptyDashboardState,
  encodeDashboardState,
} from './state.js';

export interface DashboardOptions {
  /** Tokens per context (BOS included when the SAE prepends it); longer contexts raise it to their length. */
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
  /** ORT threads for the SAE encode and the logit effects (default 2). */
  threads?: number;
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

const round4 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(4)));

/** Splits a corpus into contexts of `length` token ids (BOS first when asked), dropping a short tail. */
export function corpusContexts(
  tokenizer: TextTokenizer,
  corpus: string,
  length: number,
  bos: number | null,
): number[][] {
  const ids: number[] = [];
  for (const line of corpus.split('\n')) if (line.trim()) ids.push(...tokenizer.encode(`${line}\n`));
  return cutContexts(ids, length, bos);
}

/**
 * corpusContexts, awaiting `pause` whenever about `pauseEveryMs` of tokenizing has passed: a server that tokenizes
 * on its event loop lets requests in there (the demo corpus takes ~300 ms in one go).
 */
export async function corpusContextsWithPauses(
  tokenizer: TextTokenizer,
  corpus: string,
  length: number,
  bos: number | null,
  pause: () => Promise<void>,
  pauseEveryMs = 10,
): Promise<number[][]> {
  const ids: number[] = [];
  let sliceStart = performance.now();
  for (const line of corpus.split('\n')) {
    if (!line.trim()) continue;
    ids.push(...tokenizer.encode(`${line}\n`));
    if (performance.now() - sliceStart > pauseEveryMs) {
      await pause();
      sliceStart = performance.now();
    }
  }
  return cutContexts(ids, length, bos);
}

function cutContexts(ids: number[], length: number, bos: number | null): number[][] {
  const body = bos === null ? length : length - 1;
  const contexts: number[][] = [];
  for (let start = 0; start + body <= ids.length; start += body) {
    const slice = ids.slice(start, start + body);
    contexts.push(bos === null ? slice : [bos, ...slice]);
  }
  return contexts;
}

export interface MultiDashboardRun {
  model: HookedGPT2;
  tokenizer: TextTokenizer;
  /** SAEs of `model`, each on its own hook (several may share one). */
  saes: Sae[];
  contexts: number[][];
  /** The unembedding [vocab, d_model] (GPT-2: wte), for logit effects. */
  unembedding: Float32Array;
  centerResidual: boolean;
  options?: DashboardOptions;
  /** Resume from here (a checkpoint): one state per SAE, in `saes` order. */
  states?: DashboardState[];
  /** `tokensDone`: during the pass over the corpus, the tokens encoded so far (a resumed run's included). */
  onProgress?: (stage: string, percent: number, tokensDone?: number) => void | Promise<void>;
  /** Called after each batch with every SAE's state so far: save them to resume later. */
  onCheckpoint?: (states: DashboardState[]) => void | Promise<void>;
  signal?: AbortSignal;
  /**
   * Where the SAE encoders and the logit effects run (default onnxruntime-node on this thread); threadedNodeOrt
   * keeps a server's event loop free while they do. The model runs on its own runtime.
   */
  ort?: OrtModule;
}

/** Seconds spent per stage of a run (the benchmark's breakdown). */
export interface DashboardTimings {
  forward: number;
  encode: number;
  accumulate: number;
  /** Per SAE; the first includes compiling the unembedding. */
  logitEffects: number[];
}

/** One SAE's finished dashboards: built per feature on demand, so all of them need not be in memory at once. */
export interface SaeDashboards {
  sae: Sae;
  features: number;
  state: DashboardState;
  dashboard(feature: number): FeatureDashboard;
}

type Options = Required<DashboardOptions>;

function withDefaults(options: DashboardOptions | undefined): Options {
  return {
    contextTokens: 32,
    batchSize: 16,
    topContexts: 10,
    reservoir: 40,
    quantileBins: 5,
    perBin: 3,
    histogramBins: 28,
    logitTokens: 10,
    seed: 1,
    threads: 2,
    ...options,
  };
}

/** Dashboards of several SAEs of one model in one pass over the corpus. */
export async function computeDashboardsForSaes(
  run: MultiDashboardRun,
): Promise<{ results: SaeDashboards[]; timings: DashboardTimings }> {
  const o = withDefaults(run.options);
  const { saes, contexts } = run;
  if (!saes.length) throw new Error('dashboards: no SAEs');
  const contextTokens = contexts.reduce((m, c) => Math.max(m, c.length), o.contextTokens);
  const states = saes.map((sae, i) => {
    const shape: DashboardShape = {
      dSae: sae.config.dSae,
      topK: o.topContexts,
      reservoir: o.reservoir,
      contextTokens,
      histogramBins: o.histogramBins,
    };
    const resumed = run.states?.[i];
    if (!resumed) return emptyDashboardState(shape, contexts, o.seed);
    checkDashboardState(resumed, shape, contexts);
    return resumed;
  });
  if (new Set(states.map((s) => s.contextsDone)).size > 1)
    throw new Error('dashboards: the checkpoints of one run stopped at different contexts');
  const timings: DashboardTimings = { forward: 0, encode: 0, accumulate: 0, logitEffects: [] };
  const sessions: SaeSession[] = [];
  try {
    for (const sae of saes)
      sessions.push(
        await SaeSession.create(run.ort ?? nodeOrt, sae, { rows: o.batchSize * contextTokens, threads: o.threads }),
      );
    await encodeCorpus(run, o, states, sessions, timings);
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  await run.onProgress?.('logit effects', 92);
  const effects = await logitEffectsOf(run.ort ?? nodeOrt, saes, run.unembedding, o, timings.logitEffects);
  const texts = contextTexts(run.tokenizer, contexts);
  const results = saes.map((sae, i): SaeDashboards => {
    const logits = logitLists(effects[i]!, run.tokenizer);
    return {
      sae,
      features: sae.config.dSae,
      state: states[i]!,
      dashboard: (f) => finish(states[i]!, f, logits(f), texts, o),
    };
  });
  return { results, timings };
}

/** The pass over the corpus: per batch, one model run for every hook, then each SAE's encode and accumulate. */
async function encodeCorpus(
  run: MultiDashboardRun,
  o: Options,
  states: DashboardState[],
  sessions: SaeSession[],
  timings: DashboardTimings,
): Promise<void> {
  const { model, saes, contexts } = run;
  const hooks = [...new Set(saes.map((s) => s.config.hookName))];
  for (let start = states[0]!.contextsDone; start < contexts.length; start += o.batchSize) {
    if (run.signal?.aborted) throw new Error('cancelled');
    const batch = contexts.slice(start, start + o.batchSize);
    const ids = batch.map((_, b) => start + b);
    const lengths = batch.map((c) => c.length);
    let t = performance.now();
    const out = await model.run(batch, { hooks, logits: false, centerResid: run.centerResidual });
    timings.forward += (performance.now() - t) / 1000;
    for (const [i, sae] of saes.entries()) {
      const hook = out.hooks.get(sae.config.hookName)!;
      const x = realRows(hook.data, hook.shape[1]!, lengths, sae.config.dIn);
      t = performance.now();
      const { features } = await sessions[i]!.encode(x, x.length / sae.config.dIn);
      timings.encode += (performance.now() - t) / 1000;
      t = performance.now();
      accumulateBatch(states[i]!, features, ids, lengths);
      timings.accumulate += (performance.now() - t) / 1000;
    }
    for (const s of states) s.contextsDone = Math.min(contexts.length, start + o.batchSize);
    await run.onCheckpoint?.(states);
    await run.onProgress?.(
      'encoding the corpus',
      (90 * states[0]!.contextsDone) / contexts.length,
      states[0]!.tokensSeen,
    );
  }
}

/** Hook rows of real tokens only ([batch, seq, d] with right-padded sequences); no copy when nothing is padded. */
function realRows(data: Float32Array, seq: number, lengths: number[], d: number): Float32Array {
  if (lengths.every((l) => l === seq)) return data.subarray(0, lengths.length * seq * d);
  const x = new Float32Array(lengths.reduce((n, l) => n + l, 0) * d);
  let row = 0;
  for (const [b, len] of lengths.entries()) {
    x.set(data.subarray(b * seq * d, (b * seq + len) * d), row * d);
    row += len;
  }
  return x;
}

/** Every SAE's logit effects through one compiled unembedding. */
async function logitEffectsOf(
  ort: OrtModule,
  saes: Sae[],
  unembedding: Float32Array,
  o: Options,
  seconds: number[],
): Promise<LogitEffects[]> {
  let t = performance.now();
  const dIn = saes[0]!.config.dIn;
  if (saes.some((s) => s.config.dIn !== dIn)) throw new Error('dashboards: SAEs of one run must share d_in');
  const session = await LogitEffectsSession.create(ort, unembedding, dIn, o.logitTokens, {
    threads: o.threads,
    chunk: Math.min(256, Math.max(...saes.map((s) => s.config.dSae))),
  });
  try {
    const out: LogitEffects[] = [];
    for (const sae of saes) {
      out.push(await session.effects(sae.weights.W_dec));
      seconds.push((performance.now() - t) / 1000);
      t = performance.now();
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Token texts of a context, decoded on first use and shared by every feature that keeps it. */
function contextTexts(tokenizer: TextTokenizer, contexts: number[][]): (context: number) => string[] {
  const cache = new Map<number, string[]>();
  return (c) => {
    let t = cache.get(c);
    if (!t) {
      t = tokenizer.tokenTexts(contexts[c]!);
      cache.set(c, t);
    }
    return t;
  };
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

function featureContext(kept: KeptContext, texts: (context: number) => string[]): FeatureContext {
  const tokens = texts(kept.context);
  return { tokens, values: Array.from(kept.values.subarray(0, tokens.length), round4), max: round4(kept.max) };
}

function finish(
  state: DashboardState,
  f: number,
  logits: { top: { token: string; value: number }[]; bottom: { token: string; value: number }[] },
  texts: (context: number) => string[],
  o: Options,
): FeatureDashboard {
  const bins = state.histogramBins;
  const top = topContextsOf(state, f).map((c) => featureContext(c, texts));
  const sample = sampledContextsOf(state, f);
  const quantiles: FeatureDashboard['quantiles'] = [];
  if (sample.length) {
    const count = Math.min(o.quantileBins, sample.length);
    for (let b = 0; b < count; b++) {
      const from = Math.floor((b * sample.length) / count);
      const to = Math.floor(((b + 1) * sample.length) / count);
      const slice = sample.slice(from, to);
      quantiles.push({
        from: round4(slice[0]!.max),
        to: round4(slice.at(-1)!.max),
        contexts: slice.slice(-o.perBin).map((c) => featureContext(c, texts)),
      });
    }
  }
  const step = (HIST_MAX_LOG - HIST_MIN_LOG) / bins;
  return {
    index: f,
    maxActivation: top[0]?.max ?? 0,
    density: state.tokensSeen ? state.fires[f]! / state.tokensSeen : 0,
    histogram: {
      edges: Array.from({ length: bins + 1 }, (_, i) => round4(10 ** (HIST_MIN_LOG + i * step))),
      counts: Array.from(state.hist.subarray(f * bins, (f + 1) * bins)),
    },
    topContexts: top,
    quantiles,
    topLogits: logits.top,
    bottomLogits: logits.bottom,
  };
}

export interface DashboardRun extends Omit<MultiDashboardRun, 'saes' | 'states' | 'onCheckpoint'> {
  sae: Sae;
  /** Resume from here (a checkpoint). */
  state?: DashboardState;
  /** Called after each batch with the state so far: save it to resume later. */
  onCheckpoint?: (state: DashboardState) => void | Promise<void>;
}

/** One SAE's dashboards, every feature's (computeDashboardsForSaes for several in one pass). */
export async function computeDashboards(run: DashboardRun): Promise<FeatureDashboard[]> {
  const { sae, state, onCheckpoint, ...rest } = run;
  const { results } = await computeDashboardsForSaes({
    ...rest,
    saes: [sae],
    states: state ? [state] : undefined,
    onCheckpoint: onCheckpoint && ((states) => onCheckpoint(states[0]!)),
  });
  const [result] = results;
  return Array.from({ length: result!.features }, (_, f) => result!.dashboard(f));
}
