// Which graphs this workbench can analyse: a graph made with a model or SAEs it does not have opens read-only for
// analysis, saying so, and its features link to no feature page.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Graph, parseCircuitJson } from './graph';
import { type AppModel, graphSupport, labelFeatureKey, linkedFeatureKey } from './model-support';

const FIXTURE = new URL('../../../tests/fixtures/graphs/123-gemma-3-1b-pt-gemmascope2-16k.json', import.meta.url);
const fixture = (): Graph => parseCircuitJson(JSON.parse(readFileSync(FIXTURE, 'utf8'))).graph;
const DEMO: AppModel = { id: 'demo', saes: [{ id: 'demo/l0-mlp', hook: 'blocks.0.hook_mlp_out' }] };
const READ_ONLY =
  'you can read, label, comment, review and vote; feature pages, dashboards and evaluation are unavailable for its';

/** A circuit this app computed on gpt2-small: a feature at each of two SAEs' hooks, an error and the metric. */
const computed: Graph = {
  schema: 'workbench.circuit',
  hooks: ['hook_embed', 'blocks.0.hook_attn_out', 'blocks.0.hook_mlp_out'],
  model: { name: 'gpt2-small' },
  saes: [
    { hook: 'blocks.0.hook_attn_out', id: 'gpt2-small/0-att' },
    { hook: 'blocks.0.hook_mlp_out', id: 'gpt2-small/0-mlp' },
  ],
  nodes: [
    { id: 'a', kind: 'feature', hook: 'blocks.0.hook_attn_out', layer: 0, feature: 752, position: 2 },
    { id: 'm', kind: 'feature', hook: 'blocks.0.hook_mlp_out', layer: 0, feature: 9, position: 2 },
    { id: 'e', kind: 'error', hook: 'blocks.0.hook_mlp_out', layer: 0, position: 3 },
    { id: 'metric', kind: 'metric', hook: 'logits' },
  ],
  edges: [],
};
const GPT2: AppModel = {
  id: 'gpt2-small',
  saes: [
    { id: 'gpt2-small/0-att', hook: 'blocks.0.hook_attn_out' },
    { id: 'gpt2-small/0-mlp', hook: 'blocks.0.hook_mlp_out' },
  ],
};

