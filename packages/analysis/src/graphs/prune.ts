/**
 * Pruning and scores of an attribution graph, as circuit-tracer defines them (graph.py): influence on the logits
 * through the row-normalised absolute adjacency matrix (A + A^2 + ..., weighted by the logits' probabilities),
 * nodes kept by cumulative influence (default 0.8), edges by cumulative edge influence (default 0.98), then nodes
 * left without outgoing edges (or features without incoming ones) dropped until nothing changes; and the
 * replacement and completeness scores. Matrices are dense [n, n], rows targets, columns sources.
 */

import type { AttributionGraph } from './attribution.js';

/** |A| with each row divided by its sum (rows summing to less than 1e-10 divided by 1e-10). */
export function normalizeRows(a: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * n;
    for (let j = 0; j < n; j++) s += Math.abs(a[base + j]!);
    if (s === 0) continue;
    const inv = 1 / Math.max(s, 1e-10);
    for (let j = 0; j < n; j++) out[base + j] = Math.abs(a[base + j]!) * inv;
  }
  return out;
}

/**
 * w A + w A^2 + ... for a normalised matrix of a DAG (the series ends after at most n terms): the influence of
 * each node on the weighted targets through every path.
 */
export function influence(
  normalized: Float32Array,
  n: number,
  weights: Float64Array,
  order?: readonly number[],
): Float64Array {
  return (order && influenceInOrder(normalized, n, weights, order)) ?? influenceBySeries(normalized, n, weights);
}

/**
 * The same sum in one pass over the rows in `order`, targets before their sources (for an attribution graph:
 * logits, then features from the last layer down; errors and tokens have no inputs), so each node's influence is
 * complete before its row spreads it. Null when the order is not such an order (a row reaches a node already
 * visited).
 */
function influenceInOrder(
  normalized: Float32Array,
  n: number,
  weights: Float64Array,
  order: readonly number[],
): Float64Array | null {
  const total = new Float64Array(n);
  const done = new Uint8Array(n);
  for (const i of order) {
    done[i] = 1;
    const base = i * n;
    const w = total[i]! + weights[i]!;
    for (let j = 0; j < n; j++) {
      const v = normalized[base + j]!;
      if (v === 0) continue;
      if (done[j]) return null;
      total[j]! += w * v;
    }
  }
  return total;
}

/** Targets before sources in circuit-tracer's layout: logits, features last to first (layer order), the rest. */
export function targetOrder(shape: GraphShape): number[] {
  const { n, features: F, logits: NL } = shape;
  const order: number[] = [];
  for (let i = n - 1; i >= n - NL; i--) order.push(i);
  for (let i = F - 1; i >= 0; i--) order.push(i);
  for (let i = F; i < n - NL; i++) order.push(i);
  return order;
}

function influenceBySeries(normalized: Float32Array, n: number, weights: Float64Array): Float64Array {
  const total = new Float64Array(n);
  let current = weights;
  for (let iter = 0; iter <= n; iter++) {
    const next = new Float64Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const w = current[i]!;
      if (w === 0) continue;
      const base = i * n;
      for (let j = 0; j < n; j++) {
        const v = normalized[base + j]!;
        if (v !== 0) next[j]! += w * v;
      }
    }
    for (let j = 0; j < n; j++) {
      if (next[j] === 0) continue;
      total[j]! += next[j]!;
      any = true;
    }
    if (!any) return total;
    current = next;
  }
  throw new Error('influence did not converge: the graph has a cycle');
}

/**
 * The smallest score kept when keeping the highest scores until their cumulative share reaches `threshold`
 * (circuit-tracer's find_threshold: searchsorted on the cumulative share, the index capped at the last score).
 */
export function findThreshold(scores: ArrayLike<number>, threshold: number): number {
  const candidates = topShare(scores, threshold);
  if (candidates) return candidates;
  const sorted = Float64Array.from(scores).sort().reverse();
  let total = 0;
  for (const s of sorted) total += s;
  let cumulative = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i]!;
    if (cumulative / total >= threshold) return sorted[i]!;
  }
  return sorted[sorted.length - 1] ?? 0;
}

