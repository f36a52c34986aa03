import { type Graph, positionOf, rowOf } from './graph';
import type { LayoutGrid, LayoutResult } from './layout';

/** A figure node's box and the gaps (the editor's node size; room between rows for edge labels). */
const NODE_W = 132;
const NODE_H = 44;
const GAP_X = 22;
const ROW_GAP = 62;
/** Within a row: inputs, hidden units, features, error nodes, outputs; then by index. */
const KIND_ORDER = ['input', 'hidden', 'feature', 'error', 'output', 'metric'];

/**
 * The layout of a small circuit drawn as a figure (the walkthrough's toy): one row per layer (rowOf), nodes in the
 * order of their index, never wrapped, each row centred, so singular and plural inputs draw every node in the same
 * place and the eye can compare them. The editor's layout (layout.ts) orders by strength and wraps crowded cells,
 * which suits large circuits. All positions share one column (figures of one token).
 */
export function figureLayout(graph: Graph, visible: ReadonlySet<string>): LayoutResult {
  const rows = new Map<number, Graph['nodes']>();
  for (const node of graph.nodes) {
    if (!visible.has(node.id)) continue;
    const row = rowOf(node, graph) ?? 0;
    rows.set(row, [...(rows.get(row) ?? []), node]);
  }
  const rank = (kind: unknown) => {
    const i = KIND_ORDER.indexOf(String(kind));
    return i < 0 ? KIND_ORDER.length : i;
  };
  const width = Math.max(0, ...[...rows.values()].map((r) => r.length * (NODE_W + GAP_X) - GAP_X));
  const positions: LayoutResult['positions'] = {};
  const grid: LayoutGrid = { columns: [{ pos: 0, x: 0, width }], rows: [] };
  // Bottom-up: the highest row is drawn at the top (y = 0).
  [...rows.keys()]
    .sort((a, b) => b - a)
    .forEach((row, i) => {
      const y = i * (NODE_H + ROW_GAP);
      const nodes = rows
        .get(row)!
        .sort(
          (a, b) =>
            rank(a.kind) - rank(b.kind) ||
            Number(a.feature ?? Number.POSITIVE_INFINITY) - Number(b.feature ?? Number.POSITIVE_INFINITY) ||
            (positionOf(a) ?? 0) - (positionOf(b) ?? 0),
        );
      const offset = (width - (nodes.length * (NODE_W + GAP_X) - GAP_X)) / 2;
      nodes.forEach((node, k) => {
        positions[node.id] = { x: offset + k * (NODE_W + GAP_X), y };
      });
      grid.rows.push({ layer: row, y, height: NODE_H });
    });
  return { positions, grid };
}
