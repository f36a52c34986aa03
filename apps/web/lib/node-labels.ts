'use client';

import { gql } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { type FeatureKey, featureKeyOf, featureKeyString, type Graph } from './graph';

export interface NodeLabel {
  name: string;
  status: string;
}

const MAX_FEATURES = 400;
const CHUNK = 40;

interface LabelRow {
  name: string;
  status: string;
  score: number;
  teamId: string;
}

/** The label a node shows: the team's accepted label, else any accepted one, else the top proposed one. */
export function pickLabel(labels: LabelRow[], teamId: string): NodeLabel | null {
  const rank = (l: LabelRow) =>
    (l.status === 'ACCEPTED' ? 4 : l.status === 'PROPOSED' ? 2 : 0) + (l.teamId === teamId ? 1 : 0);
  const best = labels.filter((l) => l.status !== 'DISPUTED').sort((a, b) => rank(b) - rank(a) || b.score - a.score)[0];
  return best ? { name: best.name, status: best.status } : null;
}

/**
 * Feature labels for the graph's feature nodes (the most influential MAX_FEATURES distinct features), fetched in
 * batches of aliased featureLabels queries. Keyed by featureKeyString.
 */
export function useNodeLabels(graph: Graph, teamId: string, refreshKey = 0): Map<string, NodeLabel> {
  const client = useApolloClient();
  const [labels, setLabels] = useState<Map<string, NodeLabel>>(() => new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey asks for a fresh fetch
  useEffect(() => {
    const keys = new Map<string, { key: FeatureKey; weight: number }>();
    for (const node of graph.nodes) {
      const key = featureKeyOf(node, graph.metadata);
      if (!key) continue;
      const id = featureKeyString(key);
      const weight = Math.abs(typeof node.influence === 'number' ? node.influence : 0);
      if ((keys.get(id)?.weight ?? -1) < weight) keys.set(id, { key, weight });
    }
    const wanted = [...keys.values()].sort((a, b) => b.weight - a.weight).slice(0, MAX_FEATURES);
    if (!wanted.length) return;
    let cancelled = false;
    // Let the graph draw first: labels are fetched just after.
    const timer = setTimeout(async () => {
      const found = new Map<string, NodeLabel>();
      for (let start = 0; start < wanted.length; start += CHUNK) {
        const chunk = wanted.slice(start, start + CHUNK);
        const query = gql(
          `query NodeLabels(${chunk.map((_, i) => `$f${i}: FeatureKeyInput!`).join(', ')}) {
            ${chunk.map((_, i) => `f${i}: featureLabels(feature: $f${i}, first: 5) { edges { node { id name status score teamId } } }`).join('\n')}
          }`,
        );
        const variables = Object.fromEntries(chunk.map((entry, i) => [`f${i}`, entry.key]));
        try {
          const result = await client.query<Record<string, { edges: { node: LabelRow }[] }>>({
            query,
            variables,
            fetchPolicy: 'network-only',
          });
          chunk.forEach((entry, i) => {
            const picked = pickLabel(result.data?.[`f${i}`]?.edges.map((e) => e.node) ?? [], teamId);
            if (picked) found.set(featureKeyString(entry.key), picked);
          });
        } catch {
          // Labels are decoration: a failed batch leaves those nodes showing their ids.
        }
        if (cancelled) return;
      }
      if (!cancelled) setLabels(found);
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [graph, teamId, client, refreshKey]);
  return labels;
}
