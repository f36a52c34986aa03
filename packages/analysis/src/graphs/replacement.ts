/**
 * The replacement model of one prompt (circuit-tracer's, on GPT-2): every MLP replaced by a transcoder plus an
 * error term (true MLP out - transcoder out, a constant on this prompt), attention patterns and LayerNorm
 * denominators frozen at their values on the prompt. Its output equals the model's, and as a function of the
 * sources (token embeddings, feature activations, error terms) it is linear: every edge of an attribution graph is
 * an exact contribution. This file captures the prompt's frozen state and builds the graphs that run that model:
 * its forward pass (for checks) and one layer's backward step (for the batched backward passes of attribution.ts).
 * All are built from the one GPT-2 definition (model/gpt2-forward.ts) through its callbacks.
 */
import { grad } from '../graph/autodiff.js';
import { Graph, type Tensor } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { type GPT2Config, gpt2WeightShapes, unembeddingName } from '../model/config.js';
import { attentionBlock, type GPT2Builder, gpt2Residual } from '../model/gpt2-forward.js';
import { CompiledGraph, type OrtModule } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeDecode, saeEncode, saeInputs, transcoderSkip } from '../sae/graph.js';
import type { SaeWeights } from '../sae/sae.js';

/** A transcoder whose weights are read when needed (and dropped after), so wide sets need not fit in memory. */
export interface TranscoderSource {
  /** A transcoder's config (`transcoder` set): reads blocks.L.ln2.hook_normalized, predicts blocks.L.hook_mlp_out. */
  config: SaeConfig;
  /** Where it was read from, if anywhere. */
  path?: string;
  load(): Promise<SaeWeights>;
}

/**
 * The layer whose MLP a transcoder replaces; throws unless it reads that MLP's input after LayerNorm 2
 * (ln2.hook_normalized) and predicts its output (hook_mlp_out), the only MLP replacement the graph is exact for.
 */
export function transcoderLayer(c: SaeConfig): number {
  const m = /^blocks\.(\d+)\.ln2\.hook_normalized$/.exec(c.hookName);
  const out = c.transcoder?.hookName;
  if (!c.transcoder) throw new Error(`${c.hookName}: an SAE, not a transcoder (attribution graphs need transcoders)`);
  if (!m || out !== `blocks.${m[1]}.hook_mlp_out`)
    throw new Error(
      `transcoder ${c.hookName} -> ${out}: attribution graphs need transcoders from blocks.L.ln2.hook_normalized to blocks.L.hook_mlp_out`,
    );
  if (c.normalization !== 'none')
    throw new Error(`transcoder of layer ${m[1]}: input normalisation "${c.normalization}" is not supported`);
  return Number(m[1]);
}

/** The prompt's frozen state: everything the linear replacement model holds fixed, and its sources. */
export interface PromptState {
  tokens: number[];
  /** Per layer: attention pattern [H, T, T]. */
  patterns: Float32Array[];
  /** LayerNorm denominators sqrt(var + eps) [T] by LayerNorm name: `h.{l}.ln_1`, `h.{l}.ln_2`, `ln_f`. */
  scales: Map<string, Float32Array>;
  /** Per layer: the transcoder's input ln2.hook_normalized [T, d] (normalised, without ln_2's weight and bias). */
  mlpIn: Float32Array[];
  /** Per layer: the true MLP output hook_mlp_out [T, d]. */
  mlpOut: Float32Array[];
  /** Token + position embedding [T, d]: what enters the residual stream (blocks.0.hook_resid_pre). */
  embed: Float32Array;
  /** The model's logits at the last position [vocab]. */
  lastLogits: Float32Array;
}

const LN_NAMES = (c: GPT2Config) => [
  ...Array.from({ length: c.nLayers }, (_, l) => [`h.${l}.ln_1`, `h.${l}.ln_2`]).flat(),
  'ln_f',
];

/** Model weights as graph inputs under their own names (one compiled graph reads the caller's arrays, no copy). */
function weightInputs(g: Graph, c: GPT2Config): (name: string) => Tensor {
  const shapes = gpt2WeightShapes(c);
  const made = new Map<string, Tensor>();
  return (name) => {
    let t = made.get(name);
    if (!t) {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`GPT-2 has no weight "${name}"`);
      t = g.input(name, shape);
      made.set(name, t);
    }
    return t;
  };
}

/**
 * `hook_normalized` with its denominator `scale` [.., T, 1] given (frozen): (x - mean) / scale, LayerNorm without
 * its weight and bias, which is what a transcoder reads (model/layer-norm.ts).
 */
