/**
 * Training a TopK sparse autoencoder (Gao et al. 2024) with the engine on stored activations: the encode/decode
 * graph is the one in sae/graph.ts (the graph that later runs in the browser), the loss is the normalised MSE
 * (1 - FVE), decoder rows are kept at unit norm, and features that have not fired for a while are re-initialised
 * on inputs the SAE reconstructs worst and/or given a gradient by the AuxK loss (auxKLoss below). Inputs are
 * scaled to mean squared norm d_in during training; the scale is folded into the saved weights, so the result is a
 * plain SAELens TopK SAE with normalisation "none".
 */

import { mulberry32 } from '../data/prng.js';
import { Graph, type Tensor } from '../graph/graph.js';
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
  /** Raise the encoder bias of features dead this long (see reviveDeadFeatures); absent or null: no. */
  revive?: ReviveOptions | null;
  /** AuxK loss against dead features (see auxKLoss); absent or null: none. */
  auxK?: AuxKOptions | null;
  /** Re-initialise features dead for this many steps (checked every `resampleEvery` steps; 0 = never). */
  resampleEvery?: number;
  /** Stop resampling after this share of the steps (default 0.6). */
  resampleUntil?: number;
  /** Write every n-th step to the loss log (default 1). */
  logEvery?: number;
  /** Extra cfg.json fields (model_name, context_size, ...). */
  extra?: Record<string, unknown>;
}

export interface AuxKOptions {
  /** Dead features that reconstruct the error (Gao et al.: d_in / 2). */
  k: number;
  /** Weight of the auxiliary loss (Gao et al.: 1/32). */
  coefficient: number;
  /** A feature is dead once it has not fired for this many steps. */
  deadSteps: number;
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

/**
 * AuxK loss, from Gao et al. 2024, "Scaling and evaluating sparse autoencoders" (section 2.4, and `auxk_loss` in
 * github.com/openai/sparse_autoencoder): the top `k` pre-activations among DEAD features (mask `dead` [dSae], 1 =
 * dead) reconstruct the main reconstruction's error e = x - x_hat (a constant here). Its MSE, normalised by the
 * variance of e, gives dead features a gradient towards what the live ones miss, so they come back to life.
 */
function auxKLoss(pre: Tensor, dead: Tensor, W_dec: Tensor, err: Tensor, k: number): Tensor {
  const g = pre.graph;
  // Live features sink far below any dead one, so TopK picks dead ones and their ReLU is 0 if it runs out.
  const far = op.mul(op.sub(op.scalar(g, 1), dead), op.scalar(g, 1e6));
  const [values, indices] = op.topK(op.sub(op.mul(pre, dead), far), k);
  const eHat = op.matmul(op.scatterAddLast(op.zerosLike(pre), indices, op.relu(values)), W_dec);
  const e = op.stopGradient(err);
  const centred = op.sub(e, op.reduceMean(e, [0], true));
  const diff = op.sub(eHat, e);
  const eps = op.scalar(g, 1e-12);
  return op.div(op.reduceSum(op.mul(diff, diff), [0, 1]), op.add(op.reduceSum(op.mul(centred, centred), [0, 1]), eps));
}

export interface ReviveOptions {
  /** A feature is dead once it has not fired for this many steps. */
  deadSteps: number;
  /** Added to a dead feature's encoder bias on every step it stays dead (inputs are scaled to mean norm sqrt(dIn)). */
  biasStep: number;
}

/**
 * Dead features revived through their encoder bias, adapted from the auxiliary-loss-free load balancing of
 * mixture-of-experts routers (Wang et al. 2024, arXiv 2408.15664, as in DeepSeek-V3): TopK routes each input to k
 * features, and one that loses every contest gets no gradient at all. Raising its bias on each step it stays dead
 * makes it win, after a while, the inputs its encoder row points at most, where the reconstruction loss trains it
 * again. AuxK alone does not do this on the demo's activations: the error it fits is ~1% of the variance, so the
 * dead features it trains stay far below the live ones (and it fights a raised bias: use one or the other).
 */
export function reviveDeadFeatures(b_enc: Float32Array, lastFired: Int32Array, step: number, o: ReviveOptions): void {
  for (let j = 0; j < b_enc.length; j++) if (step - lastFired[j]! >= o.deadSteps) b_enc[j]! += o.biasStep;
}

/**
 * Loss graph: input `x` [batch, dIn] (scaled); mse = sum ||x_hat - x||^2 / (batch * variance); loss = mse, plus
 * the AuxK term (input `dead` [dSae]) when `auxK` is given.
 */
export function buildSaeLossGraph(
  config: SaeConfig,
  batch: number,
  variance: number,
  auxK?: AuxKOptions | null,
): LossGraph {
  const g = new Graph();
  const x = g.input('x', [batch, config.dIn]);
  const w = saeWeightTensors(g, config);
  const { features, pre, stats } = saeEncode(config, x, w);
  const xhat = saeDecode(config, features, w, stats);
  const diff = op.sub(xhat, x);
  const se = op.reduceSum(op.mul(diff, diff), [1]);
  const mse = op.mul(op.reduceSum(se, [0]), op.scalar(g, 1 / (batch * variance)));
  const fired = op.reduceSum(op.cast(op.greater(features, op.scalar(g, 0)), 'float32'), [0]);
  const aux = auxK ? auxKLoss(pre, g.input('dead', [config.dSae]), w.W_dec, op.sub(x, xhat), auxK.k) : null;
  const loss = aux ? op.add(mse, op.mul(aux, op.scalar(g, auxK!.coefficient))) : mse;
  const metrics: Record<string, Tensor> = aux ? { fired, se, mse } : { fired, se };
  return { graph: g, loss, params: [w.W_enc, w.b_enc, w.W_dec, w.b_dec], metrics };
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
  const trainer = await GraphTrainer.create(buildSaeLossGraph(config, o.batch, variance, o.auxK), params, {
    ort: o.ort,
    threads: o.threads,
    optimizer: { beta1: 0.9, beta2: 0.999, weightDecay: 0 },
    schedule: { maxLr: o.maxLr, minLr: o.maxLr / 20, warmupSteps: o.warmupSteps ?? 50, totalSteps: o.steps },
    clipNorm: 1,
  });
  const log = new TrainingLog(o.logPath ?? null, o.steps, { label: o.hookName, progress: o.progress });
  const losses: number[] = [];
  const lastFired = new Int32Array(dSae);
  const dead = new Float32Array(dSae);
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
      if (o.auxK) for (let j = 0; j < dSae; j++) dead[j] = s - lastFired[j]! >= o.auxK.deadSteps ? 1 : 0;
      if (o.revive) reviveDeadFeatures(params.get('b_enc')!, lastFired, s, o.revive);
      const res = await trainer.step(o.auxK ? { x: batchX, dead } : { x: batchX });
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
      // The curve is the reconstruction loss (1 - FVE) alone, comparable with or without AuxK.
      const mse = res.metrics.mse?.[0] ?? res.loss;
      losses.push(mse);
      ema = Number.isNaN(ema) ? mse : 0.95 * ema + 0.05 * mse;
      if (s % (o.logEvery ?? 1) === 0 || s === o.steps - 1)
        log.write({
          phase: 'sae',
          hook: o.hookName,
          step: res.step,
          loss: mse,
          ...(o.auxK ? { loss_with_aux: res.loss, dead: dead.reduce((a, b) => a + b, 0) } : {}),
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
