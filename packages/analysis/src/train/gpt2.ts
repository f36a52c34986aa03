/**
 * Training a GPT-2 language model with the engine: GPT-2-style initialisation, the corpus tokenised into rows that
 * start at sentence boundaries (BOS, sentence, BOS, next sentence, ...), and a next-token cross-entropy loss graph
 * built on the engine's GPT-2 graph (the same graph the hooked model runs), trained with GraphTrainer.
 */

import { mulberry32 } from '../data/prng.js';
import { byteLevelPreTokenize } from '../data/tokenizer.js';
import type { Tensor } from '../graph/graph.js';
import * as op from '../graph/ops.js';
import { type GPT2Config, gpt2WeightShapes } from '../model/config.js';
import { buildGPT2Graph } from '../model/gpt2-graph.js';
import type { OrtModule } from '../runtime/session.js';
import { normalSampler } from './optim.js';
import { GraphTrainer, type LossGraph, TrainingLog } from './trainer.js';

/** GPT-2 initialisation: N(0, 0.02) matrices and embeddings, residual projections scaled by 1/sqrt(2 L). */
export function initGPT2Weights(config: GPT2Config, seed = 0): Map<string, Float32Array> {
  const normal = normalSampler(mulberry32(seed));
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of gpt2WeightShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/ln_\w+\.weight$|ln_f\.weight$/.test(name)) data.fill(1);
    else if (name.endsWith('.weight')) {
      const std = /c_proj\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * config.nLayers) : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    }
    weights.set(name, data);
  }
  return weights;
}

/**
 * Loss graph: inputs `tokens` int64 [batch, seq] and `targets` float32 [batch*seq, vocab] (the weight of each
 * position's next token: 1/count at the target id, 0 rows for ignored positions), so
 * loss = sum(targets * (logsumexp(logits) - logits)) is the mean next-token cross-entropy.
 */
export function buildLMLossGraph(config: GPT2Config, batch: number, seq: number): LossGraph {
  const { graph, outputs } = buildGPT2Graph(config, {
    batch,
    seq,
    hooks: [],
    interventions: [],
    logits: true,
    centerResid: false,
  });
  const logits = outputs.logits!;
  const targets = graph.input('targets', [batch * seq, config.vocabSize]);
  const max = op.stopGradient(op.reduceMax(logits, [1], true));
  const shifted = op.sub(logits, max);
  const lse = op.log(op.reduceSum(op.exp(shifted), [1], true));
  const loss = op.reduceSum(op.mul(op.sub(lse, shifted), targets), [0, 1]);
  const params: Tensor[] = graph.tensors.filter((t) => t.kind === 'weight');
  return { graph, loss, params };
}

/** Token ids of one line with the demo tokenizer's pre-tokenisation (whole-word pieces; unknown -> `unk`). */
export function tokenizeLine(line: string, vocab: Map<string, number>, unk = 1): number[] {
  return byteLevelPreTokenize(line).map((p) => vocab.get(p) ?? unk);
}

/** The corpus as one token stream: BOS before every sentence; `starts` are the BOS offsets. */
export interface TokenStream {
  tokens: Int32Array;
  starts: Int32Array;
}

export function tokenizeCorpus(text: string, vocabulary: readonly string[], bos = 0): TokenStream {
  const vocab = new Map(vocabulary.map((t, i) => [t, i]));
  const out: number[] = [];
  const starts: number[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    starts.push(out.length);
    out.push(bos);
    for (const id of tokenizeLine(line, vocab)) out.push(id);
  }
  out.push(bos);
  return { tokens: Int32Array.from(out), starts: Int32Array.from(starts) };
}

/** A batch of rows, each `seq + 1` tokens from a sentence start on (padded with -1 past the end). */
export function batchRows(stream: TokenStream, rowStarts: ArrayLike<number>, seq: number): Int32Array {
  const rows = new Int32Array(rowStarts.length * (seq + 1)).fill(-1);
  for (let b = 0; b < rowStarts.length; b++) {
    const s = rowStarts[b]!;
    const n = Math.min(seq + 1, stream.tokens.length - s);
    rows.set(stream.tokens.subarray(s, s + n), b * (seq + 1));
  }
  return rows;
}

