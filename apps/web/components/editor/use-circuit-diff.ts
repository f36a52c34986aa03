'use client';

import { useApolloClient } from '@apollo/client/react';
import { useCallback } from 'react';
import type { DiffView } from '../../lib/editor-store';
import { edgeKey, type GraphEdge, type GraphNode } from '../../lib/graph';
import { CIRCUIT_DIFF } from '../../lib/operations';

/**
 * Compares the version being edited with an older one: fetches the server's diff and hands the view what changed
 * (marks by id) and what was removed (ghost nodes and edges from the older version). `null` clears the comparison.
 */
export function useCircuitDiff(
  slug: string,
  baseNumber: number,
  setDiff: (diff: DiffView | null) => void,
): (from: number | null) => Promise<void> {
  const client = useApolloClient();
  return useCallback(
    async (from: number | null) => {
      if (from === null) {
        setDiff(null);
        return;
      }
      const result = await client.query({
        query: CIRCUIT_DIFF,
        variables: { slug, from, to: baseNumber },
        fetchPolicy: 'network-only',
      });
      const data = result.data?.circuit;
      if (!data) return;
      const nodes: DiffView['nodes'] = {};
      const edges: DiffView['edges'] = {};
      for (const id of data.diff.nodes.added) nodes[id] = 'added';
      for (const id of data.diff.nodes.changed) nodes[id] = 'changed';
      for (const key of data.diff.annotations.added.concat(data.diff.annotations.changed)) {
        if (key.startsWith('node:') && !nodes[key.slice(5)]) nodes[key.slice(5)] = 'changed';
      }
      for (const id of data.diff.edges.added) edges[id] = 'added';
      for (const id of data.diff.edges.changed) edges[id] = 'changed';
      const removedNodes = new Set(data.diff.nodes.removed);
      const removedEdges = new Set(data.diff.edges.removed);
      // CircuitVersion.graph is JSON: a circuit file (lib/graph.ts), nodes and edges as the editor draws them.
      const old = data.version.graph as { nodes?: GraphNode[]; edges?: GraphEdge[] };
      setDiff({
        from,
        to: baseNumber,
        nodes,
        edges,
        ghostNodes: (old.nodes ?? []).filter((n) => removedNodes.has(n.id)),
        ghostEdges: (old.edges ?? []).filter((e) => removedEdges.has(edgeKey(e))),
      });
    },
    [client, slug, baseNumber, setDiff],
  );
}
