/**
 * A plain-TypeScript float64 GPT-2 for tiny configs: the ground truth for tests of the ONNX graphs (logits, every
 * hook, and, through finite differences, every gradient). Slow by design; no ONNX involved.
 */
import type { GPT2Config } from './config.js';

// The options are spelled out here, not taken from config.ts's helpers, so the reference stays independent.
const scoreScale = (c: GPT2Config, layer: number, dh: number) =>
  (c.scaleAttnWeights === false ? 1 : 1 / Math.sqrt(dh)) / (c.scaleAttnByInverseLayerIdx ? layer + 1 : 1);

export interface ReferenceIntervention {
  /** h' = h * keep + add, elementwise over the hook's full shape. */
  keep: ArrayLike<number>;
  add: ArrayLike<number>;
}

export interface ReferenceOptions {
  centerResid?: boolean;
  interventions?: Map<string, ReferenceIntervention>;
  /** Values held fixed in place of the computed ones (stop-gradient semantics for finite differences). */
  frozenPatterns?: Map<number, Float64Array>;
  /** LayerNorm scales sqrt(var + eps) by LayerNorm name: `h.{l}.ln_1`, `h.{l}.ln_2`, `ln_f`. */
  frozenScales?: Map<string, Float64Array>;
  /** Logit difference logit[b, pos_b, tokens_b[0]] - logit[b, pos_b, tokens_b[1]]. */
  metric?: { positions: number[]; tokens: [number, number][] };
}

export interface ReferenceResult {
  logits: Float64Array;
  hooks: Map<string, Float64Array>;
  metric: Float64Array | null;
  patterns: Map<number, Float64Array>;
  scales: Map<string, Float64Array>;
}

type F64 = Float64Array<ArrayBufferLike>;

