/**
 * Layered layout of a circuit, drawn like the papers' figures: token positions left to right (one column each, an
 * empty one kept narrow so the prompt still reads), rows bottom to top (embedding, then each layer's attn, mlp and
 * resid; rows with nothing to show are left out, so a pruned circuit packs tight), strongest nodes first within a
 * cell. Nodes with a row but no position (the metric; circuits summed over positions) are centred across their row.
 * Nodes with neither get a generic layered layout (longest-path layers from the sources, barycentre ordering)
 * placed to the right. Pure and synchronous; the page runs it in a Web Worker built from this very code
 * (layoutWorkerSource) so big graphs do not block the page.
 */

import type { DiffView } from './editor-store';
import { type Graph, type Group, influenceOf, positionOf, rowOf } from './graph';

export interface LayoutNode {
  id: string;
  layer?: number;
  pos?: number;
  weight?: number;
}

export interface LayoutInput {
  nodes: LayoutNode[];
  edges: { source: string; target: string }[];
  /** Token positions 0..columns-1 get a column even when no node sits there (the prompt's tokens head them). */
  columns?: number;
  /** Supernodes: each is drawn as one card standing in for its members, and every member gets the card's position. */
  groups?: { id: string; nodeIds: string[] }[];
}

export type Positions = Record<string, { x: number; y: number }>;

/** Where the grid's columns and rows ended up, for the headers drawn over the canvas. */
export interface LayoutGrid {
  columns: { pos: number; x: number; width: number }[];
  rows: { layer: number; y: number; height: number }[];
}

export interface LayoutResult {
  positions: Positions;
  grid: LayoutGrid;
}

/**
 * The whole engine in one self-contained function (no references outside it), so its source text can start a
 * worker from a Blob: no bundler support for worker entry points needed.
 */
