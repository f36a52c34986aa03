// What the circuit editor draws (components/editor/derive.ts): which nodes pass the thresholds, and the React Flow
// nodes and edges made from the document, with supernodes collapsed, selections, diffs and the object cache.
// It lives here, beside the lib it uses, as apps/web/lib/**/*.test.ts are the web's unit tests.
import { describe, expect, it } from 'vitest';
import { DeriveCache, type DeriveInput, derive, prunableMagnitudes, visibleNodeIds } from '../components/editor/derive';
import type { DiffView, EditorDoc } from './editor-store';
import { featureKeyString, type Graph } from './graph';

const POSITIVE = '#3565c9';
const NEGATIVE = '#d2453b';
const ADDED = '#1f9d55';

/** A circuit-tracer graph: features at layers 1 and 2, an error node, a logit; SAEs named by layer in metadata. */
const graph: Graph = {
  metadata: { scan: 'gemma', saeId: 'gs/{layer}' },
  nodes: [
    {
      id: 'a',
      layer: '1',
      feature: 10,
      feature_type: 'cross layer transcoder',
      activation: 2,
      influence: 0.5,
      clerp: 'subject',
    },
    { id: 'b', layer: '1', feature: 11, activation: -4, influence: -0.3 },
    { id: 'd', layer: '2', feature: 4, activation: 1, influence: 0.2 },
    { id: 'e', layer: '2', feature: -1, feature_type: 'mlp reconstruction error', influence: 0.4 },
    { id: 'c', layer: '2', feature: 3, activation: 1, influence: 0.05 },
    { id: 'L', layer: '3', feature: 9, ctx_idx: 2, feature_type: 'logit' },
    { id: 'f', layer: '2', feature: 5, influence: 0.9 },
  ],
  edges: [
    { source: 'a', target: 'b', weight: 0.5 },
    { source: 'a', target: 'd', weight: 0.25 },
    { source: 'b', target: 'd', weight: 1 },
    { source: 'd', target: 'L', weight: 0.3 },
    { source: 'b', target: 'L', weight: -0.1 },
    { source: 'e', target: 'L', weight: -0.6 },
    { source: 'c', target: 'L', weight: 0.9 },
    { source: 'a', target: 'e', weight: 0.05 },
  ],
};

const doc: EditorDoc = {
  graph,
  hidden: {},
  groups: [{ id: 'g1', label: 'objects', nodeIds: ['b', 'd'] }],
  annotations: { nodes: { e: { label: 'error at L2', note: 'check' } }, edges: {} },
  // a was dragged; f has no position at all (not laid out yet).
  positions: { a: { x: 5, y: 6 } },
  pinned: {},
  layoutExtra: {},
};
const layout = {
  a: { x: 0, y: 0 },
  b: { x: 100, y: 0 },
  d: { x: 200, y: 100 },
  e: { x: 0, y: 100 },
  L: { x: 0, y: 200 },
};
const labels = new Map([
  [featureKeyString({ modelId: 'gemma', saeId: 'gs/1', featureIndex: 10 }), { name: 'subject noun', status: 'human' }],
]);

const input = (over: Partial<DeriveInput> = {}): DeriveInput => ({
  doc,
  positions: layout,
  edgeThreshold: 0.1,
  visible: visibleNodeIds(doc, 0.1),
  selected: new Set(),
  labels,
  diff: null,
  ...over,
});

describe('thresholds', () => {
  it('shows nodes at or above the threshold, and always pinned, grouped, output and effect-less ones; never hidden', () => {
    expect([...visibleNodeIds(doc, 0.1)]).toEqual(['a', 'b', 'd', 'e', 'L', 'f']);
    expect([...visibleNodeIds(doc, 0.5)]).toEqual(['a', 'b', 'd', 'L', 'f']);
    const pinnedAndHidden = {
      ...doc,
      groups: [],
      pinned: { c: true as const },
      hidden: { f: true as const, b: true as const },
    };
    expect([...visibleNodeIds(pinnedAndHidden, 0.45)]).toEqual(['a', 'c', 'L']);
    const noEffect: Graph = { nodes: [{ id: 'x' }, { id: 'y', influence: 0.01 }], edges: [] };
    expect([...visibleNodeIds({ ...doc, graph: noEffect, groups: [] }, 0.1)]).toEqual(['x']);
  });

  it('counts the |effect| of the nodes a threshold can hide (not outputs, not nodes without one)', () => {
    expect(prunableMagnitudes(graph)).toEqual([0.5, 0.3, 0.2, 0.4, 0.05, 0.9]);
  });
});

