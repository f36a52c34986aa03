/**
 * Training a TopK sparse autoencoder (Gao et al. 2024) with the engine on stored activations: the encode/decode
 * graph is the one in sae/graph.ts (the graph that later runs in the browser), the loss is the normalised MSE
 * (1 - FVE), decoder rows are kept at unit norm, and features that have not fired for a while are re-initialised
 * on inputs the SAE reconstructs worst. Inputs are scaled to mean squared norm d_in during training; the scale is
 * folded into the saved weights, so the result is a plain SAELens TopK SAE with normalisation "none".
 */

import { mulberry32 } from '../data/prng.js';
import { Graph } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import type { OrtModule } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeDecode, saeEncode, saeWeightTensors } from '../sae/graph.js';
import type { Sae } from '../sae/sae.js';
import { normalSampler } from './optim.js';
import { GraphTrainer, type LossGraph, TrainingLog } from './trainer.js';

export interface TrainSaeOptions {
  hookName: string;
  /** Activations [rows, dIn], row-major. */
  activations: Float32Array;
  dIn: number;
  dSae: number;
  k: number;
  steps: number;
  batch: number;
  maxLr: number;
  warmupSteps?: number;
  seed: number;
  ort: OrtModule;
  threads?: number;
  logPath?: string | null;
  progress?: boolean;
  /** Re-initialise features dead for this many steps (checked every `resampleEvery` steps; 0 = never). */
  resampleEvery?: number;
  /** Stop resampling after this share of the steps (default 0.6). */
  resampleUntil?: number;
  /** Write every n-th step to the loss log (default 1). */
  logEvery?: number;
  /** Extra cfg.json fields (model_name, context_size, ...). */
  extra?: Record<string, unknown>;
}

export interface TrainSaeResult {
  sae: Sae;
  losses: number[];
  seconds: number;
  /** Scale the inputs were divided by during training (folded into the weights). */
  scale: number;
}

function topkConfig(o: TrainSaeOptions): SaeConfig {
  const m = /^blocks\.(\d+)\./.exec(o.hookName);
  return {
    architecture: 'topk',
    dIn: o.dIn,
    dSae: o.dSae,
    hookName: o.hookName,
    hookLayer: m ? Number(m[1]) : 0,
    k: o.k,
    applyBDecToInput: true,
    normalization: 'none',
    prependBos: true,
    extra: o.extra ?? {},
  };
}

/** Loss graph: input `x` [batch, dIn] (scaled); loss = sum ||x_hat - x||^2 / (batch * variance). */
export function buildSaeLossGraph(config: SaeConfig, batch: number, variance: number): LossGraph {
  const g = new Graph();
  const x = g.input('x', [batch, config.dIn]);
  const w = saeWeightTensors(g, config);
  const { features, stats } = saeEncode(config, x, w);
  const xhat = saeDecode(config, features, w, stats);
  const diff = op.sub(xhat, x);
  const se = op.reduceSum(op.mul(diff, diff), [1]);
  const loss = op.mul(op.reduceSum(se, [0]), op.scalar(g, 1 / (batch * variance)));
  const fired = op.reduceSum(op.cast(op.greater(features, op.scalar(g, 0)), 'float32'), [0]);
  return { graph: g, loss, params: [w.W_enc, w.b_enc, w.W_dec, w.b_dec], metrics: { fired, se } };
}

/** Mean, total variance (mean squared distance to the mean) and root-mean-square norm per row / sqrt(dIn). */
export function activationStats(x: Float32Array, dIn: number): { mean: Float64Array; variance: number; scale: number } {
  const rows = x.length / dIn;
  const mean = new Float64Array(dIn);
  let sq = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dIn; i++) {
      const v = x[r * dIn + i]!;
      mean[i]! += v;
      sq += v * v;
    }
  }
  for (let i = 0; i < dIn; i++) mean[i]! /= rows;
  let msq = 0;
  for (let i = 0; i < dIn; i++) msq += mean[i]! * mean[i]!;
  const meanSq = sq / rows;
  return { mean, variance: meanSq - msq, scale: Math.sqrt(meanSq / dIn) || 1 };
}

function normalizeRows(w: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let i = 0; i < cols; i++) n += w[r * cols + i]! ** 2;
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let i = 0; i < cols; i++) w[r * cols + i] = w[r * cols + i]! * s;
  }
}

