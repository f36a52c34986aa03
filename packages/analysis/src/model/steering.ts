/**
 * Steering: run a text with a vector added at one hook (a feature's decoder direction times a strength) beside the
 * same text unsteered, in one batch of two rows, and greedily continue both. Row 0 is unsteered, row 1 steered.
 */
import type { HookedGPT2, Intervention } from './hooked.js';

export interface SteeringOptions {
  hook: string;
  /** Added at the hook: one position's worth of numbers (d_model). */
  vector: ArrayLike<number>;
  /** Token positions it is added at; null: every position, each generated token's too. */
  positions: number[] | null;
  /** Tokens to generate greedily (fewer when the context fills up or `stopToken` comes). */
  continuation: number;
  /** Next tokens to report at the last position, most probable first (default 10). */
  topK?: number;
  /** logit[compare[0]] - logit[compare[1]] at the last position. */
  compare?: [number, number];
  stopToken?: number;
  centerResid?: boolean;
}

export interface NextToken {
  id: number;
  logit: number;
  probability: number;
}

export interface SteeringRun {
  /** Most probable next tokens after the text. */
  top: NextToken[];
  logitDiff: number | null;
  /** Greedily generated token ids (the stop token, if it came, is not included). */
  continuation: number[];
}

export interface SteeringResult {
  unsteered: SteeringRun;
  steered: SteeringRun;
}

/** Most probable tokens of one row of logits (softmax in float64). */
export function topTokens(logits: ArrayLike<number>, k: number): NextToken[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  return ids.slice(0, k).map((id) => ({ id, logit: logits[id]!, probability: Math.exp(logits[id]! - max) / sum }));
}

export async function steer(model: HookedGPT2, tokens: number[], options: SteeringOptions): Promise<SteeringResult> {
  const V = model.config.vocabSize;
  const steering: Intervention = {
    hook: options.hook,
    mode: 'add',
    batch: [1],
    value: options.vector,
    ...(options.positions ? { positions: options.positions } : {}),
  };
  const seqs = [tokens.slice(), tokens.slice()];
  const done = [false, false];
  const continuation: number[][] = [[], []];
  // Logits at each row's last token.
  const last = async () => {
    const out = await model.run(seqs, { interventions: [steering], centerResid: options.centerResid });
    const T = out.logits!.shape[1]!;
    return seqs.map((s, b) => out.logits!.data.subarray((b * T + s.length - 1) * V, (b * T + s.length) * V));
  };
  let logits = await last();
  const summary = (b: number): SteeringRun => ({
    top: topTokens(logits[b]!, options.topK ?? 10),
    logitDiff: options.compare ? logits[b]![options.compare[0]]! - logits[b]![options.compare[1]]! : null,
    continuation: continuation[b]!,
  });
  const result = { unsteered: summary(0), steered: summary(1) };
  for (let step = 0; step < options.continuation; step++) {
    for (let b = 0; b < 2; b++) {
      if (done[b]) continue;
      const next = topTokens(logits[b]!, 1)[0]!.id;
      if (next === options.stopToken) done[b] = true;
      else {
        continuation[b]!.push(next);
        seqs[b]!.push(next);
        if (seqs[b]!.length >= model.config.nCtx) done[b] = true;
      }
    }
    if (done.every(Boolean) || step === options.continuation - 1) break;
    logits = await last();
  }
  return result;
}
