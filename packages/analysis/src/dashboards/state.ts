/**
 * Per-feature dashboard state over a corpus, in flat typed arrays: firing counts, log10 histograms, each feature's
 * top contexts (a fixed-size min-heap) and a reservoir sample of its firing contexts. Contexts are referenced by
 * their index in the corpus's context list and their activations kept as float32, so the state of a 24,576-feature
 * SAE is a few hundred MB of arrays rather than millions of objects of strings; tokens become text only when the
 * dashboards are written. The state serialises to bytes for checkpoints.
 */

export interface DashboardShape {
  dSae: number;
  /** Top contexts kept per feature. */
  topK: number;
  /** Firing contexts sampled per feature (the quantile examples come from them). */
  reservoir: number;
  /** Longest context, in tokens: the stride of each kept context's activations. */
  contextTokens: number;
  histogramBins: number;
}

export interface DashboardState extends DashboardShape {
  version: 2;
  /** The corpus the context indices point into: a resume checks it is the same. */
  corpus: { contexts: number; fingerprint: number };
  contextsDone: number;
  tokensSeen: number;
  /** xorshift32 state of the reservoir sampling (reproducible across resumes). */
  rng: number;
  /** [dSae] tokens on which the feature fired. */
  fires: Float64Array;
  /** [dSae * histogramBins] counts over log10 bins of [1e-4, 1e3]. */
  hist: Uint32Array;
  /** [dSae] filled top slots. */
  topCount: Uint16Array;
  /** [dSae * topK] min-heap per feature of slot numbers, weakest context at the root. */
  topHeap: Uint16Array;
  /** [dSae * topK] per slot: max activation, context index. */
  topMax: Float32Array;
  topContext: Uint32Array;
  /** [dSae * topK * contextTokens] per slot: activation per token. */
  topValues: Float32Array;
  /** [dSae] firing contexts the reservoir has seen. */
  seenContexts: Float64Array;
  /** [dSae] filled reservoir slots. */
  resCount: Uint16Array;
  resMax: Float32Array;
  resContext: Uint32Array;
  resValues: Float32Array;
}

export const HIST_MIN_LOG = -4;
export const HIST_MAX_LOG = 3;

/** FNV-1a over the context lengths and ids: a resume against another corpus must fail, not mix contexts. */
export function contextsFingerprint(contexts: readonly (readonly number[])[]): number {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const c of contexts) {
    mix(c.length);
    for (const id of c) mix(id);
  }
  return h;
}

export function emptyDashboardState(
  shape: DashboardShape,
  contexts: readonly (readonly number[])[],
  seed: number,
): DashboardState {
  const { dSae, topK, reservoir, contextTokens, histogramBins } = shape;
  if (topK > 0xffff || reservoir > 0xffff) throw new Error('dashboards: at most 65,535 top or sampled contexts');
  return {
    version: 2,
    ...shape,
    corpus: { contexts: contexts.length, fingerprint: contextsFingerprint(contexts) },
    contextsDone: 0,
    tokensSeen: 0,
    rng: seed >>> 0 || 1,
    fires: new Float64Array(dSae),
    hist: new Uint32Array(dSae * histogramBins),
    topCount: new Uint16Array(dSae),
    topHeap: new Uint16Array(dSae * topK),
    topMax: new Float32Array(dSae * topK),
    topContext: new Uint32Array(dSae * topK),
    topValues: new Float32Array(dSae * topK * contextTokens),
    seenContexts: new Float64Array(dSae),
    resCount: new Uint16Array(dSae),
    resMax: new Float32Array(dSae * reservoir),
    resContext: new Uint32Array(dSae * reservoir),
    resValues: new Float32Array(dSae * reservoir * contextTokens),
  };
}

/** Throws unless `state` was made for this shape and corpus (a checkpoint from another run or corpus). */
export function checkDashboardState(
  state: DashboardState,
  shape: DashboardShape,
  contexts: readonly (readonly number[])[],
): void {
  for (const key of ['dSae', 'topK', 'reservoir', 'contextTokens', 'histogramBins'] as const) {
    if (state[key] !== shape[key])
      throw new Error(`dashboard checkpoint has ${key} ${state[key]}, this run ${shape[key]}: start afresh`);
  }
  if (state.corpus.contexts !== contexts.length || state.corpus.fingerprint !== contextsFingerprint(contexts))
    throw new Error('dashboard checkpoint was made over another corpus: start afresh');
}

