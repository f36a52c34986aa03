// How the editor reads a graph's nodes (rows, names, colours, feature pages), for a circuit the workbench computed
// and for an attribution graph from elsewhere. Import and export of the exchange format: graph-exchange.test.ts.
import { describe, expect, it } from 'vitest';
import {
  computedNodeText,
  featureKeyOf,
  featurePath,
  type Graph,
  type GraphNode,
  influenceOf,
  nodeLookOf,
  normalizeContent,
  positionOf,
  promptColumns,
  rowLabels,
  rowOf,
  sublayerOf,
} from './graph';

const HOOKS = ['hook_embed', 'blocks.0.hook_attn_out', 'blocks.0.hook_mlp_out', 'blocks.0.hook_resid_post'];

/** A computed circuit as the server stores it (schema workbench.circuit), nodes from the embedding to the metric. */
const computed: Graph = {
  schema: 'workbench.circuit',
  hooks: HOOKS,
  model: { name: 'gpt2-small' },
  saes: [
    { hook: 'blocks.0.hook_attn_out', id: 'gpt2-small/0-att-kk' },
    { hook: 'blocks.0.hook_mlp_out', id: 'gpt2-small/0-mlp-tm' },
  ],
  dataset: { promptTokens: ['<|endoftext|>', 'The', ' keys', ' are'], patchTokens: ['<|endoftext|>', 'The', ' key'] },
  nodes: [
    { id: 'hook_embed:12:1', kind: 'input', hook: 'hook_embed', feature: 12, position: 1, effect: 0.5 },
    {
      id: 'blocks.0.hook_attn_out:752:2',
      kind: 'feature',
      hook: 'blocks.0.hook_attn_out',
      layer: 0,
      feature: 752,
      position: 2,
      effect: -0.25,
    },
    {
      id: 'blocks.0.hook_mlp_out:error:3',
      kind: 'error',
      hook: 'blocks.0.hook_mlp_out',
      layer: 0,
      position: 3,
      effect: 0.125,
    },
    {
      id: 'blocks.0.hook_resid_post:7:*',
      kind: 'feature',
      hook: 'blocks.0.hook_resid_post',
      layer: 0,
      feature: 7,
      effect: 1,
    }, // summed over positions
    { id: 'metric', kind: 'metric', hook: 'logits', effect: 2 },
  ],
  edges: [],
};
const node = (graph: Graph, id: string) => graph.nodes.find((n) => n.id === id)!;

/** An attribution graph from circuit-tracer: layers as strings, "E" the embedding, logits above the last layer. */
const foreign: Graph = {
  metadata: { scan: 'gemma-2-2b', saeId: 'gemmascope-transcoder-16k/{layer}', prompt_tokens: ['<bos>', 'The', ' cat'] },
  nodes: [
    { id: 'E_651_1', layer: 'E', ctx_idx: 1, feature: 1, feature_type: 'embedding', influence: 0.3 },
    { id: '3_2079_2', layer: '3', ctx_idx: 2, feature: 2079, feature_type: 'cross layer transcoder', influence: -0.7 },
    { id: '3_-1_2', layer: '3', ctx_idx: 2, feature: -1, feature_type: 'mlp reconstruction error', influence: 0.1 },
    { id: '27_9_2', layer: '27', ctx_idx: 2, feature: 9, feature_type: 'logit' },
  ],
  edges: [],
};

