// CircuitEvaluator.ablate against the plain hooked model: ablating every node of a hook (all features and the error
// node at every position) must equal replacing the hook itself, with the patch prompt's activations ('patch') or
// with the SAE's decoder bias, which is what decoding zero features and a zero error gives ('zero'); 'mean' must
// give exactly score()'s complement metric, and 'before' the model's own logit difference.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../demo/eval.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import type { Intervention } from '../model/hooked.js';
import { loadPairs, tokenizePairs } from './api.js';
import type { PromptPair } from './discover.js';
import { CircuitEvaluator } from './evaluate.js';
import { nodeId } from './nodes.js';

const present = existsSync(join(DEMO_ASSETS_DIR, 'manifest.json'));
const HOOK = 'blocks.1.hook_resid_post';

describe.skipIf(!present)('ablating and patching node sets on the demo model', () => {
  const state = present ? loadDemo(DEMO_ASSETS_DIR) : null;
  afterAll(async () => {
    if (state) await (await state).model.dispose();
  });

  /** logit[patch answer] - logit[clean answer] at each clean prompt's last token, by the model itself. */
  async function modelMetrics(pairs: PromptPair[], interventions: (p: PromptPair) => Promise<Intervention[]>) {
    const { model } = await state!;
    const V = model.config.vocabSize;
    const out: number[] = [];
    for (const p of pairs) {
      const run = await model.run([p.clean], { interventions: await interventions(p) });
      const last = run.logits!.data.subarray((p.clean.length - 1) * V, p.clean.length * V);
      out.push(last[p.patchAnswer]! - last[p.cleanAnswer]!);
    }
    return out;
  }

  it('mean, zero and patch ablation match score() and the model with the hook replaced', async () => {
    const { model, tokenizer, saes } = await state!;
    const { pairs: raw } = await loadPairs('nounpp', 6, 0);
    const pairs = tokenizePairs(tokenizer, raw, model.config.bosTokenId);
    const sae = saes.find((s) => s.config.hookName === HOOK)!;
    const evaluator = await CircuitEvaluator.create(model, saes, pairs, { batch: 4 });
    try {
      const wholeHook = [
        nodeId(HOOK, null, null),
        ...Array.from({ length: sae.config.dSae }, (_, j) => nodeId(HOOK, j, null)),
      ];
      const plain = await modelMetrics(pairs, async () => []);
      const patched = await modelMetrics(pairs, async (p) => {
        const acts = (await model.run([p.patch], { hooks: [HOOK], logits: false })).hooks.get(HOOK)!.data;
        return [{ hook: HOOK, mode: 'replace', value: acts }];
      });
      const toBias = await modelMetrics(pairs, async () => [{ hook: HOOK, mode: 'replace', value: sae.weights.b_dec }]);

      const patch = await evaluator.ablate(wholeHook, 'patch');
      expect(patch.nodes).toBe(wholeHook.length);
      const closeTo = (got: number[], want: number[]) => {
        expect(got).toHaveLength(want.length);
        for (const [i, m] of got.entries()) expect(m).toBeCloseTo(want[i]!, 3);
      };
      closeTo(patch.before, plain);
      closeTo(patch.after, patched);
      // Patching the subject's number flips the preference on every pair (clean prefers the clean answer: m < 0).
      for (const [i, m] of patched.entries()) {
        expect(plain[i]).toBeLessThan(0);
        expect(m).toBeGreaterThan(0);
      }

      const zero = await evaluator.ablate(wholeHook, 'zero');
      closeTo(zero.after, toBias);
      expect(zero.meanBefore).toBeCloseTo(plain.reduce((a, b) => a + b, 0) / plain.length, 3);

      // A few nodes at the subject's position, mean-ablated: what score() reports for the rest of the model.
      const some = [nodeId(HOOK, 3, 2), nodeId(HOOK, 17, 2), nodeId(HOOK, null, 2), nodeId(HOOK, 40, 3)];
      const mean = await evaluator.ablate(some, 'mean');
      const scores = await evaluator.score(some);
      expect(Math.abs(mean.meanAfter - scores.fComplement)).toBeLessThan(1e-6);
      expect(Math.abs(mean.meanBefore - scores.fFull)).toBeLessThan(1e-6);
      expect(mean.after).toHaveLength(pairs.length);
    } finally {
      await evaluator.release();
    }
  });
});
