// The replacement model of one prompt on a demo-sized random GPT-2 (4 layers, d 128, 4 heads, vocab 446) with random
// TopK transcoders: its logits equal the model's (the float64 reference's), and it is exactly linear in its sources:
// every target's row of direct contributions plus the target's constant part (the same model run with every source
// removed) is the target's value on the prompt, to 1e-4, for every logit and every feature target.
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../graph/onnx.js';
import type { GPT2Config } from '../model/config.js';
import { randomGPT2Weights } from '../model/random.js';
import { referenceForward } from '../model/reference.js';
import { nodeOrt } from '../runtime/node.js';
import { CompiledGraph } from '../runtime/session.js';
import { saeFeeds } from '../sae/graph.js';
import { attribute, nodeLayout } from './attribution.js';
import {
  buildReplacementForward,
  capturePrompt,
  compileTranscoder,
  frozenFeeds,
  type TranscoderSource,
  transcoderLayer,
} from './replacement.js';
import { randomTranscoders } from './testing.js';

const config: GPT2Config = { nLayers: 4, dModel: 128, nHeads: 4, nCtx: 32, vocabSize: 446, lnEps: 1e-5, bosTokenId: 0 };
const weights = randomGPT2Weights(config, 7, 0.08);
const tokens = [0, 17, 203, 5, 88, 301, 42, 9];
const T = tokens.length;
const D = config.dModel;

async function run(
  graph: ReturnType<typeof buildReplacementForward>,
  feeds: Record<string, Float32Array | BigInt64Array>,
) {
  const compiled = await CompiledGraph.create(nodeOrt, toOnnx(graph.graph, { outputs: graph.outputs, name: 'test' }));
  try {
    const inputs: Record<string, Float32Array | BigInt64Array> = {};
    for (const t of compiled.model.inputs) inputs[t.name] = feeds[t.name]!;
    return await compiled.run(inputs);
  } finally {
    await compiled.release();
  }
}

/** Transcoder weights and outputs on the prompt, by layer (the feeds of the replacement graphs). */
async function transcoderRun(sources: TranscoderSource[], mlpIn: Float32Array[]) {
  const feeds: Record<string, Float32Array> = {};
  const outputs: Float32Array[] = [];
  const features: Float32Array[] = [];
  for (const s of sources) {
    const w = await s.load();
    Object.assign(feeds, saeFeeds(w, `tc${transcoderLayer(s.config)}.`));
    const compiled = await compileTranscoder(nodeOrt, s.config, T);
    const out = await compiled.run({ ...saeFeeds(w, ''), x: mlpIn[transcoderLayer(s.config)]! });
    await compiled.release();
    outputs.push(out.output!.data);
    features.push(out.features!.data);
  }
  return { feeds, outputs, features };
}

/** logit[token] - mean logit (circuit-tracer's logit target) of one position's logits [V]. */
const demeaned = (logits: ArrayLike<number>, token: number) => {
  let mean = 0;
  for (let v = 0; v < logits.length; v++) mean += logits[v]!;
  return logits[token]! - mean / logits.length;
};
const lastRow = (logits: Float32Array) => logits.subarray((T - 1) * config.vocabSize);

