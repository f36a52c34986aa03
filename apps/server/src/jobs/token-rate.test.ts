import { describe, expect, it } from 'vitest';
import { TokenRate } from './token-rate.js';

describe('TokenRate', () => {
  it('says tokens done of the total and this run’s rate, with the seconds left at that rate', () => {
    const rate = new TokenRate(100_000, 0, 1_000);
    // 40,960 tokens in 128 s: 320 tok/s, and 59,040 tokens left take 184.5 s.
    expect(rate.describe(40_960, 129_000)).toEqual({
      text: '40,960 of 100,000 tokens, 320 tok/s',
      etaSeconds: 184.5,
    });
    expect(rate.describe(100_000, 313_500)).toEqual({ text: '100,000 of 100,000 tokens, 320 tok/s', etaSeconds: 0 });
  });

  it('counts only this run’s tokens: a resumed run’s rate is not inflated by the work before it', () => {
    // Resumed at 20,000 tokens; 20,960 more in 65.5 s is 320 tok/s, not 40,960 / 65.5.
    expect(new TokenRate(100_000, 20_000, 0).describe(40_960, 65_500)).toEqual({
      text: '40,960 of 100,000 tokens, 320 tok/s',
      etaSeconds: 184.5,
    });
  });

  it('has no rate nor ETA before any token of this run, and two digits under 10 tok/s', () => {
    expect(new TokenRate(2_048, 512, 0).describe(512, 5_000)).toEqual({ text: '512 of 2,048 tokens' });
    expect(new TokenRate(2_048, 0, 0).describe(512, 80_000)).toEqual({
      text: '512 of 2,048 tokens, 6.4 tok/s',
      etaSeconds: 240,
    });
  });
});
