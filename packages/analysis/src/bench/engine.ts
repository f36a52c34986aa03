/**
 * Engine benchmark: a GPT-2-small-shaped model (random weights) in onnxruntime-node. Prints progress lines, then
 * one JSON line with medians: forward with all residual hooks at T=16 and T=128, forward + gradient of a logit
 * difference w.r.t. all 12 resid_pre hooks, and graph build + session creation time; and the MatMul ceiling measured
 * before and after (ceiling.ts), with forward_t128_gflops as a share of it. BENCH_REPEATS (default 10) sets the runs
 * per median.
 */

import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockHook } from '../hooks.js';
import { GPT2_SMALL, type GPT2Config } from '../model/config.js';
import { hookedGPT2FromWeights } from '../model/load.js';
import { randomGPT2Weights } from '../model/random.js';
import { ceilingAround, shareOfCeiling } from './ceiling.js';

const config = GPT2_SMALL;
const repeats = Number(process.env.BENCH_REPEATS ?? 10);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function time(label: string, f: () => Promise<unknown>): Promise<number> {
  await f();
  await f();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  const m = median(times);
  console.log(`${label}: median ${m.toFixed(1)} ms (min ${Math.min(...times).toFixed(1)})`);
  return m;
}

/** Multiply-adds x 2 of one forward pass (matmuls only). */
function forwardFlops(c: GPT2Config, T: number): number {
  const d = c.dModel;
  const perLayer = 2 * T * d * 3 * d + 2 * 2 * T * T * d + 2 * T * d * d + 2 * 2 * T * d * 4 * d;
  return c.nLayers * perLayer + 2 * T * d * c.vocabSize;
}

async function main() {
  const threads = Number(process.env.BENCH_THREADS ?? 0) || undefined;
  const { result, ceiling } = await ceilingAround(() => runEngine(threads), { threads });
  console.log(
    JSON.stringify({
      ...result,
      ceiling,
      // The forward at T=128 runs GPT-2's matmuls, so its GFLOP/s reads against the 2048 MatMul's.
      share_of_ceiling: shareOfCeiling(result.forward_t128_gflops, ceiling),
      // context: other processes on the same cores slow every number above
      load_avg_1m: +loadavg()[0]!.toFixed(2),
      cpus: availableParallelism(),
    }),
  );
}

async function runEngine(threads: number | undefined) {
  const cacheDir = process.env.WORKBENCH_ENGINE_CACHE ?? join(tmpdir(), 'workbench-engine-bench');
  let t = performance.now();
  const model = await hookedGPT2FromWeights(config, randomGPT2Weights(config, 1, 0.02), { threads, cacheDir });
  console.log(`random weights packed into ${cacheDir} in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  t = performance.now();
  await model.compile({
    batch: 1,
    seq: 128,
    hooks: [],
    interventions: [],
    logits: true,
    centerResid: false,
    gradient: undefined,
  });
  console.log(`warm-up graph (build + session) ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const residHooks: string[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    for (const h of ['hook_resid_pre', 'hook_resid_mid', 'hook_resid_post'] as const) residHooks.push(blockHook(l, h));
  }
  const gradHooks = Array.from({ length: config.nLayers }, (_, l) => blockHook(l, 'hook_resid_pre'));
  const tokens = (T: number) => [Array.from({ length: T }, (_, i) => (i * 7919) % config.vocabSize)];

  const t0 = performance.now();
  await model.run(tokens(128), { hooks: residHooks });
  const buildAndFirst = (performance.now() - t0) / 1000;
  console.log(`forward graph T=128: build + session + first run ${buildAndFirst.toFixed(2)} s`);
  const forward = (T: number) => () => model.run(tokens(T), { hooks: residHooks });
  const fwdbwd = (T: number) => () =>
    model.gradients(tokens(T), { gradHooks, logits: true, metric: { answer: 318, wrong: 389 } });

  const forward_t16_ms = await time('forward T=16', forward(16));
  const forward_t128_ms = await time('forward T=128', forward(128));
  const fwdbwd_t16_ms = await time('forward+backward T=16', fwdbwd(16));
  const fwdbwd_t128_ms = await time('forward+backward T=128', fwdbwd(128));
  const result = {
    forward_t16_ms: +forward_t16_ms.toFixed(2),
    forward_t128_ms: +forward_t128_ms.toFixed(2),
    forward_t128_gflops: +(forwardFlops(config, 128) / forward_t128_ms / 1e6).toFixed(1),
    fwdbwd_t16_ms: +fwdbwd_t16_ms.toFixed(2),
    fwdbwd_t128_ms: +fwdbwd_t128_ms.toFixed(2),
    build_s: +(buildAndFirst - forward_t128_ms / 1000).toFixed(3),
  };
  await model.dispose();
  return result;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
