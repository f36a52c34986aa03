import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../model/config.js';
import { HookedGPT2 } from '../model/hooked.js';
import { randomGPT2Weights } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import { buildCircuitFile } from './api.js';
import { discoverCircuit, toSaeSource } from './discover.js';
import { circuitToJson, readCircuitJson } from './format.js';
import { cantorPair, fromNeuronpedia, neuronpediaValidator, toNeuronpedia } from './neuronpedia.js';
import { NEURONPEDIA_GRAPH_SCHEMA } from './neuronpedia-schema.js';
import { circuitHooks, randomCircuitSae, randomPairs, sharedNeuronpediaSchema } from './testing.js';

// Validate against the outside copy of Neuronpedia's schema when it is beside the repository (CI), else the bundled one.
const validate = neuronpediaValidator(sharedNeuronpediaSchema() ?? undefined);

const config: GPT2Config = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 16, vocabSize: 24, lnEps: 1e-5, bosTokenId: 0 };
const model = new HookedGPT2(config, randomGPT2Weights(config, 3, 0.4), nodeOrt);
const saes = circuitHooks(config.nLayers).map((h, i) => randomCircuitSae(h, config.dModel, 20, 100 + i));

async function circuit(aggregation: 'position' | 'sum') {
  const pairs = randomPairs(config, 2, 5, 3);
  const options = { method: 'atp' as const, nodeThreshold: 0.001, maxNodes: 40, edgeThreshold: 1e-4, aggregation };
  const r = await discoverCircuit(model, saes, pairs, options);
  return buildCircuitFile(
    model,
    saes.map(toSaeSource),
    r,
    options,
    pairs.length,
    { modelName: 'tiny', datasetName: 'random', promptTokens: pairs[0]!.clean.map((t) => ` t${t}`) },
    null,
  );
}