describe('derive', () => {
  it('draws the visible, placed nodes with their titles and strengths, then the supernodes', () => {
    const out = derive(input(), new DeriveCache());
    expect(out.nodes.map((n) => [n.id, n.type])).toEqual([
      ['a', 'feature'],
      ['e', 'feature'],
      ['L', 'feature'],
      ['g1', 'supernode'],
    ]);
    const [a, e, logit, group] = out.nodes;
    // The feature label outranks the clerp; the strength is |activation| over the graph's largest (|-4|).
    expect(a!.position).toEqual({ x: 5, y: 6 });
    expect(a!.data).toMatchObject({
      title: 'subject noun',
      subtitle: '#10 · L1',
      activation: 2,
      influence: 0.5,
      strength: 0.5,
      labelStatus: 'human',
      note: false,
      pinned: false,
      look: { submodule: 'transcoder', error: false },
    });
    expect(e!.data).toMatchObject({
      title: 'error at L2',
      subtitle: 'e',
      strength: 0,
      note: true,
      labelStatus: undefined,
      look: { submodule: 'mlp', error: true },
    });
    expect(logit!.data).toMatchObject({ title: 'L3 #9', subtitle: 'L', look: { submodule: 'output', error: false } });
    // A supernode sits at its members' mean position and sums their activation and influence.
    expect(group!.position).toEqual({ x: 150, y: 50 });
    expect(group!.data).toMatchObject({
      title: 'objects',
      subtitle: 'supernode · 2 nodes',
      members: 2,
      activation: -3,
      strength: 0.75,
    });
    expect(group!.data.influence).toBeCloseTo(-0.1, 12);
    expect(out.shownNodes).toBe(4);
    expect(Object.fromEntries(out.displayOf)).toEqual({ a: 'a', b: 'g1', d: 'g1', e: 'e', L: 'L', f: 'f' });
  });

  it('sums edges into a supernode, drops those inside one, to hidden nodes or under the threshold', () => {
    const out = derive(input(), new DeriveCache());
    const summary = out.edges.map((edge) => [edge.id, edge.source, edge.target, edge.data?.weight, edge.style?.stroke]);
    expect(summary).toEqual([
      ['a->g1', 'a', 'g1', 0.75, POSITIVE],
      ['g1->L', 'g1', 'L', expect.closeTo(0.2, 12), POSITIVE],
      ['e->L', 'e', 'L', -0.6, NEGATIVE],
    ]);
    // Width grows with |weight| over the largest edge's (1, the one inside the supernode).
    expect(out.edges.map((edge) => edge.style?.strokeWidth)).toEqual([
      0.6 + 4 * 0.75,
      expect.closeTo(0.6 + 4 * 0.2, 12),
      0.6 + 4 * 0.6,
    ]);
    expect(out.edges.map((edge) => edge.style?.opacity)).toEqual([0.75, 0.75, 0.75]);
    expect(out.edges[2]!.ariaLabel).toBe('Edge e->L, weight -0.60');
    expect(out.shownEdges).toBe(3);
    expect(derive(input({ edgeThreshold: 0.5 }), new DeriveCache()).edges.map((edge) => edge.id)).toEqual([
      'a->g1',
      'e->L',
    ]);
  });

  it('a selected node brings its edges forward and fades the rest', () => {
    const out = derive(input({ selected: new Set(['e']) }), new DeriveCache());
    expect(out.nodes.find((n) => n.id === 'e')!.selected).toBe(true);
    const [toGroup, , fromError] = out.edges;
    expect(fromError).toMatchObject({
      className: 'edge-of-selection',
      style: { opacity: 1, strokeWidth: 0.6 + 4 * 0.6 + 1.5 },
    });
    expect(toGroup).toMatchObject({ className: undefined, style: { opacity: 0.15, strokeWidth: 0.6 + 4 * 0.75 } });
  });

  it('a diff marks changed nodes and edges and draws removed ones as ghosts', () => {
    const diff: DiffView = {
      from: 1,
      to: 2,
      nodes: { a: 'changed', e: 'added' },
      edges: { 'e->L': 'added', 'a->b': 'removed' },
      ghostNodes: [{ id: 'z', clerp: 'gone' }],
      ghostEdges: [
        { source: 'z', target: 'a' },
        { source: 'z', target: 'b' },
        { source: 'z', target: 'nowhere' },
      ],
    };
    const out = derive(input({ diff, positions: { ...layout, z: { x: 9, y: 9 } } }), new DeriveCache());
    expect(out.nodes.map((n) => [n.id, n.data.diff])).toEqual([
      ['a', 'changed'],
      ['e', 'added'],
      ['L', undefined],
      ['g1', undefined],
      ['ghost:z', 'removed'],
    ]);
    expect(out.nodes.at(-1)).toMatchObject({
      position: { x: 9, y: 9 },
      selectable: false,
      data: { title: 'gone', subtitle: 'removed' },
    });
    const e = out.edges.find((edge) => edge.id === 'e->L')!;
    expect(e).toMatchObject({ className: 'edge-diff-added', style: { stroke: ADDED, opacity: 1 } });
    // a->g1 sums two edges: no single edge's mark applies to it.
    expect(out.edges.find((edge) => edge.id === 'a->g1')!.className).toBeUndefined();
    // Ghost edges end at the ghost and at what is drawn for the other end (b's supernode); one to nothing is left out.
    expect(
      out.edges.filter((edge) => edge.id.startsWith('ghost:')).map((edge) => [edge.id, edge.source, edge.target]),
    ).toEqual([
      ['ghost:z->a', 'ghost:z', 'a'],
      ['ghost:z->b', 'ghost:z', 'g1'],
    ]);
  });

  it('reuses the objects of nodes and edges that did not change', () => {
    const cache = new DeriveCache();
    const first = derive(input(), cache);
    const again = derive(input(), cache);
    expect(again.nodes.every((n, i) => n === first.nodes[i])).toBe(true);
    expect(again.edges.every((edge, i) => edge === first.edges[i])).toBe(true);
    const moved = derive(input({ doc: { ...doc, positions: { a: { x: 7, y: 6 } } } }), cache);
    expect(moved.nodes[0]).not.toBe(first.nodes[0]);
    expect(moved.nodes[0]!.position).toEqual({ x: 7, y: 6 });
    expect(moved.nodes.slice(1).every((n, i) => n === first.nodes[i + 1])).toBe(true);
  });
});
