// How drafts read a dashboard and an LLM's answers: the contexts' marks, the held-out split, the answers' parsing,
// balanced accuracy and the token-pattern draft, each against values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  balancedAccuracy,
  type DashboardContexts,
  markContext,
  parseDetection,
  parseExplanation,
  splitContexts,
  tokenPatternDraft,
} from './label-drafts.js';

const ctx = (tokens: string[], values: number[]) => ({ tokens, values, max: Math.max(...values) });

describe('label drafts', () => {
  it('marks runs of activating tokens between << and >>, newlines shown', () => {
    expect(markContext(ctx([' a', ' b', ' c', '\n', ' d'], [0, 1, 2, 0, 3]))).toBe(' a<< b c>>\\n<< d>>');
    expect(markContext(ctx([' x'], [0]))).toBe(' x');
  });

  it('splits top contexts by rank and quantile examples by bin, sharing none, dropping quiet ones', () => {
    const t = (i: number) => ctx([`t${i}`], [1]);
    const q = (i: number) => ctx([`q${i}`], [i === 9 ? 0 : 1]);
    const d: DashboardContexts = {
      topContexts: [0, 1, 2, 3, 4].map(t),
      quantiles: [
        { from: 0, to: 1, contexts: [q(1), q(2)] },
        { from: 1, to: 2, contexts: [q(3), q(4), q(9)] },
      ],
      topLogits: [],
      bottomLogits: [],
    };
    const { explain, heldOut } = splitContexts(d);
    expect(explain.map((c) => c.tokens[0])).toEqual(['t0', 't2', 't4', 'q1', 'q3']);
    // Strongest bin first; q9 never fired.
    expect(heldOut.map((c) => c.tokens[0])).toEqual(['t1', 't3', 'q4', 'q2']);
  });

  it('reads the label and explanation from the two tagged lines, or a bare answer as the name', () => {
    expect(parseExplanation('[LABEL]: plural nouns\n[EXPLANATION]: Nouns in the plural.')).toEqual({
      name: 'plural nouns',
      description: 'Nouns in the plural.',
    });
    expect(parseExplanation('Thinking...\n**[LABEL]:** "the word zebra".\n')).toEqual({
      name: 'the word zebra',
      description: '',
    });
    expect(parseExplanation('commas')).toEqual({ name: 'commas', description: '' });
    expect(parseExplanation('[LABEL]: the token "said"').name).toBe('the token "said"');
    expect(() => parseExplanation('  \n ')).toThrow('the explanation was empty');
  });

  it('reads detection answers as a JSON array of 0s and 1s of the right length, and nothing else', () => {
    expect(parseDetection('Here: [1, 0, 1]', 3)).toEqual([true, false, true]);
    expect(() => parseDetection('[1, 0]', 3)).toThrow(/not a JSON array of 3 0s and 1s/);
    expect(() => parseDetection('[1, 2, 0]', 3)).toThrow(/not a JSON array/);
    expect(() => parseDetection('yes, all of them', 3)).toThrow(/not a JSON array/);
  });

  it('scores balanced accuracy: the mean of the hit rate on activating and the correct-rejection rate on others', () => {
    const e = (activating: boolean) => ({ context: ctx(['x'], [1]), activating });
    const examples = [e(true), e(true), e(true), e(true), e(false), e(false)];
    // 3 of 4 activating found (0.75), 1 of 2 others rejected (0.5): 0.625.
    expect(balancedAccuracy(examples, [true, true, true, false, true, false])).toEqual({
      score: 0.625,
      truePositives: 3,
      falseNegatives: 1,
      trueNegatives: 1,
      falsePositives: 1,
    });
    expect(
      balancedAccuracy(
        examples,
        examples.map(() => true),
      ).score,
    ).toBe(0.5);
    expect(() => balancedAccuracy([e(true)], [true])).toThrow(/needs activating and non-activating/);
  });

  it('drafts from the token pattern: the tokens with most activation, and the promoted ones', () => {
    const d: DashboardContexts = {
      topContexts: [ctx([' a', ' cat', ' sat'], [0, 3, 1]), ctx([' the', ' cat'], [0.5, 2])],
      quantiles: [{ from: 0, to: 1, contexts: [ctx([' dog', ' sat'], [0, 1])] }],
      topLogits: [
        { token: ' meow', value: 2 },
        { token: ' purr', value: 1 },
      ],
      bottomLogits: [{ token: ' bark', value: -1 }],
    };
    // cat 5, sat 2, the 0.5 of 7.5 in all.
    const draft = tokenPatternDraft(d)!;
    expect(draft.name).toBe('fires on " cat", " sat", " the"; promotes " meow", " purr"');
    expect(draft.firesOn.map((t) => [t.token, Math.round(t.share * 100)])).toEqual([
      [' cat', 67],
      [' sat', 27],
      [' the', 7],
    ]);
    expect(draft.description).toBe(
      'Token-pattern draft (no language model). Of the activation in the dashboard\'s 3 contexts, " cat" has 67%, ' +
        '" sat" has 27%, " the" has 7%. Its decoder direction promotes " meow", " purr" and suppresses " bark" ' +
        'through the unembedding.',
    );
    expect(tokenPatternDraft({ ...d, topContexts: [], quantiles: [] })).toBeNull();
  });
});
