// steer() against the hooked model run by hand: the unsteered row is the plain model, the steered row the model with
// the vector added (at the chosen positions, or at every position of every generated step), and the continuations
// are greedy decoding done step by step here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../demo/eval.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import type { Intervention } from './hooked.js';
import { steer, topTokens } from './steering.js';

const present = existsSync(join(DEMO_ASSETS_DIR, 'manifest.json'));
const HOOK = 'blocks.1.hook_resid_post';

describe.skipIf(!present)('steering on the demo model', () => {
  const state = present ? loadDemo(DEMO_ASSETS_DIR) : null;
  afterAll(async () => {
    if (state) await (await state).model.dispose();
  });

  it('matches runs with the vector added by hand, and greedy decoding step by step', async () => {
    const { model, tokenizer } = await state!;
    const V = model.config.vocabSize;
    const tokens = tokenizer.encode('The boy near the car', { bos: model.config.bosTokenId });
    const vector = Float32Array.from({ length: model.config.dModel }, (_, i) => Math.sin(i) * 0.8);
    const [are, is] = [tokenizer.encode(' are')[0]!, tokenizer.encode(' is')[0]!];
    const lastLogits = async (seq: number[], interventions: Intervention[]) => {
      const out = await model.run([seq], { interventions });
      return out.logits!.data.slice((seq.length - 1) * V, seq.length * V);
    };
    const greedy = async (steps: number, interventions: Intervention[]) => {
      const seq = tokens.slice();
      for (let s = 0; s < steps; s++) {
        const logits = await lastLogits(seq, interventions);
        let best = 0;
        for (let v = 1; v < V; v++) if (logits[v]! > logits[best]!) best = v;
        if (best === model.config.bosTokenId) break;
        seq.push(best);
      }
      return seq.slice(tokens.length);
    };

    const atSubject = await steer(model, tokens, {
      hook: HOOK,
      vector,
      positions: [2],
      continuation: 0,
      compare: [are, is],
    });
    const plain = await lastLogits(tokens, []);
    const added = await lastLogits(tokens, [{ hook: HOOK, mode: 'add', positions: [2], value: vector }]);
    expect(atSubject.unsteered.logitDiff).toBeCloseTo(plain[are]! - plain[is]!, 4);
    expect(atSubject.steered.logitDiff).toBeCloseTo(added[are]! - added[is]!, 4);
    expect(atSubject.steered.logitDiff).not.toBeCloseTo(atSubject.unsteered.logitDiff!, 2);
    const top = topTokens(added, 10);
    expect(atSubject.steered.top.map((t) => t.id)).toEqual(top.map((t) => t.id));
    // Softmax over the whole vocabulary, by hand in float64.
    const max = Math.max(...added);
    const sum = added.reduce((a, l) => a + Math.exp(l - max), 0);
    expect(atSubject.steered.top[0]!.probability).toBeCloseTo(Math.exp(added[top[0]!.id]! - max) / sum, 6);

    const everywhere = await steer(model, tokens, {
      hook: HOOK,
      vector,
      positions: null,
      continuation: 4,
      stopToken: model.config.bosTokenId,
    });
    expect(everywhere.unsteered.continuation).toEqual(await greedy(4, []));
    expect(everywhere.steered.continuation).toEqual(await greedy(4, [{ hook: HOOK, mode: 'add', value: vector }]));
    expect(everywhere.steered.logitDiff).toBeNull();
  });
  it('with attention frozen: the unsteered patterns put back, step by step; a vector after the last attention changes nothing more', async () => {
    const { model, tokenizer } = await state!;
    const V = model.config.vocabSize;
    const L = model.config.nLayers;
    const tokens = tokenizer.encode('The boy near the car', { bos: model.config.bosTokenId });
    const [are, is] = [tokenizer.encode(' are')[0]!, tokenizer.encode(' is')[0]!];
    const vector = Float32Array.from({ length: model.config.dModel }, (_, i) => Math.cos(i) * 1.5);
    const patterns = Array.from({ length: L }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    const base = { vector, positions: null, compare: [are, is] as [number, number], freezeAttention: true };

    // By hand: capture the plain model's patterns, then run with the vector added and those patterns in place.
    const early = await steer(model, tokens, { ...base, hook: 'blocks.0.hook_resid_post', continuation: 0 });
    const plain = await model.run([tokens], { hooks: patterns, logits: false });
    const frozen = await model.run([tokens], {
      interventions: [
        { hook: 'blocks.0.hook_resid_post', mode: 'add', value: vector },
        ...patterns.map((hook) => ({ hook, mode: 'replace' as const, value: plain.hooks.get(hook)!.data })),
      ],
    });
    const last = frozen.logits!.data.slice((tokens.length - 1) * V, tokens.length * V);
    expect(early.frozen!.logitDiff).toBeCloseTo(last[are]! - last[is]!, 4);
    // Early in the model the vector moves attention too, so freezing it gives another answer.
    expect(Math.abs(early.frozen!.logitDiff! - early.steered.logitDiff!)).toBeGreaterThan(1e-3);

    // After the last layer's attention, freezing it changes nothing, continuation included.
    const late = await steer(model, tokens, {
      ...base,
      hook: `blocks.${L - 1}.hook_resid_post`,
      continuation: 3,
      stopToken: model.config.bosTokenId,
    });
    expect(late.frozen!.logitDiff).toBeCloseTo(late.steered.logitDiff!, 4);
    expect(late.frozen!.continuation).toEqual(late.steered.continuation);
    // And a zero vector, frozen or not, is the plain model.
    const zero = await steer(model, tokens, {
      ...base,
      vector: new Float32Array(vector.length),
      hook: 'blocks.0.hook_resid_post',
      continuation: 3,
    });
    expect(zero.frozen!.logitDiff).toBeCloseTo(zero.unsteered.logitDiff!, 4);
    expect(zero.frozen!.continuation).toEqual(zero.unsteered.continuation);
    expect(zero.frozen!.top.map((t) => t.id)).toEqual(zero.unsteered.top.map((t) => t.id));
  });
});
