/**
 * Sparse feature circuits (Marks et al. 2024) on a hooked GPT-2 with SAEs: node effects by integrated gradients
 * or attribution patching, with error nodes (x - x_hat) so the spliced model is the model itself; edges between
 * kept nodes along direct paths; aggregation over a dataset of prompt pairs; node and edge thresholds.
 *
 * With error nodes, the hook's value is x = f W_dec + b_dec + err, so the metric's gradient with respect to a
 * feature is W_dec[j] . dm/dx and with respect to the error node dm/dx itself: one engine gradient per hook gives
 * every node's effect. Direct-path edges into resid_l are identities (resid_l = resid_{l-1} + attn_l + mlp_l);
 * edges into attn_l and mlp_l are one sublayer's vector-Jacobian product at the clean input, run in small graphs
 * of that sublayer alone (graphs.ts), many (node, example) rows per run.
 */
import { attentionScale, type GPT2Config } from '../model/config.js';
import type { HookedGPT2, Intervention } from '../model/hooked.js';
import type { CompiledGraph } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeFeeds } from '../sae/graph.js';
import type { Sae, SaeWeights } from '../sae/sae.js';
import { type ExactPatcher, exactHookEffects } from './exact.js';
import {
  ATTN_OUT_WEIGHTS,
  ATTN_WEIGHTS,
  compileBlockVjp,
  compileSaeNodeGraph,
  MLP_WEIGHTS,
  readModelWeights,
  saeNodeGraphRows,
  saeShapeKey,
} from './graphs.js';
import {
  type CircuitEdge,
  type CircuitLayout,
  type CircuitNode,
  circuitLayout,
  hookLayer,
  METRIC_NODE_ID,
  nodeId,
  sublayerKind,
  upstreamHooks,
} from './nodes.js';

/** A prompt pair as token ids; clean and patch must have the same length (nodes are per position). */
export interface PromptPair {
  clean: number[];
  patch: number[];
  cleanAnswer: number;
  patchAnswer: number;
}

/**
 * The metric: by default m = logit[patch answer] - logit[clean answer] at the last position; or the logit
 * difference of two fixed tokens; or a direction in the final residual stream (blocks.{L-1}.hook_resid_post) at
 * the last position.
 */
export type CircuitMetric =
  | { kind: 'pair' }
  | { kind: 'tokens'; answer: number; wrong: number }
  | {
      kind: 'direction';
      vector: ArrayLike<number>;
    }
  /** An attribution graph's targets (one prompt's top logits): no prompt-pair metric, refused by pairMetric. */
  | { kind: 'logits'; tokens: number[] };

/** The metric of prompt-pair work (default 'pair'); throws for an attribution graph's logit targets. */
export function pairMetric(metric: CircuitMetric | undefined): CircuitMetric {
  if (metric?.kind === 'logits')
    throw new Error(
      'this circuit is an attribution graph of one prompt (its targets are logits): it has no prompt-pair metric to discover or evaluate with',
    );
  return metric ?? { kind: 'pair' };
}

/** An SAE whose weights are loaded when needed (and may be dropped after), so large sets fit in memory. */
export interface SaeSource {
  hook: string;
  config: SaeConfig;
  /** Where it was read from, if anywhere. */
  path?: string;
  load(): Promise<SaeWeights>;
}

export type Progress = (stage: string, percent: number) => void;

export interface RunControl {
  onProgress?: Progress;
  signal?: AbortSignal;
}

