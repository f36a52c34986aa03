/**
 * Circuit benchmark. Prints progress lines, then as the LAST line one JSON object:
 * - gpt2_shape_pair_s: one prompt pair on GPT-2-small-shaped random weights (12 layers, d 768, 12 heads, vocab
 *   50257) with random ReLU SAEs of width 24576 at attn_out, mlp_out and resid_post of all 12 layers (36 hooks),
 *   attribution patching, edges for the top 200 nodes (after one warm-up run that builds the graphs;
 *   gpt2_shape_pair_cold_s is that first run). To keep memory sane the 36 hooks share three random SAEs (one per
 *   sublayer kind); every hook is still encoded, differentiated and projected separately.
 * - demo_nounpp_100_ig_s: 100 nounpp pairs on the bundled demo model, integrated gradients, edges and evaluation
 *   (null when packages/analysis/assets/demo/manifest.json is absent); demo_nounpp_faithfulness, demo_nounpp_nodes.
 * - gpt2_shape_sae_graphs_gflops: the GFLOP/s of that pair's SAE node graphs (encode, decode and gradient per
 *   feature of all 36 hooks, the run's matmul-bound part), and share_of_ceiling, it as a share of the MatMul ceiling
 *   (`ceiling`, measured before and after; ceiling.ts).
 * - peak_rss_mb.
 * - gpt2_shape_nounpp_50_ig_s (with BENCH_NOUNPP=1; null otherwise): 50 nounpp pairs tokenized by GPT-2's real
 *   tokenizer on the same GPT-2-small-shaped random weights, with 36 distinct random SAEs of 24576 (fixed seeds,
 *   each generated when the run loads it), integrated gradients with 10 steps, edges for the top 200 nodes; one
 *   cold run, compiling included (gpt2_shape_nounpp_cpu_s: its CPU seconds, all threads; on a shared machine that
 *   over the cores bounds its quiet time). It runs in a child process, so gpt2_shape_nounpp_peak_rss_mb is its own; the
 *   model's weights are shared by all its graphs (weightSharing 'shared'). BENCH_NOUNPP_LAYERS=4 runs it on the
 *   first 4 layers (12 hooks) instead.
 * BENCH_SKIP_GPT2=1 skips the GPT-2-shaped pair (its figures are then null).
 */
import { spawnSync } from 'node:child_process';
import { access } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeCircuit, loadPairs, tokenizePairs } from '../circuits/api.js';
import { discoverCircuit, type SaeSource } from '../circuits/discover.js';
import { saeNodeGraphFlops, saeNodeGraphRows } from '../circuits/graphs.js';
import { circuitHooks, lazyRandomCircuitSae, randomCircuitSae, randomPairs } from '../circuits/testing.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { GPT2_SMALL } from '../model/config.js';
import { hookedGPT2FromWeights } from '../model/load.js';
import { randomGPT2Weights } from '../model/random.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { ceilingAround, shareOfCeiling } from './ceiling.js';
import { gpt2Tokenizer } from './gpt2-tokenizer.js';

const config = GPT2_SMALL;

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

interface Gpt2ShapeRun {
  cold: number;
  warm: number;
  nodes: number;
  edges: number;
  saeGraphsGflops: number;
}

