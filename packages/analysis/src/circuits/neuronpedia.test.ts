import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cantorPair, fromNeuronpedia, neuronpediaValidator, toNeuronpedia } from './neuronpedia.js';
import { sharedNeuronpediaSchema } from './testing.js';
import { toyCircuit, toyData, trainToyNetwork, trainToySae } from './toy.js';

// A graph circuit-tracer wrote (see tests/fixtures/graphs/README.md for where it comes from).
const FIXTURE = new URL('../../../../tests/fixtures/graphs/123-gemma-3-1b-pt-gemmascope2-16k.json', import.meta.url);
const fixture = () =>
  JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown> & {
    nodes: Record<string, unknown>[];
    links: Record<string, unknown>[];
  };
const validate = neuronpediaValidator(sharedNeuronpediaSchema() ?? undefined);

describe('circuit-tracer conventions (fixture 123-gemma-3-1b-pt-gemmascope2-16k)', () => {
  it('the fixture validates and follows the conventions our exports copy', () => {
    const g = fixture();
    expect(validate(g), JSON.stringify(validate.errors)).toBe(true);
    for (const n of g.nodes) {
      const id = String(n.node_id);
      expect(n).toHaveProperty('token_prob');
      expect(n).toHaveProperty('is_target_logit');
      if (n.feature_type === 'cross layer transcoder') {
        const [layer, index, ctx] = id.split('_').map(Number) as [number, number, number];
        expect([String(layer), ctx, n.feature, n.jsNodeId]).toEqual([
          n.layer,
          n.ctx_idx,
          cantorPair(layer, index),
          `${layer}_${index}-0`,
        ]);
      } else if (n.feature_type === 'mlp reconstruction error') {
        expect([id, n.feature, n.jsNodeId]).toEqual([`${n.layer}_-1_${n.ctx_idx}`, -1, `${n.layer}_-1-${n.ctx_idx}`]);
      } else if (n.feature_type === 'embedding') {
        expect(id).toMatch(new RegExp(`^E_\\d+_${n.ctx_idx}$`));
        expect(n.feature).toBe(n.ctx_idx);
      } else {
        expect(n.feature_type).toBe('logit');
        expect(id).toBe(`27_${n.feature}_${n.ctx_idx}`); // 26 layers: logits at n_layers + 1
        expect(n.jsNodeId).toBe(`L_${n.feature}-${n.ctx_idx}`);
      }
    }
  });

  it('imports with the per-layer feature index and the embedded token from the ids', () => {
    const c = fromNeuronpedia(fixture(), 'fixture');
    const byId = new Map(c.nodes.map((n) => [n.id, n]));
    expect(byId.get('layer_0:391:1')).toMatchObject({ kind: 'feature', layer: 0, feature: 391, position: 1 });
    expect(byId.get('layer_1:error:1')).toMatchObject({ kind: 'error', feature: null, position: 1 });
    expect(byId.get('embed_tokens:236770:1')).toMatchObject({ kind: 'input', feature: 236770, position: 1 });
    expect(byId.get('logits:236812:3')).toMatchObject({
      kind: 'output',
      feature: 236812,
      label: 'Output "4" (p=0.328)',
    });
    expect(c.nodes).toHaveLength(57);
    expect(c.edges).toHaveLength(221);
  });

  it('writes our own circuits the same way, with every node type of the fixture', () => {
    const original = toyLike();
    const g = toNeuronpedia(original);
    expect(validate(g), JSON.stringify(validate.errors)).toBe(true);
    const fixtureKeys = new Set(Object.keys(fixture().nodes[0]!));
    for (const n of g.nodes) for (const key of ['token_prob', 'is_target_logit']) expect(n).toHaveProperty(key);
    for (const key of ['node_id', 'feature', 'layer', 'ctx_idx', 'feature_type', 'jsNodeId', 'clerp'])
      expect(fixtureKeys.has(key)).toBe(true);
    const types = new Set(g.nodes.map((n) => n.feature_type));
    expect(types).toEqual(new Set(['cross layer transcoder', 'mlp reconstruction error', 'embedding', 'logit']));
    for (const n of g.nodes) if (n.is_target_logit) expect(n.feature_type).toBe('logit');
    // our own export comes back as the same circuit
    const back = fromNeuronpedia(JSON.parse(JSON.stringify(g)));
    expect(back.nodes.map((n) => [n.id, n.kind, n.hook, n.feature, n.position])).toEqual(
      original.nodes.map((n) => [n.id, n.kind, n.hook, n.feature, n.position]),
    );
    expect(back.edges).toEqual(JSON.parse(JSON.stringify(original.edges))); // up to -0 becoming 0 in JSON
  });
});

/** The toy network's circuit: inputs (embeddings), SAE features and the error at one hook, outputs (logits). */
function toyLike() {
  const train = toyData(64, 1);
  const net = trainToyNetwork(train);
  return toyCircuit(net, trainToySae(net, train), [1, 0.1]).circuit;
}
