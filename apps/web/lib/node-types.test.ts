// What a node is, as the editor shows it (badge, legend, hover card, inspector): circuit-tracer's feature types and
// the kinds of circuits this app computes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Graph, type GraphNode, parseCircuitJson } from './graph';
import { nodeTypeCounts, nodeTypeOf, nodeTypeText } from './node-types';

const FIXTURE = new URL('../../../tests/fixtures/graphs/123-gemma-3-1b-pt-gemmascope2-16k.json', import.meta.url);
const foreign: Graph = { metadata: { scan: 'gemma-2-2b' }, nodes: [], edges: [] };
const computed: Graph = { schema: 'workbench.circuit', hooks: [], nodes: [], edges: [] };
const typed = (feature_type: string, more: Partial<GraphNode> = {}): GraphNode => ({ id: 'n', feature_type, ...more });

describe('node types', () => {
  it('reads circuit-tracer feature types', () => {
    const cases: [string, string][] = [
      ['cross layer transcoder', 'clt'],
      ['Cross-Layer Transcoder', 'clt'],
      ['clt', 'clt'],
      ['transcoder', 'transcoder'],
      ['per layer transcoder', 'transcoder'],
      ['sae', 'sae'],
      ['feature', 'sae'],
      ['mlp reconstruction error', 'error'],
      ['lorsa error', 'error'],
      ['embedding', 'embedding'],
      ['logit', 'logit'],
      ['lorsa', 'other'],
    ];
    for (const [featureType, type] of cases)
      expect([featureType, nodeTypeOf(typed(featureType), foreign)]).toEqual([featureType, type]);
  });

  it('reads the kinds of a computed circuit, and an "E" layer without a type', () => {
    const kinds = ['input', 'feature', 'error', 'metric'].map((kind) => nodeTypeOf({ id: kind, kind }, computed));
    expect(kinds).toEqual(['embedding', 'sae', 'error', 'metric']);
    expect(nodeTypeOf({ id: 'E_3_0', layer: 'E' }, foreign)).toBe('embedding');
    expect(nodeTypeOf({ id: 'x', layer: '3', feature: 4 }, foreign)).toBe('other');
  });

  it("reads a one-prompt graph's features as transcoder features (its saes say transcoder/<activation>)", () => {
    const graph: Graph = {
      ...computed,
      saes: [
        { hook: 'blocks.0.hook_mlp_out', architecture: 'transcoder/topk', dSae: 1024 },
        { hook: 'blocks.1.hook_resid_post', architecture: 'topk', dSae: 1024 },
      ],
    };
    const feature = (hook: string) => nodeTypeOf({ id: hook, kind: 'feature', hook, feature: 3 }, graph);
    expect(feature('blocks.0.hook_mlp_out')).toBe('transcoder');
    expect(feature('blocks.1.hook_resid_post')).toBe('sae');
    expect(nodeTypeOf({ id: 'o', kind: 'output', hook: 'logits', feature: 5 }, graph)).toBe('logit');
  });

  it('names a type, with the file’s own words where they say more', () => {
    expect(nodeTypeText(typed('cross layer transcoder'), foreign)).toBe('cross-layer transcoder feature');
    expect(nodeTypeText(typed('mlp reconstruction error'), foreign)).toBe(
      'reconstruction error (“mlp reconstruction error”)',
    );
    expect(nodeTypeText(typed('logit'), foreign)).toBe('output logit');
    expect(nodeTypeText(typed('lorsa'), foreign)).toBe('“lorsa” node');
    expect(nodeTypeText({ id: 'metric', kind: 'metric' }, computed)).toBe('metric (logit difference)');
  });

  it('counts the fixture’s types in legend order', () => {
    const { graph } = parseCircuitJson(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(nodeTypeCounts(graph)).toEqual([
      { type: 'embedding', count: 4 },
      { type: 'clt', count: 40 },
      { type: 'error', count: 8 },
      { type: 'logit', count: 5 },
    ]);
  });
});
