/**
 * The seed toy example (issue #4): 2 inputs (singular / plural subject cues) -> 4 hidden ReLU units -> 2 outputs
 * (" runs", " run"), trained by plain gradient descent; a ReLU SAE over the 4 hidden units; and its feature circuit
 * inputs -> hidden units -> SAE features (+ error node) -> outputs, built with the same node ids, circuit file and
 * graph export as the GPT-2 circuits. Edges are exact linear contributions (activation x weight, gated by the
 * ReLUs), so the edges into each output add up to that output's logit minus its bias (b_out + b_dec . W_out).
 */
import { mulberry32 } from '../data/prng.js';
import { type CircuitFile, parseCircuitFile } from './format.js';
import { type CircuitEdge, type CircuitNode, nodeId } from './nodes.js';

export const TOY_OUTPUTS = [' runs', ' run'] as const;

/** The seed article's two inputs: a singular subject ("The cat" -> " runs") and a plural one ("The cats" -> " run"). */
export const TOY_INPUTS = {
  singular: { x: [1, 0.1] as [number, number], subject: ' cat' },
  plural: { x: [0.1, 1] as [number, number], subject: ' cats' },
} as const;
export type ToyInput = keyof typeof TOY_INPUTS;

export interface ToyNetwork {
  /** [2, 4], [4], [4, 2], [2] */
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  b2: Float64Array;
}

export interface ToySae {
  /** [4, S], [S], [S, 4], [4] */
  W_enc: Float64Array;
  b_enc: Float64Array;
  W_dec: Float64Array;
  b_dec: Float64Array;
  dSae: number;
}

export interface ToyExample {
  x: [number, number];
  /** 0: singular (" runs"), 1: plural (" run"). */
  label: 0 | 1;
}

/** Singular subjects light input 0, plural ones input 1, with noise on both. */
export function toyData(count: number, seed: number): ToyExample[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const strong = 0.6 + 0.8 * r();
    const weak = 0.3 * r();
    return { x: label === 0 ? [strong, weak] : [weak, strong], label };
  });
}

export function toyForward(net: ToyNetwork, x: readonly number[]): { hidden: Float64Array; logits: Float64Array } {
  const hidden = new Float64Array(4);
  for (let h = 0; h < 4; h++) hidden[h] = Math.max(0, net.b1[h]! + x[0]! * net.W1[h]! + x[1]! * net.W1[4 + h]!);
  const logits = new Float64Array(2);
  for (let o = 0; o < 2; o++) {
    let s = net.b2[o]!;
    for (let h = 0; h < 4; h++) s += hidden[h]! * net.W2[h * 2 + o]!;
    logits[o] = s;
  }
  return { hidden, logits };
}

/** Trains the network with softmax cross-entropy by full-batch gradient descent. */
export function trainToyNetwork(data: readonly ToyExample[], seed = 1, steps = 2000, lr = 0.2): ToyNetwork {
  const r = mulberry32(seed);
  const u = (n: number, s: number) => Float64Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const net: ToyNetwork = { W1: u(8, 1), b1: u(4, 0.1).map((v) => v + 0.1), W2: u(8, 1), b2: new Float64Array(2) };
  for (let step = 0; step < steps; step++) {
    const g = { W1: new Float64Array(8), b1: new Float64Array(4), W2: new Float64Array(8), b2: new Float64Array(2) };
    for (const ex of data) {
      const { hidden, logits } = toyForward(net, ex.x);
      const m = Math.max(logits[0]!, logits[1]!);
      const e0 = Math.exp(logits[0]! - m);
      const e1 = Math.exp(logits[1]! - m);
      const p = [e0 / (e0 + e1), e1 / (e0 + e1)];
      const dl = [p[0]! - (ex.label === 0 ? 1 : 0), p[1]! - (ex.label === 1 ? 1 : 0)];
      for (let o = 0; o < 2; o++) {
        g.b2[o]! += dl[o]!;
        for (let h = 0; h < 4; h++) g.W2[h * 2 + o]! += dl[o]! * hidden[h]!;
      }
      for (let h = 0; h < 4; h++) {
        if (hidden[h]! <= 0) continue;
        const dh = dl[0]! * net.W2[h * 2]! + dl[1]! * net.W2[h * 2 + 1]!;
        g.b1[h]! += dh;
        g.W1[h]! += dh * ex.x[0];
        g.W1[4 + h]! += dh * ex.x[1];
      }
    }
    const n = data.length;
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const)
      for (let i = 0; i < net[k].length; i++) net[k][i]! -= (lr * g[k][i]!) / n;
  }
  return net;
}

