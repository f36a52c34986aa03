/**
 * Layered layout of a circuit: layers bottom to top, token positions left to right. Nodes with a layer and a
 * token position go in a grid of (position column, layer row) cells; the rest get a generic layered layout
 * (longest-path layers from the sources, barycentre ordering) placed to the right. Pure and synchronous; the page
 * runs it in a Web Worker built from this very code (layoutWorkerSource) so big graphs do not block the page.
 */

export interface LayoutNode {
  id: string;
  layer?: number;
  pos?: number;
  weight?: number;
}

export interface LayoutInput {
  nodes: LayoutNode[];
  edges: { source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

/**
 * The whole engine in one self-contained function (no references outside it), so its source text can start a
 * worker from a Blob: no bundler support for worker entry points needed.
 */
function createLayoutEngine(): (input: LayoutInput) => Positions {
  const NODE_W = 150;
  const ROW_H = 110;
  const SUB_ROW_H = 64;
  const COLUMN_GAP = 60;
  // Crowded cells (many features at one layer and token) wrap into sub-rows: the widest row is chosen so the whole
  // drawing is about this much wider than tall (a screen's shape), neither one endless line nor a tower.
  const ASPECT = 1.6;

  function computeLayout(input: LayoutInput): Positions {
    const positions: Positions = {};
    const structured = input.nodes.filter((n) => n.layer !== undefined && n.pos !== undefined);
    const loose = input.nodes.filter((n) => n.layer === undefined || n.pos === undefined);
    let right = 0;

    if (structured.length) {
      // Cells (layer, pos); a column is as wide as its fullest cell (up to the chosen cap), a layer as tall as its
      // tallest cell.
      const cells = new Map<string, LayoutNode[]>();
      for (const n of structured) {
        const key = `${n.layer}|${n.pos}`;
        const cell = cells.get(key) ?? [];
        cell.push(n);
        cells.set(key, cell);
      }
      const measure = (cap: number) => {
        const columnWidth = new Map<number, number>();
        for (const cell of cells.values()) {
          const pos = cell[0]!.pos!;
          columnWidth.set(pos, Math.max(columnWidth.get(pos) ?? 0, Math.min(cap, cell.length)));
        }
        const layerRows = new Map<number, number>();
        for (const cell of cells.values()) {
          const { layer, pos } = cell[0]!;
          const rows = Math.ceil(cell.length / columnWidth.get(pos!)!);
          layerRows.set(layer!, Math.max(layerRows.get(layer!) ?? 0, rows));
        }
        let width = 0;
        for (const w of columnWidth.values()) width += w * NODE_W + COLUMN_GAP;
        let height = 0;
        for (const rows of layerRows.values()) height += (rows - 1) * SUB_ROW_H + ROW_H;
        return { columnWidth, layerRows, misfit: Math.abs(Math.log(width / height / ASPECT)) };
      };
      const fullest = Math.max(...[...cells.values()].map((cell) => cell.length));
      let best = measure(fullest);
      for (let cap = 1; cap < fullest; cap++) {
        const candidate = measure(cap);
        if (candidate.misfit < best.misfit) best = candidate;
      }
      const { columnWidth, layerRows } = best;
      const columnX = new Map<number, number>();
      let x = 0;
      for (const pos of [...columnWidth.keys()].sort((a, b) => a - b)) {
        columnX.set(pos, x);
        x += columnWidth.get(pos)! * NODE_W + COLUMN_GAP;
      }
      right = x;
      // Layers bottom to top: the highest layer gets y = 0.
      const layerY = new Map<number, number>();
      let y = 0;
      for (const layer of [...layerRows.keys()].sort((a, b) => b - a)) {
        layerY.set(layer, y);
        y += (layerRows.get(layer)! - 1) * SUB_ROW_H + ROW_H;
      }
      for (const cell of cells.values()) {
        cell.sort((a, b) => Math.abs(b.weight ?? 0) - Math.abs(a.weight ?? 0) || a.id.localeCompare(b.id));
        const width = columnWidth.get(cell[0]!.pos!)!;
        cell.forEach((n, i) => {
          const inRow = Math.min(width, cell.length - Math.floor(i / width) * width);
          const offset = ((width - inRow) * NODE_W) / 2;
          positions[n.id] = {
            x: columnX.get(n.pos!)! + offset + (i % width) * NODE_W,
            y: layerY.get(n.layer!)! + Math.floor(i / width) * SUB_ROW_H,
          };
        });
      }
    }

    if (loose.length) {
      const looseLayers = layered(loose, input.edges);
      const top = Math.max(...looseLayers.map((l) => l.layer));
      const widest = Math.max(...groupBy(looseLayers).map((row) => row.length));
      for (const row of groupBy(looseLayers)) {
        const offset = ((widest - row.length) * NODE_W) / 2;
        row.forEach((entry, i) => {
          positions[entry.id] = { x: right + offset + i * NODE_W, y: (top - entry.layer) * ROW_H };
        });
      }
    }
    return positions;
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

/** Source of a classic worker: { id, input } in, { id, positions } out. */
export function layoutWorkerSource(): string {
  return `const computeLayout = (${createLayoutEngine.toString()})();
self.onmessage = (event) => self.postMessage({ id: event.data.id, positions: computeLayout(event.data.input) });`;
}
