import { describe, expect, it } from 'vitest';
import { formatEta } from './eta';

describe('formatEta', () => {
  it('says seconds under a minute and a half, then minutes, then hours and minutes', () => {
    expect(formatEta(0.4)).toBe('');
    expect(formatEta(1)).toBe('about 1 s left');
    expect(formatEta(41.2)).toBe('about 42 s left');
    expect(formatEta(89.5)).toBe('about 90 s left');
    expect(formatEta(90)).toBe('about 2 min left');
    expect(formatEta(189.2)).toBe('about 3 min left');
    expect(formatEta(89 * 60)).toBe('about 89 min left');
    expect(formatEta(90 * 60)).toBe('about 1 h 30 min left');
    expect(formatEta(2 * 3600 + 5 * 60 + 10)).toBe('about 2 h 5 min left');
    expect(formatEta(3 * 3600)).toBe('about 3 h left');
  });

  it('says nothing when the ETA is unknown', () => {
    for (const unknown of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -5])
      expect(formatEta(unknown)).toBe('');
  });
});