export function toySaeEncode(sae: ToySae, hidden: ArrayLike<number>): Float64Array {
  const f = new Float64Array(sae.dSae);
  for (let j = 0; j < sae.dSae; j++) {
    let s = sae.b_enc[j]!;
    for (let h = 0; h < 4; h++) s += hidden[h]! * sae.W_enc[h * sae.dSae + j]!;
    f[j] = Math.max(0, s);
  }
  return f;
}

export function toySaeDecode(sae: ToySae, f: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(sae.b_dec);
  for (let j = 0; j < sae.dSae; j++) for (let h = 0; h < 4; h++) x[h]! += f[j]! * sae.W_dec[j * 4 + h]!;
  return x;
}

/** A ReLU SAE over the hidden units: squared reconstruction error + L1 sparsity, gradient descent. */
export function trainToySae(
  net: ToyNetwork,
  data: readonly ToyExample[],
  dSae = 6,
  seed = 2,
  steps = 3000,
  lr = 0.05,
  l1 = 0.01,
): ToySae {
  const r = mulberry32(seed);
  const u = (n: number, s: number) => Float64Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const sae: ToySae = {
    W_enc: u(4 * dSae, 0.7),
    b_enc: u(dSae, 0.05),
    W_dec: u(dSae * 4, 0.7),
    b_dec: new Float64Array(4),
    dSae,
  };
  const acts = data.map((ex) => toyForward(net, ex.x).hidden);
  for (let step = 0; step < steps; step++) {
    const g = {
      W_enc: new Float64Array(4 * dSae),
      b_enc: new Float64Array(dSae),
      W_dec: new Float64Array(dSae * 4),
      b_dec: new Float64Array(4),
    };
    for (const a of acts) {
      const f = toySaeEncode(sae, a);
      const xh = toySaeDecode(sae, f);
      const dx = Array.from({ length: 4 }, (_, h) => 2 * (xh[h]! - a[h]!));
      for (let h = 0; h < 4; h++) g.b_dec[h]! += dx[h]!;
      for (let j = 0; j < dSae; j++) {
        if (f[j]! <= 0) continue;
        let df = l1;
        for (let h = 0; h < 4; h++) {
          g.W_dec[j * 4 + h]! += f[j]! * dx[h]!;
          df += sae.W_dec[j * 4 + h]! * dx[h]!;
        }
        g.b_enc[j]! += df;
        for (let h = 0; h < 4; h++) g.W_enc[h * dSae + j]! += df * a[h]!;
      }
    }
    for (const k of ['W_enc', 'b_enc', 'W_dec', 'b_dec'] as const)
      for (let i = 0; i < sae[k].length; i++) sae[k][i]! -= (lr * g[k][i]!) / acts.length;
  }
  return sae;
}

/**
 * The walkthrough's toy, the same everywhere (browser, CLI, tests): the network trained on 64 seeded examples and its
 * 6-feature SAE trained on their hidden units, with the default seeds, steps and learning rates.
 */
export function defaultToy(): { net: ToyNetwork; sae: ToySae; train: ToyExample[] } {
  const train = toyData(64, 1);
  const net = trainToyNetwork(train);
  return { net, sae: trainToySae(net, train), train };
}

export interface ToyCircuit {
  circuit: CircuitFile;
  logits: Float64Array;
  /** Per output: b_out + b_dec . W_out, what the edges into it leave out. */
  bias: Float64Array;
}

/**
 * The toy's feature circuit on one input. Node effects are on the metric logit[" run"] - logit[" runs"]: each
 * node's activation times its (linear) weight into that difference, i.e. attribution patching against a zero
 * baseline, exact here because everything after the node is linear given the ReLU pattern.
 */
