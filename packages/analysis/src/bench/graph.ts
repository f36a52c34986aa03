/**
 * Attribution-graph benchmark (`npm run bench:graph`). Prints progress lines, then as the LAST line one JSON object:
 * - gpt2_shape_s: one attribution graph of a 16-token prompt (GPT-2's real tokenizer) on GPT-2-small-shaped random
 *   weights (12 layers, d 768, 12 heads, vocab 50257) with random TopK(32) transcoders of width 24,576 at every
 *   layer (written once as SAELens folders in the temp dir, read back like real ones): the forward pass, every
 *   transcoder, the backward passes of every logit and feature row, pruning and
 *   scores, cold (graphs compiled in the run). gpt2_shape_peak_rss_mb: the process's peak RSS after it (the model's
 *   weights included). gpt2_shape_timings: by stage (transcoders_s: reading and encoding them). Targets: <= 30 s and <= 4096 MB.
 * - demo_longest_s: the bundled demo model with its transcoders on a prompt filling its context (null, with
 *   demo_skipped saying why, when the demo bundle has no transcoders).
 * - ceiling: the matmul ceiling measured before and after (ceiling.ts); load_average at the start.
 */
import { access } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { computePromptGraph, transcoderSourcesFromDir } from '../graphs/api.js';
import { attribute } from '../graphs/attribution.js';
import { pruneAndScore } from '../graphs/prune.js';
import type { TranscoderSource } from '../graphs/replacement.js';
import { randomTranscoders } from '../graphs/testing.js';
import { GPT2_SMALL } from '../model/config.js';
import { loadHookedGPT2 } from '../model/load.js';
import { randomGPT2Weights } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import { saveSae } from '../sae/sae.js';
import { ceilingAround } from './ceiling.js';
import { gpt2Tokenizer } from './gpt2-tokenizer.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const log = (line: string) => console.log(line);
const PROMPT =
  'When Mary and John went to the store, John gave a drink to Mary because she was thirsty and tired after';

/**
 * The random transcoders as SAELens folders on disk (written once, then reused): the run reads them as it would real
 * ones, rather than timing the generation of 450 million random numbers.
 */
async function cachedTranscoders(nLayers: number, dModel: number): Promise<TranscoderSource[]> {
  const dir = join(process.env.WORKBENCH_ENGINE_CACHE ?? tmpdir(), 'workbench-graph-bench', 'topk32-24576-seed700');
  const random = randomTranscoders(nLayers, dModel, 24576, 700, { architecture: 'topk', k: 32 });
  for (const s of random) {
    const folder = join(dir, `layer_${s.config.hookLayer}`);
    if (await exists(join(folder, 'cfg.json'))) continue;
    log(`gpt2-shape: writing random transcoder ${folder} (once)`);
    await saveSae(folder, { config: s.config, weights: await s.load() });
  }
  return transcoderSourcesFromDir(dir);
}

async function gpt2Shape() {
  const tokenizer = await gpt2Tokenizer();
  const tokens = tokenizer.encode(PROMPT).slice(0, 16);
  if (tokens.length !== 16) throw new Error(`the prompt gives ${tokens.length} tokens, not 16`);
  const config = GPT2_SMALL;
  const weights = randomGPT2Weights(config, 1, 0.02);
  const transcoders = await cachedTranscoders(config.nLayers, config.dModel);
  log(`gpt2-shape: weights ready; rss ${peakRssMb()} MB; prompt ${JSON.stringify(tokenizer.decode(tokens))}`);
  const t0 = performance.now();
  let lastStage = '';
  const graph = await attribute({ config, weights, ort: nodeOrt }, transcoders, tokens, {
    onProgress: (stage) => {
      if (stage !== lastStage) log(`gpt2-shape: ${stage} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      lastStage = stage;
    },
  });
  // Pruning and scores are timed as graph.timings.prune_s, reported with the other stages.
  const { pruned, scores } = pruneAndScore(graph);
  const seconds = (performance.now() - t0) / 1000;
  const kept = pruned.nodeMask.reduce((s, v) => s + v, 0);
  const edges = pruned.edgeMask.reduce((s, v) => s + v, 0);
  log(
    `gpt2-shape: ${graph.features.length} features, ${graph.logits.length} logits; kept ${kept} nodes, ${edges} edges in ${seconds.toFixed(1)} s (${JSON.stringify(graph.timings)}); rss ${peakRssMb()} MB`,
  );
  return {
    seconds: +seconds.toFixed(2),
    peak: peakRssMb(),
    features: graph.features.length,
    logits: graph.logits.length,
    kept,
    edges,
    timings: graph.timings,
    scores,
  };
}

async function demoLongest() {
  const dir = join(DEMO_ASSETS_DIR, 'transcoders');
  if (!(await exists(dir))) return { skipped: `no demo transcoders at ${dir}` };
  const { tokenizer, config, model } = await loadHookedGPT2(join(DEMO_ASSETS_DIR, 'model'));
  await model.dispose();
  // The longest prompt the demo model takes: its whole context (BOS and a sentence repeated, cut to nCtx tokens).
  const sentence = ' the cats near the tree are happy and the dog near the cars is tired .';
  let text = 'The dog near the trees is happy .';
  while (tokenizer!.encode(text, { bos: config.bosTokenId }).length < config.nCtx) text += sentence;
  const ids = tokenizer!.encode(text, { bos: config.bosTokenId }).slice(0, config.nCtx);
  const prompt = tokenizer!.decode(ids.slice(1));
  const t0 = performance.now();
  const r = await computePromptGraph({ model: 'demo', transcoders: 'demo', prompt, prependBos: true });
  const seconds = (performance.now() - t0) / 1000;
  log(
    `demo: ${ids.length} tokens, ${r.features} features, ${r.circuit.metrics.nodes} nodes in ${seconds.toFixed(1)} s`,
  );
  return { seconds: +seconds.toFixed(2), tokens: ids.length, features: r.features, nodes: r.circuit.metrics.nodes };
}

async function main() {
  const load = loadavg().map((v) => +v.toFixed(2));
  const { result, ceiling } = await ceilingAround(async () => {
    const gpt2 = await gpt2Shape();
    const demo = await demoLongest();
    return { gpt2, demo };
  });
  const { gpt2, demo } = result;
  console.log(
    JSON.stringify({
      gpt2_shape_s: gpt2.seconds,
      gpt2_shape_peak_rss_mb: gpt2.peak,
      gpt2_shape_features: gpt2.features,
      gpt2_shape_logits: gpt2.logits,
      gpt2_shape_nodes_kept: gpt2.kept,
      gpt2_shape_edges_kept: gpt2.edges,
      gpt2_shape_timings: gpt2.timings,
      gpt2_shape_scores: gpt2.scores,
      targets: { seconds: 30, peak_rss_mb: 4096 },
      demo_longest_s: 'seconds' in demo ? demo.seconds : null,
      demo_longest_tokens: 'tokens' in demo ? demo.tokens : null,
      demo_longest_features: 'features' in demo ? demo.features : null,
      ...('skipped' in demo ? { demo_skipped: demo.skipped } : {}),
      load_average: load,
      ceiling,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