export async function trainTopKSae(o: TrainSaeOptions): Promise<TrainSaeResult> {
  const t0 = performance.now();
  const { dIn, dSae } = o;
  const rows = o.activations.length / dIn;
  if (!Number.isInteger(rows) || rows < o.batch) throw new Error(`${o.hookName}: need at least ${o.batch} rows`);
  const stats = activationStats(o.activations, dIn);
  const scale = stats.scale;
  const variance = stats.variance / (scale * scale);
  const config = topkConfig(o);
  const rng = mulberry32(o.seed);
  const normal = normalSampler(rng);

  const W_dec = Float32Array.from({ length: dSae * dIn }, () => normal());
  normalizeRows(W_dec, dSae, dIn);
  const W_enc = new Float32Array(dIn * dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) W_enc[i * dSae + j] = W_dec[j * dIn + i]!;
  const params = new Map<string, Float32Array>([
    ['W_enc', W_enc],
    ['b_enc', new Float32Array(dSae)],
    ['W_dec', W_dec],
    ['b_dec', Float32Array.from(stats.mean, (v) => v / scale)],
  ]);
  const trainer = await GraphTrainer.create(buildSaeLossGraph(config, o.batch, variance), params, {
    ort: o.ort,
    threads: o.threads,
    optimizer: { beta1: 0.9, beta2: 0.999, weightDecay: 0 },
    schedule: { maxLr: o.maxLr, minLr: o.maxLr / 20, warmupSteps: o.warmupSteps ?? 50, totalSteps: o.steps },
    clipNorm: 1,
  });
  const log = new TrainingLog(o.logPath ?? null, o.steps, { label: o.hookName, progress: o.progress });
  const losses: number[] = [];
  const lastFired = new Int32Array(dSae);
  const resampleEvery = o.resampleEvery ?? 250;
  const resampleUntil = Math.floor(o.steps * (o.resampleUntil ?? 0.6));
  const batchX = new Float32Array(o.batch * dIn);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  let cursor = rows;
  let ema = Number.NaN;
  try {
    for (let s = 0; s < o.steps; s++) {
      const picked: number[] = [];
      for (let b = 0; b < o.batch; b++) {
        if (cursor >= rows) {
          for (let i = rows - 1; i > 0; i--) {
            const j = Math.floor(rng() * (i + 1));
            const t = order[i]!;
            order[i] = order[j]!;
            order[j] = t;
          }
          cursor = 0;
        }
        const r = order[cursor++]!;
        picked.push(r);
        for (let i = 0; i < dIn; i++) batchX[b * dIn + i] = o.activations[r * dIn + i]! / scale;
      }
      const res = await trainer.step({ x: batchX });
      normalizeRows(W_dec, dSae, dIn);
      const fired = res.metrics.fired!;
      for (let j = 0; j < dSae; j++) if (fired[j]! > 0) lastFired[j] = s;
      if (resampleEvery > 0 && s > 0 && s % resampleEvery === 0 && s <= resampleUntil) {
        // Dead features take the directions of the worst-reconstructed inputs of this batch.
        const se = res.metrics.se!;
        const worst = Array.from(se.keys()).sort((a, b) => se[b]! - se[a]!);
        let n = 0;
        for (let j = 0; j < dSae; j++) {
          if (s - lastFired[j]! < resampleEvery) continue;
          const row = worst[n++ % worst.length]!;
          let norm = 0;
          for (let i = 0; i < dIn; i++) {
            const v = batchX[row * dIn + i]! - params.get('b_dec')![i]!;
            W_dec[j * dIn + i] = v;
            norm += v * v;
          }
          const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
          for (let i = 0; i < dIn; i++) {
            W_dec[j * dIn + i] = W_dec[j * dIn + i]! * inv;
            W_enc[i * dSae + j] = W_dec[j * dIn + i]!;
          }
          params.get('b_enc')![j] = 0;
          lastFired[j] = s;
        }
        if (n > 0) log.write({ phase: 'sae', hook: o.hookName, step: s, resampled: n });
      }
      losses.push(res.loss);
      ema = Number.isNaN(ema) ? res.loss : 0.95 * ema + 0.05 * res.loss;
      if (s % (o.logEvery ?? 1) === 0 || s === o.steps - 1)
        log.write({
          phase: 'sae',
          hook: o.hookName,
          step: res.step,
          loss: res.loss,
          grad_norm: res.gradNorm,
          lr: res.lr,
        });
      log.tick(s + 1, ema);
    }
  } finally {
    await log.close();
    await trainer.release();
  }
  // Fold the input scale into the weights: same features, unscaled inputs and outputs.
  const b_dec = params.get('b_dec')!;
  const sae: Sae = {
    config,
    weights: {
      W_enc: W_enc.map((v) => v / scale),
      b_enc: params.get('b_enc')!,
      W_dec: W_dec.map((v) => v * scale),
      b_dec: b_dec.map((v) => v * scale),
    },
  };
  return { sae, losses, seconds: (performance.now() - t0) / 1000, scale };
}
