'use client';

import { useApolloClient } from '@apollo/client/react';
import { useEffect, useMemo, useState } from 'react';
import { type FeatureKey, featureKeyOf, featureKeyString, type Graph, influenceOf } from './graph';
import { SHOWN_LABELS } from './operations';

export interface NodeLabel {
  name: string;
  status: string;
}

/** Features per request: the server takes up to 5000; smaller requests let the first labels show sooner. */
const BATCH = 2000;

/**
 * The label each feature shows (Query.shownLabels picks it on the server; `teamId` prefers that team's labels),
 * keyed by featureKeyString. Keys are asked for in the order given; a new refreshKey asks again.
 */
export function useShownLabels(keys: FeatureKey[], teamId: string | null, refreshKey = 0): Map<string, NodeLabel> {
  const client = useApolloClient();
  const [labels, setLabels] = useState<Map<string, NodeLabel>>(() => new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: keys are compared by value; refreshKey asks again
  useEffect(() => {
    if (!keys.length) return;
    let cancelled = false;
    // Let the page draw first: labels are fetched just after.
    const timer = setTimeout(async () => {
      for (let start = 0; start < keys.length && !cancelled; start += BATCH) {
        const features = keys.slice(start, start + BATCH);
        try {
          const result = await client.query({
            query: SHOWN_LABELS,
            variables: { features, teamId },
            fetchPolicy: 'network-only',
          });
          const shown = result.data?.shownLabels;
          if (cancelled || !shown) continue;
          // Each answer replaces its batch's labels: on a refresh, later batches keep theirs until their turn.
          setLabels((previous) => {
            const next = new Map(previous);
            features.forEach((feature, i) => {
              const label = shown[i];
              if (label) next.set(featureKeyString(feature), { name: label.name, status: label.status });
              else next.delete(featureKeyString(feature));
            });
            return next;
          });
        } catch {
          // Labels are decoration: a failed batch leaves those features as they were (or showing their indices).
        }
      }
    }, 100);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [keys.map(featureKeyString).join(','), teamId, client, refreshKey]);
  return labels;
}

/**
 * Labels for a graph's feature nodes: every distinct feature, most influential first. A new refreshKey asks again
 * (after a label was proposed, voted on or edited).
 */
export function useNodeLabels(graph: Graph, teamId: string | null, refreshKey = 0): Map<string, NodeLabel> {
  const keys = useMemo(() => {
    const byId = new Map<string, { key: FeatureKey; weight: number }>();
    for (const node of graph.nodes) {
      const key = featureKeyOf(node, graph);
      if (!key) continue;
      const id = featureKeyString(key);
      const weight = Math.abs(influenceOf(node) ?? 0);
      if ((byId.get(id)?.weight ?? -1) < weight) byId.set(id, { key, weight });
    }
    return [...byId.values()].sort((a, b) => b.weight - a.weight).map((entry) => entry.key);
  }, [graph]);
  return useShownLabels(keys, teamId, refreshKey);
}
