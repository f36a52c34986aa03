/**
 * A tiny seeded PRNG (mulberry32) and helpers.
 *
 * Written out here rather than taken from npm on purpose: the generated datasets, corpus and vocabulary must be
 * byte-for-byte reproducible from a seed for years (the demo model is trained on them and never stored), so the
 * generator must not change under us with a dependency upgrade. Mulberry32 is 32-bit state, good enough for sampling
 * templates, and trivial to port (e.g. to Python) if the training side ever needs the same stream.
 */
export type Rng = () => number;

/** Mulberry32: returns a function giving floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream for a named purpose, so adding one stream does not shift the others. */
export function subRng(seed: number, purpose: string): Rng {
  return mulberry32((seed ^ fnv1a(purpose)) >>> 0);
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[randInt(rng, items.length)] as T;
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** 32-bit FNV-1a hash of a string (stable, used for splits and stream names). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
