/**
 * Training a TopK transcoder (Dunefsky et al. 2024; skip transcoders: Paulo et al. 2025) with the engine: the
 * encode/decode graph is sae/graph.ts's (the same one that runs it later), fed the MLP's input x and trained to
 * predict the MLP's output y. Loss: sum ||y_hat - y||^2 / (batch * variance of y) (1 - FVE). Decoder rows are kept
 * at unit norm and features that stay dead are re-initialised on the worst-predicted rows, as the SAE trainer does
 * (train/sae.ts), and optionally revived through their encoder bias (train/sae.ts reviveDeadFeatures). Inputs and
 * targets are scaled to mean squared norm d during training; the scales are folded into the saved weights, so the
 * result is a plain SAELens transcoder (normalize_activations "none").
 */

import { mulberry32 } from '../data/prng.js';
import { Graph } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import type { OrtModule } from '../runtime/session.js';
import type { SaeConfig } from '../sae/config.js';
import { saeDecode, saeEncode, saeWeightTensors } from '../sae/graph.js';
import type { Sae } from '../sae/sae.js';
import { normalSampler } from './optim.js';
import { activationStats, type ReviveOptions, reviveDeadFeatures } from './sae.js';
import { GraphTrainer, type LossGraph, TrainingLog } from './trainer.js';

export interface TrainTranscoderOptions {
  /** Input hook (e.g. blocks.2.ln2.hook_normalized) and output hook (blocks.2.hook_mlp_out). */
  hookIn: string;
  hookOut: string;
  /** Inputs [rows, dIn] and targets [rows, dOut], row-major, one row per token. */
  inputs: Float32Array;
  targets: Float32Array;
  dIn: number;
  dOut: number;
  dSae: number;
  k: number;
  /** Also learn a linear skip connection W_skip [dOut, dIn] (a skip transcoder). */
  skip: boolean;
  steps: number;
  batch: number;
  maxLr: number;
  warmupSteps?: number;
  seed: number;
  ort: OrtModule;
  threads?: number;
  logPath?: string | null;
  progress?: boolean;
  /** Re-initialise features dead for this many steps (0 = never; default 250), until this share of the steps. */
  resampleEvery?: number;
  resampleUntil?: number;
  /** Raise the encoder bias of features dead this long, as the SAE trainer does (train/sae.ts); absent or null: no. */
  revive?: ReviveOptions | null;
  logEvery?: number;
  /** Extra cfg.json fields (model_name, context_size, ...). */
  extra?: Record<string, unknown>;
}

export interface TrainTranscoderResult {
  transcoder: Sae;
  losses: number[];
  seconds: number;
}

const layerOf = (hook: string) => {
  const m = /^blocks\.(\d+)\./.exec(hook);
  return m ? Number(m[1]) : null;
};

export function topkTranscoderConfig(o: TrainTranscoderOptions): SaeConfig {
  return {
    architecture: 'topk',
    dIn: o.dIn,
    dSae: o.dSae,
    hookName: o.hookIn,
    hookLayer: layerOf(o.hookIn),
    k: o.k,
    applyBDecToInput: false,
    normalization: 'none',
    prependBos: true,
    extra: o.extra ?? {},
    transcoder: { hookName: o.hookOut, hookLayer: layerOf(o.hookOut), dOut: o.dOut, skip: o.skip },
  };
}

/** Loss graph: inputs `x` [batch, dIn] and `y` [batch, dOut] (scaled); loss = sum ||y_hat - y||^2 / (batch * var). */
export function buildTranscoderLossGraph(config: SaeConfig, batch: number, variance: number): LossGraph {
  const dOut = config.transcoder?.dOut;
  if (!dOut) throw new Error('buildTranscoderLossGraph: not a transcoder config');
  const g = new Graph();
  const x = g.input('x', [batch, config.dIn]);
  const y = g.input('y', [batch, dOut]);
  const w = saeWeightTensors(g, config);
  const { features, stats } = saeEncode(config, x, w);
  const diff = op.sub(saeDecode(config, features, w, stats, x), y);
  const se = op.reduceSum(op.mul(diff, diff), [1]);
  const loss = op.mul(op.reduceSum(se, [0]), op.scalar(g, 1 / (batch * variance)));
  const fired = op.reduceSum(op.cast(op.greater(features, op.scalar(g, 0)), 'float32'), [0]);
  const params = [w.W_enc, w.b_enc, w.W_dec, w.b_dec, ...(w.W_skip ? [w.W_skip] : [])];
  return { graph: g, loss, params, metrics: { fired, se } };
}

function unitRows(w: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let n = 0;
    for (let i = 0; i < cols; i++) n += w[r * cols + i]! ** 2;
    const s = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let i = 0; i < cols; i++) w[r * cols + i] = w[r * cols + i]! * s;
  }
}

/** A dead feature j takes row `row` of the batch: its input direction to encode, its target to decode. */
function reinitialise(
  j: number,
  xRow: Float32Array,
  yRow: Float32Array,
  params: Map<string, Float32Array>,
  dSae: number,
): void {
  const W_enc = params.get('W_enc')!;
  const W_dec = params.get('W_dec')!;
  const b_dec = params.get('b_dec')!;
  const dIn = xRow.length;
  const dOut = yRow.length;
  let nx = 0;
  for (const v of xRow) nx += v * v;
  for (let i = 0; i < dIn; i++) W_enc[i * dSae + j] = xRow[i]! / (Math.sqrt(nx) || 1);
  let ny = 0;
  for (let i = 0; i < dOut; i++) ny += (yRow[i]! - b_dec[i]!) ** 2;
  for (let i = 0; i < dOut; i++) W_dec[j * dOut + i] = (yRow[i]! - b_dec[i]!) / (Math.sqrt(ny) || 1);
  params.get('b_enc')![j] = 0;
}

