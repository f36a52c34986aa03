import { describe, expect, it } from 'vitest';
import { agreementBySite, pearson, ranks, spearman } from './agreement.js';
import type { CircuitNode } from './nodes.js';

describe('agreement of node effects', () => {
  it('Pearson and Spearman (ties share their mean rank)', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2, 4, 5, 4, 5];
    // By hand: deviations [-2,-1,0,1,2] and [-2,0,1,0,1]: 6 / sqrt(10 * 6).
    expect(pearson(x, y)).toBeCloseTo(6 / Math.sqrt(60), 12);
    expect([...ranks(y)]).toEqual([1, 2.5, 4.5, 2.5, 4.5]);
    // Ranks [1..5] against [1,2.5,4.5,2.5,4.5]: 7 / sqrt(10 * 9) (scipy.stats.spearmanr: 0.7378647873726218).
    expect(spearman(x, y)).toBeCloseTo(0.7378647873726218, 12);
    expect(spearman(x, [10, 20, 30, 40, 1000])).toBe(1);
    expect(pearson(x, [-1, -2, -3, -4, -5])).toBeCloseTo(-1, 12);
    expect(Number.isNaN(pearson(x, [3, 3, 3, 3, 3]))).toBe(true);
  });

  it('compares per site, a node missing from one list counting as effect 0', () => {
    const node = (id: string, effect: number): CircuitNode => {
      const hook = id.split(':')[0]!;
      return { id, kind: 'feature', hook, layer: 0, feature: 0, position: 0, effect };
    };
    const reference = [
      node('blocks.0.hook_mlp_out:1:2', 1),
      node('blocks.0.hook_mlp_out:2:2', 2),
      node('blocks.0.hook_mlp_out:3:2', 3),
      node('blocks.0.hook_resid_post:1:2', 5),
      node('hook_embed:1:2', 1),
    ];
    const estimate = [
      node('blocks.0.hook_mlp_out:1:2', 1),
      node('blocks.0.hook_mlp_out:3:2', 3),
      node('blocks.0.hook_mlp_out:4:2', 2),
      node('blocks.0.hook_resid_post:1:2', 5),
      node('blocks.0.hook_resid_post:2:2', -5),
    ];
    const a = agreementBySite(reference, estimate);
    // mlp: reference [1,2,3,0], estimate [1,0,3,2] over four nodes.
    expect(a.mlp.nodes).toBe(4);
    expect(a.mlp.pearson).toBeCloseTo(pearson([1, 2, 3, 0], [1, 0, 3, 2]), 12);
    expect(a.resid).toMatchObject({ nodes: 2, pearson: 1 });
    expect(a.embed.nodes).toBe(1);
    expect(a.attn.nodes).toBe(0);
  });
});
