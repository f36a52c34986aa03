/**
 * The machine's matrix-multiply ceiling through onnxruntime-node, measured in the benchmark's own run so that its
 * figures can be quoted as a share of it (VMs differ: AVX-512 or not, and other processes on the cores). Every
 * benchmark runs its work inside ceilingAround and prints the result's `ceiling` in its last JSON line.
 */
import { Graph } from '../graph/graph.js';
import { toOnnx } from '../graph/onnx.js';
import * as op from '../graph/ops.js';
import { nodeOrt } from '../runtime/node.js';
import { CompiledGraph } from '../runtime/session.js';

export interface MatmulCeiling {
  /** MatMul 2048 x 2048 x 2048, GFLOP/s (median). */
  matmul_2048_gflops: number;
  /** MatMul 128 x 768 x 3072 (GPT-2 small's MLP at T=128), GFLOP/s (median). */
  matmul_128x768x3072_gflops: number;
}

/** GFLOP/s of one [m, k] x [k, n] MatMul, B a constant initializer as model weights are (ORT pre-packs it). */
async function matmulGflops(m: number, k: number, n: number, repeats: number, threads?: number): Promise<number> {
  const g = new Graph();
  const a = g.input('a', [m, k]);
  const model = toOnnx(g, {
    outputs: { y: op.matmul(a, g.weight('b', [k, n])) },
    weights: 'initializer',
    name: 'ceiling',
    weightData: () => Float32Array.from({ length: k * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
  });
  const compiled = await CompiledGraph.create(nodeOrt, model, { threads });
  try {
    const x = Float32Array.from({ length: m * k }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    await compiled.run({ a: x });
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await compiled.run({ a: x });
      times.push(performance.now() - t0);
    }
    times.sort((p, q) => p - q);
    const median = times[times.length >> 1]!;
    return (2 * m * k * n) / median / 1e6;
  } finally {
    await compiled.release();
  }
}

export async function measureMatmulCeiling(threads?: number): Promise<MatmulCeiling> {
  return {
    matmul_2048_gflops: +(await matmulGflops(2048, 2048, 2048, 7, threads)).toFixed(1),
    matmul_128x768x3072_gflops: +(await matmulGflops(128, 768, 3072, 25, threads)).toFixed(1),
  };
}

/** The ceiling as a benchmark prints it: the mean of a measurement before and one after its work. */
export interface CeilingAround extends MatmulCeiling {
  before: MatmulCeiling;
  after: MatmulCeiling;
  /** ORT intra-op threads of the measurement; null: ORT's default (one per core). */
  threads: number | null;
}

/**
 * Measures the ceiling, runs `work`, measures it again: other processes on the cores move the ceiling within
 * minutes, so the mean of both is the fairer yardstick for the work in between. Each measurement takes a few
 * seconds. `log` receives one line per measurement (benchmarks that keep stdout for the JSON pass console.error).
 */
export async function ceilingAround<T>(
  work: () => Promise<T>,
  options: { threads?: number; log?: (line: string) => void } = {},
): Promise<{ result: T; ceiling: CeilingAround }> {
  const log = options.log ?? console.log;
  const measure = async (when: string) => {
    const t0 = performance.now();
    const c = await measureMatmulCeiling(options.threads);
    log(`matmul ceiling ${when}: ${JSON.stringify(c)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return c;
  };
  const before = await measure('before');
  const result = await work();
  const after = await measure('after');
  const mean = (k: keyof MatmulCeiling) => +((before[k] + after[k]) / 2).toFixed(1);
  return {
    result,
    ceiling: {
      matmul_2048_gflops: mean('matmul_2048_gflops'),
      matmul_128x768x3072_gflops: mean('matmul_128x768x3072_gflops'),
      before,
      after,
      threads: options.threads ?? null,
    },
  };
}

/** A figure in GFLOP/s as a share of the 2048 x 2048 x 2048 MatMul's (1 = as fast as ORT's best MatMul here). */
export const shareOfCeiling = (gflops: number, ceiling: MatmulCeiling): number =>
  +(gflops / ceiling.matmul_2048_gflops).toFixed(3);
