import { describe, expect, it } from 'vitest';
import { figureLayout } from './figure-layout';
import type { Graph } from './graph';

const toy: Graph = {
  schema: 'workbench.circuit',
  hooks: ['toy.hidden', 'toy.sae'],
  nodes: [
    { id: 'toy.output:1:0', kind: 'output', hook: 'toy.output', feature: 1 },
    { id: 'toy.output:0:0', kind: 'output', hook: 'toy.output', feature: 0 },
    { id: 'toy.sae:error:0', kind: 'error', hook: 'toy.sae' },
    { id: 'toy.sae:1:0', kind: 'feature', hook: 'toy.sae', feature: 1 },
    { id: 'toy.sae:0:0', kind: 'feature', hook: 'toy.sae', feature: 0 },
    { id: 'toy.hidden:0:0', kind: 'hidden', hook: 'toy.hidden', feature: 0 },
    { id: 'toy.input:0:0', kind: 'input', hook: 'toy.input', feature: 0 },
  ],
  edges: [],
};

describe('figureLayout', () => {
  const all = new Set(toy.nodes.map((n) => n.id));
  const { positions, grid } = figureLayout(toy, all);

  it('draws rows bottom-up (inputs lowest, outputs on top), nodes in index order, error after features', () => {
    const y = (id: string) => positions[id]!.y;
    const x = (id: string) => positions[id]!.x;
    expect(y('toy.output:0:0')).toBe(0);
    expect(y('toy.sae:0:0')).toBeGreaterThan(y('toy.output:0:0'));
    expect(y('toy.hidden:0:0')).toBeGreaterThan(y('toy.sae:0:0'));
    expect(y('toy.input:0:0')).toBeGreaterThan(y('toy.hidden:0:0'));
    expect(x('toy.output:0:0')).toBeLessThan(x('toy.output:1:0'));
    expect(x('toy.sae:0:0')).toBeLessThan(x('toy.sae:1:0'));
    expect(x('toy.sae:1:0')).toBeLessThan(x('toy.sae:error:0'));
    // three nodes in the widest row (132 px each, 22 px apart); a single node is centred under it
    expect(grid.columns).toEqual([{ pos: 0, x: 0, width: 3 * 132 + 2 * 22 }]);
    expect(x('toy.hidden:0:0')).toBe((3 * 132 + 2 * 22 - 132) / 2);
    expect(grid.rows.map((r) => r.layer)).toEqual([2, 1, 0, -1]);
  });

  it('lays out only the visible nodes', () => {
    const some = figureLayout(toy, new Set(['toy.input:0:0', 'toy.hidden:0:0']));
    expect(Object.keys(some.positions).sort()).toEqual(['toy.hidden:0:0', 'toy.input:0:0']);
  });
});