export function referenceForward(
  c: GPT2Config,
  weights: Map<string, ArrayLike<number>>,
  tokens: number[][],
  options: ReferenceOptions = {},
): ReferenceResult {
  const B = tokens.length;
  const T = tokens[0]!.length;
  const D = c.dModel;
  const H = c.nHeads;
  const dh = D / H;
  const N = B * T;
  const w = (name: string) => {
    const v = weights.get(name);
    if (!v) throw new Error(`reference: missing weight ${name}`);
    return v;
  };
  const hooks = new Map<string, Float64Array>();
  const patterns = new Map<number, Float64Array>();
  const scales = new Map<string, Float64Array>();
  const hook = (name: string, x: F64): F64 => {
    const iv = options.interventions?.get(name);
    if (iv) for (let i = 0; i < x.length; i++) x[i] = x[i]! * iv.keep[i]! + iv.add[i]!;
    hooks.set(name, x.slice());
    return x;
  };
  const center = (x: Float64Array, width: number) => {
    if (!options.centerResid) return x;
    for (let r = 0; r < x.length / width; r++) {
      let m = 0;
      for (let i = 0; i < width; i++) m += x[r * width + i]!;
      m /= width;
      for (let i = 0; i < width; i++) x[r * width + i]! -= m;
    }
    return x;
  };
  const layerNorm = (x: Float64Array, name: string, hookName?: string) => {
    const g = w(`${name}.weight`);
    const b = w(`${name}.bias`);
    let scale: F64 = new Float64Array(N);
    const out = new Float64Array(N * D);
    const means = new Float64Array(N);
    for (let r = 0; r < N; r++) {
      let m = 0;
      for (let i = 0; i < D; i++) m += x[r * D + i]!;
      m /= D;
      let v = 0;
      for (let i = 0; i < D; i++) v += (x[r * D + i]! - m) ** 2;
      means[r] = m;
      scale[r] = Math.sqrt(v / D + c.lnEps);
    }
    scales.set(name, scale.slice());
    const frozen = options.frozenScales?.get(name);
    if (frozen) scale = frozen.slice();
    if (hookName) scale = hook(hookName, scale);
    for (let r = 0; r < N; r++)
      for (let i = 0; i < D; i++) out[r * D + i] = ((x[r * D + i]! - means[r]!) / scale[r]!) * g[i]! + b[i]!;
    return out;
  };
  /** y[N, n] = x[N, k] W[k, n] + bias */
  const linear = (x: Float64Array, k: number, W: ArrayLike<number>, bias: ArrayLike<number>, n: number) => {
    const y = new Float64Array(N * n);
    for (let r = 0; r < N; r++)
      for (let j = 0; j < n; j++) {
        let s = bias[j]!;
        for (let q = 0; q < k; q++) s += x[r * k + q]! * W[q * n + j]!;
        y[r * n + j] = s;
      }
    return y;
  };

  const wte = w('wte.weight');
  const wpe = w('wpe.weight');
  const embed = new Float64Array(N * D);
  const pos = new Float64Array(N * D);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let i = 0; i < D; i++) {
        embed[(b * T + t) * D + i] = wte[tokens[b]![t]! * D + i]!;
        pos[(b * T + t) * D + i] = wpe[t * D + i]!;
      }
  const e = hook('hook_embed', center(embed, D));
  const p = hook('hook_pos_embed', center(pos, D));
  let resid: F64 = e.map((v, i) => v + p[i]!);
  for (let l = 0; l < c.nLayers; l++) {
    const pre = `h.${l}.`;
    resid = hook(`blocks.${l}.hook_resid_pre`, resid);
    const x1 = layerNorm(resid, `${pre}ln_1`);
    const qkv = linear(x1, D, w(`${pre}attn.c_attn.weight`), w(`${pre}attn.c_attn.bias`), 3 * D);
    const scale = scoreScale(c, l, dh);
    let pattern: F64 = new Float64Array(B * H * T * T);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const row = new Float64Array(T);
          let max = Number.NEGATIVE_INFINITY;
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let q = 0; q < dh; q++)
              s += qkv[(b * T + i) * 3 * D + h * dh + q]! * qkv[(b * T + j) * 3 * D + D + h * dh + q]!;
            row[j] = s * scale;
            max = Math.max(max, row[j]!);
          }
          let sum = 0;
          for (let j = 0; j <= i; j++) {
            row[j] = Math.exp(row[j]! - max);
            sum += row[j]!;
          }
          for (let j = 0; j <= i; j++) pattern[((b * H + h) * T + i) * T + j] = row[j]! / sum;
        }
    patterns.set(l, pattern.slice());
    const frozen = options.frozenPatterns?.get(l);
    if (frozen) pattern = frozen.slice();
    pattern = hook(`blocks.${l}.attn.hook_pattern`, pattern);
    const z = new Float64Array(N * D);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++)
          for (let q = 0; q < dh; q++) {
            let s = 0;
            for (let j = 0; j < T; j++)
              s += pattern[((b * H + h) * T + i) * T + j]! * qkv[(b * T + j) * 3 * D + 2 * D + h * dh + q]!;
            z[(b * T + i) * D + h * dh + q] = s;
          }
    const attnOut = hook(
      `blocks.${l}.hook_attn_out`,
      center(linear(z, D, w(`${pre}attn.c_proj.weight`), w(`${pre}attn.c_proj.bias`), D), D),
    );
    resid = hook(
      `blocks.${l}.hook_resid_mid`,
      resid.map((v, i) => v + attnOut[i]!),
    );
    const x2 = layerNorm(resid, `${pre}ln_2`);
    const hidden = linear(x2, D, w(`${pre}mlp.c_fc.weight`), w(`${pre}mlp.c_fc.bias`), 4 * D);
    const k = Math.sqrt(2 / Math.PI);
    const post = hook(
      `blocks.${l}.mlp.hook_post`,
      hidden.map((v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3)))),
    );
    const mlpOut = hook(
      `blocks.${l}.hook_mlp_out`,
      center(linear(post, 4 * D, w(`${pre}mlp.c_proj.weight`), w(`${pre}mlp.c_proj.bias`), D), D),
    );
    resid = hook(
      `blocks.${l}.hook_resid_post`,
      resid.map((v, i) => v + mlpOut[i]!),
    );
  }
  const final = layerNorm(resid, 'ln_f', 'ln_final.hook_scale');
  const V = c.vocabSize;
  const unembed = c.tieWordEmbeddings === false ? w('lm_head.weight') : wte;
  const logits = new Float64Array(N * V);
  for (let r = 0; r < N; r++)
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += final[r * D + i]! * unembed[v * D + i]!;
      logits[r * V + v] = s;
    }
  let metric: Float64Array | null = null;
  if (options.metric) {
    const { positions, tokens: pairs } = options.metric;
    metric = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const row = (b * T + positions[b]!) * V;
      metric[b] = logits[row + pairs[b]![0]]! - logits[row + pairs[b]![1]]!;
    }
  }
  return { logits, hooks, metric, patterns, scales };
}
