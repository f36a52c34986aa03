// Supernodes in the editor's drawing: the layout (layout.ts) and what the editor draws from it (derive.ts), together
// as the canvas gets them. No card may cover another, in any row, after grouping, ungrouping, hiding and showing.
import { describe, expect, it } from 'vitest';
import { DeriveCache, derive, NODE_H, NODE_W, visibleNodeIds } from '../components/editor/derive';
import { commands, docFromContent, type EditorDoc } from './editor-store';
import type { Graph } from './graph';
import { circuitLayoutInput, computeLayout } from './layout';
import { toyContent, trainToy } from './learn';

/** The cards the canvas draws for a document, as boxes, laid out the way the editor does it. */
function drawnBoxes(doc: EditorDoc) {
  const visible = visibleNodeIds(doc, 0);
  const { positions } = computeLayout(circuitLayoutInput(doc.graph, visible, doc.groups, null, 0));
  const { nodes } = derive(
    { doc, positions, edgeThreshold: 0, visible, selected: new Set(), labels: new Map(), diff: null },
    new DeriveCache(),
  );
  return nodes.map((n) => ({ id: n.id, type: n.type, x: n.position.x, y: n.position.y }));
}

/** Pairs of cards whose boxes share some area (touching edges is fine). */
function overlaps(boxes: ReturnType<typeof drawnBoxes>): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + NODE_W && b.x < a.x + NODE_W && a.y < b.y + NODE_H && b.y < a.y + NODE_H) {
        found.push(`${a.id} × ${b.id}`);
      }
    }
  }
  return found;
}

const NO_EDITS = { layout: {}, groups: [], annotations: { nodes: {}, edges: {} } };
const at = (boxes: ReturnType<typeof drawnBoxes>) => Object.fromEntries(boxes.map((b) => [b.id, { x: b.x, y: b.y }]));

function toyDoc() {
  const content = toyContent(trainToy(), 'singular');
  const named = (label: string) =>
    Object.entries(content.annotations?.nodes ?? {}).find(([, a]) => a.label === label)![0];
  const doc = commands.hide([named('SAE error')]).apply(docFromContent(content));
  return { doc, named };
}

/**
 * Twelve features in one cell (layer 1, token 0) that wraps, a lone one at token 1, two above (layer 2) and one at
 * the layer below, with influence falling with the index, so the order in the cell is f0, f1, ...
 */
const crowded: Graph = {
  nodes: [
    ...Array.from({ length: 12 }, (_, i) => ({
      id: `f${i}`,
      layer: '1',
      ctx_idx: 0,
      feature: i,
      influence: 1 - i / 20,
    })),
    { id: 'lone', layer: '1', ctx_idx: 1, feature: 20, influence: 0.3 },
    { id: 'up0', layer: '2', ctx_idx: 0, feature: 21, influence: 0.4 },
    { id: 'up1', layer: '2', ctx_idx: 1, feature: 22, influence: 0.2 },
    { id: 'low', layer: '0', ctx_idx: 1, feature: 23, influence: 0.1 },
  ],
  edges: [],
};

