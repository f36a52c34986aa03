import { describe, expect, it } from 'vitest';
import { AdamW, clipScale, globalNorm, learningRate, normalSampler } from './optim.js';

describe('optimiser', () => {
  it('AdamW minimises a quadratic; weight decay only where asked', () => {
    const a = Float32Array.from([3, -2]);
    const b = Float32Array.from([5]);
    const opt = new AdamW(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      { weightDecay: 0.5, decay: (n) => n === 'b' },
    );
    for (let i = 0; i < 500; i++) {
      // grad of (a - 1)^2 for a; zero gradient for b: only decay moves it (a has no decay)
      opt.step(
        new Map([
          ['a', Array.from(a, (v) => 2 * (v - 1))],
          ['b', [0]],
        ]),
        0.05,
      );
    }
    expect(Math.abs(a[0]! - 1)).toBeLessThan(0.05);
    expect(Math.abs(a[1]! - 1)).toBeLessThan(0.05);
    expect(b[0]!).toBeCloseTo(5 * (1 - 0.05 * 0.5) ** 500, 3);
  });

  it('first AdamW step moves each parameter by lr against its gradient sign', () => {
    const p = Float32Array.from([0, 0]);
    new AdamW(new Map([['p', p]])).step(new Map([['p', [0.3, -7]]]), 0.01);
    expect(p[0]).toBeCloseTo(-0.01, 6);
    expect(p[1]).toBeCloseTo(0.01, 6);
  });

  it('clipping, warmup and cosine decay', () => {
    expect(globalNorm([[3], [4]])).toBe(5);
    expect(clipScale(5, 1)).toBeCloseTo(0.2);
    expect(clipScale(0.5, 1)).toBe(1);
    const o = { maxLr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 };
    expect(learningRate(0, o)).toBeCloseTo(0.1);
    expect(learningRate(9, o)).toBeCloseTo(1);
    expect(learningRate(60, o)).toBeCloseTo(0.55);
    expect(learningRate(110, o)).toBeCloseTo(0.1);
    for (let s = 10; s < 110; s++) expect(learningRate(s + 1, o)).toBeLessThanOrEqual(learningRate(s, o));
  });

  it('normal samples have mean 0 and variance 1', () => {
    let seed = 1;
    const n = normalSampler(() => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    });
    const xs = Array.from({ length: 20000 }, n);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