export function frozenNormalized(x: Tensor, scale: Tensor): Tensor {
  return op.div(op.sub(x, op.reduceMean(x, [-1], true)), scale);
}

/** LayerNorm with its denominator `scale` [.., T, 1] given (frozen): (x - mean) / scale * gamma + beta. */
export function frozenLayerNorm(x: Tensor, scale: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  return op.add(op.mul(frozenNormalized(x, scale), gamma), beta);
}

/**
 * The forward pass of the original model on one prompt [1, T] with every frozen quantity as an output: patterns,
 * LayerNorm denominators, the MLPs' inputs after ln_2 and their outputs, the embedding, the last logits.
 */
function buildCaptureGraph(c: GPT2Config, T: number, centerResid: boolean) {
  const g = new Graph();
  const w = weightInputs(g, c);
  const outputs: Record<string, Tensor> = {};
  const layerNorm = (x: Tensor, prefix: string): Tensor => {
    const centred = op.sub(x, op.reduceMean(x, [-1], true));
    const scale = op.sqrt(op.add(op.reduceMean(op.mul(centred, centred), [-1], true), op.scalar(g, c.lnEps)));
    outputs[`scale.${prefix}`] = scale;
    const normalized = op.div(centred, scale);
    const m = /^h\.(\d+)\.ln_2$/.exec(prefix);
    if (m) outputs[`mlpIn.${m[1]}`] = normalized;
    return op.add(op.mul(normalized, w(`${prefix}.weight`)), w(`${prefix}.bias`));
  };
  const parts: Tensor[] = [];
  const hook = (name: string, x: Tensor): Tensor => {
    const m = /^blocks\.(\d+)\.(attn\.hook_pattern|hook_mlp_out)$/.exec(name);
    if (m) outputs[`${m[2] === 'hook_mlp_out' ? 'mlpOut' : 'pattern'}.${m[1]}`] = x;
    if (name === 'hook_embed' || name === 'hook_pos_embed') parts.push(x);
    return x;
  };
  const tokens = g.input('tokens', [1, T], 'int64');
  const resid = gpt2Residual({ config: c, w, hook, layerNorm, centerResid }, tokens);
  outputs.embed = op.add(parts[0]!, parts[1]!);
  const final = layerNorm(resid, 'ln_f');
  const last = op.reshape(op.slice(final, [T - 1], [T], [1]), [1, c.dModel]);
  outputs.lastLogits = op.gemm(last, w(unembeddingName(c)), undefined, { transB: true });
  return { graph: g, outputs };
}

/** Runs the model on the prompt and returns its frozen state. `weights`: every model weight by HF name. */
export async function capturePrompt(
  ort: OrtModule,
  c: GPT2Config,
  weights: Map<string, Float32Array>,
  tokens: number[],
  options: { centerResid?: boolean; threads?: number } = {},
): Promise<PromptState> {
  const T = tokens.length;
  if (T === 0) throw new Error('the prompt has no tokens');
  if (T > c.nCtx) throw new Error(`the prompt has ${T} tokens; the model's context is ${c.nCtx}`);
  for (const id of tokens)
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
      throw new Error(`token id ${id} is outside the vocabulary (${c.vocabSize})`);
  const { graph, outputs } = buildCaptureGraph(c, T, options.centerResid ?? false);
  const compiled = await CompiledGraph.create(ort, toOnnx(graph, { outputs, name: 'capture' }), {
    threads: options.threads,
  });
  try {
    const feeds: Record<string, Float32Array | BigInt64Array> = Object.fromEntries(weights);
    feeds.tokens = BigInt64Array.from(tokens, (t) => BigInt(t));
    const out = await compiled.run(feeds);
    const L = c.nLayers;
    const scales = new Map(LN_NAMES(c).map((n) => [n, out[`scale.${n}`]!.data]));
    return {
      tokens: [...tokens],
      patterns: Array.from({ length: L }, (_, l) => out[`pattern.${l}`]!.data),
      scales,
      mlpIn: Array.from({ length: L }, (_, l) => out[`mlpIn.${l}`]!.data),
      mlpOut: Array.from({ length: L }, (_, l) => out[`mlpOut.${l}`]!.data),
      embed: out.embed!.data,
      lastLogits: out.lastLogits!.data,
    };
  } finally {
    await compiled.release();
  }
}

/** Graph: x [rows, d_in] -> features [rows, d_sae] and the transcoder's output [rows, d_out]. */
export async function compileTranscoder(
  ort: OrtModule,
  c: SaeConfig,
  rows: number,
  threads?: number,
): Promise<CompiledGraph> {
  const g = new Graph();
  const w = saeInputs(g, c, '');
  const x = g.input('x', [rows, c.dIn]);
  const { features } = saeEncode(c, x, w);
  const output = saeDecode(c, features, w, {}, x);
  return CompiledGraph.create(ort, toOnnx(g, { outputs: { features, output }, name: 'transcoder' }), { threads });
}

