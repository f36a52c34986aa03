import { describe, expect, it } from 'vitest';
import { ablationNumbers, steeringMeasure, steeringNumbers } from './evidence-numbers';

const run = (logitDiff: number | null, token: string) => ({
  logitDiff,
  topTokens: [{ tokenId: 1, token, probability: 0.5, logit: 2 }],
});

describe('evidence numbers', () => {
  it('shows a run with compare tokens by their logit difference', () => {
    const result = { compareTokens: [' are', ' is'], unsteered: run(1.5, ' the'), steered: run(-0.0001, ' a') };
    expect(steeringMeasure(result)).toBe('logit(“ are”) − logit(“ is”): ');
    expect(steeringNumbers({ ...result, frozen: null })).toBe('1.500 → 0.000');
    expect(steeringNumbers({ ...result, frozen: run(0.25, ' x') })).toBe('1.500 → 0.000 (attention frozen: 0.250)');
  });

  it('shows a run without compare tokens by its top next token, not an empty logit difference', () => {
    const result = { compareTokens: null, unsteered: run(null, ' the'), steered: run(null, ' cars'), frozen: null };
    expect(steeringMeasure(result)).toBe('no comparison tokens; top next token: ');
    expect(steeringNumbers(result)).toBe('“ the” → “ cars”');
    expect(steeringNumbers({ ...result, frozen: run(null, ' car') })).toBe(
      '“ the” → “ cars” (attention frozen: “ car”)',
    );
    expect(steeringNumbers(result)).not.toContain('–');
  });

  it('shows an ablation by its mean metric before and after', () => {
    expect(ablationNumbers({ meanBefore: 0.5, meanAfter: -0.25 })).toBe('0.500 → -0.250');
  });
});
