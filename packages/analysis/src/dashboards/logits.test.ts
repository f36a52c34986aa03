import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { nodeOrt } from '../runtime/node.js';
import { logitEffects } from './logits.js';

/**
 * The scalar implementation logitEffects replaced, kept as the reference: float64 dot products, a stable
 * descending sort; top = its first k, bottom = its last k reversed.
 */
function scalarReference(decoder: Float32Array, unembedding: Float32Array, dIn: number, k: number) {
  const vocab = unembedding.length / dIn;
  const rows = decoder.length / dIn;
  const out: { top: number[]; bottom: number[]; row: Float64Array }[] = [];
  for (let f = 0; f < rows; f++) {
    const row = new Float64Array(vocab);
    for (let t = 0; t < vocab; t++) {
      let s = 0;
      for (let i = 0; i < dIn; i++) s += decoder[f * dIn + i]! * unembedding[t * dIn + i]!;
      row[t] = s;
    }
    const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => row[b]! - row[a]!);
    out.push({ top: order.slice(0, k), bottom: order.slice(-k).reverse(), row });
  }
  return out;
}

function weights(seed: number, rows: number, dIn: number, vocab: number) {
  const r = mulberry32(seed);
  const u = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  const decoder = u(rows * dIn);
  const unembedding = u(vocab * dIn);
  return { decoder, unembedding };
}

async function expectSameAsReference(decoder: Float32Array, unembedding: Float32Array, dIn: number, k: number) {
  const ref = scalarReference(decoder, unembedding, dIn, k);
  // A chunk that does not divide the rows: the zero-padded last chunk must not leak into the results.
  const fast = await logitEffects(nodeOrt, decoder, unembedding, dIn, k, { chunk: 7, threads: 1 });
  ref.forEach(({ top, bottom, row }, f) => {
    const at = (ids: Uint32Array) => Array.from(ids.subarray(f * k, (f + 1) * k));
    expect(at(fast.topIds), `top tokens of feature ${f}`).toEqual(top);
    expect(at(fast.bottomIds), `bottom tokens of feature ${f}`).toEqual(bottom);
    for (let j = 0; j < k; j++) {
      expect(fast.topValues[f * k + j]).toBeCloseTo(row[top[j]!]!, 5);
      expect(fast.bottomValues[f * k + j]).toBeCloseTo(row[bottom[j]!]!, 5);
    }
  });
}

describe('logit effects in onnxruntime', () => {
  it('matches the scalar reference on random weights (tokens exactly, values to float32 precision)', async () => {
    const { decoder, unembedding } = weights(1, 30, 16, 300);
    await expectSameAsReference(decoder, unembedding, 16, 10);
  });

  it('orders ties as the stable sort did: lower id first at the top, higher id first at the bottom', async () => {
    const dIn = 8;
    const vocab = 200;
    const { decoder, unembedding } = weights(2, 24, dIn, vocab);
    // Three identical, long token rows: their logits tie exactly and sit at one end of most features' lists.
    for (const t of [17, 90, 150])
      for (let i = 0; i < dIn; i++) unembedding[t * dIn + i] = 5 * unembedding[3 * dIn + i]!;
    // Dead features (zero decoder rows): every logit ties, so which ids are kept is decided by the order alone.
    for (const f of [0, 11, 23]) decoder.fill(0, f * dIn, (f + 1) * dIn);
    const ref = scalarReference(decoder, unembedding, dIn, 10);
    // The test must exercise ties inside the bottom list, not only whole-row ties.
    expect(ref.some((r, f) => ![0, 11, 23].includes(f) && r.bottom.includes(90))).toBe(true);
    expect(ref[0]!.bottom).toEqual([199, 198, 197, 196, 195, 194, 193, 192, 191, 190]);
    await expectSameAsReference(decoder, unembedding, dIn, 10);
  });

  it('rejects an unembedding that is not [vocab, d_model]', async () => {
    await expect(logitEffects(nodeOrt, new Float32Array(16), new Float32Array(17), 16, 3)).rejects.toThrow(
      /not \[n, 16\]/,
    );
  });
});