export function toyCircuit(net: ToyNetwork, sae: ToySae, x: [number, number]): ToyCircuit {
  const { hidden, logits } = toyForward(net, x);
  const f = toySaeEncode(sae, hidden);
  const xh = toySaeDecode(sae, f);
  const err = Array.from({ length: 4 }, (_, h) => hidden[h]! - xh[h]!);
  const S = sae.dSae;
  const wOut = (v: ArrayLike<number>, o: number) => {
    let s = 0;
    for (let h = 0; h < 4; h++) s += v[h]! * net.W2[h * 2 + o]!;
    return s;
  };
  const metricW = (v: ArrayLike<number>) => wOut(v, 1) - wOut(v, 0);
  const id = {
    input: (i: number) => nodeId('toy.input', i, 0),
    hidden: (h: number) => nodeId('toy.hidden', h, 0),
    feature: (j: number) => nodeId('toy.sae', j, 0),
    error: nodeId('toy.sae', null, 0),
    output: (o: number) => nodeId('toy.output', o, 0),
  };
  const edges: CircuitEdge[] = [];
  const nodes: CircuitNode[] = [];
  const decRow = (j: number) => sae.W_dec.subarray(j * 4, j * 4 + 4);
  // Gradient of the metric w.r.t. each hidden unit through the SAE path (features are gated linear maps).
  const featureGrad = (j: number) => metricW(decRow(j));
  /** d metric / d hidden_h through the error node alone (identity minus what the active features read). */
  const viaError = (h: number) => {
    const unit = [0, 0, 0, 0];
    unit[h] = 1;
    let s = metricW(unit);
    for (let j = 0; j < S; j++) if (f[j]! > 0) s -= sae.W_enc[h * S + j]! * featureGrad(j);
    return s;
  };
  /**
   * d metric / d hidden_h through the spliced SAE: the features (gated) plus the error node, which together pass
   * the gradient through unchanged (the error node is what the features leave out).
   */
  const hiddenGrad = (h: number) => net.W2[h * 2 + 1]! - net.W2[h * 2]!;
  for (let i = 0; i < 2; i++) {
    let g = 0;
    for (let h = 0; h < 4; h++) if (hidden[h]! > 0) g += net.W1[i * 4 + h]! * hiddenGrad(h);
    nodes.push({
      id: id.input(i),
      kind: 'input',
      hook: 'toy.input',
      layer: null,
      feature: i,
      position: 0,
      effect: x[i]! * g,
      activation: x[i]!,
    });
    for (let h = 0; h < 4; h++) {
      if (hidden[h]! > 0) edges.push({ source: id.input(i), target: id.hidden(h), weight: x[i]! * net.W1[i * 4 + h]! });
    }
  }
  for (let h = 0; h < 4; h++) {
    nodes.push({
      id: id.hidden(h),
      kind: 'hidden',
      hook: 'toy.hidden',
      layer: 0,
      feature: h,
      position: 0,
      effect: hidden[h]! * hiddenGrad(h),
      activation: hidden[h]!,
    });
    for (let j = 0; j < S; j++) {
      if (f[j]! > 0)
        edges.push({ source: id.hidden(h), target: id.feature(j), weight: hidden[h]! * sae.W_enc[h * S + j]! });
    }
    if (hidden[h]! !== 0) {
      // hidden -> error node (a vector): weighted, as in the GPT-2 circuits, by its effect on the metric
      edges.push({ source: id.hidden(h), target: id.error, weight: hidden[h]! * viaError(h) });
    }
  }
  for (let j = 0; j < S; j++) {
    nodes.push({
      id: id.feature(j),
      kind: 'feature',
      hook: 'toy.sae',
      layer: 0,
      feature: j,
      position: 0,
      effect: f[j]! * featureGrad(j),
      activation: f[j]!,
    });
    if (f[j]! > 0)
      for (let o = 0; o < 2; o++)
        edges.push({ source: id.feature(j), target: id.output(o), weight: f[j]! * wOut(decRow(j), o) });
  }
  nodes.push({
    id: id.error,
    kind: 'error',
    hook: 'toy.sae',
    layer: 0,
    feature: null,
    position: 0,
    effect: metricW(err),
  });
  for (let o = 0; o < 2; o++) edges.push({ source: id.error, target: id.output(o), weight: wOut(err, o) });
  for (let o = 0; o < 2; o++) {
    nodes.push({
      id: id.output(o),
      kind: 'output',
      hook: 'toy.output',
      layer: null,
      feature: o,
      position: 0,
      effect: logits[o]!,
      label: TOY_OUTPUTS[o]!,
    });
  }
  const bias = Float64Array.from([0, 1], (o) => net.b2[o]! + wOut(sae.b_dec, o));
  const circuit = parseCircuitFile(
    {
      schema: 'workbench.circuit',
      version: 1,
      created: new Date().toISOString(),
      model: { name: 'toy-sva-mlp', nLayers: 1, dModel: 4, vocabSize: 2 },
      saes: [{ hook: 'toy.sae', dSae: S, architecture: 'standard' }],
      hooks: ['toy.hidden', 'toy.sae'],
      dataset: { name: 'toy', pairs: 1, promptTokens: [x[0] > x[1] ? ' cat' : ' cats'] },
      method: {
        kind: 'linear',
        steps: 1,
        aggregation: 'position',
        nodeThreshold: 0,
        edgeThreshold: 0,
        maxNodes: null,
        metric: { kind: 'tokens', answer: 1, wrong: 0 },
      },
      nodes,
      edges,
      metrics: {
        nodes: nodes.length,
        edges: edges.length,
        totalNodes: nodes.length,
        cleanMetric: logits[1]! - logits[0]!,
        patchMetric: null,
        faithfulness: null,
        completeness: null,
      },
    },
    'toyCircuit',
  );
  return { circuit, logits, bias };
}
