/**
 * The one definition of GPT-2's forward pass as graph ops: embeddings, attention and MLP blocks, the residual stream
 * through every layer. Every graph that runs GPT-2 builds it from here: the hooked model (model/gpt2-graph.ts: hook
 * points as outputs, interventions, gradients) and the circuits' graphs (circuits/graphs.ts: SAEs spliced in at hook
 * points, one sublayer's vector-Jacobian product). What differs between them comes in through callbacks: how a
 * weight is read (an initializer or a graph input), what happens at a hook point, and how LayerNorm is computed.
 */
import type { Graph, Tensor } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { attentionScale, type GPT2Config } from './config.js';

export interface GPT2Builder {
  config: GPT2Config;
  /** A weight by its Hugging Face name without "transformer." ('wte.weight', 'h.3.attn.c_attn.weight', ...). */
  w: (name: string) => Tensor;
  /** Called at each hook point with its TransformerLens name ('blocks.3.attn.hook_pattern'); returns what flows on. */
  hook?: (name: string, x: Tensor) => Tensor;
  /**
   * LayerNorm of `x` with the weights `${prefix}.weight` and `.bias` (prefix 'h.3.ln_1', 'ln_f'); `scaleHook` names
   * the hook of its scale where there is one. Default: ONNX LayerNormalization.
   */
  layerNorm?: (x: Tensor, prefix: string, scaleHook?: string) => Tensor;
  /** Subtract the mean over d_model from everything written to the residual stream (TransformerLens style). */
  centerResid: boolean;
  /** Attention patterns held out of the backward pass. */
  freezeAttention?: boolean;
  /**
   * Layer `layer`'s attention pattern [.., H, T, T] given from outside (frozen at a prompt's values), or undefined
   * to compute it. Where it is given only the value path is built: no queries, keys or softmax, and a backward
   * pass through the block costs the value and output projections alone.
   */
  pattern?: (layer: number) => Tensor | undefined;
}

const passThrough = (_name: string, x: Tensor) => x;

export function layerNormOf(b: GPT2Builder, x: Tensor, prefix: string, scaleHook?: string): Tensor {
  if (b.layerNorm) return b.layerNorm(x, prefix, scaleHook);
  return op.layerNormalization(x, b.w(`${prefix}.weight`), b.w(`${prefix}.bias`), b.config.lnEps)[0];
}

const centred = (b: GPT2Builder, x: Tensor) => (b.centerResid ? op.sub(x, op.reduceMean(x, [-1], true)) : x);

/** The causal mask [T, T] (0 on and below the diagonal, -1e9 above), one constant per graph and length. */
const masks = new WeakMap<Graph, Map<number, Tensor>>();
function causalMask(g: Graph, T: number): Tensor {
  let byLength = masks.get(g);
  if (!byLength) {
    byLength = new Map();
    masks.set(g, byLength);
  }
  let mask = byLength.get(T);
  if (!mask) {
    const values = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) values[i * T + j] = -1e9;
    mask = g.constant(values, [T, T]);
    byLength.set(T, mask);
  }
  return mask;
}

/**
 * Layer `layer`'s attention sublayer: resid [B, T, d] -> attn_out [B, T, d] (before its hook), with the hook point
 * `attn.hook_pattern` inside. `scale`: the score factor (attentionScale(config, layer) unless a graph serving several
 * layers passes its own).
 */
export function attentionBlock(b: GPT2Builder, layer: number, resid: Tensor, scale = attentionScale(b.config, layer)) {
  const g = resid.graph;
  const [B, T, D] = resid.shape as [number, number, number];
  const H = b.config.nHeads;
  const dh = D / H;
  const w = (name: string) => b.w(`h.${layer}.${name}`);
  const x = layerNormOf(b, resid, `h.${layer}.ln_1`);
  const heads = (t: Tensor) => op.transpose(op.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]);
  let pattern = b.pattern?.(layer);
  let v: Tensor;
  if (pattern) {
    // c_attn's value columns only: [q | k | v] along its output axis.
    const values = (t: Tensor, axis: number) => op.slice(t, [2 * D], [3 * D], [axis]);
    v = op.add(op.matmul(x, values(w('attn.c_attn.weight'), 1)), values(w('attn.c_attn.bias'), 0));
  } else {
    const qkv = op.add(op.matmul(x, w('attn.c_attn.weight')), w('attn.c_attn.bias'));
    const [q, k, vs] = op.split(qkv, 2, [D, D, D]) as [Tensor, Tensor, Tensor];
    const keysT = op.transpose(op.reshape(k, [B, T, H, dh]), [0, 2, 3, 1]);
    const scores = op.add(op.mul(op.matmul(heads(q), keysT), op.scalar(g, scale)), causalMask(g, T));
    pattern = op.softmax(scores, -1);
    if (b.freezeAttention) pattern = op.stopGradient(pattern);
    v = vs;
  }
  pattern = (b.hook ?? passThrough)(`blocks.${layer}.attn.hook_pattern`, pattern);
  const z = op.reshape(op.transpose(op.matmul(pattern, heads(v)), [0, 2, 1, 3]), [B, T, D]);
  return centred(b, op.add(op.matmul(z, w('attn.c_proj.weight')), w('attn.c_proj.bias')));
}

/** Layer `layer`'s MLP sublayer: resid_mid [.., d] -> mlp_out [.., d] (before its hook), `mlp.hook_post` inside. */
export function mlpBlock(b: GPT2Builder, layer: number, resid: Tensor): Tensor {
  const w = (name: string) => b.w(`h.${layer}.${name}`);
  const x = layerNormOf(b, resid, `h.${layer}.ln_2`);
  const post = (b.hook ?? passThrough)(
    `blocks.${layer}.mlp.hook_post`,
    op.gelu(op.add(op.matmul(x, w('mlp.c_fc.weight')), w('mlp.c_fc.bias'))),
  );
  return centred(b, op.add(op.matmul(post, w('mlp.c_proj.weight')), w('mlp.c_proj.bias')));
}

/**
 * Tokens [B, T] (int64) through the embeddings and every layer: the residual stream after the last layer, before
 * ln_f. Hook points in forward order: hook_embed, hook_pos_embed, then per layer hook_resid_pre, attn.hook_pattern,
 * hook_attn_out, hook_resid_mid, mlp.hook_post, hook_mlp_out, hook_resid_post.
 */
export function gpt2Residual(b: GPT2Builder, tokens: Tensor): Tensor {
  const [B, T] = tokens.shape as [number, number];
  const D = b.config.dModel;
  const hook = b.hook ?? passThrough;
  const embed = hook('hook_embed', centred(b, op.gather(b.w('wte.weight'), tokens)));
  const positions = op.expand(op.reshape(op.slice(b.w('wpe.weight'), [0], [T], [0]), [1, T, D]), [B, T, D]);
  let resid = op.add(embed, hook('hook_pos_embed', centred(b, positions)));
  for (let l = 0; l < b.config.nLayers; l++) {
    const name = (h: string) => `blocks.${l}.${h}`;
    resid = hook(name('hook_resid_pre'), resid);
    resid = hook(name('hook_resid_mid'), op.add(resid, hook(name('hook_attn_out'), attentionBlock(b, l, resid))));
    resid = hook(name('hook_resid_post'), op.add(resid, hook(name('hook_mlp_out'), mlpBlock(b, l, resid))));
  }
  return resid;
}
