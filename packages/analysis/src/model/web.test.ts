import { describe, expect, it } from 'vitest';
import { allHookNames } from '../hooks.js';
import { configureWebOrt, webOrt } from '../runtime/web.js';
import type { GPT2Config } from './config.js';
import { HookedGPT2 } from './hooked.js';
import { randomGPT2Weights } from './random.js';
import { referenceForward } from './reference.js';
import { packWeights } from './weights.js';

/** The largest elementwise difference of two arrays of the same (non-zero) length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  expect(a.length, what).toBe(b.length);
  expect(a.length, what).toBeGreaterThan(0);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

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
    // [batch 2, positions 4, vocab 13]
    expect(out.logits!.shape).toEqual([2, 4, 13]);
    expect(maxDiff(out.logits!.data, ref.logits, 'logits')).toBeLessThan(1e-4);
    expect([...out.hooks.keys()].sort()).toEqual([...hooks].sort());
    for (const name of hooks)
      expect(maxDiff(out.hooks.get(name)!.data, ref.hooks.get(name)!, name), name).toBeLessThan(1e-4);
    expect(out.hooks.get('blocks.1.hook_resid_post')!.shape).toEqual([2, 4, 8]);
    expect(out.hooks.get('blocks.0.attn.hook_pattern')!.shape).toEqual([2, 2, 4, 4]);
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
      // resid_pre [2, 4, 8] and the pattern [2, 2 heads, 4, 4]: 64 values each
      expect(a.length, name).toBe(64);
      expect(maxDiff(a, b, name), name).toBeLessThan(1e-4);
      expect(a.some((v) => v !== 0)).toBe(true);
    }
  });
});