export interface DiscoverOptions {
  /**
   * 'ig' integrated gradients, 'atp' attribution patching (one gradient), 'exact' activation patching (one forward
   * pass per node and pair, batched; edges as attribution patching's).
   */
  method?: 'ig' | 'atp' | 'exact';
  /** Integrated-gradients steps (default 10; midpoints (k + 1/2)/steps). */
  steps?: number;
  /** Keep nodes with |effect| >= this (default 0.1). */
  nodeThreshold?: number;
  /** At most this many nodes (largest |effect| first). */
  maxNodes?: number;
  /** Keep edges with |weight| >= this (default 0.01). */
  edgeThreshold?: number;
  /** 'position': a node per (feature, position), mean over examples; 'sum': summed over positions, then mean. */
  aggregation?: 'position' | 'sum';
  edges?: boolean;
  metric?: CircuitMetric;
  /** Sequences per engine run (default 32). */
  batch?: number;
  centerResid?: boolean;
  threads?: number;
}

export interface HookStats {
  hook: string;
  dSae: number;
  /** Per-position means over the patch inputs [T * d_sae], [T * d] (for mean ablation). */
  meanFeatures: Float32Array;
  meanError: Float32Array;
}

export interface DiscoverResult {
  nodes: CircuitNode[];
  edges: CircuitEdge[];
  layout: CircuitLayout;
  /** Mean metric on the clean and on the patch inputs. */
  cleanMetric: number;
  patchMetric: number;
  /** Nodes the circuit could have used (features + error nodes, per position or not). */
  totalNodes: number;
  stats: HookStats[];
  positions: number;
  timings: Record<string, number>;
}

export function toSaeSource(sae: Sae | SaeSource): SaeSource {
  if ('load' in sae) return sae;
  return { hook: sae.config.hookName, config: sae.config, load: async () => sae.weights };
}

interface Candidate {
  node: CircuitNode;
  hook: string;
  /** Per (pair, position) [P * T]: gradient per feature where active (seed scale) and patch - clean activation. */
  gfAct?: Float32Array;
  df?: Float32Array;
  encCol?: Float32Array;
  decRow?: Float32Array;
}

interface HookData {
  /** [P * T * d] per (pair, position): error node seed and patch - clean error. */
  serr: Float32Array | null;
  derr: Float32Array | null;
}

function checkAbort(signal?: AbortSignal) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('circuit computation aborted');
}

const now = () => performance.now();

