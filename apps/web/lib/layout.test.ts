import { describe, expect, it } from 'vitest';
import { type Graph, rowOf } from './graph';
import { computeLayout, type LayoutNode } from './layout';

describe('circuit layout', () => {
  it('puts layers bottom to top and tokens left to right, wrapping crowded cells strongest first', () => {
    const crowded: LayoutNode[] = Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, layer: 0, pos: 0, weight: i }));
    const { positions } = computeLayout({
      nodes: [...crowded, { id: 'b', layer: 0, pos: 1 }, { id: 'top', layer: 1, pos: 1 }],
      edges: [],
    });
    const ys = [...new Set(crowded.map((n) => positions[n.id]!.y))].sort((a, b) => a - b);
    const rows = ys.map((y) =>
      crowded
        .filter((n) => positions[n.id]!.y === y)
        .map((n) => n.weight!)
        .sort((a, b) => b - a),
    );
    const width = rows[0]!.length;
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.flat()).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    for (const row of rows.slice(0, -1)) expect(row).toHaveLength(width);
    // The last, shorter row is centred under the full ones.
    const lastRow = crowded.filter((n) => positions[n.id]!.y === ys.at(-1));
    const left = Math.min(...lastRow.map((n) => positions[n.id]!.x));
    expect(left - positions.a9!.x).toBe(((width - lastRow.length) * 150) / 2);
    // Token 1 is right of token 0's column; layer 1 sits above layer 0.
    expect(positions.b!.x).toBeGreaterThan(Math.max(...crowded.map((n) => positions[n.id]!.x)));
    expect(positions.top!.y).toBeLessThan(positions.b!.y);
    expect(positions.b!.y).toBe(positions.a9!.y);
  });

  it('keeps a big circuit about screen-shaped whether its cells are crowded or many', () => {
    const aspect = (nodes: LayoutNode[]) => {
      const p = Object.values(computeLayout({ nodes, edges: [] }).positions);
      const xs = p.map((q) => q.x);
      const ys = p.map((q) => q.y);
      return (Math.max(...xs) - Math.min(...xs) + 150) / (Math.max(...ys) - Math.min(...ys) + 72);
    };
    // Two token positions, 13 hooks, 25 features each (a demo circuit's shape).
    const tall = Array.from({ length: 2 * 13 * 25 }, (_, i) => ({
      id: `t${i}`,
      pos: i % 2,
      layer: Math.floor(i / 50),
    }));
    expect(aspect(tall)).toBeGreaterThan(1);
    expect(aspect(tall)).toBeLessThan(2.5);
    // 12 token positions, 4 layers, 30 features each (it used to come out 30 times wider than tall).
    const flat = Array.from({ length: 12 * 4 * 30 }, (_, i) => ({ id: `f${i}`, pos: i % 12, layer: i % 4 }));
    expect(aspect(flat)).toBeGreaterThan(1);
    expect(aspect(flat)).toBeLessThan(2.5);
  });

  it('heads every token position with a column, packs rows that hold nodes, and centres the metric on top', () => {
    const { positions, grid } = computeLayout({
      nodes: [
        { id: 'metric', layer: 13 },
        { id: 'subject', layer: 2, pos: 1, weight: 1 },
        { id: 'verb', layer: 9, pos: 4, weight: -2 },
      ],
      edges: [],
      columns: 6,
    });
    // Six columns (the empty ones narrow), left to right; three rows (13, 9, 2), top to bottom.
    expect(grid.columns.map((c) => c.pos)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 1; i < 6; i++) expect(grid.columns[i]!.x).toBeGreaterThan(grid.columns[i - 1]!.x);
    expect(grid.columns[0]!.width).toBeLessThan(grid.columns[1]!.width);
    expect(grid.rows.map((r) => r.layer)).toEqual([13, 9, 2]);
    expect(positions.subject!.x).toBe(grid.columns[1]!.x);
    expect(positions.verb!.y).toBe(grid.rows[1]!.y);
    // The metric spans the grid: centred over it, above everything.
    const last = grid.columns.at(-1)!;
    expect(positions.metric!.x + 75).toBeCloseTo((last.x + last.width) / 2, 0);
    expect(positions.metric!.y).toBeLessThan(positions.verb!.y);
  });

  it('draws a computed circuit one row per hook, in forward order, with the metric on top', () => {
    const graph: Graph = {
      schema: 'workbench.circuit',
      hooks: ['blocks.0.hook_attn_out', 'blocks.0.hook_mlp_out', 'blocks.0.hook_resid_post'],
      nodes: [],
      edges: [],
    };
    expect(rowOf({ id: 'm', kind: 'metric', hook: 'metric' }, graph)).toBe(3);
    expect(rowOf({ id: 'f', kind: 'feature', hook: 'blocks.0.hook_mlp_out', layer: 0 }, graph)).toBe(1);
    expect(rowOf({ id: 'x', kind: 'feature', hook: 'blocks.9.hook_mlp_out', layer: 9 }, graph)).toBeUndefined();
    expect(rowOf({ id: 'e', layer: 'E' }, { nodes: [], edges: [] })).toBe(-1);
  });
});
