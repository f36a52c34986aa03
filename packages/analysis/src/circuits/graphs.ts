/**
 * The graphs the circuit code runs besides the engine's hooked GPT-2: the SAE quantities of a hook (features,
 * error, gradient per feature, the error node's backward seed), one block's attention or MLP as a
 * vector-Jacobian product (direct-path edges), and GPT-2 with SAEs spliced in at every circuit hook, each
 * feature and error node kept or mean-ablated by mask (faithfulness and completeness in one forward pass).
 * Weights are graph inputs, so one compiled graph serves every hook (or layer) of the same shape.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { grad } from '../graph/autodiff.js';
import { Graph, type Tensor } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { type GPT2Config, gpt2WeightShapes, unembeddingName } from '../model/config.js';
import { attentionBlock, type GPT2Builder, gpt2Residual, mlpBlock } from '../model/gpt2-forward.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { CompiledGraph, type OrtModule } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeDecode, saeEncode, saeInputs } from '../sae/graph.js';

/** Reads float32 weights of a hooked model by Hugging Face name, whatever its weight source. */
export async function readModelWeights(model: HookedGPT2, names: string[]): Promise<Map<string, Float32Array>> {
  const w = model.weights;
  const out = new Map<string, Float32Array>();
  if (w.kind === 'inputs') {
    for (const n of names) {
      const t = w.tensors.get(n);
      if (!t) throw new Error(`model has no weight "${n}"`);
      out.set(n, t);
    }
    return out;
  }
  const entry = (n: string) => {
    const e = w.entries[n];
    if (!e) throw new Error(`model has no weight "${n}"`);
    return e;
  };
  if (w.kind === 'buffer') {
    for (const n of names) {
      const e = entry(n);
      out.set(n, new Float32Array(w.bytes.slice(e.offset, e.offset + e.length).buffer));
    }
    return out;
  }
  const handle = await open(join(w.dir, w.file), 'r');
  try {
    for (const n of names) {
      const e = entry(n);
      const data = new Float32Array(e.length / 4);
      await handle.read(new Uint8Array(data.buffer), 0, e.length, e.offset);
      out.set(n, data);
    }
  } finally {
    await handle.close();
  }
  return out;
}

export const ATTN_WEIGHTS = ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias'] as const;
export const ATTN_OUT_WEIGHTS = ['attn.c_proj.weight', 'attn.c_proj.bias'] as const;
export const MLP_WEIGHTS = [
  'ln_2.weight',
  'ln_2.bias',
  'mlp.c_fc.weight',
  'mlp.c_fc.bias',
  'mlp.c_proj.weight',
  'mlp.c_proj.bias',
] as const;

/** One layer's weight shapes by their name inside the layer ('ln_1.weight', ...): layer 0's of the model's. */
function layerWeightShapes(c: GPT2Config): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const [name, shape] of gpt2WeightShapes(c)) if (name.startsWith('h.0.')) shapes[name.slice(4)] = shape;
  return shapes;
}

/**
 * One sublayer's vector-Jacobian product: inputs `x` (the sublayer's input: resid_pre for attention [R, T, d],
 * resid_mid for the MLP [R, d]), `seed` (same shape) and the layer's weights (`w.<name>`); output `gx` =
 * d(sum(seed * sublayer(x)))/dx. `attnScale`: attentionScale(c, layer) of the layers it serves.
 */
export async function compileBlockVjp(
  ort: OrtModule,
  c: GPT2Config,
  kind: 'attn' | 'mlp',
  shape: number[],
  centerResid: boolean,
  attnScale: number,
  threads?: number,
): Promise<CompiledGraph> {
  const g = new Graph();
  const shapes = layerWeightShapes(c);
  const weights = new Map<string, Tensor>();
  // The sublayer is built as layer 0's; its weights are inputs `w.<name>`, fed with whichever layer's it serves.
  const w = (full: string) => {
    const name = full.replace(/^h\.0\./, '');
    let t = weights.get(name);
    if (!t) {
      t = g.input(`w.${name}`, shapes[name]!);
      weights.set(name, t);
    }
    return t;
  };
  const x = g.input('x', shape);
  const seed = g.input('seed', shape);
  const builder: GPT2Builder = { config: c, w, centerResid };
  const y = kind === 'attn' ? attentionBlock(builder, 0, x, attnScale) : mlpBlock(builder, 0, x);
  const [gx] = grad(
    op.reduceSum(
      op.mul(y, seed),
      shape.map((_, i) => i),
    ),
    [x],
  );
  return CompiledGraph.create(ort, toOnnx(g, { outputs: { gx: gx! }, name: `vjp-${kind}` }), { threads });
}

/** Shape key of an SAE: SAEs with equal keys share compiled graphs. */
export const saeShapeKey = (c: SaeConfig) => `${c.architecture}/${c.dIn}/${c.dSae}/${c.k}/${c.applyBDecToInput}`;

/** Rows per run of the SAE node graph for `n` token rows: a power of two from 8 to 256, so few shapes compile. */
export const saeNodeGraphRows = (n: number) => Math.min(256, 2 ** Math.ceil(Math.log2(Math.max(8, n))));

/** Matmul FLOPs of one run of compileSaeNodeGraph's graph on `rows` rows: encode and decode of clean and patch
 * (2 x 2 rows x d_in x d_sae multiply-adds), `gf` and `serr` (2 x rows x d_in x d_sae). */
export const saeNodeGraphFlops = (c: SaeConfig, rows: number) => 2 * 6 * rows * c.dIn * c.dSae;