export interface ReplacementForwardSpec {
  T: number;
  transcoders: SaeConfig[];
  centerResid: boolean;
  /**
   * 'encode': the replacement model proper, each transcoder encoding its own (frozen-LN) input; inputs
   * `error.{l}` [T, d]. 'given': the linear model of the sources: inputs `embed` [T, d] and `written.{l}` [T, d]
   * (what layer l's features and error write: f W_dec + error), so any source can be removed or scaled.
   */
  features: 'encode' | 'given';
}

/**
 * The replacement model's forward pass on one prompt: attention patterns (`pattern.{l}` [1, H, T, T]) and
 * LayerNorm denominators (`scale.{name}` [1, T, 1]) are inputs held at the prompt's values; each MLP is its
 * transcoder (weights `tc{l}.W_enc`, ...) plus its error. Outputs `logits` [T, vocab], and per layer `mlpIn.{l}`
 * (the transcoder's input) and `features.{l}` in 'encode' mode.
 */
export function buildReplacementForward(c: GPT2Config, spec: ReplacementForwardSpec) {
  const { T } = spec;
  const D = c.dModel;
  const g = new Graph();
  const w = weightInputs(g, c);
  const outputs: Record<string, Tensor> = {};
  const scaleOf = new Map<string, Tensor>();
  const scale = (name: string) => {
    let s = scaleOf.get(name);
    if (!s) {
      s = g.input(`scale.${name}`, [1, T, 1]);
      scaleOf.set(name, s);
    }
    return s;
  };
  const layerNorm = (x: Tensor, prefix: string) =>
    frozenLayerNorm(x, scale(prefix), w(`${prefix}.weight`), w(`${prefix}.bias`));
  const byLayer = new Map(spec.transcoders.map((t) => [transcoderLayer(t), t]));
  let resid: Tensor | null = null;
  const hook = (name: string, x: Tensor): Tensor => {
    const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
    if (!m) return x;
    const l = Number(m[1]);
    if (m[2] === 'hook_resid_mid') resid = x;
    if (m[2] !== 'hook_mlp_out') return x;
    const t = byLayer.get(l);
    if (!t) throw new Error(`no transcoder for layer ${l}`);
    const tw = saeInputs(g, t, `tc${l}.`);
    const xin = frozenNormalized(resid!, scale(`h.${l}.ln_2`));
    outputs[`mlpIn.${l}`] = xin;
    if (spec.features === 'given') {
      const bias = tw.W_skip ? op.add(transcoderSkip(xin, tw.W_skip), tw.b_dec) : tw.b_dec;
      return op.add(op.reshape(g.input(`written.${l}`, [T, D]), [1, T, D]), bias);
    }
    const { features } = saeEncode(t, xin, tw);
    outputs[`features.${l}`] = features;
    return op.add(saeDecode(t, features, tw, {}, xin), op.reshape(g.input(`error.${l}`, [T, D]), [1, T, D]));
  };
  let embedded: Tensor | null = null;
  const entry = (name: string, x: Tensor) => {
    if (spec.features === 'given' && name === 'blocks.0.hook_resid_pre') {
      embedded = op.reshape(g.input('embed', [T, D]), [1, T, D]);
      return embedded;
    }
    return hook(name, x);
  };
  const tokens = spec.features === 'encode' ? g.input('tokens', [1, T], 'int64') : g.ints(new Array(T).fill(0), [1, T]);
  const pattern = (l: number) => g.input(`pattern.${l}`, [1, c.nHeads, T, T]);
  const final = layerNorm(
    gpt2Residual({ config: c, w, hook: entry, layerNorm, centerResid: spec.centerResid, pattern }, tokens),
    'ln_f',
  );
  outputs.logits = op.gemm(op.reshape(final, [T, D]), w(unembeddingName(c)), undefined, { transB: true });
  return { graph: g, outputs };
}

/** Feeds of buildReplacementForward's frozen inputs (patterns and LayerNorm denominators) from a prompt state. */
export function frozenFeeds(state: PromptState): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  state.patterns.forEach((p, l) => {
    feeds[`pattern.${l}`] = p;
  });
  for (const [name, s] of state.scales) feeds[`scale.${name}`] = s;
  return feeds;
}

