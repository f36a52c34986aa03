/**
 * How well one method's node effects agree with another's (e.g. attribution patching against exact patching): the
 * Pearson and Spearman correlations over the nodes of one site (embedding, attention, MLP or residual stream).
 */
import { type CircuitNode, METRIC_NODE_ID, type SublayerKind, sublayerKind } from './nodes.js';

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: ${n} and ${y.length} values`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]! / n;
    my += y[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks from 1, ties sharing their mean rank (as Spearman's coefficient needs). */
export function ranks(x: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Float64Array(x.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && x[order[e + 1]!] === x[order[s]!]) e++;
    for (let k = s; k <= e; k++) r[order[k]!] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return r;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y));
}

export interface SiteAgreement {
  /** Nodes compared: those of the site with a non-zero effect in either method. */
  nodes: number;
  pearson: number;
  spearman: number;
}

/** Agreement of `estimate` with `reference` per site; a node missing from a list has effect 0 there. */
export function agreementBySite(
  reference: readonly CircuitNode[],
  estimate: readonly CircuitNode[],
): Record<SublayerKind, SiteAgreement> {
  const effects = (list: readonly CircuitNode[]) =>
    new Map(list.filter((n) => n.id !== METRIC_NODE_ID).map((n) => [n.id, n] as const));
  const ref = effects(reference);
  const est = effects(estimate);
  const sites: SublayerKind[] = ['embed', 'attn', 'mlp', 'resid'];
  const out = {} as Record<SublayerKind, SiteAgreement>;
  for (const site of sites) {
    const ids = [...new Set([...ref.keys(), ...est.keys()])].filter(
      (id) => sublayerKind((ref.get(id) ?? est.get(id))!.hook) === site,
    );
    const x = ids.map((id) => ref.get(id)?.effect ?? 0);
    const y = ids.map((id) => est.get(id)?.effect ?? 0);
    out[site] = { nodes: ids.length, pearson: pearson(x, y), spearman: spearman(x, y) };
  }
  return out;
}
