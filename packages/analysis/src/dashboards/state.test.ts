import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import {
  accumulateBatch,
  checkDashboardState,
  type DashboardShape,
  decodeDashboardState,
  emptyDashboardState,
  encodeDashboardState,
  sampledContextsOf,
  topContextsOf,
} from './state.js';

const shape: DashboardShape = { dSae: 9, topK: 4, reservoir: 5, contextTokens: 6, histogramBins: 7 };

/** Contexts of 3 to 6 tokens and sparse random activations for each of their tokens. */
function corpus(seed: number, n: number) {
  const r = mulberry32(seed);
  const contexts = Array.from({ length: n }, () => Array.from({ length: 3 + Math.floor(r() * 4) }, () => 1));
  // Coarse values, so that equal maxima (ties) occur.
  const acts = contexts.map((c) =>
    Float32Array.from({ length: c.length * shape.dSae }, () => (r() < 0.3 ? Math.ceil(r() * 8) / 4 : 0)),
  );
  return { contexts, acts };
}

function run(seed: number, n: number, batch: number) {
  const { contexts, acts } = corpus(seed, n);
  const state = emptyDashboardState(shape, contexts, 7);
  for (let start = 0; start < n; start += batch) {
    const ids = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
    const features = new Float32Array(ids.reduce((m, c) => m + acts[c]!.length, 0));
    let at = 0;
    for (const c of ids) {
      features.set(acts[c]!, at);
      at += acts[c]!.length;
    }
    accumulateBatch(
      state,
      features,
      ids,
      ids.map((c) => contexts[c]!.length),
    );
    state.contextsDone = start + ids.length;
  }
  return { state, contexts, acts };
}

/** Feature f's activations over context c, padded to contextTokens. */
function column(acts: Float32Array, len: number, f: number): number[] {
  const out = new Array(shape.contextTokens).fill(0);
  for (let p = 0; p < len; p++) out[p] = acts[p * shape.dSae + f]!;
  return out;
}

describe('dashboard state in typed arrays', () => {
  it('keeps each feature’s strongest contexts (earlier first on ties), counts and histogram as a direct scan', () => {
    const { state, contexts, acts } = run(1, 60, 7);
    let ties = 0;
    for (let f = 0; f < shape.dSae; f++) {
      const firing = contexts
        .map((c, i) => ({ context: i, values: column(acts[i]!, c.length, f) }))
        .map((c) => ({ ...c, max: Math.max(...c.values) }))
        .filter((c) => c.max > 0);
      const expected = [...firing].sort((a, b) => b.max - a.max || a.context - b.context).slice(0, shape.topK);
      if (new Set(firing.map((c) => c.max)).size < firing.length) ties++;
      const kept = topContextsOf(state, f);
      expect(kept.map((c) => c.context)).toEqual(expected.map((c) => c.context));
      expect(kept.map((c) => Array.from(c.values))).toEqual(expected.map((c) => c.values));
      const values = contexts.flatMap((c, i) => column(acts[i]!, c.length, f).slice(0, c.length)).filter((v) => v > 0);
      expect(state.fires[f]).toBe(values.length);
      expect(Array.from(state.hist.subarray(f * 7, f * 7 + 7)).reduce((a, b) => a + b, 0)).toBe(values.length);
      // The reservoir holds min(R, firing contexts) distinct firing contexts with their own activations.
      const sampled = sampledContextsOf(state, f);
      expect(sampled).toHaveLength(Math.min(shape.reservoir, firing.length));
      expect(new Set(sampled.map((c) => c.context)).size).toBe(sampled.length);
      for (const s of sampled) {
        const c = firing.find((x) => x.context === s.context)!;
        expect(Array.from(s.values)).toEqual(c.values);
        expect(s.max).toBe(c.max);
      }
      expect(sampled.map((c) => c.max)).toEqual([...sampled.map((c) => c.max)].sort((a, b) => a - b));
    }
    expect(ties).toBeGreaterThan(0);
    expect(state.tokensSeen).toBe(contexts.reduce((n, c) => n + c.length, 0));
  });

  it('evicts the latest of equal weakest contexts when a stronger one comes', () => {
    const one = { ...shape, dSae: 1, topK: 3 };
    const maxima = [1, 2, 1, 1, 3, 1];
    const contexts = maxima.map(() => [1]);
    const state = emptyDashboardState(one, contexts, 1);
    accumulateBatch(
      state,
      Float32Array.from(maxima),
      maxima.map((_, i) => i),
      maxima.map(() => 1),
    );
    expect(topContextsOf(state, 0).map((c) => [c.context, c.max])).toEqual([
      [4, 3],
      [1, 2],
      [0, 1],
    ]);
  });

  it('gives the same state whatever the batch size', () => {
    const a = run(2, 40, 3).state;
    const b = run(2, 40, 40).state;
    expect(a).toEqual(b);
  });

  it('round-trips through checkpoint bytes and refuses another corpus or shape', () => {
    const { state, contexts } = run(3, 20, 6);
    const back = decodeDashboardState(encodeDashboardState(state));
    expect(back).toEqual(state);
    expect(() => checkDashboardState(back, shape, contexts)).not.toThrow();
    const other = contexts.map((c, i) => (i === 5 ? [...c.slice(1), 2] : c));
    expect(() => checkDashboardState(back, shape, other)).toThrow(/another corpus/);
    expect(() => checkDashboardState(back, { ...shape, topK: 3 }, contexts)).toThrow(/topK/);
    expect(() => decodeDashboardState(new TextEncoder().encode('{"contextsDone":1}'))).toThrow(/not a dashboard/);
  });
});