export interface LayerStepSpec {
  /** Rows: backward passes run together (one target each). */
  rows: number;
  T: number;
  /** Readout width: active features per position, padded. */
  K: number;
  skip: boolean;
  centerResid: boolean;
  /** attentionScale(c, layer): irrelevant with patterns given, kept so the block is built as the layer is. */
  attnScale: number;
}

/**
 * One layer's step of the batched backward pass through the linear replacement model, for `rows` targets at once.
 * Inputs: `g` [R, T, d], the targets' gradient at the layer's resid_post; `seed` [R, T, d], the gradient injected at
 * the layer's transcoder input (a feature target's encoder vector at its position; zero for other rows); the
 * layer's frozen `pattern` [1, H, T, T], `scale1`, `scale2` [1, T, 1] and weights `w.<name>` (any layer's: one
 * compiled step serves every layer); for the readout of the layer's sources, `dec` [T, K, d] (each active
 * feature's decoder row times its activation, zero-padded) and `err` [T, d] (the error term).
 * Outputs: `gpre` [R, T, d], the gradient at resid_pre (= the previous layer's resid_post); `fc` [T, R, K], each
 * feature's direct contribution to each target; `ec` [R, T], each error node's.
 * The MLP passes gradient only through W_skip: features and errors are sources (held fixed), not functions of x.
 */
export async function compileLayerStep(
  ort: OrtModule,
  c: GPT2Config,
  spec: LayerStepSpec,
  threads?: number,
): Promise<CompiledGraph> {
  const { rows: R, T, K } = spec;
  const D = c.dModel;
  const g = new Graph();
  const shapes = gpt2WeightShapes(c);
  const weights = new Map<string, Tensor>();
  const w = (full: string) => {
    const name = full.replace(/^h\.0\./, '');
    let t = weights.get(name);
    if (!t) {
      t = g.input(`w.${name}`, shapes.get(`h.0.${name}`)!);
      weights.set(name, t);
    }
    return t;
  };
  const scale1 = g.input('scale1', [1, T, 1]);
  const scale2 = g.input('scale2', [1, T, 1]);
  const pattern = g.input('pattern', [1, c.nHeads, T, T]);
  const layerNorm = (x: Tensor, prefix: string) =>
    frozenLayerNorm(x, prefix.endsWith('ln_1') ? scale1 : scale2, w(`${prefix}.weight`), w(`${prefix}.bias`));
  const builder: GPT2Builder = { config: c, w, layerNorm, centerResid: spec.centerResid, pattern: () => pattern };
  // The forward value of `resid` is never needed: the step is linear, so its gradient does not depend on it.
  const resid = g.input('resid', [R, T, D]);
  const mid = op.add(resid, attentionBlock(builder, 0, resid, spec.attnScale));
  const xin = frozenNormalized(mid, scale2);
  const post = spec.skip ? op.add(mid, transcoderSkip(xin, g.input('w.W_skip', [D, D]))) : mid;
  const gIn = g.input('g', [R, T, D]);
  const seed = g.input('seed', [R, T, D]);
  const all = [0, 1, 2];
  const metric = op.add(op.reduceSum(op.mul(post, gIn), all), op.reduceSum(op.mul(xin, seed), all));
  const [gpre] = grad(metric, [resid]);
  const dec = g.input('dec', [T, K, D]);
  const fc = op.matmul(op.transpose(gIn, [1, 0, 2]), op.transpose(dec, [0, 2, 1]));
  const ec = op.reduceSum(op.mul(gIn, op.reshape(g.input('err', [T, D]), [1, T, D])), [2]);
  return CompiledGraph.create(ort, toOnnx(g, { outputs: { gpre: gpre!, fc, ec }, name: 'replacement-step' }), {
    threads,
  });
}

/**
 * The gradient at the last resid_post of `rows` seeds `u` [R, T, d] placed at ln_f's output (the logit targets'
 * unembedding vectors), through ln_f with its denominator `scalef` [1, T, 1] frozen.
 */
export async function compileFinalNorm(ort: OrtModule, c: GPT2Config, rows: number, T: number, threads?: number) {
  const g = new Graph();
  const D = c.dModel;
  const x = g.input('resid', [rows, T, D]);
  const y = frozenLayerNorm(
    x,
    g.input('scalef', [1, T, 1]),
    g.input('w.ln_f.weight', [D]),
    g.input('w.ln_f.bias', [D]),
  );
  const [gx] = grad(op.reduceSum(op.mul(y, g.input('u', [rows, T, D])), [0, 1, 2]), [x]);
  return CompiledGraph.create(ort, toOnnx(g, { outputs: { gx: gx! }, name: 'final-norm' }), { threads });
}
