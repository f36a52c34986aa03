'use client';

import { useMemo } from 'react';
import type { DiffView } from '../../lib/editor-store';
import { type Graph, influenceOf, positionOf, promptColumns, rowLabels, rowOf } from '../../lib/graph';
import type { LayoutInput } from '../../lib/layout';
import { useLayout } from '../../lib/use-layout';

/** A number per object, for cache keys (the layout of this graph's node set). */
const identities = new WeakMap<object, number>();
let lastIdentity = 0;
function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++lastIdentity;
    identities.set(value, id);
  }
  return id;
}

/**
 * The figure's layout: the shown nodes (and a diff's ghosts) in token columns and layer rows, computed in a worker
 * and cached by node set; with the column tokens and row names that head it.
 */
export function useCircuitLayout(graph: Graph, visible: ReadonlySet<string>, diff: DiffView | null) {
  const columns = useMemo(() => promptColumns(graph), [graph]);
  const rowNames = useMemo(() => rowLabels(graph), [graph]);
  const layoutInput = useMemo<LayoutInput>(() => {
    const shown = graph.nodes.filter((n) => visible.has(n.id));
    const all = diff ? [...shown, ...diff.ghostNodes] : shown;
    const ids = new Set(all.map((n) => n.id));
    const edges = diff ? [...graph.edges, ...diff.ghostEdges] : graph.edges;
    return {
      nodes: all.map((n) => ({
        id: n.id,
        layer: rowOf(n, graph),
        pos: positionOf(n),
        weight: influenceOf(n) ?? 0,
      })),
      edges: edges
        .filter((e) => ids.has(e.source) && ids.has(e.target))
        .map((e) => ({ source: e.source, target: e.target })),
      columns: columns.length,
    };
  }, [graph, visible, diff, columns]);
  const layoutKey = useMemo(
    () => (diff ? null : `${identityOf(graph)}|${layoutInput.nodes.map((n) => n.id).join(' ')}`),
    [diff, graph, layoutInput],
  );
  const layout = useLayout(layoutInput, layoutKey);
  return { layout, columns, rowNames };
}