describe('circuit file and Neuronpedia graph exchange', () => {
  it('writes and reads a circuit file; bad files fail with the path of each problem', async () => {
    const c = await circuit('position');
    expect(c.nodes.length).toBeGreaterThan(5);
    expect(c.edges.length).toBeGreaterThan(0);
    for (const n of c.nodes.filter((x) => x.kind === 'feature'))
      expect(n.id).toBe(`${n.hook}:${n.feature}:${n.position}`);
    const back = readCircuitJson(circuitToJson(c));
    expect(back).toEqual(c);
    const broken = JSON.parse(circuitToJson(c));
    broken.edges[0].target = 'blocks.0.hook_mlp_out:999:0';
    broken.nodes[0].effect = 'big';
    broken.version = 7;
    let message = '';
    try {
      readCircuitJson(JSON.stringify(broken), 'broken.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/broken\.json/);
    expect(message).toMatch(/\/version/);
    expect(message).toMatch(/\/nodes\/0\/effect/);
    expect(() => readCircuitJson('{', 'x.json')).toThrow(/x\.json: not JSON/);
  });

  for (const aggregation of ['position', 'sum'] as const) {
    it(`exports graph JSON that validates against the Neuronpedia schema and round-trips (${aggregation})`, async () => {
      const c = await circuit(aggregation);
      const g = toNeuronpedia(c, { slug: 'tiny-test' });
      expect(validate(g), JSON.stringify(validate.errors)).toBe(true);
      const ids = new Set(g.nodes.map((n) => n.node_id));
      expect(ids.size).toBe(g.nodes.length);
      const back0 = new Set([(g.metadata.workbench as { ids: Record<string, string> }).ids.metric]);
      for (const n of g.nodes) {
        const [layer, index, ctx] = n.node_id.split('_');
        if (n.feature_type !== 'embedding') expect([layer, ctx]).toEqual([String(n.layer), String(n.ctx_idx)]);
        if (n.feature_type === 'cross layer transcoder')
          expect(n.feature).toBe(cantorPair(Number(layer), Number(index)));
        if (n.feature_type === 'mlp reconstruction error') expect([index, n.feature]).toEqual(['-1', -1]);
        if (n.feature_type === 'logit') expect(Number(n.layer)).toBe(c.hooks.length + 1);
        expect(n.is_target_logit).toBe(n.feature_type === 'logit' && back0.has(n.node_id));
      }
      for (const l of g.links) expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
      const back = fromNeuronpedia(JSON.parse(JSON.stringify(g)));
      expect(back.nodes.map((n) => n.id)).toEqual(c.nodes.map((n) => n.id));
      expect(back.nodes.map((n) => [n.kind, n.hook, n.feature, n.position])).toEqual(
        c.nodes.map((n) => [n.kind, n.hook, n.feature, n.position]),
      );
      expect(back.edges).toEqual(c.edges);
      expect(back.method).toEqual(c.method);
      expect(back.metrics).toEqual(c.metrics);
    });
  }

  it('imports a circuit-tracer style graph and rejects invalid ones with JSON pointers', () => {
    const foreign = {
      metadata: { slug: 'x', scan: 'gemma-2-2b', prompt_tokens: ['<bos>', 'The', ' cat'], prompt: 'The cat' },
      qParams: { pinnedIds: ['1_5_2'], supernodes: [['cat things', '1_5_2', '3_7_2']], linkType: 'both' },
      nodes: [
        {
          node_id: 'E_651_1',
          feature: 651,
          layer: 'E',
          ctx_idx: 1,
          feature_type: 'embedding',
          jsNodeId: 'E_651-1',
          clerp: '',
        },
        {
          node_id: '1_5_2',
          feature: 5,
          layer: '1',
          ctx_idx: 2,
          feature_type: 'cross layer transcoder',
          jsNodeId: '1_5-2',
          clerp: 'cat',
          influence: 0.4,
          activation: 3.5,
        },
        {
          node_id: '3_7_2',
          feature: 7,
          layer: 3,
          ctx_idx: 2,
          feature_type: 'cross layer transcoder',
          jsNodeId: '3_7-2',
          clerp: '',
        },
        {
          node_id: '0_2_2',
          feature: null,
          layer: '2',
          ctx_idx: 2,
          feature_type: 'mlp reconstruction error',
          jsNodeId: '0_2-2',
          clerp: '',
        },
        {
          node_id: '27_9_2',
          feature: 9,
          layer: '27',
          ctx_idx: 2,
          feature_type: 'logit',
          jsNodeId: '27_9-2',
          clerp: ' purr (p=0.3)',
        },
      ],
      links: [
        { source: 'E_651_1', target: '1_5_2', weight: 1.5 },
        { source: '1_5_2', target: '3_7_2', weight: 0.5 },
        { source: '0_2_2', target: '3_7_2', weight: -0.25 },
        { source: '3_7_2', target: '27_9_2', weight: 2 },
      ],
    };
    expect(validate(foreign)).toBe(true);
    const c = fromNeuronpedia(foreign);
    expect(c.nodes.map((n) => n.id)).toEqual([
      'embed_tokens:651:1',
      'layer_1:5:2',
      'layer_3:7:2',
      'layer_2:error:2',
      'logits:9:2',
    ]);
    expect(c.nodes[1]!.label).toBe('cat');
    expect(c.nodes[1]!.activation).toBe(3.5);
    expect(c.edges[2]).toEqual({ source: 'layer_2:error:2', target: 'layer_3:7:2', weight: -0.25 });
    expect(c.supernodes).toEqual([['cat things', 'layer_1:5:2', 'layer_3:7:2']]);
    // exported again, it validates
    expect(validate(toNeuronpedia(c))).toBe(true);

    const bad = JSON.parse(JSON.stringify(foreign));
    bad.nodes[1].ctx_idx = 'two';
    delete bad.links[0].weight;
    delete bad.metadata.scan;
    expect(validate(bad)).toBe(false);
    let message = '';
    try {
      fromNeuronpedia(bad, 'upload.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/upload\.json/);
    expect(message).toMatch(/\/nodes\/1\/ctx_idx: must be integer/);
    expect(message).toMatch(/\/links\/0: must have required property 'weight'/);
    expect(message).toMatch(/\/metadata: must have required property 'scan'/);
    const dangling = JSON.parse(JSON.stringify(foreign));
    dangling.links[0].target = '9_9_9';
    expect(() => fromNeuronpedia(dangling)).toThrow(/\/links\/0\/target: unknown node "9_9_9"/);
  });
});

describe('bundled Neuronpedia schema', () => {
  it.skipIf(!sharedNeuronpediaSchema())('equals the copy in ../shared/data/neuronpedia', () => {
    expect(NEURONPEDIA_GRAPH_SCHEMA).toEqual(sharedNeuronpediaSchema());
  });
});