function createLayoutEngine(): (input: LayoutInput) => LayoutResult {
  const NODE_W = 150;
  const ROW_H = 72;
  const SUB_ROW_H = 50;
  const COLUMN_GAP = 40;
  const EMPTY_COLUMN_W = 90;
  // Crowded cells (many features at one layer and token) wrap into sub-rows: the widest row is chosen so the whole
  // drawing is about this much wider than tall (a screen's shape), neither one endless line nor a tower.
  const ASPECT = 1.4;

  function computeLayout(input: LayoutInput): LayoutResult {
    const positions: Positions = {};
    const grid: LayoutGrid = { columns: [], rows: [] };
    const rowed = input.nodes.filter((n) => n.layer !== undefined);
    const loose = input.nodes.filter((n) => n.layer === undefined);
    const anyPosition = rowed.some((n) => n.pos !== undefined);
    // Summed over positions: one column for everything.
    const structured = rowed.filter((n) => n.pos !== undefined || !anyPosition);
    const spanning = anyPosition ? rowed.filter((n) => n.pos === undefined) : [];
    const posOf = (n: LayoutNode) => n.pos ?? 0;
    const strongestFirst = (a: LayoutNode, b: LayoutNode) =>
      Math.abs(b.weight ?? 0) - Math.abs(a.weight ?? 0) || a.id.localeCompare(b.id);
    let right = 0;

    // Supernodes: one card each, in the slot of one member, its anchor: the strongest member of the place (cell,
    // spanning row, or the rowless nodes) that holds most of them. The other members give up their slots and the
    // cells close up. The grid is measured with every member, so grouping moves nothing outside the members' cells,
    // and a cell that only loses cards still fits its rows.
    const placeOf = (n: LayoutNode) =>
      n.layer === undefined
        ? 'rowless'
        : n.pos !== undefined || !anyPosition
          ? `${n.layer}|${posOf(n)}`
          : `${n.layer}|*`;
    const byId = new Map(input.nodes.map((n) => [n.id, n]));
    const anchorOf = new Map<string, string>();
    for (const group of input.groups ?? []) {
      const members = group.nodeIds
        .filter((id) => byId.has(id) && !anchorOf.has(id))
        .map((id) => byId.get(id)!)
        .sort(strongestFirst);
      if (!members.length) continue;
      const count = new Map<string, number>();
      for (const m of members) count.set(placeOf(m), (count.get(placeOf(m)) ?? 0) + 1);
      const most = Math.max(...count.values());
      const anchor = members.find((m) => count.get(placeOf(m)) === most)!;
      for (const m of members) anchorOf.set(m.id, anchor.id);
    }
    /** What a place draws: its nodes, with each supernode's members there reduced to its anchor. */
    const cardsOf = (nodes: LayoutNode[]) => nodes.filter((n) => (anchorOf.get(n.id) ?? n.id) === n.id);

    if (rowed.length) {
      // Cells (layer, pos); a column is as wide as its fullest cell (up to the chosen cap), a layer as tall as its
      // tallest cell plus its spanning nodes.
      const cells = new Map<string, LayoutNode[]>();
      for (const n of structured) {
        const key = `${n.layer}|${posOf(n)}`;
        const cell = cells.get(key) ?? [];
        cell.push(n);
        cells.set(key, cell);
      }
      const spanningByLayer = new Map<number, LayoutNode[]>();
      for (const n of spanning) {
        const row = spanningByLayer.get(n.layer!) ?? [];
        row.push(n);
        spanningByLayer.set(n.layer!, row);
      }
      const allPositions = new Set<number>(structured.map(posOf));
      for (let p = 0; p < (input.columns ?? 0); p++) allPositions.add(p);
      const columnPx = (nodes: number) => (nodes ? nodes * NODE_W : EMPTY_COLUMN_W);
      const measure = (cap: number) => {
        const columnWidth = new Map<number, number>([...allPositions].map((p) => [p, 0]));
        for (const cell of cells.values()) {
          const pos = posOf(cell[0]!);
          columnWidth.set(pos, Math.max(columnWidth.get(pos)!, Math.min(cap, cell.length)));
        }
        let width = 0;
        for (const w of columnWidth.values()) width += columnPx(w) + COLUMN_GAP;
        const perSpanRow = Math.max(1, Math.floor(width / NODE_W));
        const layerRows = new Map<number, { spanRows: number; rows: number }>();
        const rowsOf = (layer: number) => {
          const entry = layerRows.get(layer) ?? {
            spanRows: Math.ceil((spanningByLayer.get(layer)?.length ?? 0) / perSpanRow),
            rows: 0,
          };
          layerRows.set(layer, entry);
          return entry;
        };
        for (const layer of spanningByLayer.keys()) rowsOf(layer);
        for (const cell of cells.values()) {
          const entry = rowsOf(cell[0]!.layer!);
          entry.rows = Math.max(entry.rows, Math.ceil(cell.length / columnWidth.get(posOf(cell[0]!))!));
        }
        let height = 0;
        for (const { spanRows, rows } of layerRows.values()) height += (spanRows + rows - 1) * SUB_ROW_H + ROW_H;
        return { columnWidth, layerRows, width, perSpanRow, misfit: Math.abs(Math.log(width / height / ASPECT)) };
      };
      const fullest = Math.max(1, ...[...cells.values()].map((cell) => cell.length));
      let best = measure(fullest);
      for (let cap = 1; cap < fullest; cap++) {
        const candidate = measure(cap);
        if (candidate.misfit < best.misfit) best = candidate;
      }
      const { columnWidth, layerRows, width, perSpanRow } = best;
      const columnX = new Map<number, number>();
      let x = 0;
      for (const pos of [...columnWidth.keys()].sort((a, b) => a - b)) {
        columnX.set(pos, x);
        grid.columns.push({ pos, x, width: columnPx(columnWidth.get(pos)!) });
        x += columnPx(columnWidth.get(pos)!) + COLUMN_GAP;
      }
      right = x;
      // Layers bottom to top: the highest layer gets y = 0. Spanning nodes sit above the layer's cells.
      const layerY = new Map<number, number>();
      let y = 0;
      for (const layer of [...layerRows.keys()].sort((a, b) => b - a)) {
        const { spanRows, rows } = layerRows.get(layer)!;
        layerY.set(layer, y);
        const height = (spanRows + rows - 1) * SUB_ROW_H + ROW_H;
        grid.rows.push({ layer, y, height });
        y += height;
      }
      for (const [layer, row] of spanningByLayer) {
        const cards = cardsOf(row.sort(strongestFirst));
        cards.forEach((n, i) => {
          const inRow = Math.min(perSpanRow, cards.length - Math.floor(i / perSpanRow) * perSpanRow);
          positions[n.id] = {
            x: (width - COLUMN_GAP - inRow * NODE_W) / 2 + (i % perSpanRow) * NODE_W,
            y: layerY.get(layer)! + Math.floor(i / perSpanRow) * SUB_ROW_H,
          };
        });
      }
      for (const cell of cells.values()) {
        const layer = cell[0]!.layer!;
        const pos = posOf(cell[0]!);
        const cellWidth = columnWidth.get(pos)!;
        const top = layerY.get(layer)! + layerRows.get(layer)!.spanRows * SUB_ROW_H;
        const cards = cardsOf(cell.sort(strongestFirst));
        cards.forEach((n, i) => {
          const inRow = Math.min(cellWidth, cards.length - Math.floor(i / cellWidth) * cellWidth);
          const offset = ((cellWidth - inRow) * NODE_W) / 2;
          positions[n.id] = {
            x: columnX.get(pos)! + offset + (i % cellWidth) * NODE_W,
            y: top + Math.floor(i / cellWidth) * SUB_ROW_H,
          };
        });
      }
    }

    const looseCards = cardsOf(loose);
    if (looseCards.length) {
      // A supernode's edges are its members' edges.
      const edges = input.edges.map((e) => ({
        source: anchorOf.get(e.source) ?? e.source,
        target: anchorOf.get(e.target) ?? e.target,
      }));
      const looseLayers = layered(looseCards, edges);
      const top = Math.max(...looseLayers.map((l) => l.layer));
      const widest = Math.max(...groupBy(looseLayers).map((row) => row.length));
      for (const row of groupBy(looseLayers)) {
        const offset = ((widest - row.length) * NODE_W) / 2;
        row.forEach((entry, i) => {
          positions[entry.id] = { x: right + offset + i * NODE_W, y: (top - entry.layer) * ROW_H };
        });
      }
    }
    // Every member stands where its card is: the editor draws the card there, and moving it moves them.
    for (const [member, anchor] of anchorOf) {
      const slot = positions[anchor];
      if (slot) positions[member] = { ...slot };
    }
    return { positions, grid };
  }

  interface Placed {
    id: string;
    layer: number;
    order: number;
  }

  function groupBy(placed: Placed[]): Placed[][] {
    const rows = new Map<number, Placed[]>();
    for (const p of placed) {
      const row = rows.get(p.layer) ?? [];
      row.push(p);
      rows.set(p.layer, row);
    }
    return [...rows.values()].map((row) => row.sort((a, b) => a.order - b.order));
  }

  /** Longest-path layering (Kahn's order; nodes on cycles continue after their placed predecessors) + barycentres. */
  function layered(nodes: LayoutNode[], edges: { source: string; target: string }[]): Placed[] {
    const ids = new Set(nodes.map((n) => n.id));
    const preds = new Map<string, string[]>();
    const succs = new Map<string, string[]>();
    const indegree = new Map<string, number>();
    for (const n of nodes) {
      preds.set(n.id, []);
      succs.set(n.id, []);
      indegree.set(n.id, 0);
    }
    for (const e of edges) {
      if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target) continue;
      preds.get(e.target)!.push(e.source);
      succs.get(e.source)!.push(e.target);
      indegree.set(e.target, indegree.get(e.target)! + 1);
    }
    const layer = new Map<string, number>();
    const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
    const done = new Set<string>();
    const visit = (start: string[]) => {
      for (let head = 0; head < start.length; head++) {
        const id = start[head]!;
        if (done.has(id)) continue;
        done.add(id);
        const l = layer.get(id) ?? 0;
        layer.set(id, l);
        for (const next of succs.get(id)!) {
          if (done.has(next)) continue;
          layer.set(next, Math.max(layer.get(next) ?? 0, l + 1));
          const remaining = indegree.get(next)! - 1;
          indegree.set(next, remaining);
          if (remaining === 0) start.push(next);
        }
      }
    };
    visit(queue);
    // Cycles: start from the remaining node with the fewest unplaced predecessors, repeatedly.
    while (done.size < nodes.length) {
      let best: string | undefined;
      for (const n of nodes) {
        if (!done.has(n.id) && (best === undefined || indegree.get(n.id)! < indegree.get(best)!)) best = n.id;
      }
      visit([best!]);
    }
    // Order within layers: by barycentre of predecessors' order, two sweeps up.
    const order = new Map<string, number>();
    const byLayer = new Map<number, string[]>();
    for (const n of nodes) {
      const l = layer.get(n.id)!;
      const row = byLayer.get(l) ?? [];
      row.push(n.id);
      byLayer.set(l, row);
    }
    const layers = [...byLayer.keys()].sort((a, b) => a - b);
    for (const l of layers) {
      byLayer.get(l)!.forEach((id, i) => {
        order.set(id, i);
      });
    }
    for (let sweep = 0; sweep < 2; sweep++) {
      for (const l of layers) {
        const row = byLayer.get(l)!;
        const centre = (id: string) => {
          const ps = preds.get(id)!.filter((p) => (layer.get(p) ?? 0) < l);
          return ps.length ? ps.reduce((s, p) => s + order.get(p)!, 0) / ps.length : order.get(id)!;
        };
        const scored = row.map((id) => [id, centre(id)] as const).sort((a, b) => a[1] - b[1]);
        scored.forEach(([id], i) => {
          order.set(id, i);
        });
        byLayer.set(
          l,
          scored.map(([id]) => id),
        );
      }
    }
    return nodes.map((n) => ({ id: n.id, layer: layer.get(n.id)!, order: order.get(n.id)! }));
  }

  return computeLayout;
}