async function gpt2Shape(threads: number | undefined): Promise<Gpt2ShapeRun> {
  const cacheDir = process.env.WORKBENCH_ENGINE_CACHE ?? join(tmpdir(), 'workbench-engine-bench');
  const model = await hookedGPT2FromWeights(config, randomGPT2Weights(config, 1, 0.02), { threads, cacheDir });
  const hooks = circuitHooks(config.nLayers, false);
  const kinds = ['attn_out', 'mlp_out', 'resid_post'];
  const shared = kinds.map((k, i) => randomCircuitSae(`kind.${k}`, config.dModel, 24576, 500 + i));
  const saes: SaeSource[] = hooks.map((h) => {
    const s = shared[kinds.findIndex((k) => h.endsWith(k))]!;
    return { hook: h, config: { ...s.config, hookName: h }, load: async () => s.weights };
  });
  console.log(`gpt2-shape: model and 3 shared random SAEs ready; rss ${peakRssMb()} MB`);
  const pairs = randomPairs(config, 1, 12, 5);
  const run = () =>
    discoverCircuit(model, saes, pairs, { method: 'atp', nodeThreshold: 0, maxNodes: 200, edgeThreshold: 0, threads });
  let t0 = performance.now();
  await run();
  const cold = (performance.now() - t0) / 1000;
  console.log(`gpt2-shape: cold run ${cold.toFixed(1)} s; rss ${peakRssMb()} MB`);
  t0 = performance.now();
  const r = await run();
  const warm = (performance.now() - t0) / 1000;
  console.log(
    `gpt2-shape: ${r.nodes.length - 1} nodes, ${r.edges.length} edges in ${warm.toFixed(1)} s (${JSON.stringify(r.timings)})`,
  );
  await model.dispose();
  // discoverCircuit runs each hook's SAE node graph over the pairs' token rows in chunks of saeNodeGraphRows.
  const tokenRows = pairs.reduce((n, p) => n + p.clean.length, 0);
  const rows = saeNodeGraphRows(tokenRows);
  const saeFlops = saes.reduce((n, s) => n + Math.ceil(tokenRows / rows) * saeNodeGraphFlops(s.config, rows), 0);
  const saeGraphsGflops = +(saeFlops / r.timings.sae_graphs_s! / 1e9).toFixed(1);
  return { cold, warm, nodes: r.nodes.length - 1, edges: r.edges.length, saeGraphsGflops };
}

interface NounppRun {
  seconds: number;
  /** CPU seconds (user + system) of the discovery: on a shared machine, with the cores, a bound on its quiet time. */
  cpuSeconds: number;
  setupSeconds: number;
  layers: number;
  pairs: number;
  tokens: number;
  nodes: number;
  edges: number;
  timings: Record<string, number>;
  peakRssMb: number;
}

const NOUNPP_PAIRS = 50;
const NOUNPP_CHILD = '--nounpp-child';

/** The first `n` nounpp pairs (BOS first) whose clean and patch prompts GPT-2 tokenizes to equal lengths. */
async function nounppPairs(tokenizer: TextTokenizer, n: number) {
  const { pairs } = await loadPairs('nounpp', 4 * n, 0);
  const usable = pairs.filter((p) => {
    try {
      tokenizePairs(tokenizer, [p], config.bosTokenId);
      return true;
    } catch {
      return false; // e.g. " uncles" is one token and " uncle" two
    }
  });
  if (usable.length < n) throw new Error(`only ${usable.length} nounpp pairs tokenize to equal lengths`);
  return tokenizePairs(tokenizer, usable.slice(0, n), config.bosTokenId);
}

/** The child process's run: progress on stderr, its result as one JSON line on stdout. */
async function gpt2ShapeNounppChild(threads: number | undefined): Promise<void> {
  const t0 = performance.now();
  const layers = Number(process.env.BENCH_NOUNPP_LAYERS ?? config.nLayers);
  const c = { ...config, nLayers: layers };
  const pairs = await nounppPairs(await gpt2Tokenizer(), NOUNPP_PAIRS);
  const model = await hookedGPT2FromWeights(c, randomGPT2Weights(c, 1, 0.02), { threads, weightSharing: 'shared' });
  const saes = circuitHooks(layers, false).map((h, i) => lazyRandomCircuitSae(h, c.dModel, 24576, 700 + i));
  const setupSeconds = (performance.now() - t0) / 1000;
  console.error(
    `gpt2-shape nounpp: ${layers} layers, ${saes.length} SAEs, ${pairs.length} pairs; rss ${peakRssMb()} MB`,
  );
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  let last = '';
  const r = await discoverCircuit(
    model,
    saes,
    pairs,
    { method: 'ig', steps: 10, nodeThreshold: 0, maxNodes: 200, edgeThreshold: 0, threads },
    {
      onProgress: (stage, percent) => {
        const step = `${stage} ${10 * Math.floor(percent / 10)}%`;
        if (step === last) return;
        last = step;
        const at = ((performance.now() - t1) / 1000).toFixed(0);
        console.error(`gpt2-shape nounpp: ${step} at ${at} s; peak rss ${peakRssMb()} MB`);
      },
    },
  );
  const seconds = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await model.dispose();
  const run: NounppRun = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    setupSeconds,
    layers,
    pairs: pairs.length,
    tokens: pairs.reduce((n, p) => n + p.clean.length, 0),
    nodes: r.nodes.length - 1,
    edges: r.edges.length,
    timings: r.timings,
    peakRssMb: peakRssMb(),
  };
  console.log(JSON.stringify(run));
}