/**
 * Per-row SAE quantities of a hook, for R rows of clean and patch activations `xc`, `xp` and the metric's
 * gradient `g` at the hook: features `fc`, `fp`; errors `errc`, `errp` (x - x_hat); `gf` = g W_dec^T (the
 * gradient per feature); `serr` = g - (gf * 1[fc > 0]) W_enc^T (the error node's seed for edges into it).
 */
export async function compileSaeNodeGraph(
  ort: OrtModule,
  c: SaeConfig,
  rows: number,
  threads?: number,
): Promise<CompiledGraph> {
  if (c.normalization !== 'none') {
    throw new Error(
      `SAE at ${c.hookName}: feature circuits need SAEs without input normalisation (normalize_activations "${c.normalization}"); fold it into the weights first`,
    );
  }
  const g = new Graph();
  const w = saeInputs(g, c, '');
  const xc = g.input('xc', [rows, c.dIn]);
  const xp = g.input('xp', [rows, c.dIn]);
  const gx = g.input('g', [rows, c.dIn]);
  // Clean and patch rows go through the encoder and decoder together (each weight matrix is read once).
  const both = op.concat([xc, xp], 0);
  const e = saeEncode(c, both, w);
  const err = op.sub(both, saeDecode(c, e.features, w, e.stats));
  const [fc, fp] = op.split(e.features, 0, [rows, rows]) as [Tensor, Tensor];
  const [errc, errp] = op.split(err, 0, [rows, rows]) as [Tensor, Tensor];
  const gf = op.gemm(gx, w.W_dec, undefined, { transB: true });
  const active = op.cast(op.greater(fc, op.scalar(g, 0)), 'float32');
  const serr = op.sub(gx, op.gemm(op.mul(gf, active), w.W_enc, undefined, { transB: true }));
  return CompiledGraph.create(ort, toOnnx(g, { outputs: { fc, fp, errc, errp, gf, serr }, name: 'sae-nodes' }), {
    threads,
  });
}

export interface SplicedSae {
  hook: string;
  config: SaeConfig;
}

/**
 * GPT-2 with SAEs spliced in at `saes` (x -> f = enc(x), err = x - dec(f); f' = m + k (f - m) per feature and
 * position, err' likewise; x' = dec(f') + err'), all SAE and model weights as inputs. Inputs per SAE i:
 * `s{i}.keep` [T, d_sae], `s{i}.mean` [T, d_sae], `s{i}.ekeep` [T, 1], `s{i}.emean` [T, d]; `tokens` [B, T];
 * `select` [B, 1, T] (the metric position); `pair` int64 [B, 2] (answer, wrong). Outputs `metric` [B]
 * (logit[answer] - logit[wrong] at the selected position) and `final` [B, d] (the last residual there).
 */
export function buildSplicedGPT2(
  c: GPT2Config,
  saes: SplicedSae[],
  B: number,
  T: number,
  centerResid: boolean,
): { graph: Graph; outputs: Record<string, Tensor> } {
  const g = new Graph();
  const D = c.dModel;
  const weights = new Map<string, Tensor>();
  const mw = (name: string, shape: number[]) => {
    let t = weights.get(name);
    if (!t) {
      t = g.input(name, shape);
      weights.set(name, t);
    }
    return t;
  };
  const byHook = new Map(saes.map((s, i) => [s.hook, i]));
  const splice = (hook: string, x: Tensor): Tensor => {
    const i = byHook.get(hook);
    if (i === undefined) return x;
    const sc = saes[i]!.config;
    const w = saeInputs(g, sc, `s${i}.`);
    const { features, stats } = saeEncode(sc, x, w);
    const err = op.sub(x, saeDecode(sc, features, w, stats));
    const keep = g.input(`s${i}.keep`, [T, sc.dSae]);
    const mean = g.input(`s${i}.mean`, [T, sc.dSae]);
    const ekeep = g.input(`s${i}.ekeep`, [T, 1]);
    const emean = g.input(`s${i}.emean`, [T, D]);
    const f2 = op.add(mean, op.mul(keep, op.sub(features, mean)));
    const e2 = op.add(emean, op.mul(ekeep, op.sub(err, emean)));
    return op.add(saeDecode(sc, f2, w, stats), e2);
  };
  const tokens = g.input('tokens', [B, T], 'int64');
  const allShapes = gpt2WeightShapes(c);
  const w = (name: string) => mw(name, allShapes.get(name)!);
  const resid = gpt2Residual({ config: c, w, hook: splice, centerResid }, tokens);
  const final = op.layerNormalization(resid, w('ln_f.weight'), w('ln_f.bias'), c.lnEps)[0];
  const select = g.input('select', [B, 1, T]);
  const pair = g.input('pair', [B, 2], 'int64');
  const picked = op.reshape(op.matmul(select, final), [B, D]);
  const unembed = w(unembeddingName(c));
  const [ua, ub] = op.split(op.gather(unembed, pair), 1, [1, 1]) as [Tensor, Tensor];
  const metric = op.reduceSum(op.mul(picked, op.reshape(op.sub(ua, ub), [B, D])), [1]);
  const lastResid = op.reshape(op.matmul(select, resid), [B, D]);
  return { graph: g, outputs: { metric, final: lastResid } };
}

/** Names of every model weight the spliced graph reads: all of them. */
export function splicedModelWeightNames(c: GPT2Config): string[] {
  return [...gpt2WeightShapes(c).keys()];
}
