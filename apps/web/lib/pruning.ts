/**
 * How much of a circuit to show at first. A computed circuit can have hundreds of nodes, most of them weak; the
 * papers' figures show the few that carry the effect. The default is the smallest set of nodes holding SHARE of the
 * total |effect|, at most CAP of them; a graph of at most CAP nodes opens whole.
 */
export const DEFAULT_SHARE = 0.8;
export const DEFAULT_CAP = 60;

/** The |effect| threshold that keeps the `count` strongest of these magnitudes (ties at the edge stay in). */
export function thresholdForCount(magnitudes: readonly number[], count: number): number {
  if (count <= 0) return Number.POSITIVE_INFINITY;
  const sorted = [...magnitudes].sort((a, b) => b - a);
  if (count >= sorted.length) return 0;
  return sorted[count - 1]!;
}

/** The opening threshold: see the module comment. `magnitudes` are the |effect| of the nodes a threshold can hide. */
export function defaultThreshold(magnitudes: readonly number[], share = DEFAULT_SHARE, cap = DEFAULT_CAP): number {
  if (magnitudes.length <= cap) return 0;
  const sorted = [...magnitudes].sort((a, b) => b - a);
  const total = sorted.reduce((sum, m) => sum + m, 0);
  if (total <= 0) return 0;
  let sum = 0;
  let count = 0;
  while (count < cap && count < sorted.length && sum < share * total) sum += sorted[count++]!;
  return sorted[Math.max(0, count - 1)]!;
}

/** "Show more": the threshold that about doubles what a threshold shows (at least 20 more), or 0 for everything. */
export function moreThreshold(magnitudes: readonly number[], current: number): number {
  const shown = magnitudes.filter((m) => m >= current).length;
  const target = Math.max(shown * 2, shown + 20);
  return target >= magnitudes.length ? 0 : thresholdForCount(magnitudes, target);
}
