import type { TextTokenizer } from '@workbench/analysis';
import { AppError } from '../services/errors.js';

/** A prompt pair as the client sends it (the circuit job input's `pairs`). */
export interface PairText {
  clean_prefix: string;
  patch_prefix: string;
  clean_answer: string;
  patch_answer: string;
}

/**
 * Refuses, before a job is queued, prompt pairs a circuit cannot be computed from: the model sees no difference
 * between the clean and patched runs (same tokens: every effect is zero, faithfulness is 0/0), or the metric, the
 * logit difference of the two answers, is zero by construction. Names the first such pair (counting from 1) and its
 * tokens, so the user sees what the tokenizer made of their words (e.g. two unknown words both becoming <unk>).
 */
export function assertPairsDiffer(tokenizer: TextTokenizer, pairs: readonly PairText[]): void {
  pairs.forEach((pair, i) => {
    let problem: string | null;
    try {
      problem = pairProblem(tokenizer, pair);
    } catch (error) {
      // A word the tokenizer cannot encode: refused now as the user's input, not a server error.
      problem = (error as Error).message;
    }
    if (problem) throw new AppError('BAD_USER_INPUT', `Pair ${i + 1}: ${problem}`, { field: `pairs.${i}` });
  });
}

function pairProblem(tokenizer: TextTokenizer, pair: PairText): string | null {
  const clean = tokenizer.encode(pair.clean_prefix);
  if (sameIds(clean, tokenizer.encode(pair.patch_prefix))) {
    return (
      `"${pair.clean_prefix}" and "${pair.patch_prefix}" tokenize identically (tokens: ${shown(tokenizer, clean)}); ` +
      "change the subject's number in the patched prompt"
    );
  }
  const answer = tokenizer.encode(pair.clean_answer);
  if (sameIds(answer, tokenizer.encode(pair.patch_answer))) {
    return (
      `the answers "${pair.clean_answer}" and "${pair.patch_answer}" are the same token ` +
      `(${shown(tokenizer, answer)}), so their logit difference, the metric, is zero; ` +
      `give each prompt its own answer (e.g. " is" and " are")`
    );
  }
  return null;
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** Tokens as words: "The | girl | runs" (GPT-2's leading spaces trimmed; they only add noise here). */
const shown = (tokenizer: TextTokenizer, ids: number[]) =>
  tokenizer
    .tokenTexts(ids)
    .map((t) => t.trim() || JSON.stringify(t))
    .join(' | ');