/** Feeds of the loss graph for rows from batchRows. */
export function lmFeeds(
  rows: Int32Array,
  batch: number,
  seq: number,
  vocab: number,
  labelSmoothing = 0,
): { tokens: BigInt64Array; targets: Float32Array } {
  const tokens = new BigInt64Array(batch * seq);
  const targets = new Float32Array(batch * seq * vocab);
  let count = 0;
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < seq; t++) if (rows[b * (seq + 1) + t]! >= 0 && rows[b * (seq + 1) + t + 1]! >= 0) count++;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const x = rows[b * (seq + 1) + t]!;
      const y = rows[b * (seq + 1) + t + 1]!;
      tokens[b * seq + t] = BigInt(Math.max(0, x));
      if (x >= 0 && y >= 0) {
        const row = (b * seq + t) * vocab;
        if (labelSmoothing > 0) targets.fill(labelSmoothing / vocab / count, row, row + vocab);
        targets[row + y]! += (1 - labelSmoothing) / count;
      }
    }
  }
  return { tokens, targets };
}

export interface TrainGPT2Options {
  config: GPT2Config;
  stream: TokenStream;
  steps: number;
  batch: number;
  seq: number;
  maxLr: number;
  minLr?: number;
  warmupSteps: number;
  weightDecay?: number;
  /** Label smoothing of the next-token targets (default 0). */
  labelSmoothing?: number;
  clipNorm?: number;
  seed: number;
  ort: OrtModule;
  threads?: number;
  /** JSONL loss log. */
  logPath?: string | null;
  progress?: boolean;
  /** Initial weights (default initGPT2Weights(config, seed)). */
  init?: Map<string, Float32Array>;
}

export interface TrainResult {
  weights: Map<string, Float32Array>;
  losses: number[];
  seconds: number;
}

export async function trainGPT2(o: TrainGPT2Options): Promise<TrainResult> {
  const t0 = performance.now();
  const weights = o.init ?? initGPT2Weights(o.config, o.seed);
  const trainer = await GraphTrainer.create(buildLMLossGraph(o.config, o.batch, o.seq), weights, {
    ort: o.ort,
    threads: o.threads,
    optimizer: {
      beta1: 0.9,
      beta2: 0.95,
      weightDecay: o.weightDecay ?? 0.1,
      decay: (name) => name.endsWith('.weight') && !/ln_\w*\.weight$/.test(name) && name !== 'wpe.weight',
    },
    schedule: { maxLr: o.maxLr, minLr: o.minLr, warmupSteps: o.warmupSteps, totalSteps: o.steps },
    clipNorm: o.clipNorm ?? 1,
  });
  const log = new TrainingLog(o.logPath ?? null, o.steps, { label: 'model', progress: o.progress });
  const rng = mulberry32(o.seed + 1);
  const losses: number[] = [];
  const starts = o.stream.starts;
  let ema = Number.NaN;
  try {
    for (let s = 0; s < o.steps; s++) {
      const picks = Array.from({ length: o.batch }, () => starts[Math.floor(rng() * starts.length)]!);
      const feeds = lmFeeds(batchRows(o.stream, picks, o.seq), o.batch, o.seq, o.config.vocabSize, o.labelSmoothing);
      const r = await trainer.step(feeds);
      losses.push(r.loss);
      ema = Number.isNaN(ema) ? r.loss : 0.95 * ema + 0.05 * r.loss;
      log.write({
        phase: 'model',
        step: r.step,
        loss: r.loss,
        grad_norm: r.gradNorm,
        lr: r.lr,
        t: (performance.now() - t0) / 1000,
      });
      log.tick(s + 1, ema);
    }
  } finally {
    await log.close();
    await trainer.release();
  }
  return { weights, losses, seconds: (performance.now() - t0) / 1000 };
}