export async function trainTopKTranscoder(o: TrainTranscoderOptions): Promise<TrainTranscoderResult> {
  const t0 = performance.now();
  const { dIn, dOut, dSae } = o;
  const rows = o.inputs.length / dIn;
  if (!Number.isInteger(rows) || rows < o.batch) throw new Error(`${o.hookIn}: need at least ${o.batch} rows`);
  if (o.targets.length !== rows * dOut) throw new Error(`${o.hookOut}: ${o.targets.length} targets for ${rows} rows`);
  const sx = activationStats(o.inputs, dIn).scale;
  const yStats = activationStats(o.targets, dOut);
  const sy = yStats.scale;
  const variance = yStats.variance / (sy * sy);
  const config = topkTranscoderConfig(o);
  const rng = mulberry32(o.seed);
  const normal = normalSampler(rng);

  const W_dec = Float32Array.from({ length: dSae * dOut }, () => normal());
  unitRows(W_dec, dSae, dOut);
  const W_enc = Float32Array.from({ length: dIn * dSae }, () => normal() / Math.sqrt(dIn));
  const params = new Map<string, Float32Array>([
    ['W_enc', W_enc],
    ['b_enc', new Float32Array(dSae)],
    ['W_dec', W_dec],
    ['b_dec', Float32Array.from(yStats.mean, (v) => v / sy)],
  ]);
  if (o.skip) params.set('W_skip', new Float32Array(dOut * dIn));
  const trainer = await GraphTrainer.create(buildTranscoderLossGraph(config, o.batch, variance), params, {
    ort: o.ort,
    threads: o.threads,
    optimizer: { beta1: 0.9, beta2: 0.999, weightDecay: 0 },
    schedule: { maxLr: o.maxLr, minLr: o.maxLr / 20, warmupSteps: o.warmupSteps ?? 50, totalSteps: o.steps },
    clipNorm: 1,
  });
  const label = `${o.hookIn} -> ${o.hookOut}`;
  const log = new TrainingLog(o.logPath ?? null, o.steps, { label, progress: o.progress });
  const losses: number[] = [];
  const lastFired = new Int32Array(dSae);
  const resampleEvery = o.resampleEvery ?? 250;
  const resampleUntil = Math.floor(o.steps * (o.resampleUntil ?? 0.6));
  const bx = new Float32Array(o.batch * dIn);
  const by = new Float32Array(o.batch * dOut);
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  let cursor = rows;
  let ema = Number.NaN;
  try {
    for (let s = 0; s < o.steps; s++) {
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
        for (let i = 0; i < dIn; i++) bx[b * dIn + i] = o.inputs[r * dIn + i]! / sx;
        for (let i = 0; i < dOut; i++) by[b * dOut + i] = o.targets[r * dOut + i]! / sy;
      }
      if (o.revive) reviveDeadFeatures(params.get('b_enc')!, lastFired, s, o.revive);
      const res = await trainer.step({ x: bx, y: by });
      unitRows(W_dec, dSae, dOut);
      const fired = res.metrics.fired!;
      for (let j = 0; j < dSae; j++) if (fired[j]! > 0) lastFired[j] = s;
      if (resampleEvery > 0 && s > 0 && s % resampleEvery === 0 && s <= resampleUntil) {
        const se = res.metrics.se!;
        const worst = Array.from(se.keys()).sort((a, b) => se[b]! - se[a]!);
        let n = 0;
        for (let j = 0; j < dSae; j++) {
          if (s - lastFired[j]! < resampleEvery) continue;
          const row = worst[n++ % worst.length]!;
          reinitialise(
            j,
            bx.subarray(row * dIn, (row + 1) * dIn),
            by.subarray(row * dOut, (row + 1) * dOut),
            params,
            dSae,
          );
          lastFired[j] = s;
        }
        if (n > 0) log.write({ phase: 'transcoder', hook: o.hookIn, step: s, resampled: n });
      }
      losses.push(res.loss);
      ema = Number.isNaN(ema) ? res.loss : 0.95 * ema + 0.05 * res.loss;
      if (s % (o.logEvery ?? 1) === 0 || s === o.steps - 1)
        log.write({ phase: 'transcoder', hook: o.hookIn, step: res.step, loss: res.loss, lr: res.lr });
      log.tick(s + 1, ema);
    }
  } finally {
    await log.close();
    await trainer.release();
  }
  // Fold the scales in: features from unscaled x, predictions of unscaled y.
  const weights: Sae['weights'] = {
    W_enc: W_enc.map((v) => v / sx),
    b_enc: params.get('b_enc')!,
    W_dec: W_dec.map((v) => v * sy),
    b_dec: params.get('b_dec')!.map((v) => v * sy),
  };
  if (o.skip) weights.W_skip = params.get('W_skip')!.map((v) => (v * sy) / sx);
  return { transcoder: { config, weights }, losses, seconds: (performance.now() - t0) / 1000 };
}
