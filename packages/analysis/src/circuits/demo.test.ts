import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../demo/eval.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { loadPairs, tokenizePairs } from './api.js';
import { discoverCircuit } from './discover.js';
import { CircuitEvaluator } from './evaluate.js';

const present = existsSync(join(DEMO_ASSETS_DIR, 'manifest.json'));
if (!present) {
  console.warn(
    `circuits/demo.test.ts: SKIPPED — the bundled demo model is absent (${DEMO_ASSETS_DIR}/manifest.json); train it with npm run train:demo`,
  );
}

describe.skipIf(!present)('feature circuits on the bundled demo model (nounpp)', () => {
  const state = present ? loadDemo(DEMO_ASSETS_DIR) : null;
  afterAll(async () => {
    if (state) await (await state).model.dispose();
  });

  it('a small circuit is faithful, its subject-number features carry agreement, and IG and ATP agree', async () => {
    const { model, tokenizer, saes } = await state!;
    const { pairs: raw } = await loadPairs('nounpp', 40, 0);
    const pairs = tokenizePairs(tokenizer, raw, model.config.bosTokenId);
    const ig = await discoverCircuit(model, saes, pairs, { method: 'ig', nodeThreshold: 0.05 });
    const evaluator = await CircuitEvaluator.create(model, saes, pairs, { stats: ig.stats });
    try {
      const ids = ig.nodes.map((n) => n.id);
      const scores = await evaluator.score(ids);
      const fraction = (ids.length - 1) / ig.totalNodes;
      console.log(
        `demo nounpp: ${ids.length - 1} of ${ig.totalNodes} nodes (${(100 * fraction).toFixed(2)}%), ${ig.edges.length} edges, faithfulness ${scores.faithfulness.toFixed(3)}, completeness ${scores.completeness.toFixed(3)}, metric clean ${ig.cleanMetric.toFixed(2)} patch ${ig.patchMetric.toFixed(2)}`,
      );
      // the model prefers the clean answer: m = logit[patch answer] - logit[clean answer] < 0 on clean prompts
      expect(scores.fFull).toBeLessThan(0);
      // Measured on the bundled demo: faithfulness 0.973 with 0.33% of the nodes (261 of 79,950). The margins (0.04;
      // 3x the nodes) leave room for float differences between machines (ORT's thread counts change sums in their
      // last bits, which moves nodes near the 0.05 threshold in or out) but not for a broken method: with the SAEs
      // before their dead-feature retrain, the circuit without the error nodes' effects scored 0.892, and plain
      // gradients (no activation difference) -0.002.
      expect(scores.faithfulness).toBeGreaterThanOrEqual(0.93);
      expect(fraction).toBeLessThan(0.01);
      expect(ig.edges.length).toBeGreaterThan(0);

      // Subject-number features: the top features at the subject's position (BOS, The, subject).
      const subject = ig.nodes
        .filter((n) => n.kind === 'feature' && n.position === 2)
        .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
        .slice(0, 10);
      expect(subject.length).toBeGreaterThan(0);
      const full = await evaluator.fFull();
      const ablated = await evaluator.score(subject.map((n) => n.id));
      console.log(
        `ablating ${subject.length} subject features: metric ${full.toFixed(2)} -> ${ablated.fComplement.toFixed(2)}`,
      );
      // Collapses or flips: measured -8.96 -> -2.38 (0.27 of the preference kept; 0.19 with the SAEs before their
      // dead-feature retrain); under 0.35 leaves a margin for the ten strongest features changing with float noise
      // across machines.
      expect(ablated.fComplement / full).toBeLessThan(0.35);

      const atp = await discoverCircuit(model, saes, pairs, { method: 'atp', nodeThreshold: 0.05, edges: false });
      const top = (nodes: typeof ig.nodes, k: number) =>
        nodes
          .filter((n) => n.kind !== 'metric')
          .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
          .slice(0, k)
          .map((n) => n.id);
      const igTop = top(ig.nodes, 20);
      const strict = new Set(top(atp.nodes, 20));
      const loose = new Set(top(atp.nodes, 60));
      const shared = igTop.filter((id) => strict.has(id)).length;
      const near = igTop.filter((id) => loose.has(id)).length;
      console.log(`IG vs ATP: ${shared} of the top 20 shared; ${near} of IG's top 20 in ATP's top 60`);
      // Attribution patching is IG's one-step linearisation: it ranks the same nodes near the top, not in the same
      // order (measured on the demo: 7 of the top 20 shared, 11 of IG's top 20 within AtP's top 60 of ~80,000; 14
      // with the SAEs before their dead-feature retrain). At least 9: a margin of 2 for nodes of nearly equal effect
      // swapping places across machines; unrelated rankings would share about none of 80,000 nodes.
      expect(near).toBeGreaterThanOrEqual(9);
    } finally {
      await evaluator.release();
    }
  });
});