describe.each([
  ['TopK transcoders', { architecture: 'topk' as const, k: 16 }],
  ['skip transcoders (ReLU)', { architecture: 'standard' as const, skip: true }],
  ['TopK transcoders, residual writes centred', { architecture: 'topk' as const, k: 16, centerResid: true }],
])('the replacement model with %s', (_name, options) => {
  const centerResid = 'centerResid' in options;
  const sources = randomTranscoders(config.nLayers, D, 256, 40, options);

  it("gives the model's logits: the float64 reference's, to 1e-4", async () => {
    const state = await capturePrompt(nodeOrt, config, weights, tokens, { centerResid });
    const tc = await transcoderRun(sources, state.mlpIn);
    const errors: Record<string, Float32Array> = {};
    tc.outputs.forEach((y, l) => {
      errors[`error.${l}`] = state.mlpOut[l]!.map((v, i) => v - y[i]!);
    });
    const graph = buildReplacementForward(config, {
      T,
      transcoders: sources.map((s) => s.config),
      centerResid,
      features: 'encode',
    });
    const out = await run(graph, {
      ...Object.fromEntries(weights),
      ...frozenFeeds(state),
      ...tc.feeds,
      ...errors,
      tokens: BigInt64Array.from(tokens, BigInt),
    });
    const reference = referenceForward(config, weights, [tokens], { centerResid }).logits;
    const got = out.logits!.data;
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(got[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-4);
    // The features it encodes on its own frozen inputs are the transcoders' on the model's MLP inputs.
    tc.features.forEach((f, l) => {
      const mine = out[`features.${l}`]!.data;
      let diff = 0;
      for (let i = 0; i < f.length; i++) diff = Math.max(diff, Math.abs(mine[i]! - f[i]!));
      expect(diff).toBeLessThan(1e-4);
    });
    // Transcoders explain only part of each MLP: the error terms are not zero.
    expect(Math.max(...errors['error.1']!.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it("sums every node's direct contribution into each logit and feature: that target's value, to 1e-4", async () => {
    const g = await attribute({ config, weights, ort: nodeOrt }, sources, tokens, { batch: 64, centerResid });
    const state = await capturePrompt(nodeOrt, config, weights, tokens, { centerResid });
    const layout = nodeLayout(g);
    expect(g.features.length).toBe(g.activeFeatures);
    if (options.architecture === 'topk') expect(g.features.length).toBe(config.nLayers * T * 16);
    // The constant part of each target: the linear model of the sources run with every source removed.
    const given = buildReplacementForward(config, {
      T,
      transcoders: sources.map((s) => s.config),
      centerResid,
      features: 'given',
    });
    const tc = await transcoderRun(sources, state.mlpIn);
    const zeros = new Float32Array(T * D);
    const empty: Record<string, Float32Array> = { embed: zeros };
    for (let l = 0; l < config.nLayers; l++) empty[`written.${l}`] = zeros;
    const bias = await run(given, {
      ...Object.fromEntries(weights),
      ...frozenFeeds(state),
      ...tc.feeds,
      ...empty,
    });

    g.logits.forEach((logit, i) => {
      const row = g.adjacency.subarray(layout.logit(i) * g.n, (layout.logit(i) + 1) * g.n);
      const sum = row.reduce((s, v) => s + v, 0) + demeaned(lastRow(bias.logits!.data), logit.token);
      expect(Math.abs(sum - demeaned(state.lastLogits, logit.token))).toBeLessThan(1e-4);
    });
    const encoders = await Promise.all(sources.map((s) => s.load()));
    let checked = 0;
    g.features.forEach((f, i) => {
      const W = encoders[f.layer]!.W_enc;
      const dSae = sources[f.layer]!.config.dSae;
      const dot = (x: ArrayLike<number>) => {
        let s = 0;
        for (let d = 0; d < D; d++) s += x[f.position * D + d]! * W[d * dSae + f.feature]!;
        return s;
      };
      const row = g.adjacency.subarray(i * g.n, (i + 1) * g.n);
      const sum = row.reduce((s, v) => s + v, 0) + dot(bias[`mlpIn.${f.layer}`]!.data);
      expect(Math.abs(sum - dot(state.mlpIn[f.layer]!))).toBeLessThan(1e-4);
      checked++;
    });
    expect(checked).toBe(g.features.length);
    // Layer 0's features read only the embeddings (and layer 0's attention of them): no feature or error edges.
    const first = g.features.findIndex((f) => f.layer === 0);
    const row0 = g.adjacency.subarray(first * g.n, (first + 1) * g.n);
    expect(row0.subarray(0, layout.tokenStart).every((v) => v === 0)).toBe(true);
    expect(row0.subarray(layout.tokenStart, layout.logitStart).some((v) => v !== 0)).toBe(true);
  });
});