describe('supernodes in the layout', () => {
  it('the toy: “first two units” (hidden 0 and 1) covers no other node, and only their row moves', () => {
    const { doc, named } = toyDoc();
    const before = at(drawnBoxes(doc));
    const grouped = commands.group([named('hidden 0'), named('hidden 1')], 'first two units', 'g1').apply(doc);
    const boxes = drawnBoxes(grouped);
    expect(overlaps(boxes)).toEqual([]);
    expect(boxes.find((b) => b.id === 'g1')).toBeDefined();
    // The other rows keep their places; in the hidden units' row the card takes the first member's slot.
    const hiddenRow = before[named('hidden 0')]!.y;
    for (const [id, p] of Object.entries(at(boxes))) {
      if (id === 'g1') expect(p).toEqual(before[named('hidden 0')]);
      else if (before[id]!.y < hiddenRow || before[id]!.y > hiddenRow + 2 * NODE_H) expect(p).toEqual(before[id]);
    }
    // Ungrouped, every node is back where it was.
    expect(at(drawnBoxes(commands.ungroup(['g1']).apply(grouped)))).toEqual(before);
  });

  it('several supernodes in one crowded cell, one spanning rows and tokens: no card covers another', () => {
    let doc = docFromContent({ graph: crowded, ...NO_EDITS });
    const ungrouped = at(drawnBoxes(doc));
    doc = commands.group(['f1', 'f3'], 'pair', 'g1').apply(doc);
    doc = commands.group(['f5', 'f6', 'f10'], 'three', 'g2').apply(doc);
    // Members in two cells of layer 1, one in layer 2 and one in layer 0: the card stands where most of them are.
    doc = commands.group(['f8', 'f9', 'lone', 'up0', 'low'], 'across', 'g3').apply(doc);
    let boxes = drawnBoxes(doc);
    expect(boxes.filter((b) => b.type === 'supernode').map((b) => b.id)).toEqual(['g1', 'g2', 'g3']);
    expect(overlaps(boxes)).toEqual([]);
    const crowdedRows = ['f0', 'f11'].map((id) => ungrouped[id]!.y);
    expect(at(boxes).g3!.y).toBeGreaterThanOrEqual(Math.min(...crowdedRows));
    expect(at(boxes).g3!.y).toBeLessThanOrEqual(Math.max(...crowdedRows));
    // The rows above and below keep their places (their grid is measured with every member).
    expect(at(boxes).up1).toEqual(ungrouped.up1);

    // Hiding a member, then every member of one, and showing them again.
    doc = commands.hide(['f5']).apply(doc);
    expect(overlaps(drawnBoxes(doc))).toEqual([]);
    doc = commands.hide(['f1', 'f3']).apply(doc);
    boxes = drawnBoxes(doc);
    expect(boxes.map((b) => b.id)).not.toContain('g1');
    expect(overlaps(boxes)).toEqual([]);
    doc = commands.showAll().apply(doc);
    expect(overlaps(drawnBoxes(doc))).toEqual([]);

    // Ungrouped, all back in their first places.
    doc = commands.ungroup(['g1', 'g2', 'g3']).apply(doc);
    expect(at(drawnBoxes(doc))).toEqual(ungrouped);
  });

  it('a card moved puts its members on its spot; ungrouped, they return to their places; a member moved alone does not pull it', () => {
    const { doc, named } = toyDoc();
    const before = at(drawnBoxes(doc));
    const [h0, h1] = [named('hidden 0'), named('hidden 1')];
    // The editor records a moved card as its members moved to where it was dropped (CircuitEditor's commitMoves).
    const spot = { x: 700, y: 40 };
    let grouped = commands.group([h0, h1], 'first two units', 'g1').apply(doc);
    grouped = commands.move({ [h0]: spot, [h1]: spot }).apply(grouped);
    expect(at(drawnBoxes(grouped)).g1).toEqual(spot);
    expect(at(drawnBoxes(commands.ungroup(['g1']).apply(grouped)))).toEqual(before);
    // hidden 0 dragged off alone, then grouped: the card keeps its slot in the row.
    const dragged = commands.move({ [h0]: { x: 900, y: 900 } }).apply(doc);
    const boxes = drawnBoxes(commands.group([h0, h1], 'first two units', 'g1').apply(dragged));
    expect(at(boxes).g1).toEqual(before[h0]);
    expect(overlaps(boxes)).toEqual([]);
    // Ungrouped, the member the user placed apart keeps its place.
    const apart = commands.ungroup(['g1']).apply(commands.group([h0, h1], 'first two units', 'g1').apply(dragged));
    expect(apart.positions[h0]).toEqual({ x: 900, y: 900 });
  });

  it('a card shows the summed activation of the members it draws: 0 for hidden 0 and 1, both off on “The cat”', () => {
    const { doc, named } = toyDoc();
    const card = (edited: EditorDoc) => {
      const visible = visibleNodeIds(edited, 0);
      const { positions } = computeLayout(circuitLayoutInput(edited.graph, visible, edited.groups, null, 0));
      const input = {
        doc: edited,
        positions,
        edgeThreshold: 0,
        visible,
        selected: new Set<string>(),
        labels: new Map(),
      };
      return derive({ ...input, diff: null }, new DeriveCache()).nodes.find((n) => n.id === 'g1')!.data;
    };
    const activation = (label: string) => doc.graph.nodes.find((n) => n.id === named(label))!.activation as number;
    expect([activation('hidden 0'), activation('hidden 1')]).toEqual([0, 0]);
    expect(card(commands.group([named('hidden 0'), named('hidden 1')], 'off', 'g1').apply(doc)).activation).toBe(0);
    const on = commands.group([named('hidden 2'), named('hidden 3')], 'on', 'g1').apply(doc);
    expect(card(on).activation).toBeCloseTo(activation('hidden 2') + activation('hidden 3'), 12);
    const oneHidden = commands.hide([named('hidden 3')]).apply(on);
    expect(card(oneHidden)).toMatchObject({ members: 1, activation: activation('hidden 2') });
  });

  it('a supernode of nodes without a row (a generic graph) takes one place in the layered layout', () => {
    const chain: Graph = {
      nodes: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })),
      edges: [
        { source: 'a', target: 'c' },
        { source: 'b', target: 'c' },
        { source: 'c', target: 'd' },
        { source: 'c', target: 'e' },
      ],
    };
    const doc = commands.group(['a', 'b'], 'sources', 'g1').apply(docFromContent({ graph: chain, ...NO_EDITS }));
    expect(overlaps(drawnBoxes(doc))).toEqual([]);
  });
});