/** xorshift32 in [0, 1). */
function nextRandom(state: DashboardState): number {
  let x = state.rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state.rng = x >>> 0;
  return state.rng / 2 ** 32;
}

/**
 * Adds one batch: `features` holds the rows of `contextIds` in order ([sum(lengths), dSae]), `lengths` each
 * context's token count. One scan of the rows counts firings and histograms and finds each feature's max per
 * context; then only the features that fired in a context are offered to its heap and reservoir.
 */
export function accumulateBatch(
  state: DashboardState,
  features: Float32Array,
  contextIds: readonly number[],
  lengths: readonly number[],
): void {
  const { dSae, histogramBins: bins, fires, hist } = state;
  const rows = lengths.reduce((a, b) => a + b, 0);
  if (features.length !== rows * dSae)
    throw new Error(`dashboards: ${features.length} feature values for ${rows} rows of ${dSae}`);
  const contextMax = new Float32Array(dSae);
  const touched = new Uint32Array(dSae);
  let row = 0;
  for (let c = 0; c < contextIds.length; c++) {
    const len = lengths[c]!;
    if (len > state.contextTokens)
      throw new Error(`dashboards: a context of ${len} tokens exceeds ${state.contextTokens}`);
    const firstRow = row;
    let nTouched = 0;
    for (; row < firstRow + len; row++) {
      const base = row * dSae;
      for (let f = 0; f < dSae; f++) {
        const v = features[base + f]!;
        if (!(v > 0)) continue;
        fires[f]!++;
        // The same float expression as the JSON-state version had, so histograms come out bin for bin the same.
        const bin = Math.floor(((Math.log10(v) - HIST_MIN_LOG) / (HIST_MAX_LOG - HIST_MIN_LOG)) * bins);
        hist[f * bins + (bin < 0 ? 0 : bin >= bins ? bins - 1 : bin)]!++;
        if (contextMax[f] === 0) touched[nTouched++] = f;
        if (v > contextMax[f]!) contextMax[f] = v;
      }
    }
    for (let i = 0; i < nTouched; i++) {
      const f = touched[i]!;
      const max = contextMax[f]!;
      contextMax[f] = 0;
      const top = offerTop(state, f, max, contextIds[c]!);
      if (top >= 0) copyActivations(state.topValues, top, state, features, firstRow, len, f);
      const res = offerReservoir(state, f, max, contextIds[c]!);
      if (res >= 0) copyActivations(state.resValues, res, state, features, firstRow, len, f);
    }
  }
  state.tokensSeen += rows;
}

/** Writes feature f's activations over one context into slot `slot` of `into` (zeros past the context's end). */
function copyActivations(
  into: Float32Array,
  slot: number,
  state: DashboardState,
  features: Float32Array,
  firstRow: number,
  len: number,
  f: number,
): void {
  const { contextTokens: L, dSae } = state;
  const at = slot * L;
  for (let p = 0; p < len; p++) into[at + p] = features[(firstRow + p) * dSae + f]!;
  into.fill(0, at + len, at + L);
}

/**
 * Offers a context to feature f's top list; returns the global slot to write its activations to, or -1. Weaker
 * means a lower max, or the same max and a later context: earlier contexts win ties, as contexts arrive in order.
 */
function offerTop(state: DashboardState, f: number, max: number, context: number): number {
  const { topK: K, topHeap: heap, topMax, topContext } = state;
  if (K === 0) return -1;
  const base = f * K;
  const weaker = (a: number, b: number) =>
    topMax[base + a]! < topMax[base + b]! ||
    (topMax[base + a] === topMax[base + b] && topContext[base + a]! > topContext[base + b]!);
  const n = state.topCount[f]!;
  let slot: number;
  if (n < K) {
    slot = n;
    state.topCount[f] = n + 1;
    topMax[base + slot] = max;
    topContext[base + slot] = context;
    // Sift up.
    let i = n;
    heap[base + i] = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!weaker(heap[base + i]!, heap[base + parent]!)) break;
      [heap[base + i], heap[base + parent]] = [heap[base + parent]!, heap[base + i]!];
      i = parent;
    }
    return base + slot;
  }
  slot = heap[base]!;
  if (!(max > topMax[base + slot]!)) return -1;
  topMax[base + slot] = max;
  topContext[base + slot] = context;
  // Sift down.
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= K) break;
    const r = l + 1;
    const child = r < K && weaker(heap[base + r]!, heap[base + l]!) ? r : l;
    if (!weaker(heap[base + child]!, heap[base + i]!)) break;
    [heap[base + i], heap[base + child]] = [heap[base + child]!, heap[base + i]!];
    i = child;
  }
  return base + slot;
}

