/**
 * Exact activation patching of circuit nodes: for each node (an SAE feature or error node of a hook, at one
 * position or at all), the clean run with that node alone set to its value on the patch prompt, minus the clean
 * run, in the metric; mean over the pairs. With error nodes the hook's value is x = f W_dec + b_dec + err, so
 * patching feature j adds (f_patch[j] - f_clean[j]) W_dec[j] to the hook and patching the error node adds
 * err_patch - err_clean; downstream everything is recomputed (the model itself, no linearisation). Each batch row
 * is one patched variant (pair, node), so one engine run measures `batch` nodes.
 */
import type { GradientOptions, HookedGPT2 } from '../model/hooked.js';
import type { PromptPair } from './discover.js';

/** One patched variant of a pair's clean prompt; its metric change counts toward `node`. */
export interface HookPatch {
  pair: number;
  node: number;
  positions: number[];
  /** Writes the change of the hook's value at position t (d_model numbers) into `out` at `offset`. */
  write(t: number, out: Float32Array, offset: number): void;
}

export interface ExactPatcher {
  model: HookedGPT2;
  pairs: readonly PromptPair[];
  /** The metric's engine option for a batch of these pairs' rows (longest Tc tokens), as the other methods use. */
  metric: (pairRows: number[], Tc: number) => GradientOptions['metric'];
  /** The last residual hook: its gradient is the cheapest output that makes the engine compute the metric. */
  lastResid: string;
  centerResid: boolean;
  /** Patched variants per engine run. */
  batch: number;
  signal?: AbortSignal;
}

/** Mean over pairs of metric(patched) - metric(clean), per node (an array of `nodes`). */
export async function exactPatchEffects(
  ctx: ExactPatcher,
  hook: string,
  patches: readonly HookPatch[],
  nodes: number,
  onProgress?: (fraction: number) => void,
): Promise<Float64Array> {
  const { model, pairs, batch } = ctx;
  const D = model.config.dModel;
  const P = pairs.length;
  // Every run has `batch` rows (the last padded with its first) and an 'add' intervention at the hook, clean rows
  // adding zeros, so one compiled graph serves them all and a zero change gives exactly the clean metric.
  const runRows = async (rows: { pair: number; fill?: HookPatch }[]) => {
    const real = rows.length;
    while (rows.length < batch) rows.push(rows[0]!);
    const pairRows = rows.map((r) => r.pair);
    const Tc = Math.max(...pairRows.map((i) => pairs[i]!.clean.length));
    const value = new Float32Array(rows.length * Tc * D);
    rows.forEach((r, b) => {
      if (r.fill) for (const t of r.fill.positions) r.fill.write(t, value, (b * Tc + t) * D);
    });
    const out = await model.gradients(
      pairRows.map((i) => pairs[i]!.clean),
      {
        gradHooks: [ctx.lastResid],
        interventions: [{ hook, mode: 'add', value }],
        metric: ctx.metric(pairRows, Tc),
        centerResid: ctx.centerResid,
      },
    );
    return out.metric.subarray(0, real);
  };

  const clean = new Float64Array(P);
  for (let s = 0; s < P; s += batch) {
    ctx.signal?.throwIfAborted();
    const rows = Array.from({ length: Math.min(batch, P - s) }, (_, b) => ({ pair: s + b }));
    (await runRows(rows)).forEach((m, b) => {
      clean[s + b] = m;
    });
  }
  const effects = new Float64Array(nodes);
  for (let s = 0; s < patches.length; s += batch) {
    ctx.signal?.throwIfAborted();
    const part = patches.slice(s, s + batch);
    const metric = await runRows(part.map((p) => ({ pair: p.pair, fill: p })));
    part.forEach((p, b) => {
      effects[p.node]! += (metric[b]! - clean[p.pair]!) / P;
    });
    onProgress?.(Math.min(1, (s + batch) / patches.length));
  }
  return effects;
}

/** A hook's SAE quantities per valid token row, as discoverCircuit computes them. */
export interface HookDeltas {
  dSae: number;
  dModel: number;
  /** Positions per pair (T). */
  positions: number;
  /** Token rows (pair * T + t) that exist, in order; `featureDelta` is indexed by their place in this list. */
  validRows: readonly number[];
  /** [validRows * d_sae]: f_patch - f_clean. */
  featureDelta: Float32Array;
  /** [pairs * T * d]: err_patch - err_clean. */
  errorDelta: Float32Array;
  W_dec: Float32Array;
  aggregation: 'position' | 'sum';
}

/**
 * Exact effects of every node of a hook: features [positions * d_sae] (or [d_sae] summed over positions) and error
 * nodes [positions] (or [1]). A node whose value does not change on a pair gets no run there (its change is 0).
 * 'sum' nodes are a feature (or error) patched at every position at once.
 */
export async function exactHookEffects(
  ctx: ExactPatcher,
  hook: string,
  d: HookDeltas,
  onProgress?: (fraction: number) => void,
): Promise<{ features: Float64Array; errors: Float64Array }> {
  const { dSae: S, dModel: D, positions: T } = d;
  const byPosition = d.aggregation === 'position';
  const featureNodes = byPosition ? T * S : S;
  const patches: HookPatch[] = [];
  const featureAt = (j: number, n: number) => (_t: number, out: Float32Array, off: number) => {
    const df = d.featureDelta[n * S + j]!;
    for (let k = 0; k < D; k++) out[off + k] = df * d.W_dec[j * D + k]!;
  };
  // Rows of each pair: [place in validRows, t].
  const rowsOf = new Map<number, [number, number][]>();
  d.validRows.forEach((row, n) => {
    const i = Math.floor(row / T);
    const list = rowsOf.get(i) ?? [];
    list.push([n, row % T]);
    rowsOf.set(i, list);
  });
  const errorChanges = (row: number) => {
    for (let k = 0; k < D; k++) if (d.errorDelta[row * D + k] !== 0) return true;
    return false;
  };
  const writeError = (i: number) => (t: number, out: Float32Array, off: number) =>
    out.set(d.errorDelta.subarray((i * T + t) * D, (i * T + t + 1) * D), off);
  for (const [i, rows] of rowsOf) {
    if (byPosition) {
      for (const [n, t] of rows) {
        for (let j = 0; j < S; j++) {
          if (d.featureDelta[n * S + j] !== 0)
            patches.push({ pair: i, node: t * S + j, positions: [t], write: featureAt(j, n) });
        }
        if (errorChanges(i * T + t))
          patches.push({ pair: i, node: featureNodes + t, positions: [t], write: writeError(i) });
      }
    } else {
      for (let j = 0; j < S; j++) {
        const at = rows.filter(([n]) => d.featureDelta[n * S + j] !== 0);
        if (at.length === 0) continue;
        const place = new Map(at.map(([n, t]) => [t, n]));
        patches.push({
          pair: i,
          node: j,
          positions: at.map(([, t]) => t),
          write: (t, out, off) => featureAt(j, place.get(t)!)(t, out, off),
        });
      }
      const changed = rows.filter(([, t]) => errorChanges(i * T + t)).map(([, t]) => t);
      if (changed.length) patches.push({ pair: i, node: featureNodes, positions: changed, write: writeError(i) });
    }
  }
  const all = await exactPatchEffects(ctx, hook, patches, featureNodes + (byPosition ? T : 1), onProgress);
  return { features: all.subarray(0, featureNodes), errors: all.subarray(featureNodes) };
}