describe('rows and their labels', () => {
  it('a computed circuit: one row per hook in forward order, the metric on top', () => {
    expect(computed.nodes.map((n) => rowOf(n, computed))).toEqual([0, 1, 2, 3, 4]);
    expect(rowOf({ id: 'x', hook: 'blocks.5.hook_mlp_out' }, computed)).toBeUndefined();
    expect([...rowLabels(computed)]).toEqual([
      [0, 'embed'],
      [1, 'L0 attn'],
      [2, 'L0 mlp'],
      [3, 'L0 resid'],
      [4, 'metric'],
    ]);
  });

  it('a toy network circuit: its inputs below the hooks, its outputs on top', () => {
    const toy: Graph = {
      schema: 'workbench.circuit',
      hooks: ['toy.hidden', 'toy.sae'],
      nodes: [
        { id: 'toy.input:0:0', kind: 'input', hook: 'toy.input' },
        { id: 'toy.hidden:1:0', kind: 'hidden', hook: 'toy.hidden' },
        { id: 'toy.sae:2:0', kind: 'feature', hook: 'toy.sae' },
        { id: 'toy.output:1:0', kind: 'output', hook: 'toy.output' },
      ],
      edges: [],
    };
    expect(toy.nodes.map((n) => rowOf(n, toy))).toEqual([-1, 0, 1, 2]);
    expect(Object.fromEntries(rowLabels(toy))).toEqual({ '-1': 'inputs', 0: 'hidden', 1: 'sae', 2: 'outputs' });
  });

  it('other graphs: the layer ("E" is -1, numeric strings are numbers), a row of logits named so', () => {
    expect(foreign.nodes.map((n) => rowOf(n, foreign))).toEqual([-1, 3, 3, 27]);
    expect(rowOf({ id: 'x', layer: ' ' }, foreign)).toBeUndefined();
    expect(rowOf({ id: 'x', layer: 'mlp' }, foreign)).toBeUndefined();
    expect(rowOf({ id: 'x', layer: 4 }, foreign)).toBe(4);
    expect(Object.fromEntries(rowLabels(foreign))).toEqual({ '-1': 'embed', 3: 'L3', 27: 'logits' });
  });

  it('names a hook by its submodule', () => {
    expect(
      [
        'hook_embed',
        'blocks.0.hook_resid_pre',
        'blocks.2.hook_attn_out',
        'blocks.2.hook_mlp_out',
        'blocks.2.hook_resid_post',
        'blocks.1.ln2.hook_normalized',
      ].map(sublayerOf),
    ).toEqual(['embed', 'embed', 'attn', 'mlp', 'resid', 'normalized']);
  });
});

describe('what a node says', () => {
  it('a computed node: layer, submodule, feature or error, and the first prompt’s token at its position', () => {
    expect(computed.nodes.map((n) => computedNodeText(n, computed))).toEqual([
      { name: 'embed #12', place: '“The” @1' },
      { name: 'L0 attn #752', place: '“ keys” @2' },
      { name: 'L0 mlp error', place: '“ are” @3' },
      { name: 'L0 resid #7', place: 'all positions' },
      { name: 'metric', place: 'logit difference' },
    ]);
    expect(
      computedNodeText(
        { id: 'x', kind: 'feature', hook: 'blocks.0.hook_attn_out', layer: 0, feature: 1, position: 9 },
        computed,
      ),
    ).toEqual({
      name: 'L0 attn #1',
      place: '@9',
    });
    expect(computedNodeText(foreign.nodes[1]!, foreign)).toBeUndefined();
  });

  it("names a one-prompt graph's logits and embeddings by their token's text, with the logit's probability", () => {
    const graph: Graph = { schema: 'workbench.circuit', hooks: ['blocks.0.hook_mlp_out'], nodes: [], edges: [] };
    const logit = {
      id: 'logits:89:5',
      kind: 'output',
      hook: 'logits',
      feature: 89,
      position: 5,
      label: ' are',
      probability: 0.146,
    };
    const embed = { id: 'hook_embed:36:1', kind: 'input', hook: 'hook_embed', feature: 36, position: 1, label: 'The' };
    expect(computedNodeText(logit, graph)).toEqual({ name: 'logit “ are”', place: 'p = 0.15' });
    expect(computedNodeText(embed, graph)).toEqual({ name: 'embed “The”', place: '@1' });
  });

  it('influence is `influence` or `effect`, finite numbers only; position is ctx_idx or position', () => {
    expect(computed.nodes.map(influenceOf)).toEqual([0.5, -0.25, 0.125, 1, 2]);
    expect(foreign.nodes.map(influenceOf)).toEqual([0.3, -0.7, 0.1, undefined]);
    expect(influenceOf({ id: 'x', influence: Number.NaN })).toBeUndefined();
    expect(influenceOf({ id: 'x', effect: '3' })).toBeUndefined();
    expect(influenceOf({ id: 'x', influence: 0, effect: 5 })).toBe(0);
    expect(computed.nodes.map(positionOf)).toEqual([1, 2, 3, undefined, undefined]);
    expect(foreign.nodes.map(positionOf)).toEqual([1, 2, 2, 2]);
  });

  it('colours: a computed node by its hook’s submodule, another graph’s by its feature type; errors marked', () => {
    expect(computed.nodes.map((n) => nodeLookOf(n, computed))).toEqual([
      { submodule: 'embed', error: false },
      { submodule: 'attn', error: false },
      { submodule: 'mlp', error: true },
      { submodule: 'resid', error: false },
      { submodule: 'output', error: false },
    ]);
    expect(foreign.nodes.map((n) => nodeLookOf(n, foreign))).toEqual([
      { submodule: 'embed', error: false },
      { submodule: 'transcoder', error: false },
      { submodule: 'mlp', error: true },
      { submodule: 'output', error: false },
    ]);
    expect(nodeLookOf({ id: 'x', feature_type: 'something new' }, foreign)).toEqual({
      submodule: 'other',
      error: false,
    });
  });

  it('the prompt’s columns, with the patched token where it differs', () => {
    expect(promptColumns(computed)).toEqual([
      { clean: '<|endoftext|>' },
      { clean: 'The' },
      { clean: ' keys', patch: ' key' },
      { clean: ' are' },
    ]);
    expect(promptColumns(foreign)).toEqual([{ clean: '<bos>' }, { clean: 'The' }, { clean: ' cat' }]);
    expect(promptColumns({ nodes: [], edges: [], metadata: { prompt_tokens: ['a', 3] } })).toEqual([]);
  });
});

