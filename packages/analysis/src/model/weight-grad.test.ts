import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { grad } from '../graph/autodiff.js';
import { interpret } from '../graph/interpret.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { nodeOrt } from '../runtime/node.js';
import { CompiledGraph } from '../runtime/session.js';
import type { GPT2Config } from './config.js';
import { buildGPT2Graph } from './gpt2-graph.js';
import { randomGPT2Weights } from './random.js';

const config: GPT2Config = { nLayers: 1, dModel: 4, nHeads: 2, nCtx: 4, vocabSize: 7, lnEps: 1e-5, bosTokenId: 6 };

describe('gradients with respect to weights (for training)', () => {
  it('a next-token loss of GPT-2 differentiated w.r.t. every weight matches finite differences, in ORT too', async () => {
    const B = 2;
    const T = 3;
    const { graph, outputs } = buildGPT2Graph(config, {
      batch: B,
      seq: T,
      hooks: [],
      interventions: [],
      logits: true,
      centerResid: false,
    });
    // loss = mean over positions of logsumexp(logits) - logit[target]
    const logits = outputs.logits!;
    const targets = graph.input('targets', [B * T, config.vocabSize]);
    const lse = op.log(op.reduceSum(op.exp(logits), [1], true));
    const loss = op.reduceMean(op.reduceSum(op.mul(op.sub(lse, logits), targets), [1]), [0]);
    const weightTensors = graph.tensors.filter((t) => t.kind === 'weight');
    const grads = grad(loss, weightTensors);

    const weights = randomGPT2Weights(config, 11);
    const feeds: Record<string, ArrayLike<number> | BigInt64Array> = {
      tokens: BigInt64Array.from([1, 5, 2, 6, 0, 3].map(BigInt)),
      targets: Float32Array.from({ length: B * T * config.vocabSize }, (_, i) =>
        i % config.vocabSize === (i * 3) % 5 ? 1 : 0,
      ),
    };
    for (const [name, data] of weights) feeds[name] = Float64Array.from(data);
    const analytic = interpret(graph, feeds, grads);
    const random = mulberry32(3);
    const eps = 1e-6;
    weightTensors.forEach((w, k) => {
      const base = feeds[w.name] as Float64Array;
      for (let trial = 0; trial < 3; trial++) {
        const i = Math.floor(random() * base.length);
        const keep = base[i]!;
        base[i] = keep + eps;
        const up = interpret(graph, feeds, [loss])[0]![0]!;
        base[i] = keep - eps;
        const down = interpret(graph, feeds, [loss])[0]![0]!;
        base[i] = keep;
        expect(Math.abs(analytic[k]![i]! - (up - down) / (2 * eps)), `${w.name}[${i}]`).toBeLessThan(1e-6);
      }
    });

    // the same graph in ORT with the weights as initializers
    const exportOutputs: Record<string, (typeof grads)[number]> = { loss };
    weightTensors.forEach((w, k) => {
      exportOutputs[`grad.${w.name}`] = grads[k]!;
    });
    const compiled = await CompiledGraph.create(
      nodeOrt,
      toOnnx(graph, { outputs: exportOutputs, weights: 'initializer', weightData: (n) => weights.get(n)! }),
      { threads: 1 },
    );
    const res = await compiled.run({ tokens: feeds.tokens as BigInt64Array, targets: feeds.targets as Float32Array });
    weightTensors.forEach((w, k) => {
      const got = res[`grad.${w.name}`]!.data;
      let m = 0;
      for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - analytic[k]![i]!));
      expect(m, w.name).toBeLessThan(1e-4);
    });
    await compiled.release();
  });
});