/** Reservoir sampling (algorithm R) of feature f's firing contexts; returns the global slot to write, or -1. */
function offerReservoir(state: DashboardState, f: number, max: number, context: number): number {
  const R = state.reservoir;
  if (R === 0) return -1;
  const seen = ++state.seenContexts[f]!;
  const n = state.resCount[f]!;
  let slot: number;
  if (n < R) {
    slot = n;
    state.resCount[f] = n + 1;
  } else {
    slot = Math.floor(nextRandom(state) * seen);
    if (slot >= R) return -1;
  }
  state.resMax[f * R + slot] = max;
  state.resContext[f * R + slot] = context;
  return f * R + slot;
}

/** A kept context of one feature: its index in the corpus, max activation and per-token activations. */
export interface KeptContext {
  context: number;
  max: number;
  values: Float32Array;
}

/** Feature f's top contexts, strongest first (ties: the earlier context first). */
export function topContextsOf(state: DashboardState, f: number): KeptContext[] {
  const { topK: K, contextTokens: L } = state;
  const out: KeptContext[] = [];
  for (let s = 0; s < state.topCount[f]!; s++) {
    const at = f * K + s;
    out.push({
      context: state.topContext[at]!,
      max: state.topMax[at]!,
      values: state.topValues.subarray(at * L, (at + 1) * L),
    });
  }
  return out.sort((a, b) => b.max - a.max || a.context - b.context);
}

/** Feature f's sampled firing contexts, weakest first (ties: the earlier context first). */
export function sampledContextsOf(state: DashboardState, f: number): KeptContext[] {
  const { reservoir: R, contextTokens: L } = state;
  const out: KeptContext[] = [];
  for (let s = 0; s < state.resCount[f]!; s++) {
    const at = f * R + s;
    out.push({
      context: state.resContext[at]!,
      max: state.resMax[at]!,
      values: state.resValues.subarray(at * L, (at + 1) * L),
    });
  }
  return out.sort((a, b) => a.max - b.max || a.context - b.context);
}

const ARRAYS = [
  'fires',
  'hist',
  'topCount',
  'topHeap',
  'topMax',
  'topContext',
  'topValues',
  'seenContexts',
  'resCount',
  'resMax',
  'resContext',
  'resValues',
] as const;
type ArrayKey = (typeof ARRAYS)[number];

/** Bytes of a checkpoint: a JSON header of the scalars, then each array's bytes, each 8-byte aligned. */
export function encodeDashboardState(state: DashboardState): Uint8Array {
  const scalars: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) if (!ARRAYS.includes(key as ArrayKey)) scalars[key] = value;
  const header = new TextEncoder().encode(JSON.stringify(scalars));
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let size = align(8 + header.length);
  for (const key of ARRAYS) size += align(state[key].byteLength);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x44415348); // "DASH"
  view.setUint32(4, header.length);
  bytes.set(header, 8);
  let at = align(8 + header.length);
  for (const key of ARRAYS) {
    const a = state[key];
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += align(a.byteLength);
  }
  return bytes;
}

/** Reads `encodeDashboardState`'s bytes; throws on anything else (e.g. an older JSON checkpoint). */
export function decodeDashboardState(bytes: Uint8Array): DashboardState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== 0x44415348) throw new Error('not a dashboard checkpoint');
  const headerLength = view.getUint32(4);
  const scalars = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as DashboardState;
  if (scalars.version !== 2) throw new Error(`dashboard checkpoint version ${scalars.version} is not supported`);
  const fresh = emptyDashboardState(scalars, [], 1);
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let at = align(8 + headerLength);
  for (const key of ARRAYS) {
    const a = fresh[key];
    if (at + a.byteLength > bytes.length) throw new Error('dashboard checkpoint is truncated');
    new Uint8Array(a.buffer).set(bytes.subarray(at, at + a.byteLength));
    at += align(a.byteLength);
  }
  return { ...fresh, ...scalars, ...Object.fromEntries(ARRAYS.map((k) => [k, fresh[k]])) } as DashboardState;
}