/**
 * findThreshold for many non-negative scores without sorting them all: scores are binned by binary exponent, the
 * bins summed from the top until the share is reached, and only the bin where it is reached is sorted. Null for few
 * scores (a plain sort is as fast) or where a score is negative.
 */
function topShare(scores: ArrayLike<number>, threshold: number): number | null {
  const n = scores.length;
  if (n < 100_000) return null;
  const BINS = 2100; // exponents from -1074 to 1023, shifted
  const sums = new Float64Array(BINS);
  const bin = (v: number) => (v === 0 ? 0 : Math.min(BINS - 1, Math.max(1, Math.floor(Math.log2(v)) + 1076)));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = scores[i]!;
    if (v < 0) return null;
    sums[bin(v)]! += v;
    total += v;
  }
  let above = 0;
  let b = BINS - 1;
  for (; b > 0; b--) {
    if ((above + sums[b]!) / total >= threshold) break;
    above += sums[b]!;
  }
  const inBin: number[] = [];
  for (let i = 0; i < n; i++) if (bin(scores[i]!) === b) inBin.push(scores[i]!);
  inBin.sort((x, y) => y - x);
  let cumulative = above;
  for (const v of inBin) {
    cumulative += v;
    if (cumulative / total >= threshold) return v;
  }
  return inBin.at(-1) ?? 0;
}

/** The shape `pruneGraph` and `graphScores` read off an attribution graph. */
export function graphShape(graph: AttributionGraph): GraphShape {
  return {
    n: graph.n,
    features: graph.features.length,
    tokens: graph.tokens.length,
    logits: graph.logits.length,
    logitProbabilities: graph.logits.map((l) => l.probability),
  };
}

export interface GraphShape {
  n: number;
  features: number;
  tokens: number;
  logits: number;
  /** Probabilities of the logit nodes (the last `logits` nodes). */
  logitProbabilities: ArrayLike<number>;
}

export interface PruneResult {
  nodeMask: Uint8Array;
  /** [n, n], as the adjacency matrix. */
  edgeMask: Uint8Array;
  /** Influence of each node on the logits (unpruned graph). */
  nodeInfluence: Float64Array;
  /** Each node's cumulative share of influence when nodes are sorted by influence (as circuit-tracer reports). */
  cumulativeScores: Float64Array;
}

function logitWeights(shape: GraphShape): Float64Array {
  const w = new Float64Array(shape.n);
  for (let i = 0; i < shape.logits; i++) w[shape.n - shape.logits + i] = shape.logitProbabilities[i]!;
  return w;
}

