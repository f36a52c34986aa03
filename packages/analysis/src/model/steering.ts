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
  /**
   * Also run the steered text with every layer's attention pattern held at the unsteered model's on that same text
   * (`frozen`): what the vector does through the residual stream alone, not by moving attention.
   */
  freezeAttention?: boolean;
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
  /** Steered with attention patterns frozen (with `freezeAttention`). */
  frozen?: SteeringRun;
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

/** One run's report from its logits at the last token (the continuation fills in as it is generated). */
function summarize(logits: ArrayLike<number>, continuation: number[], options: SteeringOptions): SteeringRun {
  return {
    top: topTokens(logits, options.topK ?? 10),
    logitDiff: options.compare ? logits[options.compare[0]]! - logits[options.compare[1]]! : null,
    continuation,
  };
}

export async function steer(model: HookedGPT2, tokens: number[], options: SteeringOptions): Promise<SteeringResult> {
  const V = model.config.vocabSize;
  // Rows 0 (unsteered) and 1 (steered) in one batch.
  const [unsteered, steered] = await decode(model, tokens, 2, options, async (seqs) => {
    const out = await model.run(seqs, { interventions: [added(options, [1])], centerResid: options.centerResid });
    const T = out.logits!.shape[1]!;
    return seqs.map((s, b) => out.logits!.data.subarray((b * T + s.length - 1) * V, (b * T + s.length) * V));
  });
  const result: SteeringResult = { unsteered: unsteered!, steered: steered! };
  if (options.freezeAttention) result.frozen = await frozenRun(model, tokens, options);
  return result;
}

/** The steering vector added at its hook (and positions), to the given batch rows or to all. */
const added = (options: SteeringOptions, batch?: number[]): Intervention => ({
  hook: options.hook,
  mode: 'add',
  value: options.vector,
  ...(batch ? { batch } : {}),
  ...(options.positions ? { positions: options.positions } : {}),
});

/**
 * Greedy decoding of `rows` copies of `tokens`: `lastLogits` gives each row's logits at its last token; a row stops
 * at the stop token or the context length. Each run reports its first step's distribution and its continuation.
 */
async function decode(
  model: HookedGPT2,
  tokens: number[],
  rows: number,
  options: SteeringOptions,
  lastLogits: (seqs: number[][]) => Promise<ArrayLike<number>[]>,
): Promise<SteeringRun[]> {
  const seqs = Array.from({ length: rows }, () => tokens.slice());
  const continuation = seqs.map((): number[] => []);
  const done = seqs.map(() => false);
  let logits = await lastLogits(seqs);
  const runs = logits.map((l, b) => summarize(l, continuation[b]!, options));
  for (let step = 0; step < options.continuation; step++) {
    for (let b = 0; b < rows; b++) {
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
    logits = await lastLogits(seqs);
  }
  return runs;
}

/**
 * The steered run with attention frozen: at every step the unsteered model's patterns on the current sequence are
 * captured, then the sequence runs with the vector added and those patterns put back in place of its own. Separate
 * from the batched rows above: its patterns depend on its own continuation.
 */
async function frozenRun(model: HookedGPT2, tokens: number[], options: SteeringOptions): Promise<SteeringRun> {
  const V = model.config.vocabSize;
  const patterns = Array.from({ length: model.config.nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
  const [run] = await decode(model, tokens, 1, options, async ([seq]) => {
    const clean = await model.run([seq!], { hooks: patterns, logits: false, centerResid: options.centerResid });
    const interventions: Intervention[] = [
      added(options),
      ...patterns.map((hook): Intervention => ({ hook, mode: 'replace', value: clean.hooks.get(hook)!.data })),
    ];
    const out = await model.run([seq!], { interventions, centerResid: options.centerResid });
    return [out.logits!.data.subarray((seq!.length - 1) * V, seq!.length * V)];
  });
  return run!;
}
