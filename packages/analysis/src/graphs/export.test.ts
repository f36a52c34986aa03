// A pruned attribution graph as a circuit file and as circuit-tracer's graph JSON: valid against the bundled
// Neuronpedia schema (and the shared copy when present), the round trip through the JSON gives the circuit back,
// and graphs circuit-tracer and Neuronpedia wrote import as one-prompt graphs with their logits' probabilities.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pairMetric } from '../circuits/discover.js';
import { fromNeuronpedia, neuronpediaValidator, toNeuronpedia } from '../circuits/neuronpedia.js';
import { parseNodeId } from '../circuits/nodes.js';
import { sharedNeuronpediaSchema } from '../circuits/testing.js';
import type { GPT2Config } from '../model/config.js';
import { randomGPT2Weights } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import { attribute, nodeLayout } from './attribution.js';
import { graphToCircuit } from './export.js';
import { graphScores, pruneGraph } from './prune.js';
import { randomTranscoders } from './testing.js';

const config: GPT2Config = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 16, vocabSize: 24, lnEps: 1e-5, bosTokenId: 0 };
const weights = randomGPT2Weights(config, 3, 0.3);
const tokens = [0, 5, 11, 3, 20, 7];
const sources = randomTranscoders(config.nLayers, config.dModel, 32, 90, { architecture: 'topk', k: 4 });
const words = Array.from({ length: config.vocabSize }, (_, i) => ` w${i}`);

async function promptCircuit() {
  const g = await attribute({ config, weights, ort: nodeOrt }, sources, tokens);
  const shape = {
    n: g.n,
    features: g.features.length,
    tokens: tokens.length,
    logits: g.logits.length,
    logitProbabilities: g.logits.map((l) => l.probability),
  };
  const pruned = pruneGraph(g.adjacency, shape, 0.8, 0.98);
  const circuit = graphToCircuit(g, pruned, graphScores(g.adjacency, shape, config.nLayers), {
    modelName: 'tiny',
    prompt: tokens.map((t) => words[t]).join(''),
    tokenText: (t) => words[t]!,
    transcoders: sources.map((s, layer) => ({ layer, dSae: s.config.dSae, architecture: s.config.architecture })),
    nodeThreshold: 0.8,
    edgeThreshold: 0.98,
    maxFeatureNodes: 7500,
  });
  return { g, pruned, circuit };
}

describe('attribution graph files', () => {
  it('keep the pruned nodes and edges with their direct effects, every token and logit, and the scores', async () => {
    const { g, pruned, circuit } = await promptCircuit();
    const layout = nodeLayout(g);
    const kept = [...pruned.nodeMask].filter(Boolean).length;
    expect(circuit.nodes).toHaveLength(kept);
    expect(kept).toBeLessThan(g.n);
    expect(circuit.nodes.filter((n) => n.kind === 'input').map((n) => n.feature)).toEqual(tokens);
    expect(circuit.nodes.filter((n) => n.kind === 'output').map((n) => n.id)).toEqual(
      g.logits.map((l) => `logits:${l.token}:5`),
    );
    expect(circuit.method).toMatchObject({ kind: 'graph', metric: { kind: 'logits' } });
    const replacement = circuit.metrics.replacementScore!;
    expect(replacement).toBeGreaterThan(0);
    expect(replacement).toBeLessThan(1);
    // Every edge carries the adjacency matrix's entry [target, source].
    const index = (id: string) => {
      const p = parseNodeId(id);
      if (p.hook === 'hook_embed') return layout.token(p.position!);
      if (p.hook === 'logits') return layout.logit(g.logits.findIndex((l) => l.token === p.feature));
      const layer = Number(p.hook.split('.')[1]);
      if (p.feature === null) return layout.error(layer, p.position!);
      return g.features.findIndex((f) => f.layer === layer && f.feature === p.feature && f.position === p.position);
    };
    expect(circuit.edges.length).toBeGreaterThan(10);
    for (const e of circuit.edges) {
      expect(e.weight).toBe(g.adjacency[index(e.target) * g.n + index(e.source)]);
      expect(e.weight).not.toBe(0);
    }
    expect(new Set(circuit.edges.map((e) => e.source.split(':')[0])).size).toBeGreaterThan(2);
  });

  it('export to circuit-tracer JSON that validates, and come back unchanged', async () => {
    const { circuit } = await promptCircuit();
    const json = toNeuronpedia(circuit);
    const shared = sharedNeuronpediaSchema();
    if (shared) expect(neuronpediaValidator(shared)(json)).toBe(true);
    const logits = json.nodes.filter((n) => n.feature_type === 'logit');
    expect(logits.map((n) => n.token_prob)).toEqual(
      circuit.nodes.filter((n) => n.kind === 'output').map((n) => n.probability),
    );
    expect(logits.filter((n) => n.is_target_logit)).toHaveLength(1);
    // circuit-tracer's ids: layer_feature_position, errors layer_-1_position, tokens E_token_position, logits at L + 1
    const feature = circuit.nodes.find((n) => n.kind === 'feature')!;
    expect(json.nodes.map((n) => n.node_id)).toContain(`${feature.layer}_${feature.feature}_${feature.position}`);
    expect(logits[0]!.node_id).toMatch(/^3_\d+_5$/);
    expect(fromNeuronpedia(JSON.parse(JSON.stringify(json)))).toEqual(circuit);
  });
});

describe('prompt-pair work on a graph', () => {
  it('is refused with a clear error: a graph has logit targets, not a prompt-pair metric', () => {
    expect(() => pairMetric({ kind: 'logits', tokens: [3] })).toThrow(/attribution graph of one prompt/);
    expect(pairMetric(undefined)).toEqual({ kind: 'pair' });
  });
});

describe('graphs written elsewhere', () => {
  it.each([
    ['123-gemma-2-2b-clt-hp.json', 0.5, 0.8],
    ['123-gemma-3-1b-pt-gemmascope2-16k.json', null, null],
  ])(
    '%s imports as a one-prompt graph with its logits and their probabilities',
    (file, nodeThreshold, edgeThreshold) => {
      const text = readFileSync(new URL(`../../../../tests/fixtures/graphs/${file}`, import.meta.url), 'utf8');
      const raw = JSON.parse(text);
      const c = fromNeuronpedia(raw, file);
      expect(c.method.kind).toBe('graph');
      const logits = raw.nodes.filter((n: { feature_type: string }) => n.feature_type === 'logit');
      expect(c.method.metric).toEqual({ kind: 'logits', tokens: logits.map((n: { feature: number }) => n.feature) });
      expect(c.nodes.filter((n) => n.kind === 'output').map((n) => n.probability)).toEqual(
        logits.map((n: { token_prob: number }) => n.token_prob),
      );
      if (nodeThreshold !== null) expect(c.method).toMatchObject({ nodeThreshold, edgeThreshold });
      expect(c.dataset.prompt).toBe(raw.metadata.prompt);
      expect(c.edges).toHaveLength(raw.links.length);
      // and it exports again as a valid graph with the same token's logit marked (layers renumbered to those present)
      const back = toNeuronpedia(c);
      const target = (g: { nodes: { node_id: string; is_target_logit?: unknown }[] }) =>
        g.nodes.filter((n) => n.is_target_logit === true).map((n) => n.node_id.split('_').slice(1).join('_'));
      expect(target(back)).toEqual(target(raw));
    },
  );
});
