import { describe, expect, it } from 'vitest';
import { defaultThreshold, moreThreshold, thresholdForCount } from './pruning';

const shown = (magnitudes: number[], threshold: number) => magnitudes.filter((m) => m >= threshold).length;

describe('default pruning', () => {
  it('keeps the smallest set holding 80% of the total |effect|', () => {
    // 10 strong nodes hold 10 * 10 = 100 of 100 + 190 * 0.1 = 119: 80% (95.2) needs all ten.
    const magnitudes = [...Array.from({ length: 10 }, () => 10), ...Array.from({ length: 190 }, () => 0.1)];
    const threshold = defaultThreshold(magnitudes);
    expect(threshold).toBe(10);
    expect(shown(magnitudes, threshold)).toBe(10);
  });

  it('stops near 60 nodes when the effect is spread thin, and opens small graphs whole', () => {
    const flat = Array.from({ length: 500 }, (_, i) => 1 + i / 1000);
    expect(shown(flat, defaultThreshold(flat))).toBe(60);
    expect(defaultThreshold(flat.slice(0, 60))).toBe(0);
    expect(defaultThreshold(Array.from({ length: 100 }, () => 0))).toBe(0);
  });

  it('shows about twice as many nodes on "show more", then everything', () => {
    const magnitudes = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(shown(magnitudes, moreThreshold(magnitudes, thresholdForCount(magnitudes, 41)))).toBe(82);
    expect(moreThreshold(magnitudes, thresholdForCount(magnitudes, 150))).toBe(0);
    expect(thresholdForCount(magnitudes, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});