describe('feature pages', () => {
  it('a computed node’s feature: the model, and the SAE at the node’s hook', () => {
    expect(featureKeyOf(node(computed, 'blocks.0.hook_attn_out:752:2'), computed)).toEqual({
      modelId: 'gpt2-small',
      saeId: 'gpt2-small/0-att-kk',
      featureIndex: 752,
    });
    // No SAE at the residual hook in this file; errors, embeddings and the metric are no features.
    expect(featureKeyOf(node(computed, 'blocks.0.hook_resid_post:7:*'), computed)).toBeNull();
    expect(featureKeyOf(node(computed, 'blocks.0.hook_mlp_out:error:3'), computed)).toBeNull();
    expect(featureKeyOf(node(computed, 'metric'), computed)).toBeNull();
  });

  it('another graph’s: the scan, and the SAE from metadata (by layer, or the pattern with the layer in it)', () => {
    expect(featureKeyOf(foreign.nodes[1]!, foreign)).toEqual({
      modelId: 'gemma-2-2b',
      saeId: 'gemmascope-transcoder-16k/3',
      featureIndex: 2079,
    });
    const byLayer: Graph = { ...foreign, metadata: { modelId: 'm', saeIds: { 3: 'm/res-3' }, saeId: 'unused' } };
    expect(featureKeyOf(foreign.nodes[1]!, byLayer)).toEqual({ modelId: 'm', saeId: 'm/res-3', featureIndex: 2079 });
    const own: GraphNode = { ...foreign.nodes[1]!, modelId: 'other', saeId: 'other/sae' };
    expect(featureKeyOf(own, foreign)).toEqual({ modelId: 'other', saeId: 'other/sae', featureIndex: 2079 });
    expect(foreign.nodes.map((n) => featureKeyOf(n, foreign) === null)).toEqual([true, false, true, true]);
    expect(featureKeyOf({ id: 'x', layer: '3', feature: 2.5 }, foreign)).toBeNull();
    expect(featureKeyOf({ id: 'x', layer: '3', feature: 4 }, { nodes: [], edges: [] })).toBeNull();
  });

  it('the page path: the SAE id’s slashes become segments, each part escaped', () => {
    expect(featurePath({ modelId: 'gpt2-small', saeId: 'gpt2-small/0-att-kk', featureIndex: 752 })).toBe(
      '/models/gpt2-small/gpt2-small/0-att-kk/752',
    );
    expect(featurePath({ modelId: 'a b', saeId: 'x?/y#z', featureIndex: 0 })).toBe('/models/a%20b/x%3F/y%23z/0');
  });
});

describe('normalizeContent', () => {
  it('fills what a stored version lacks and keeps what it has', () => {
    expect(normalizeContent({ graph: null, layout: 'x', groups: {}, annotations: [] })).toEqual({
      graph: { nodes: [], edges: [] },
      layout: {},
      groups: [],
      annotations: { nodes: {}, edges: {} },
    });
    const groups = [{ id: 'g1', label: 'subject', nodeIds: ['a'] }];
    expect(
      normalizeContent({
        graph: { nodes: [{ id: 'a' }], metadata: { slug: 's' } },
        layout: { positions: { a: { x: 1, y: 2 } } },
        groups,
        annotations: { nodes: { a: { label: 'L' } } },
      }),
    ).toEqual({
      graph: { nodes: [{ id: 'a' }], edges: [], metadata: { slug: 's' } },
      layout: { positions: { a: { x: 1, y: 2 } } },
      groups,
      annotations: { nodes: { a: { label: 'L' } }, edges: {} },
    });
  });
});