function gpt2ShapeNounpp(): NounppRun {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), NOUNPP_CHILD], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`the nounpp run failed (exit ${child.status ?? child.signal})`);
  const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as NounppRun;
  console.log(
    `gpt2-shape nounpp: ${run.nodes} nodes, ${run.edges} edges in ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(0)} CPU s; setup ${run.setupSeconds.toFixed(1)} s; ${JSON.stringify(run.timings)}), peak rss ${run.peakRssMb} MB`,
  );
  return run;
}

async function demo(): Promise<{ seconds: number; faithfulness: number | null; nodes: number; edges: number } | null> {
  const ok = await access(join(DEMO_ASSETS_DIR, 'manifest.json')).then(
    () => true,
    () => false,
  );
  if (!ok) {
    console.log(`demo: ${DEMO_ASSETS_DIR}/manifest.json absent; skipped`);
    return null;
  }
  const t0 = performance.now();
  const c = await computeCircuit({ model: 'demo', saes: 'demo', dataset: 'nounpp', n: 100, method: 'ig' });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `demo: ${c.metrics.nodes} nodes, ${c.metrics.edges} edges, faithfulness ${c.metrics.faithfulness}, completeness ${c.metrics.completeness} in ${seconds.toFixed(1)} s (${JSON.stringify(c.metrics.timings)})`,
  );
  return { seconds, faithfulness: c.metrics.faithfulness, nodes: c.metrics.nodes, edges: c.metrics.edges };
}

async function main() {
  const skipGpt2 = process.env.BENCH_SKIP_GPT2 === '1';
  const threads = Number(process.env.BENCH_THREADS ?? 0) || undefined;
  if (process.argv[2] === NOUNPP_CHILD) return gpt2ShapeNounppChild(threads);
  const {
    result: { g, d, n },
    ceiling,
  } = await ceilingAround(
    async () => ({
      g: skipGpt2 ? null : await gpt2Shape(threads),
      d: await demo(),
      n: process.env.BENCH_NOUNPP === '1' ? gpt2ShapeNounpp() : null,
    }),
    { threads },
  );
  const round = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      gpt2_shape_pair_s: g ? round(g.warm) : null,
      gpt2_shape_pair_cold_s: g ? round(g.cold) : null,
      gpt2_shape_nodes: g?.nodes ?? null,
      gpt2_shape_edges: g?.edges ?? null,
      gpt2_shape_sae_graphs_gflops: g?.saeGraphsGflops ?? null,
      share_of_ceiling: g ? shareOfCeiling(g.saeGraphsGflops, ceiling) : null,
      demo_nounpp_100_ig_s: d ? round(d.seconds) : null,
      demo_nounpp_faithfulness: d?.faithfulness ?? null,
      demo_nounpp_nodes: d?.nodes ?? null,
      demo_nounpp_edges: d?.edges ?? null,
      gpt2_shape_nounpp_50_ig_s: n ? round(n.seconds) : null,
      gpt2_shape_nounpp_cpu_s: n ? round(n.cpuSeconds) : null,
      gpt2_shape_nounpp_setup_s: n ? round(n.setupSeconds) : null,
      gpt2_shape_nounpp_layers: n?.layers ?? null,
      gpt2_shape_nounpp_tokens: n?.tokens ?? null,
      gpt2_shape_nounpp_nodes: n?.nodes ?? null,
      gpt2_shape_nounpp_edges: n?.edges ?? null,
      gpt2_shape_nounpp_timings: n?.timings ?? null,
      gpt2_shape_nounpp_peak_rss_mb: n?.peakRssMb ?? null,
      ceiling,
      peak_rss_mb: peakRssMb(),
      cpus: availableParallelism(),
      load_average: loadavg().map((v) => round(v)),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
