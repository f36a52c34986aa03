'use client';

import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { type FeatureKey, featureKeyOf, featureKeyString, type Graph } from './graph';
import { SHOWN_LABELS } from './operations';

export interface NodeLabel {
  name: string;
  status: string;
}

/** Features per request: the server takes up to 5000; smaller requests let the first labels show sooner. */
const BATCH = 2000;

/**
 * The label each feature node shows (Query.shownLabels picks it on the server), keyed by featureKeyString. Every
 * distinct feature of the graph is asked for, most influential first.
 */
export function useNodeLabels(graph: Graph, teamId: string, refreshKey = 0): Map<string, NodeLabel> {
  const client = useApolloClient();
  const [labels, setLabels] = useState<Map<string, NodeLabel>>(() => new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey asks for a fresh fetch
  useEffect(() => {
    const keys = new Map<string, { key: FeatureKey; weight: number }>();
    for (const node of graph.nodes) {
      const key = featureKeyOf(node, graph);
      if (!key) continue;
      const id = featureKeyString(key);
      const weight = Math.abs(typeof node.influence === 'number' ? node.influence : 0);
      if ((keys.get(id)?.weight ?? -1) < weight) keys.set(id, { key, weight });
    }
    const wanted = [...keys.values()].sort((a, b) => b.weight - a.weight).map((entry) => entry.key);
    if (!wanted.length) return;
    let cancelled = false;
    // Let the graph draw first: labels are fetched just after.
    const timer = setTimeout(async () => {
      const found = new Map<string, NodeLabel>();
      for (let start = 0; start < wanted.length && !cancelled; start += BATCH) {
        const features = wanted.slice(start, start + BATCH);
        try {
          const result = await client.query<{ shownLabels: (NodeLabel | null)[] }>({
            query: SHOWN_LABELS,
            variables: { features, teamId },
            fetchPolicy: 'network-only',
          });
          result.data?.shownLabels.forEach((label, i) => {
            if (label) found.set(featureKeyString(features[i]!), { name: label.name, status: label.status });
          });
        } catch {
          // Labels are decoration: a failed batch leaves those nodes showing their ids.
        }
        if (!cancelled) setLabels(new Map(found));
      }
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [graph, teamId, client, refreshKey]);
  return labels;
}
