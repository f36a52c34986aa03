import { describe, expect, it } from 'vitest';
import type { Graph } from './graph';
import { topFeatureNodes, toyContent, trainToy } from './learn';

describe('the walkthrough toy (lib/learn.ts)', () => {
  const run = trainToy();

  it('trains a network that is right on every held-out example and an SAE that reconstructs it', () => {
    expect(run.accuracy).toBe(1);
    expect(run.relativeError).toBeLessThan(0.1);
    expect(run.l0).toBeGreaterThan(0);
    expect(run.l0).toBeLessThan(run.sae.dSae);
    // the two inputs pick opposite verb forms: " runs" (0) for the singular, " run" (1) for the plural
    expect(run.passes.singular.logits[0]!).toBeGreaterThan(run.passes.singular.logits[1]!);
    expect(run.passes.plural.logits[1]!).toBeGreaterThan(run.passes.plural.logits[0]!);
  });

  it('names every node of the drawn circuit and keeps the engine ids', () => {
    for (const input of ['singular', 'plural'] as const) {
      const content = toyContent(run, input);
      const ids = content.graph.nodes.map((n) => n.id);
      expect(ids).toHaveLength(2 + 4 + run.sae.dSae + 1 + 2);
      for (const id of ids) expect(content.annotations.nodes[id]?.label, id).toBeTruthy();
      expect(content.annotations.nodes['toy.output:0:0']?.label).toBe('logit “runs”');
    }
  });

  it('lists the strongest feature nodes of a circuit by |effect|, features only', () => {
    const graph: Graph = {
      nodes: [
        { id: 'a', kind: 'feature', effect: 0.5 },
        { id: 'b', kind: 'feature', effect: -2 },
        { id: 'e', kind: 'error', effect: 9 },
        { id: 'c', kind: 'feature', effect: 1 },
      ],
      edges: [],
    };
    expect(topFeatureNodes(graph, 2).map((n) => n.id)).toEqual(['b', 'c']);
  });
});
