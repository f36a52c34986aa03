// A seeded random number generator for test and benchmark data (mulberry32). Plain JavaScript so the .mjs
// benchmarks can import it unbuilt. An LCG computed in doubles loses precision (seed * 1103515245 passes 2^53) and
// falls into a short cycle: it could not yield 50,000 distinct edges.

/** @param {number} seed @returns {() => number} uniform in [0, 1) */
export function seededRandom(seed) {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
