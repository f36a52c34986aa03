import { readFileSync } from 'node:fs';
import { computePromptGraph, validateNeuronpediaGraph } from '@workbench/analysis';
import { describe, expect, it } from 'vitest';
import { commands, contentFromDoc, docFromContent, type EditorDoc } from './editor-store';
import { type CircuitContent, normalizeContent, parseCircuitJson, toAttributionGraph } from './graph';

// A graph circuit-tracer wrote (see tests/fixtures/graphs/README.md for where it comes from).
const FIXTURE = new URL('../../../tests/fixtures/graphs/123-gemma-3-1b-pt-gemmascope2-16k.json', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON read back in tests
type Json = Record<string, any>;
const fixture = (): Json => JSON.parse(readFileSync(FIXTURE, 'utf8'));

/** What a version keeps: the server stores the content as JSON (JSONB), so only JSON survives. */
const stored = (content: CircuitContent): CircuitContent =>
  normalizeContent(JSON.parse(JSON.stringify({ ...content, message: '' })));

/** Import (parseCircuitJson), save (the server's storage), open in the editor. */
function openImported(json: unknown): EditorDoc {
  return docFromContent(stored(parseCircuitJson(json)));
}

const exported = (doc: EditorDoc): Json => JSON.parse(JSON.stringify(toAttributionGraph(doc)));

describe('Neuronpedia / circuit-tracer JSON: import, store, export', () => {
  it('gives the fixture back unchanged when nothing was edited (up to key order and number formatting)', () => {
    const doc = openImported(fixture());
    expect(doc.graph.nodes).toHaveLength(57);
    expect(doc.graph.edges).toHaveLength(221);
    expect(exported(doc)).toEqual(fixture());
    // and again, after the export was imported and saved once more
    expect(exported(openImported(exported(doc)))).toEqual(fixture());
  });

  it('keeps unknown fields at the top, in metadata, qParams, nodes and links', () => {
    const g = fixture();
    g.qk_only_nodes = {
      '3_9_1': { node_id: '3_9_1', feature_type: 'lorsa', layer: '3', ctx_idx: 1, jsNodeId: 'x', clerp: '' },
    };
    g.metadata.custom = { who: 'a colleague', list: [1, 2] };
    g.qParams.extra = 'kept';
    g.qParams.pinnedIds = ['4_42_1', '27_236812_3'];
    g.qParams.supernodes = [
      ['counting', '0_391_1', '0_1281_1'],
      ['outputs', '27_236812_3', '27_236771_3'],
    ];
    g.nodes[0].vis_link = 'https://example.org/f/391';
    g.links[0].note = 'unknown link field';
    const doc = openImported(g);
    expect(doc.groups.map((x) => x.label)).toEqual(['counting', 'outputs']);
    expect(exported(doc)).toEqual(g);
  });

  it('changes only what the edits touch: labels, supernodes, pins, hidden nodes', () => {
    const g = fixture();
    g.qParams.supernodes = [['embeddings', 'E_2_0', 'E_236770_1']];
    g.qParams.pinnedIds = ['4_42_1'];
    let doc = openImported(g);
    doc = commands.annotate('nodes', '3_234_1', { label: 'digit one' }).apply(doc);
    doc = commands.group(['24_1500_3', '24_2367_3'], 'late layer 24', 'g-new').apply(doc);
    doc = commands.setPinned(['20_358_3'], true).apply(doc);
    doc = commands.hide(['0_179_3']).apply(doc);
    const out = exported(doc);

    const expected = fixture();
    expected.qParams.pinnedIds = ['4_42_1', '20_358_3'];
    expected.qParams.supernodes = [
      ['embeddings', 'E_2_0', 'E_236770_1'],
      ['late layer 24', '24_1500_3', '24_2367_3'],
    ];
    expected.nodes = expected.nodes.filter((n: Json) => n.node_id !== '0_179_3');
    expected.nodes.find((n: Json) => n.node_id === '3_234_1').clerp = 'digit one';
    expected.links = expected.links.filter((l: Json) => l.source !== '0_179_3' && l.target !== '0_179_3');
    expect(out).toEqual(expected);
    expect(out.links.length).toBe(221 - 2);

    // the same through a save: what the editor stores and opens again exports the same
    const saved = docFromContent(stored(contentFromDoc(doc)), Object.keys(doc.pinned));
    expect(exported(saved)).toEqual(expected);
  });

  it("opens qParams.pinnedIds as the editor's pins; unpinning and pinning reach the export and a saved version", () => {
    const g = fixture();
    g.qParams.pinnedIds = ['4_42_1', '27_236812_3', 'not_a_node'];
    let doc = openImported(g);
    expect(Object.keys(doc.pinned)).toEqual(['4_42_1', '27_236812_3']);
    // The URL's pins join the file's.
    expect(Object.keys(docFromContent(stored(parseCircuitJson(g)), ['9_251_1']).pinned)).toEqual([
      '9_251_1',
      '4_42_1',
      '27_236812_3',
    ]);
    doc = commands.setPinned(['4_42_1'], false).apply(doc);
    doc = commands.setPinned(['20_358_3'], true).apply(doc);
    expect(exported(doc).qParams.pinnedIds).toEqual(['27_236812_3', '20_358_3']);

    // Saved and opened again (no pins in the URL): the same pins, the same export.
    const saved = stored(contentFromDoc(doc));
    expect(saved.graph.qParams).toEqual({ ...fixture().qParams, pinnedIds: ['27_236812_3', '20_358_3'] });
    const reopened = docFromContent(saved);
    expect(Object.keys(reopened.pinned)).toEqual(['27_236812_3', '20_358_3']);
    expect(exported(reopened).qParams.pinnedIds).toEqual(['27_236812_3', '20_358_3']);

    // An import into an open circuit brings its pins beside those already set.
    const replaced = commands
      .replaceContent(parseCircuitJson(g))
      .apply(docFromContent(stored(parseCircuitJson(g)), ['0_391_1']));
    expect(Object.keys(replaced.pinned)).toEqual(['0_391_1', '4_42_1', '27_236812_3']);
  });

  it('a graph not of this format gets no qParams when saved with pins', () => {
    const doc = docFromContent(parseCircuitJson({ nodes: [{ id: 'a' }, { id: 'b' }], edges: [] }), ['a']);
    expect(contentFromDoc(doc).graph).toEqual({ nodes: [{ id: 'a' }, { id: 'b' }], edges: [] });
  });

  it('a renamed or ungrouped supernode is rewritten or left out; one with a hidden member loses it (and stays while it has one)', () => {
    const g = fixture();
    g.qParams.supernodes = [
      ['a', '0_391_1', '0_1281_1', '0_2511_1'],
      ['b', '4_42_1', '4_165_1'],
      ['c', '9_251_1', '9_477_1'],
    ];
    let doc = openImported(g);
    doc = commands.renameGroup('g1', 'a, renamed').apply(doc);
    doc = commands.ungroup(['g2']).apply(doc);
    doc = commands.hide(['9_251_1']).apply(doc);
    expect(exported(doc).qParams.supernodes).toEqual([
      ['a, renamed', '0_391_1', '0_1281_1', '0_2511_1'],
      ['c', '9_477_1'],
    ]);
    doc = commands.showAll().apply(doc);
    doc = commands.hide(['0_2511_1']).apply(doc);
    expect(exported(doc).qParams.supernodes).toEqual([
      ['a, renamed', '0_391_1', '0_1281_1'],
      ['c', '9_251_1', '9_477_1'],
    ]);
  });

  it('says where a foreign graph came from and invents nothing about its model or method', () => {
    const out = exported(openImported(fixture()));
    expect(out.metadata.scan).toBe('gemma-3-1b');
    expect(out.metadata.info.generator.name).toBe('circuit-tracer by Hanna & Piotrowski');
    expect(out.metadata.info.creator_name).toBe('circuit-tracer nnsight backend (RTX 5090, bfloat16)');
    expect(out.metadata).not.toHaveProperty('workbench');
    expect(out.nodes.find((n: Json) => n.node_id === '27_236812_3')).toMatchObject({
      token_prob: 0.328125,
      is_target_logit: true,
    });
  });

  it('rejects malformed graphs with errors that name the node or link', () => {
    const missing = fixture();
    missing.links[5].target = '9_9_9';
    expect(() => parseCircuitJson(missing)).toThrow(
      /Link 5 \(E_236770_1 -> 9_9_9\) joins "9_9_9", which is not a node/,
    );
    const duplicate = fixture();
    duplicate.nodes[3].node_id = '0_391_1';
    expect(() => parseCircuitJson(duplicate)).toThrow(/Node 3 \("0_391_1"\) has the same id as node 0/);
    const wrongType = fixture();
    wrongType.nodes[2].ctx_idx = '1';
    expect(() => parseCircuitJson(wrongType)).toThrow(/Node 2 \("0_2511_1"\): ctx_idx must be an integer \(got "1"\)/);
    const wrongFeature = fixture();
    wrongFeature.nodes[40].feature = 'error';
    expect(() => parseCircuitJson(wrongFeature)).toThrow(/Node 40 \("0_-1_1"\): feature must be an integer or null/);
    const wrongWeight = fixture();
    wrongWeight.links[0].weight = '8.1875';
    expect(() => parseCircuitJson(wrongWeight)).toThrow(/Link 0 \(E_2_0 -> 0_391_1\): weight must be a number/);
  });

  it('exports a graph not read from this format with the fields the schema requires', () => {
    const doc = docFromContent(
      parseCircuitJson({
        nodes: [{ id: 'a', layer: 1, clerp: 'x' }, { id: 'b' }],
        edges: [{ source: 'a', target: 'b' }],
      }),
    );
    const out = exported(doc);
    expect(Object.keys(out.metadata).sort()).toEqual(['prompt', 'prompt_tokens', 'scan', 'slug']);
    for (const n of out.nodes)
      for (const key of ['node_id', 'feature', 'layer', 'ctx_idx', 'feature_type', 'jsNodeId', 'clerp'])
        expect(n).toHaveProperty(key);
    expect(out.links).toEqual([{ source: 'a', target: 'b', weight: 0 }]);
  });
});

// A graph Neuronpedia's graph server wrote (its own generator run of circuit-tracer, with Neuronpedia's fields:
// `jsNodeId`, `run_idx`, `reverse_ctx_idx`, `influence`, `activation`, `scan`, `info.transcoder_set`); see
// tests/fixtures/graphs/README.md.
const NEURONPEDIA = new URL('../../../tests/fixtures/graphs/123-gemma-2-2b-clt-hp.json', import.meta.url);
const neuronpedia = (): Json => JSON.parse(readFileSync(NEURONPEDIA, 'utf8'));

describe('a graph exported by Neuronpedia', () => {
  it('comes back unchanged, twice over, when nothing was edited', () => {
    const doc = openImported(neuronpedia());
    expect(doc.graph.nodes).toHaveLength(24);
    expect(doc.graph.edges).toHaveLength(75);
    expect(exported(doc)).toEqual(neuronpedia());
    expect(exported(openImported(exported(doc)))).toEqual(neuronpedia());
  });

  it('keeps its null activations and influences, its logit labels and its provenance', () => {
    const out = exported(openImported(neuronpedia()));
    expect(out.nodes.find((n: Json) => n.node_id === '24_-1_3')).toMatchObject({ activation: null, feature: -1 });
    expect(out.nodes.find((n: Json) => n.node_id === '27_144988_3')).toMatchObject({
      clerp: 'Output "澳门" (p=0.110)',
      influence: null,
      jsNodeId: 'L_144988-3',
    });
    expect(out.metadata.info.transcoder_set).toBe('mntss/clt-gemma-2-2b-2.5M');
    expect(out.metadata).not.toHaveProperty('workbench');
  });

  it('changes only what an edit touches: a label, a supernode and a pin', () => {
    let doc = openImported(neuronpedia());
    doc = commands.annotate('nodes', '20_93988_3', { label: 'says a digit comes next' }).apply(doc);
    doc = commands.group(['0_18753_3', '0_27046_3'], 'layer-0 "3"', 'g-np').apply(doc);
    doc = commands.setPinned(['27_235310_3'], true).apply(doc);
    const expected = neuronpedia();
    expected.nodes.find((n: Json) => n.node_id === '20_93988_3').clerp = 'says a digit comes next';
    expected.qParams.supernodes = [['layer-0 "3"', '0_18753_3', '0_27046_3']];
    expected.qParams.pinnedIds = ['27_235310_3'];
    expect(exported(doc)).toEqual(expected);
    const saved = docFromContent(stored(contentFromDoc(doc)), Object.keys(doc.pinned));
    expect(exported(saved)).toEqual(expected);
  });

  it('rejects a link to a node the file does not have, naming the link', () => {
    const broken = neuronpedia();
    broken.links[20].source = '13_82873_4';
    expect(() => parseCircuitJson(broken)).toThrow(
      /Link 20 \(13_82873_4 -> 20_93988_3\) joins "13_82873_4", which is not a node/,
    );
  });
});

// A one-prompt attribution graph the engine computed on the demo model (what the graph job stores).
describe('a one-prompt attribution graph computed here', () => {
  it('exports as circuit-tracer JSON valid against the bundled schema, logits with probabilities, and re-imports', async () => {
    const { circuit } = await computePromptGraph({
      model: 'demo',
      transcoders: 'demo',
      prompt: 'The cats near the tree',
    });
    const doc = openImported(JSON.parse(JSON.stringify(circuit)));
    const out = exported(doc);
    validateNeuronpediaGraph(out, 'editor export');
    const byId = new Map(out.nodes.map((n: Json) => [n.node_id, n]));
    const logits = circuit.nodes.filter((n) => n.kind === 'output');
    const top = logits.reduce((a, n) => (n.probability! > a.probability! ? n : a));
    for (const logit of logits) {
      const node = byId.get(logit.id) as Json;
      expect(node).toMatchObject({ feature_type: 'logit', token_prob: logit.probability });
      expect(node.is_target_logit).toBe(logit === top);
    }
    const feature = circuit.nodes.find((n) => n.kind === 'feature')!;
    expect((byId.get(feature.id) as Json).feature_type).toBe('per layer transcoder');
    const error = circuit.nodes.find((n) => n.kind === 'error')!;
    expect((byId.get(error.id) as Json).feature_type).toBe('mlp reconstruction error');
    // Imported again it is the same circuit: every node and edge, the method and its scores.
    const again = openImported(out);
    expect(again.graph.nodes.map((n) => n.id)).toEqual(circuit.nodes.map((n) => n.id));
    expect(again.graph.edges).toHaveLength(circuit.edges.length);
    expect(again.graph.method).toMatchObject({ kind: 'graph' });
    expect((again.graph.metrics as Json).replacementScore).toBe(circuit.metrics.replacementScore);
  }, 60_000);
});
