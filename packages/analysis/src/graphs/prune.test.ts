// Pruning and graph scores on hand-built graphs, with every expected value worked out by hand from circuit-tracer's
// definitions (graph.py): influence through the row-normalised |A|, node and edge thresholds by cumulative share,
// trimming of nodes left without edges, replacement and completeness scores.
import { describe, expect, it } from 'vitest';
import { findThreshold, graphScores, influence, normalizeRows, pruneGraph, targetOrder } from './prune.js';

/** A dense [n, n] matrix from (target, source, weight) triples. */
function matrix(n: number, edges: [number, number, number][]): Float32Array {
  const a = new Float32Array(n * n);
  for (const [t, s, w] of edges) a[t * n + s] = w;
  return a;
}

// Nodes: features f0 = 0, f1 = 1; errors (1 layer x 2 tokens) e0 = 2, e1 = 3; tokens t0 = 4, t1 = 5; logit L = 6.
const N = 7;
const A = matrix(N, [
  [6, 0, 3],
  [6, 1, -1],
  [6, 5, 1],
  [0, 4, 2],
  [0, 2, 2],
  [1, 5, 1],
  [1, 3, 3],
]);
const shape = { n: N, features: 2, tokens: 2, logits: 1, logitProbabilities: [0.8] };

describe('influence', () => {
  it('walks every path back from the logits through the normalised |A|', () => {
    const weights = new Float64Array(N);
    weights[6] = 0.8;
    // L's row normalised: f0 3/5, f1 1/5, t1 1/5; f0's: t0 1/2, e0 1/2; f1's: t1 1/4, e1 3/4.
    const expected = [0.48, 0.16, 0.24, 0.12, 0.24, 0.16 + 0.04, 0];
    // by the series w A + w A^2 + ..., and in one pass over the rows targets-first
    for (const order of [undefined, targetOrder(shape)]) {
      const got = influence(normalizeRows(A, N), N, weights, order);
      expected.forEach((v, i) => {
        expect(got[i]).toBeCloseTo(v, 6);
      });
    }
    // an order that visits a source before its target falls back to the series
    expect(influence(normalizeRows(A, N), N, weights, [0, 1, 2, 3, 4, 5, 6])[0]).toBeCloseTo(0.48, 6);
  });

  it('finds the score at which the cumulative share reaches the threshold', () => {
    // shares 0.4, 0.3, 0.2, 0.1: 0.5 is reached at the second score, 0.9 at the third, 1 at the last.
    expect(findThreshold([0.1, 0.4, 0.2, 0.3], 0.5)).toBeCloseTo(0.3);
    expect(findThreshold([0.1, 0.4, 0.2, 0.3], 0.9)).toBeCloseTo(0.2);
    expect(findThreshold([0.1, 0.4, 0.2, 0.3], 1)).toBeCloseTo(0.1);
    expect(findThreshold([0.1, 0.4, 0.2, 0.3], 0.4)).toBeCloseTo(0.4);
    // many scores (binned, one bin sorted): as a full sort finds it
    const many = Float32Array.from({ length: 300_000 }, (_, i) => ((i * 7919) % 100_003) / 100_003 + 1e-6);
    const sorted = Float64Array.from(many).sort().reverse();
    const total = sorted.reduce((a, v) => a + v, 0);
    let run = 0;
    let expected = 0;
    for (const v of sorted) {
      run += v;
      if (run / total >= 0.98) {
        expected = v;
        break;
      }
    }
    expect(findThreshold(many, 0.98)).toBe(expected);
  });
});

describe('pruneGraph', () => {
  it('keeps nodes up to 80% of the influence (tokens and logits always) and edges up to the edge threshold', () => {
    // Influences f0 .48, e0 .24, t0 .24, t1 .20, f1 .16, e1 .12 (sum 1.44): 80% is reached at t1's .20.
    const kept = pruneGraph(A, shape, 0.8, 0.98);
    expect(Array.from(kept.nodeMask)).toEqual([1, 0, 1, 0, 1, 1, 1]);
    // Edges among kept nodes: L<-f0 .6, L<-t1 .2, f0<-t0 .3, f0<-e0 .3 (shares of 1.4); 98% keeps all four.
    const edges = (m: Uint8Array) =>
      [...m.keys()].filter((k) => m[k]).map((k) => [Math.floor(k / N), k % N] as [number, number]);
    expect(edges(kept.edgeMask)).toEqual([
      [0, 2],
      [0, 4],
      [6, 0],
      [6, 5],
    ]);
    // 80% of the edge influence: .6 + .3 covers .857 at the second .3, so L<-t1 (.2) goes.
    expect(edges(pruneGraph(A, shape, 0.8, 0.8).edgeMask)).toEqual([
      [0, 2],
      [0, 4],
      [6, 0],
    ]);
    expect(kept.nodeInfluence[0]).toBeCloseTo(0.48, 6);
    // cumulative share: f0 first (.48 / 1.44), e1 last (1).
    expect(kept.cumulativeScores[0]).toBeCloseTo(0.48 / 1.44, 6);
    expect(kept.cumulativeScores[3]).toBeCloseTo(1, 6);
  });

  it('drops a feature whose outgoing edges were all pruned, and the edges into it', () => {
    // f0 = 0, f1 = 1, e = 2, t = 3, L = 4: L<-f0 10, L<-f1 1, f0<-t 1, f0<-e 1, f1<-t 1.
    const a = matrix(5, [
      [4, 0, 10],
      [4, 1, 1],
      [0, 3, 1],
      [0, 2, 1],
      [1, 3, 1],
    ]);
    const s = { n: 5, features: 2, tokens: 1, logits: 1, logitProbabilities: [1] };
    // Edge scores 10/11, 5/11, 5/11, 1/11, 1/11 (sum 2): 85% is reached at the second 5/11, so both 1/11 go;
    // f1 keeps its input edge's score but has no output left, so it and that edge are trimmed.
    const r = pruneGraph(a, s, 1, 0.85);
    expect(Array.from(r.nodeMask)).toEqual([1, 0, 1, 1, 1]);
    expect(r.edgeMask[1 * 5 + 3]).toBe(0);
    expect(r.edgeMask[4 * 5 + 1]).toBe(0);
    expect(r.edgeMask[0 * 5 + 3]).toBe(1);
    expect(() => pruneGraph(a, s, 1.5, 0.9)).toThrow(/node threshold must be between 0 and 1/);
  });
});

describe('graphScores', () => {
  it('replacement: the tokens’ share of token + error influence; completeness: influence-weighted non-error inputs', () => {
    const { replacement, completeness } = graphScores(A, shape, 1);
    // tokens .24 + .20, errors .24 + .12
    expect(replacement).toBeCloseTo(0.44 / 0.8, 6);
    // non-error shares: f0 1/2, f1 1/4, every other row 1; weights influence + logit weight:
    // f0 .48, f1 .16, e0 .24, e1 .12, t0 .24, t1 .2, L .8
    const num = 0.48 * 0.5 + 0.16 * 0.25 + 0.24 + 0.12 + 0.24 + 0.2 + 0.8;
    expect(completeness).toBeCloseTo(num / 2.24, 6);
  });
});
