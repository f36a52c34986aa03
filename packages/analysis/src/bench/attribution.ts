/**
 * Attribution measured against exact patching, on the bundled demo model and 50 nounpp pairs (the demo circuit
 * CLI's dataset, test split, seed 0). Every node effect (SAE features and error nodes at every hook and position)
 * is computed by exact activation patching, attribution patching and integrated gradients (10 steps, and fewer);
 * prints per site (resid, attn, mlp, embedding) the Pearson and Spearman correlation of each estimate with exact
 * patching, and the faithfulness each method's top-N nodes reach for equal N. The LAST line is one JSON object
 * with those figures, each method's seconds, the published AtP figure for comparison (RelP, arXiv 2508.21258, GPT-2
 * small: 0.753 on the residual stream, 0.195 on MLP outputs) and the machine's matmul ceiling (ceiling.ts).
 * BENCH_PAIRS changes the number of pairs.
 */
import { availableParallelism, loadavg } from 'node:os';
import { agreementBySite, type SiteAgreement } from '../circuits/agreement.js';
import { loadPairs, tokenizePairs } from '../circuits/api.js';
import { type DiscoverOptions, type DiscoverResult, discoverCircuit } from '../circuits/discover.js';
import { CircuitEvaluator } from '../circuits/evaluate.js';
import type { CircuitNode } from '../circuits/nodes.js';
import { loadDemo } from '../demo/eval.js';
import { ceilingAround } from './ceiling.js';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 50);
const NODE_COUNTS = [50, 100, 150, 200, 300, 1000];
const METHODS: Record<string, DiscoverOptions> = {
  exact: { method: 'exact' },
  atp: { method: 'atp' },
  ig: { method: 'ig', steps: 10 },
  ig_2: { method: 'ig', steps: 2 },
  ig_4: { method: 'ig', steps: 4 },
};
const PUBLISHED_ATP = { source: 'RelP, arXiv 2508.21258, GPT-2 small', resid: 0.753, mlp: 0.195 };

const round = (x: number, d = 3) => (Number.isFinite(x) ? +x.toFixed(d) : null);

async function main() {
  const { result, ceiling } = await ceilingAround(async () => {
    const { model, tokenizer, saes } = await loadDemo();
    try {
      const { pairs: raw } = await loadPairs('nounpp', PAIRS, 0);
      const pairs = tokenizePairs(tokenizer, raw, saes[0]!.config.prependBos ? model.config.bosTokenId : undefined);
      const runs: Record<string, { result: DiscoverResult; seconds: number }> = {};
      for (const [name, options] of Object.entries(METHODS)) {
        const t0 = performance.now();
        const result = await discoverCircuit(model, saes, pairs, { ...options, nodeThreshold: 0, edges: false });
        const seconds = (performance.now() - t0) / 1000;
        runs[name] = { result, seconds };
        console.log(
          `${name}: ${result.nodes.length - 1} nodes with an effect, of ${result.totalNodes}, in ${seconds.toFixed(1)} s (${JSON.stringify(result.timings)})`,
        );
      }
      const exact = runs.exact!.result;
      const correlation: Record<string, Record<string, SiteAgreement>> = {};
      for (const name of Object.keys(METHODS).filter((m) => m !== 'exact')) {
        const bySite = agreementBySite(exact.nodes, runs[name]!.result.nodes);
        for (const [site, a] of Object.entries(bySite)) {
          correlation[site] = { ...correlation[site], [name]: a };
          console.log(
            `${site.padEnd(5)} ${name.padEnd(5)} vs exact: Pearson ${a.pearson.toFixed(3)}, Spearman ${a.spearman.toFixed(3)} over ${a.nodes} nodes`,
          );
        }
      }
      const evaluator = await CircuitEvaluator.create(model, saes, pairs, { stats: exact.stats });
      const faithfulness: Record<string, Record<string, number | null>> = {};
      try {
        const top = (nodes: readonly CircuitNode[], k: number) =>
          nodes
            .filter((n) => n.kind !== 'metric')
            .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
            .slice(0, k)
            .map((n) => n.id);
        for (const k of NODE_COUNTS) {
          const row: Record<string, number | null> = {};
          for (const [name, run] of Object.entries(runs))
            row[name] = round((await evaluator.score(top(run.result.nodes, k))).faithfulness);
          faithfulness[k] = row;
          console.log(`faithfulness of the top ${k} nodes: ${JSON.stringify(row)}`);
        }
      } finally {
        await evaluator.release();
      }
      return {
        pairs: pairs.length,
        totalNodes: exact.totalNodes,
        seconds: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, round(r.seconds, 2)])),
        correlation: Object.fromEntries(
          Object.entries(correlation).map(([site, byMethod]) => [
            site,
            Object.fromEntries(
              Object.entries(byMethod).map(([m, a]) => [
                m,
                { pearson: round(a.pearson), spearman: round(a.spearman), nodes: a.nodes },
              ]),
            ),
          ]),
        ),
        faithfulness,
      };
    } finally {
      await model.dispose();
    }
  });
  console.log(
    JSON.stringify({
      dataset: 'nounpp',
      ...result,
      published_atp_correlation: PUBLISHED_ATP,
      ceiling,
      cpus: availableParallelism(),
      load_average: loadavg().map((v) => round(v, 2)),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
