import { describe, expect, it } from 'vitest';
import { allHookNames } from '../hooks.js';
import { configureWebOrt, webOrt } from '../runtime/web.js';
import type { GPT2Config } from './config.js';
import { HookedGPT2 } from './hooked.js';
import { randomGPT2Weights } from './random.js';
import { referenceForward } from './reference.js';
import { packWeights } from './weights.js';

const config: GPT2Config = { nLayers: 2, dModel: 8, nHeads: 2, nCtx: 8, vocabSize: 13, lnEps: 1e-5, bosTokenId: 12 };

describe('the same graphs under onnxruntime-web (wasm) in Node', () => {
  configureWebOrt({ numThreads: 1 });
  const weights = randomGPT2Weights(config, 3);
  const model = new HookedGPT2(config, packWeights(weights), webOrt);
  const tokens = [
    [12, 4, 7, 1],
    [12, 9, 9, 3],
  ];

  it('forward with every hook matches the float64 reference', async () => {
    const hooks = allHookNames(config.nLayers);
    const out = await model.run(tokens, { hooks });
    const ref = referenceForward(config, weights, tokens);
    const diff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
      return m;
    };
    expect(diff(out.logits!.data, ref.logits)).toBeLessThan(1e-4);
    for (const name of hooks) expect(diff(out.hooks.get(name)!.data, ref.hooks.get(name)!), name).toBeLessThan(1e-4);
  });

  it('gradients match the native runtime', async () => {
    const { nodeOrt } = await import('../runtime/node.js');
    const native = new HookedGPT2(config, weights, nodeOrt, { threads: 1 });
    const options = {
      gradHooks: ['blocks.0.hook_resid_pre', 'blocks.1.attn.hook_pattern'],
      metric: { answer: 3, wrong: 5 },
    };
    const [web, node] = await Promise.all([model.gradients(tokens, options), native.gradients(tokens, options)]);
    for (const name of options.gradHooks) {
      const a = web.grads.get(name)!.data;
      const b = node.grads.get(name)!.data;
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
      expect(m, name).toBeLessThan(1e-4);
      expect(a.some((v) => v !== 0)).toBe(true);
    }
  });
});
