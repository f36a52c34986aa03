/**
 * GPT-2 as a Graph, for one shape class (batch, seq): hook points with TransformerLens names, interventions as
 * graph inputs (h' = h * keep + add), optional residual centring, and optionally the gradient of a logit-difference
 * metric with respect to chosen hooks (with frozen attention patterns and/or LayerNorm scales).
 */

import { grad } from '../graph/autodiff.js';
import { Graph, type Tensor } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { allHookNames, parseHookName } from '../hooks.js';
import { type GPT2Config, gpt2WeightShapes, unembeddingName } from './config.js';
import { gpt2Residual } from './gpt2-forward.js';

export interface GPT2GraphSpec {
  batch: number;
  seq: number;
  /** Hooks returned as outputs. */
  hooks: string[];
  /** Hooks that take `${hook}.keep` and `${hook}.add` inputs (full hook shape). */
  interventions: string[];
  /** Return logits, as [batch * seq, vocab]. */
  logits: boolean;
  /** Subtract the mean over d_model from everything written to the residual stream (TransformerLens style). */
  centerResid: boolean;
  /**
   * Gradient of sum_b (logit[b, p_b, a_b] - logit[b, p_b, c_b]) with respect to these hooks. Inputs:
   * `metric.select` [batch, 1, seq] (one-hot p_b) and `metric.tokens` int64 [batch, 2] (a_b, c_b).
   * Outputs `metric` [batch] and `grad.${hook}` for each hook.
   */
  gradient?: {
    hooks: string[];
    freezeAttention: boolean;
    freezeLayerNorm: boolean;
    /** Hooks treated as constants in the backward pass (stop-gradient after the hook): direct-path edges. */
    detach?: string[];
    /**
     * Instead of the logit difference, the metric is sum(hook * metric.weights) per example, with input
     * `metric.weights` of the hook's shape: a vector-Jacobian product seeded at any hook.
     */
    metricHook?: string;
  };
}

export interface GPT2Graph {
  graph: Graph;
  outputs: Record<string, Tensor>;
}

export function hookShape(config: GPT2Config, name: string, batch: number, seq: number): number[] {
  const { layer, hook } = parseHookName(name);
  if (layer !== null && layer >= config.nLayers)
    throw new Error(`hook "${name}": the model has ${config.nLayers} layers`);
  if (hook === 'attn.hook_pattern') return [batch, config.nHeads, seq, seq];
  if (hook === 'mlp.hook_post') return [batch, seq, 4 * config.dModel];
  if (hook === 'ln_final.hook_scale') return [batch, seq, 1];
  return [batch, seq, config.dModel];
}

export function buildGPT2Graph(config: GPT2Config, spec: GPT2GraphSpec): GPT2Graph {
  const { batch: B, seq: T } = spec;
  const D = config.dModel;
  if (T > config.nCtx) throw new Error(`sequence length ${T} exceeds the model's context of ${config.nCtx}`);
  const known = new Set(allHookNames(config.nLayers));
  const named = [
    ...spec.hooks,
    ...spec.interventions,
    ...(spec.gradient?.hooks ?? []),
    ...(spec.gradient?.detach ?? []),
  ];
  if (spec.gradient?.metricHook) named.push(spec.gradient.metricHook);
  for (const name of named) {
    if (!known.has(name)) throw new Error(`unknown hook "${name}" for a ${config.nLayers}-layer model`);
  }
  const g = new Graph();
  const weights = new Map<string, Tensor>();
  for (const [name, shape] of gpt2WeightShapes(config)) weights.set(name, g.weight(name, shape));
  const w = (name: string) => weights.get(name)!;
  const tokens = g.input('tokens', [B, T], 'int64');

  const hooks = new Map<string, Tensor>();
  const intervened = new Set(spec.interventions);
  const detached = new Set(spec.gradient?.detach ?? []);
  const hook = (name: string, x: Tensor): Tensor => {
    let h = x;
    if (intervened.has(name)) {
      const shape = hookShape(config, name, B, T);
      h = op.add(op.mul(h, g.input(`${name}.keep`, shape)), g.input(`${name}.add`, shape));
    }
    hooks.set(name, h);
    return detached.has(name) ? op.stopGradient(h) : h;
  };
  const freezeLN = spec.gradient?.freezeLayerNorm ?? false;
  const scaleHooked = ['ln_final.hook_scale'].some(
    (n) => spec.hooks.includes(n) || intervened.has(n) || spec.gradient?.hooks.includes(n),
  );
  const layerNorm = (x: Tensor, name: string, scaleHook?: string): Tensor => {
    const gamma = w(`${name}.weight`);
    const beta = w(`${name}.bias`);
    if (!freezeLN && !(scaleHook && scaleHooked)) return op.layerNormalization(x, gamma, beta, config.lnEps)[0];
    // Decomposed, so the scale sqrt(var + eps) can be hooked or held fixed.
    const centred = op.sub(x, op.reduceMean(x, [-1], true));
    let scale = op.sqrt(op.add(op.reduceMean(op.mul(centred, centred), [-1], true), op.scalar(g, config.lnEps)));
    if (freezeLN) scale = op.stopGradient(scale);
    if (scaleHook) scale = hook(scaleHook, scale);
    return op.add(op.mul(op.div(centred, scale), gamma), beta);
  };

  const resid = gpt2Residual(
    { config, w, hook, layerNorm, centerResid: spec.centerResid, freezeAttention: spec.gradient?.freezeAttention },
    tokens,
  );
  const final = layerNorm(resid, 'ln_f', 'ln_final.hook_scale');

  const unembed = w(unembeddingName(config));
  const outputs: Record<string, Tensor> = {};
  if (spec.logits) {
    // [B*T, vocab]: left 2-D so the runtime need not copy it for a reshape (callers view it as [B, T, vocab]).
    outputs.logits = op.gemm(op.reshape(final, [B * T, D]), unembed, undefined, { transB: true });
  }
  for (const name of spec.hooks) outputs[name] = hooks.get(name)!;
  if (spec.gradient) {
    let metric: Tensor;
    const metricHook = spec.gradient.metricHook;
    if (metricHook) {
      const shape = hookShape(config, metricHook, B, T);
      const weighted = op.mul(hooks.get(metricHook)!, g.input('metric.weights', shape));
      metric = op.reduceSum(
        weighted,
        shape.slice(1).map((_, i) => i + 1),
      );
    } else {
      const select = g.input('metric.select', [B, 1, T]);
      const pair = g.input('metric.tokens', [B, 2], 'int64');
      const picked = op.reshape(op.matmul(select, final), [B, D]);
      const [ua, ub] = op.split(op.gather(unembed, pair), 1, [1, 1]) as [Tensor, Tensor];
      const direction = op.reshape(op.sub(ua, ub), [B, D]);
      metric = op.reduceSum(op.mul(picked, direction), [1]);
    }
    outputs.metric = metric;
    const targets = spec.gradient.hooks.map((n) => hooks.get(n)!);
    const grads = grad(op.reduceSum(metric, [0]), targets);
    spec.gradient.hooks.forEach((n, i) => {
      outputs[`grad.${n}`] = grads[i]!;
    });
  }
  return { graph: g, outputs };
}