describe('graphs made with models or SAEs this workbench does not have', () => {
  it('the circuit-tracer fixture (gemma-3-1b, Gemma Scope 2 transcoders): a notice, no links, no evaluation', () => {
    const graph = fixture();
    const support = graphSupport(graph, [DEMO]);
    expect(support.model).toBe('gemma-3-1b');
    expect(support.hasModel).toBe(false);
    expect(support.notice).toBe(
      'This graph was made with gemma-3-1b and the transcoders mwhanna/gemma-scope-2-1b-pt/transcoder_all/width_16k_l0_small_affine, ' +
        `which this workbench does not have: ${READ_ONLY} 40 features.`,
    );
    expect(support.featureCount).toBe(40);
    expect(support.unlinked.size).toBe(40);
    expect(support.unlinked.has('0_391_1')).toBe(true);
    expect(support.unlinked.has('0_-1_1')).toBe(false); // an error node is no feature
    expect(support.noModelRuns).toBe('Evaluation needs gemma-3-1b, which this workbench does not have');
    expect(graph.nodes.filter((n) => linkedFeatureKey(n, graph, [DEMO]))).toEqual([]);
  });

  it('the model but not its transcoders: says which are missing', () => {
    const support = graphSupport(fixture(), [DEMO, { id: 'gemma-3-1b', saes: [] }]);
    expect(support.hasModel).toBe(true);
    expect(support.notice).toBe(
      "This graph's features come from the transcoders mwhanna/gemma-scope-2-1b-pt/transcoder_all/width_16k_l0_small_affine, " +
        `which this workbench does not have for gemma-3-1b: ${READ_ONLY} 40 features.`,
    );
  });

  it('an attribution graph whose SAEs are here links its features; one SAE missing leaves only its nodes unlinked', () => {
    const graph: Graph = {
      metadata: { scan: 'gpt2-small', saeIds: { 0: 'gpt2-small/0-att', 1: 'gpt2-small/1-att' } },
      nodes: [
        { id: '0_5_1', layer: '0', ctx_idx: 1, feature: 5, feature_type: 'sae' },
        { id: '1_7_1', layer: '1', ctx_idx: 1, feature: 7, feature_type: 'sae' },
        { id: '0_-1_1', layer: '0', ctx_idx: 1, feature: -1, feature_type: 'mlp reconstruction error' },
      ],
      edges: [],
    };
    const withBoth: AppModel = { id: 'gpt2-small', saes: [...GPT2.saes, { id: 'gpt2-small/1-att', hook: 'h1' }] };
    expect(graphSupport(graph, [withBoth]).notice).toBeNull();
    expect(linkedFeatureKey(graph.nodes[1]!, graph, [withBoth])).toEqual({
      modelId: 'gpt2-small',
      saeId: 'gpt2-small/1-att',
      featureIndex: 7,
    });
    const partial = graphSupport(graph, [GPT2]);
    expect([...partial.unlinked]).toEqual(['1_7_1']);
    expect(partial.notice).toBe(
      "This graph's features come from the SAEs gpt2-small/1-att, which this workbench does not have for gpt2-small: " +
        `${READ_ONLY} 1 feature.`,
    );
    expect(linkedFeatureKey(graph.nodes[0]!, graph, [GPT2])?.saeId).toBe('gpt2-small/0-att');
    expect(linkedFeatureKey(graph.nodes[1]!, graph, [GPT2])).toBeNull();

    // Labels and votes: kept for a model not served here; refused for a served model's missing SAE.
    expect(labelFeatureKey(graph.nodes[1]!, graph, [DEMO])).toEqual({
      modelId: 'gpt2-small',
      saeId: 'gpt2-small/1-att',
      featureIndex: 7,
    });
    expect(linkedFeatureKey(graph.nodes[1]!, graph, [DEMO])).toBeNull();
    expect(labelFeatureKey(graph.nodes[1]!, graph, [GPT2])).toBeNull();
    expect(labelFeatureKey(graph.nodes[0]!, graph, [GPT2])?.saeId).toBe('gpt2-small/0-att');
    expect(labelFeatureKey(graph.nodes[2]!, graph, [DEMO])).toBeNull();
  });

  it('a circuit computed here opens with everything; the same file elsewhere says what is missing', () => {
    const here = graphSupport(computed, [DEMO, GPT2]);
    expect(here.notice).toBeNull();
    expect(here.noModelRuns).toBeNull();
    expect(here.unlinked.size).toBe(0);
    const elsewhere = graphSupport(computed, [DEMO]);
    expect(elsewhere.notice).toBe(
      'This graph was made with gpt2-small and the SAEs gpt2-small/0-att, gpt2-small/0-mlp, which this workbench ' +
        `does not have: ${READ_ONLY} 2 features.`,
    );
    expect(elsewhere.noModelRuns).toBe('Evaluation needs gpt2-small, which this workbench does not have');
    const oneSaeGone = graphSupport(computed, [{ id: 'gpt2-small', saes: [GPT2.saes[0]!] }]);
    expect(oneSaeGone.noModelRuns).toBe(
      'Evaluation needs the SAEs gpt2-small/0-mlp, which this workbench does not have',
    );
  });

  it('a graph without features, or one that names no model', () => {
    expect(graphSupport({ nodes: [{ id: 'x' }], edges: [] }, [DEMO]).notice).toBeNull();
    const unnamed = graphSupport(
      { nodes: [{ id: '3_1_0', layer: '3', feature: 1, feature_type: 'cross layer transcoder' }], edges: [] },
      [DEMO],
    );
    expect(unnamed.model).toBeUndefined();
    expect(unnamed.notice).toBe(`This graph does not say which model it was made with: ${READ_ONLY} 1 feature.`);
  });
});

describe('a one-prompt attribution graph computed here', () => {
  const graph: Graph = {
    schema: 'workbench.circuit',
    hooks: ['blocks.0.hook_mlp_out'],
    model: { name: 'demo' },
    method: { kind: 'graph' },
    saes: [{ hook: 'blocks.0.hook_mlp_out', id: 'demo/blocks.0.ln2.hook_normalized', architecture: 'transcoder/topk' }],
    nodes: [
      { id: 'f', kind: 'feature', hook: 'blocks.0.hook_mlp_out', layer: 0, feature: 7, position: 1 },
      { id: 'o', kind: 'output', hook: 'logits', feature: 12, position: 1, probability: 0.4 },
    ],
    edges: [],
  };
  const withTranscoders: AppModel = { ...DEMO, transcoders: [{ id: 'demo/blocks.0.ln2.hook_normalized' }] };

  it('names nothing missing when the transcoders are here; labels work, feature pages and evaluation do not', () => {
    const support = graphSupport(graph, [withTranscoders]);
    expect(support.notice).toBeNull();
    expect(support.unlinked.size).toBe(0);
    expect(support.noModelRuns).toMatch(/^A one-prompt attribution graph has no prompt pairs/);
    const node = graph.nodes[0]!;
    expect(linkedFeatureKey(node, graph, [withTranscoders])).toBeNull();
    expect(labelFeatureKey(node, graph, [withTranscoders])).toEqual({
      modelId: 'demo',
      saeId: 'demo/blocks.0.ln2.hook_normalized',
      featureIndex: 7,
    });
  });

  it('says which transcoders are missing on a workbench without them', () => {
    const support = graphSupport(graph, [DEMO]);
    expect(support.notice).toMatch(/the SAEs demo\/blocks\.0\.ln2\.hook_normalized/);
    expect(labelFeatureKey(graph.nodes[0]!, graph, [DEMO])).toBeNull();
  });
});