/** Discovers a sparse feature circuit. */
export async function discoverCircuit(
  model: HookedGPT2,
  saeList: readonly (Sae | SaeSource)[],
  pairs: readonly PromptPair[],
  options: DiscoverOptions = {},
  control: RunControl = {},
): Promise<DiscoverResult> {
  const { signal } = control;
  const progress: Progress = control.onProgress ?? (() => undefined);
  const c: GPT2Config = model.config;
  const D = c.dModel;
  const L = c.nLayers;
  const method = options.method ?? 'ig';
  const steps = method === 'ig' ? Math.max(1, options.steps ?? 10) : 1;
  const nodeThreshold = options.nodeThreshold ?? 0.1;
  const edgeThreshold = options.edgeThreshold ?? 0.01;
  const maxNodes = options.maxNodes ?? Number.POSITIVE_INFINITY;
  const aggregation = options.aggregation ?? 'position';
  const batch = Math.max(1, options.batch ?? 32);
  const centerResid = options.centerResid ?? false;
  const metricSpec: CircuitMetric = pairMetric(options.metric);
  const ort = model.ort;
  const timings: Record<string, number> = {};
  let t0 = now();

  if (pairs.length === 0) throw new Error('no prompt pairs');
  pairs.forEach((p, i) => {
    if (p.clean.length !== p.patch.length || p.clean.length === 0)
      throw new Error(
        `pair ${i}: clean and patch prompts must have the same, non-zero number of tokens (${p.clean.length} vs ${p.patch.length})`,
      );
  });
  const sources = saeList.map(toSaeSource);
  for (const s of sources) {
    if (s.config.dIn !== D) throw new Error(`SAE at ${s.hook}: d_in ${s.config.dIn} but the model's d_model is ${D}`);
  }
  const layout = circuitLayout(
    sources.map((s) => s.hook),
    L,
  );
  const byHook = new Map(sources.map((s) => [s.hook, s]));
  const P = pairs.length;
  const lens = pairs.map((p) => p.clean.length);
  const T = Math.max(...lens);
  const lastResid = `blocks.${L - 1}.hook_resid_post`;

  const metricFor = (rows: number[]) => {
    if (metricSpec.kind === 'direction') {
      if (metricSpec.vector.length !== D) throw new Error(`metric direction needs ${D} numbers`);
      return null;
    }
    return metricSpec.kind === 'tokens'
      ? { answer: metricSpec.answer, wrong: metricSpec.wrong }
      : { answer: rows.map((i) => pairs[i]!.patchAnswer), wrong: rows.map((i) => pairs[i]!.cleanAnswer) };
  };
  const directionWeights = (rows: number[], Tc: number) => {
    const w = new Float32Array(rows.length * Tc * D);
    const v = (metricSpec as { vector: ArrayLike<number> }).vector;
    rows.forEach((i, b) => {
      const off = (b * Tc + lens[i]! - 1) * D;
      for (let k = 0; k < D; k++) w[off + k] = v[k]!;
    });
    return w;
  };
  const metricOption = (rows: number[], Tc: number) =>
    metricFor(rows) ?? { hook: lastResid, weights: directionWeights(rows, Tc) };

  // Rows are padded to a whole batch (repeating the first) so every run reuses one compiled graph.
  const chunks = (rows: number[]) => {
    const out: { rows: number[]; real: number }[] = [];
    for (let s = 0; s < rows.length; s += batch) {
      const part = rows.slice(s, s + batch);
      const real = part.length;
      while (part.length < Math.min(batch, rows.length)) part.push(part[0]!);
      out.push({ rows: part, real });
    }
    return out;
  };
  const idx = (i: number, t: number) => i * T + t;
  /** Copies a hook [B, Tc, D] of a run into per-pair storage [P, T, D]. */
  const store = (dst: Float32Array, src: Float32Array, rows: number[], real: number, Tc: number, scale = 1) => {
    for (let b = 0; b < real; b++) {
      const i = rows[b]!;
      const n = lens[i]!;
      if (scale === 1) dst.set(src.subarray(b * Tc * D, (b * Tc + n) * D), idx(i, 0) * D);
      else for (let k = 0; k < n * D; k++) dst[idx(i, 0) * D + k]! += scale * src[b * Tc * D + k]!;
    }
  };

  // 1. Clean and patch activations (and the clean gradient, which is attribution patching's).
  progress('activations', 0);
  const allRows = Array.from({ length: P }, (_, i) => i);
  const saeHooks = layout.hooks;
  const extraHooks: string[] = [];
  for (let l = 0; l < L; l++) extraHooks.push(`blocks.${l}.hook_resid_pre`, `blocks.${l}.hook_resid_mid`);
  const xc = new Map<string, Float32Array>();
  const xp = new Map<string, Float32Array>();
  const grads = new Map<string, Float32Array>();
  for (const h of new Set([...saeHooks, ...extraHooks])) xc.set(h, new Float32Array(P * T * D));
  for (const h of saeHooks) {
    xp.set(h, new Float32Array(P * T * D));
    grads.set(h, new Float32Array(P * T * D));
  }
  let cleanMetric = 0;
  let patchMetric = 0;
  for (const { rows, real } of chunks(allRows)) {
    checkAbort(signal);
    const tokens = rows.map((i) => pairs[i]!.clean);
    const Tc = Math.max(...rows.map((i) => lens[i]!));
    const out = await model.gradients(tokens, {
      hooks: [...new Set([...saeHooks, ...extraHooks])],
      gradHooks: saeHooks,
      metric: metricOption(rows, Tc),
      centerResid,
    });
    for (const [h, t] of out.hooks) store(xc.get(h)!, t.data, rows, real, Tc);
    if (method !== 'ig') for (const [h, t] of out.grads) store(grads.get(h)!, t.data, rows, real, Tc);
    for (let b = 0; b < real; b++) cleanMetric += out.metric[b]! / P;
    const pout = await model.gradients(
      rows.map((i) => pairs[i]!.patch),
      { hooks: saeHooks, gradHooks: [lastResid], metric: metricOption(rows, Tc), centerResid },
    );
    for (const [h, t] of pout.hooks) store(xp.get(h)!, t.data, rows, real, Tc);
    for (let b = 0; b < real; b++) patchMetric += pout.metric[b]! / P;
  }
  timings.activations_s = (now() - t0) / 1000;

  // 2. Integrated gradients: for each hook, only that hook interpolated from clean to patch.
  if (method === 'ig') {
    t0 = now();
    const igRows = Array.from({ length: P * steps }, (_, r) => r);
    const total = saeHooks.length * Math.ceil(igRows.length / batch);
    let done = 0;
    for (const h of saeHooks) {
      const c0 = xc.get(h)!;
      const p0 = xp.get(h)!;
      const gsum = grads.get(h)!;
      for (const { rows, real } of chunks(igRows)) {
        checkAbort(signal);
        const pairRows = rows.map((r) => Math.floor(r / steps));
        const Tc = Math.max(...pairRows.map((i) => lens[i]!));
        const value = new Float32Array(rows.length * Tc * D);
        rows.forEach((r, b) => {
          const i = pairRows[b]!;
          const a = ((r % steps) + 0.5) / steps;
          const base = idx(i, 0) * D;
          for (let k = 0; k < lens[i]! * D; k++) value[b * Tc * D + k] = (1 - a) * c0[base + k]! + a * p0[base + k]!;
        });
        const iv: Intervention = { hook: h, mode: 'replace', value };
        const out = await model.gradients(
          pairRows.map((i) => pairs[i]!.clean),
          { gradHooks: [h], interventions: [iv], metric: metricOption(pairRows, Tc), centerResid },
        );
        store(gsum, out.grads.get(h)!.data, pairRows, real, Tc, 1 / steps);
        progress('integrated gradients', (100 * ++done) / total);
      }
    }
    timings.ig_s = (now() - t0) / 1000;
  }

  // 3. Node effects hook by hook (SAE weights loaded one hook at a time); candidates kept per hook.
  t0 = now();
  const validRows: number[] = [];
  for (let i = 0; i < P; i++) for (let t = 0; t < lens[i]!; t++) validRows.push(idx(i, t));
  const R = saeNodeGraphRows(validRows.length);
  const nodeGraphs = new Map<string, CompiledGraph>();
  const countAt = new Float32Array(T);
  for (const n of lens) for (let t = 0; t < n; t++) countAt[t]!++;
  const candidates: Candidate[] = [];
  const hookData = new Map<string, HookData>();
  const exactPatcher: ExactPatcher = {
    model,
    pairs,
    metric: metricOption,
    lastResid,
    centerResid,
    batch,
    signal,
  };
  const stats: HookStats[] = [];
  let totalNodes = 0;
  for (const [hi, h] of saeHooks.entries()) {
    checkAbort(signal);
    const src = byHook.get(h)!;
    const cfg = src.config;
    const S = cfg.dSae;
    const key = saeShapeKey(cfg);
    let graph = nodeGraphs.get(key);
    if (!graph) {
      const tc = now();
      graph = await compileSaeNodeGraph(ort, cfg, R, options.threads);
      timings.sae_compile_s = (timings.sae_compile_s ?? 0) + (now() - tc) / 1000;
      nodeGraphs.set(key, graph);
    }
    const tl = now();
    const w = await src.load();
    timings.sae_load_s = (timings.sae_load_s ?? 0) + (now() - tl) / 1000;
    const weightFeeds = saeFeeds(w, '');
    const NR = validRows.length;
    const gfAct = new Float32Array(NR * S);
    const df = new Float32Array(NR * S);
    const fcSum = new Float32Array(aggregation === 'position' ? T * S : S);
    const agg = new Float64Array(aggregation === 'position' ? T * S : S);
    const errAgg = new Float64Array(aggregation === 'position' ? T : 1);
    const serr = new Float32Array(P * T * D);
    const derr = new Float32Array(P * T * D);
    const meanFeatures = new Float32Array(T * S);
    const meanError = new Float32Array(T * D);
    const cx = xc.get(h)!;
    const px = xp.get(h)!;
    const gx = grads.get(h)!;
    for (let s = 0; s < NR; s += R) {
      const count = Math.min(R, NR - s);
      const fx = new Float32Array(R * D);
      const fp = new Float32Array(R * D);
      const fg = new Float32Array(R * D);
      for (let r = 0; r < R; r++) {
        const row = validRows[s + Math.min(r, count - 1)]!;
        fx.set(cx.subarray(row * D, row * D + D), r * D);
        fp.set(px.subarray(row * D, row * D + D), r * D);
        if (r < count) fg.set(gx.subarray(row * D, row * D + D), r * D);
      }
      const tg = now();
      const out = await graph.run({ ...weightFeeds, xc: fx, xp: fp, g: fg });
      timings.sae_graphs_s = (timings.sae_graphs_s ?? 0) + (now() - tg) / 1000;
      const fc = out.fc!.data;
      const fpo = out.fp!.data;
      const gf = out.gf!.data;
      const ec = out.errc!.data;
      const ep = out.errp!.data;
      const se = out.serr!.data;
      for (let r = 0; r < count; r++) {
        const row = validRows[s + r]!;
        const t = row % T;
        const i = Math.floor(row / T);
        const a = aggregation === 'position' ? t * S : 0;
        const o = (s + r) * S;
        for (let j = 0; j < S; j++) {
          const f0 = fc[r * S + j]!;
          const f1 = fpo[r * S + j]!;
          const gj = gf[r * S + j]!;
          const d = f1 - f0;
          df[o + j] = d;
          gfAct[o + j] = f0 > 0 ? gj : 0;
          if (d !== 0) agg[a + j]! += (gj * d) / P;
          if (f0 !== 0) fcSum[a + j]! += f0;
          if (f1 !== 0) meanFeatures[t * S + j]! += f1 / countAt[t]!;
        }
        let e = 0;
        for (let k = 0; k < D; k++) {
          const dk = ep[r * D + k]! - ec[r * D + k]!;
          derr[row * D + k] = dk;
          serr[row * D + k] = se[r * D + k]!;
          e += gx[row * D + k]! * dk;
          meanError[t * D + k]! += ep[r * D + k]! / countAt[t]!;
        }
        errAgg[aggregation === 'position' ? t : 0]! += e / P;
        void i;
      }
    }
    if (method === 'exact') {
      const te = now();
      const exact = await exactHookEffects(
        exactPatcher,
        h,
        {
          dSae: S,
          dModel: D,
          positions: T,
          validRows,
          featureDelta: df,
          errorDelta: derr,
          W_dec: w.W_dec,
          aggregation,
        },
        (f) => progress('exact patching', (100 * (hi + f)) / saeHooks.length),
      );
      agg.set(exact.features);
      errAgg.set(exact.errors);
      timings.exact_s = (timings.exact_s ?? 0) + (now() - te) / 1000;
    }
    stats.push({ hook: h, dSae: S, meanFeatures, meanError });
    totalNodes += aggregation === 'position' ? T * (S + 1) : S + 1;
    // Candidates of this hook: above the threshold, and among the hook's top maxNodes (a typed-array sort of the
    // magnitudes finds the cut without an object per feature and position).
    const positions = aggregation === 'position' ? T : 1;
    const effectAt = (t: number, j: number) => (j === S ? errAgg[t]! : agg[t * S + j]!);
    const mags = new Float64Array(positions * (S + 1));
    let count = 0;
    for (let t = 0; t < positions; t++) {
      for (let j = 0; j <= S; j++) {
        const e = Math.abs(effectAt(t, j));
        if (e >= nodeThreshold && e > 0) mags[count++] = e;
      }
    }
    let cut = 0;
    if (count > maxNodes) cut = mags.subarray(0, count).sort()[count - maxNodes]!;
    const picks: { j: number | null; t: number | null; e: number }[] = [];
    for (let t = 0; t < positions; t++) {
      for (let j = 0; j <= S; j++) {
        const e = effectAt(t, j);
        const a = Math.abs(e);
        if (a >= nodeThreshold && a > 0 && a >= cut)
          picks.push({ j: j === S ? null : j, t: aggregation === 'position' ? t : null, e });
      }
    }
    picks.sort((a, b) => Math.abs(b.e) - Math.abs(a.e));
    if (picks.length > maxNodes) picks.length = maxNodes;
    let needErr = false;
    for (const p of picks) {
      const layer = hookLayer(h);
      const node: CircuitNode = {
        id: nodeId(h, p.j, p.t),
        kind: p.j === null ? 'error' : 'feature',
        hook: h,
        layer: sublayerKind(h) === 'embed' ? null : layer,
        feature: p.j,
        position: p.t,
        effect: p.e,
      };
      if (p.j === null) {
        needErr = true;
        candidates.push({ node, hook: h });
        continue;
      }
      const j = p.j;
      const ga = new Float32Array(P * T);
      const dd = new Float32Array(P * T);
      validRows.forEach((row, n) => {
        if (p.t !== null && row % T !== p.t) return;
        ga[row] = gfAct[n * S + j]!;
        dd[row] = df[n * S + j]!;
      });
      const count = p.t === null ? P : countAt[p.t]!;
      node.activation = fcSum[(p.t ?? 0) * S + j]! / count;
      const encCol = new Float32Array(D);
      for (let k = 0; k < D; k++) encCol[k] = w.W_enc[k * S + j]!;
      candidates.push({ node, hook: h, gfAct: ga, df: dd, encCol, decRow: w.W_dec.slice(j * D, (j + 1) * D) });
    }
    hookData.set(h, { serr: needErr ? serr : null, derr: needErr ? derr : null });
    if (method !== 'exact') progress('node effects', (100 * (hi + 1)) / saeHooks.length);
  }
  for (const g of nodeGraphs.values()) await g.release();
  timings.nodes_s = (now() - t0) / 1000;

  candidates.sort((a, b) => Math.abs(b.node.effect) - Math.abs(a.node.effect));
  const kept = Number.isFinite(maxNodes) ? candidates.slice(0, maxNodes) : candidates;
  const keptByHook = new Map<string, Candidate[]>();
  for (const k of kept) {
    const list = keptByHook.get(k.hook) ?? [];
    list.push(k);
    keptByHook.set(k.hook, list);
  }
  // Upstream data no kept node needs is dropped.
  for (const [h, d] of hookData) {
    if (!(keptByHook.get(h) ?? []).some((k) => k.node.kind === 'error')) {
      d.serr = null;
      d.derr = null;
    }
  }

  // 4. Edges.
  const edges: CircuitEdge[] = [];
  if (options.edges !== false && kept.length > 0) {
    t0 = now();
    const edgeSums = new Map<string, number>();
    const addEdge = (u: string, d: string, w: number) =>
      edgeSums.set(`${u}\u0000${d}`, (edgeSums.get(`${u}\u0000${d}`) ?? 0) + w);
    /** The seed of a downstream node for pair i at position t (or null when zero). */
    const seedOf = (k: Candidate, i: number, t: number, out: Float32Array, off: number): boolean => {
      const row = idx(i, t);
      if (k.node.kind === 'error') {
        const serr = hookData.get(k.hook)!.serr!;
        let any = false;
        for (let q = 0; q < D; q++) {
          const v = serr[row * D + q]!;
          out[off + q] = v;
          if (v !== 0) any = true;
        }
        return any;
      }
      const s = k.gfAct![row]!;
      if (s === 0) return false;
      for (let q = 0; q < D; q++) out[off + q] = s * k.encCol![q]!;
      return true;
    };
    const positionsOf = (k: Candidate, i: number) =>
      k.node.position !== null ? (k.node.position < lens[i]! ? [k.node.position] : []) : range(lens[i]!);
    /** Adds r (the upstream gradient for pair i, rows of D by position) times each kept upstream node's delta. */
    const accumulate = (d: Candidate, i: number, r: (t: number) => Float32Array | null, ups: string[]) => {
      for (const hu of ups) {
        for (const u of keptByHook.get(hu) ?? []) {
          const ts = positionsOf(u, i);
          let w = 0;
          for (const t of ts) {
            const rt = r(t);
            if (!rt) continue;
            const row = idx(i, t);
            if (u.node.kind === 'error') {
              const derr = hookData.get(hu)!.derr!;
              for (let q = 0; q < D; q++) w += rt[q]! * derr[row * D + q]!;
            } else {
              const dfv = u.df![row]!;
              if (dfv === 0) continue;
              let dot = 0;
              for (let q = 0; q < D; q++) dot += u.decRow![q]! * rt[q]!;
              w += dot * dfv;
            }
          }
          if (w !== 0) addEdge(u.node.id, d.node.id, w / P);
        }
      }
    };
    const downstream = saeHooks.filter((h) => sublayerKind(h) !== 'embed' && keptByHook.has(h));
    const layerWeights = new Map<number, Map<string, Float32Array>>();
    const weightsOf = async (l: number) => {
      let m = layerWeights.get(l);
      if (!m) {
        const names = [...ATTN_WEIGHTS, ...ATTN_OUT_WEIGHTS, ...MLP_WEIGHTS];
        const raw = await readModelWeights(
          model,
          names.map((n) => `h.${l}.${n}`),
        );
        m = new Map(names.map((n) => [`w.${n}`, raw.get(`h.${l}.${n}`)!]));
        layerWeights.set(l, m);
      }
      return m;
    };
    const vjpGraphs = new Map<string, CompiledGraph>();
    const vjp = async (kind: 'attn' | 'mlp', shape: number[], layer: number) => {
      // Layers share a graph unless their attention scales differ (scale_attn_by_inverse_layer_idx).
      const scale = attentionScale(c, layer);
      const k = `${kind}/${shape}/${kind === 'attn' ? scale : ''}`;
      let g = vjpGraphs.get(k);
      if (!g) {
        g = await compileBlockVjp(ort, c, kind, shape, centerResid, scale, options.threads);
        vjpGraphs.set(k, g);
      }
      return g;
    };
    const ATT_ROWS = 16;
    const MLP_ROWS = 256;
    let done = 0;
    for (const h of downstream) {
      checkAbort(signal);
      const kind = sublayerKind(h);
      const ups = upstreamHooks(layout, h).filter((u) => keptByHook.has(u));
      const list = keptByHook.get(h)!;
      if (ups.length === 0) continue;
      const l = hookLayer(h)!;
      if (kind === 'resid') {
        const buf = new Float32Array(T * D);
        const has = new Uint8Array(T);
        for (const d of list) {
          for (let i = 0; i < P; i++) {
            has.fill(0);
            for (const t of positionsOf(d, i)) has[t] = seedOf(d, i, t, buf, t * D) ? 1 : 0;
            accumulate(d, i, (t) => (has[t] ? buf.subarray(t * D, t * D + D) : null), ups);
          }
        }
      } else if (kind === 'mlp') {
        // The MLP acts per position: one row per (node, pair, position) with a non-zero seed.
        const resid = xc.get(`blocks.${l}.hook_resid_mid`)!;
        const items: { d: Candidate; i: number; t: number }[] = [];
        for (const d of list) for (let i = 0; i < P; i++) for (const t of positionsOf(d, i)) items.push({ d, i, t });
        const g = await vjp('mlp', [MLP_ROWS, D], l);
        const feedsW = Object.fromEntries(await weightsOf(l));
        const results = new Map<string, Float32Array>();
        for (let s = 0; s < items.length; s += MLP_ROWS) {
          checkAbort(signal);
          const x = new Float32Array(MLP_ROWS * D);
          const seed = new Float32Array(MLP_ROWS * D);
          const live: number[] = [];
          for (let r = 0; r < MLP_ROWS && s + r < items.length; r++) {
            const it = items[s + r]!;
            x.set(resid.subarray(idx(it.i, it.t) * D, idx(it.i, it.t) * D + D), r * D);
            if (seedOf(it.d, it.i, it.t, seed, r * D)) live.push(r);
          }
          if (live.length === 0) continue;
          const out = (await g.run({ ...feedsW, x, seed })).gx!.data;
          for (const r of live) {
            const it = items[s + r]!;
            results.set(`${it.d.node.id}|${it.i}|${it.t}`, out.slice(r * D, r * D + D));
          }
        }
        for (const d of list) {
          for (let i = 0; i < P; i++) {
            accumulate(d, i, (t) => results.get(`${d.node.id}|${i}|${t}`) ?? null, ups);
          }
        }
      } else {
        // Attention mixes positions: one row per (node, pair), the seed at the node's position(s).
        const resid = xc.get(`blocks.${l}.hook_resid_pre`)!;
        const g = await vjp('attn', [ATT_ROWS, T, D], l);
        const feedsW = Object.fromEntries(await weightsOf(l));
        const items: { d: Candidate; i: number }[] = [];
        for (const d of list) for (let i = 0; i < P; i++) items.push({ d, i });
        for (let s = 0; s < items.length; s += ATT_ROWS) {
          checkAbort(signal);
          const x = new Float32Array(ATT_ROWS * T * D);
          const seed = new Float32Array(ATT_ROWS * T * D);
          const live: number[] = [];
          for (let r = 0; r < ATT_ROWS && s + r < items.length; r++) {
            const it = items[s + r]!;
            x.set(resid.subarray(idx(it.i, 0) * D, idx(it.i, lens[it.i]!) * D), r * T * D);
            let any = false;
            for (const t of positionsOf(it.d, it.i)) if (seedOf(it.d, it.i, t, seed, (r * T + t) * D)) any = true;
            if (any) live.push(r);
          }
          if (live.length === 0) continue;
          const out = (await g.run({ ...feedsW, x, seed })).gx!.data;
          for (const r of live) {
            const it = items[s + r]!;
            const base = r * T * D;
            accumulate(it.d, it.i, (t) => out.subarray(base + t * D, base + t * D + D), ups);
          }
        }
      }
      progress('edges', (100 * ++done) / downstream.length);
    }
    for (const g of vjpGraphs.values()) await g.release();
    for (const [key, w] of edgeSums) {
      if (Math.abs(w) < edgeThreshold) continue;
      const [source, target] = key.split('\u0000') as [string, string];
      edges.push({ source, target, weight: w });
    }
    for (const k of keptByHook.get(lastResid) ?? []) {
      if (Math.abs(k.node.effect) >= edgeThreshold)
        edges.push({ source: k.node.id, target: METRIC_NODE_ID, weight: k.node.effect });
    }
    edges.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    timings.edges_s = (now() - t0) / 1000;
  }
  progress('edges', 100);
  const nodes = kept.map((k) => k.node);
  nodes.push({
    id: METRIC_NODE_ID,
    kind: 'metric',
    hook: 'metric',
    layer: null,
    feature: null,
    position: aggregation === 'position' ? T - 1 : null,
    effect: patchMetric - cleanMetric,
  });
  return { nodes, edges, layout, cleanMetric, patchMetric, totalNodes, stats, positions: T, timings };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