export const computeLayout = createLayoutEngine();

/** Source of a classic worker: { id, input } in, { id, result } out. */
export function layoutWorkerSource(): string {
  return `const computeLayout = (${createLayoutEngine.toString()})();
self.onmessage = (event) => self.postMessage({ id: event.data.id, result: computeLayout(event.data.input) });`;
}

/**
 * What the editor lays out: the shown nodes (and a diff's ghosts) in their layer rows and token columns, the edges
 * between them, and the supernodes over them (with only their shown members).
 */
export function circuitLayoutInput(
  graph: Graph,
  visible: ReadonlySet<string>,
  groups: readonly Group[],
  diff: DiffView | null,
  columns: number,
): LayoutInput {
  const shown = graph.nodes.filter((n) => visible.has(n.id));
  const all = diff ? [...shown, ...diff.ghostNodes] : shown;
  const ids = new Set(all.map((n) => n.id));
  const edges = diff ? [...graph.edges, ...diff.ghostEdges] : graph.edges;
  return {
    nodes: all.map((n) => ({ id: n.id, layer: rowOf(n, graph), pos: positionOf(n), weight: influenceOf(n) ?? 0 })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ source: e.source, target: e.target })),
    columns,
    groups: groups
      .map((g) => ({ id: g.id, nodeIds: g.nodeIds.filter((id) => visible.has(id)) }))
      .filter((g) => g.nodeIds.length > 0),
  };
}
