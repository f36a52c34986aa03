'use client';

import { useMemo } from 'react';
import type { DiffView } from '../../lib/editor-store';
import { type Graph, type Group, promptColumns, rowLabels } from '../../lib/graph';
import { circuitLayoutInput } from '../../lib/layout';
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
 * The figure's layout: the shown nodes (and a diff's ghosts) in token columns and layer rows, with its supernodes,
 * computed in a worker and cached by node set and grouping; with the column tokens and row names that head it.
 */
export function useCircuitLayout(
  graph: Graph,
  visible: ReadonlySet<string>,
  groups: readonly Group[],
  diff: DiffView | null,
) {
  const columns = useMemo(() => promptColumns(graph), [graph]);
  const rowNames = useMemo(() => rowLabels(graph), [graph]);
  const layoutInput = useMemo(
    () => circuitLayoutInput(graph, visible, groups, diff, columns.length),
    [graph, visible, groups, diff, columns],
  );
  const layoutKey = useMemo(
    () =>
      diff
        ? null
        : `${identityOf(graph)}|${layoutInput.nodes.map((n) => n.id).join(' ')}|${JSON.stringify(layoutInput.groups?.map((g) => g.nodeIds))}`,
    [diff, graph, layoutInput],
  );
  const layout = useLayout(layoutInput, layoutKey);
  return { layout, columns, rowNames };
}