/** circuit-tracer's prune_graph. */
export function pruneGraph(
  adjacency: Float32Array,
  shape: GraphShape,
  nodeThreshold = 0.8,
  edgeThreshold = 0.98,
): PruneResult {
  for (const [name, v] of [
    ['node threshold', nodeThreshold],
    ['edge threshold', edgeThreshold],
  ] as const)
    if (!(v >= 0 && v <= 1)) throw new Error(`${name} must be between 0 and 1, got ${v}`);
  const { n, features: F, tokens: T, logits: NL } = shape;
  const weights = logitWeights(shape);
  const order = targetOrder(shape);
  const nodeInfluence = influence(normalizeRows(adjacency, n), n, weights, order);
  const nodeCut = findThreshold(nodeInfluence, nodeThreshold);
  const nodeMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) nodeMask[i] = nodeInfluence[i]! >= nodeCut ? 1 : 0;
  // Tokens and logits are always kept.
  for (let i = n - NL - T; i < n; i++) nodeMask[i] = 1;

  const pruned = new Float32Array(adjacency);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (!nodeMask[i] || !nodeMask[j]) pruned[i * n + j] = 0;
  const normalized = normalizeRows(pruned, n);
  const through = influence(normalized, n, weights, order);
  for (let i = 0; i < n; i++) through[i]! += weights[i]!;
  const edgeScores = new Float32Array(n * n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (through[i] === 0) continue;
    for (let j = 0; j < n; j++) {
      const s = normalized[i * n + j]! * through[i]!;
      edgeScores[i * n + j] = s;
      if (s > 0) count++;
    }
  }
  // Zero scores sort last and add nothing to the cumulative share: the threshold is found among the others.
  const nonzero = new Float32Array(count);
  count = 0;
  for (let k = 0; k < n * n; k++) if (edgeScores[k]! > 0) nonzero[count++] = edgeScores[k]!;
  const edgeCut = nonzero.length ? findThreshold(nonzero, edgeThreshold) : Number.POSITIVE_INFINITY;
  const edgeMask = new Uint8Array(n * n);
  for (let k = 0; k < n * n; k++) edgeMask[k] = edgeScores[k]! >= edgeCut && edgeScores[k]! > 0 ? 1 : 0;

  const sourcesEnd = n - NL - T; // features and errors
  const hasOut = (j: number) => {
    for (let i = 0; i < n; i++) if (edgeMask[i * n + j]) return true;
    return false;
  };
  const hasIn = (i: number) => {
    for (let j = 0; j < n; j++) if (edgeMask[i * n + j]) return true;
    return false;
  };
  const trim = () => {
    let changed = false;
    for (let j = 0; j < sourcesEnd; j++)
      if (nodeMask[j] && !hasOut(j)) {
        nodeMask[j] = 0;
        changed = true;
      }
    for (let i = 0; i < F; i++)
      if (nodeMask[i] && !hasIn(i)) {
        nodeMask[i] = 0;
        changed = true;
      }
    return changed;
  };
  // Each pass can leave new nodes without edges (at most n_layers + 1 passes).
  while (trim()) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (!nodeMask[i] || !nodeMask[j]) edgeMask[i * n + j] = 0;
  }

  const byInfluence = Array.from({ length: n }, (_, i) => i).sort((a, b) => nodeInfluence[b]! - nodeInfluence[a]!);
  let total = 0;
  for (const v of nodeInfluence) total += v;
  const cumulativeScores = new Float64Array(n);
  let run = 0;
  for (const i of byInfluence) {
    run += nodeInfluence[i]!;
    cumulativeScores[i] = total > 0 ? run / total : 0;
  }
  return { nodeMask, edgeMask, nodeInfluence, cumulativeScores };
}

export interface GraphScores {
  /** Share of the tokens' and errors' influence on the logits that is the tokens'. */
  replacement: number;
  /** Influence-weighted share of each node's inputs that does not come from error nodes. */
  completeness: number;
}

/** circuit-tracer's compute_graph_scores on an unpruned graph with `layers` error nodes per token. */
export function graphScores(adjacency: Float32Array, shape: GraphShape, layers: number): GraphScores {
  const { n, features: F, tokens: T } = shape;
  const errorStart = F;
  const errorEnd = F + layers * T;
  const tokenEnd = errorEnd + T;
  const weights = logitWeights(shape);
  const normalized = normalizeRows(adjacency, n);
  const inf = influence(normalized, n, weights, targetOrder(shape));
  let tokens = 0;
  let errors = 0;
  for (let i = errorEnd; i < tokenEnd; i++) tokens += inf[i]!;
  for (let i = errorStart; i < errorEnd; i++) errors += inf[i]!;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    let fromErrors = 0;
    for (let j = errorStart; j < errorEnd; j++) fromErrors += normalized[i * n + j]!;
    const out = inf[i]! + weights[i]!;
    num += (1 - fromErrors) * out;
    den += out;
  }
  return { replacement: tokens / (tokens + errors), completeness: num / den };
}

/**
 * The step every attribution graph ends with: prune it (thresholds as pruneGraph's) and score the unpruned graph,
 * the time both take recorded as `graph.timings.prune_s`.
 */
export function pruneAndScore(
  graph: AttributionGraph,
  nodeThreshold?: number,
  edgeThreshold?: number,
): { pruned: PruneResult; scores: GraphScores } {
  const shape = graphShape(graph);
  const t0 = performance.now();
  const pruned = pruneGraph(graph.adjacency, shape, nodeThreshold, edgeThreshold);
  const scores = graphScores(graph.adjacency, shape, graph.config.nLayers);
  graph.timings.prune_s = +((performance.now() - t0) / 1000).toFixed(3);
  return { pruned, scores };
}
