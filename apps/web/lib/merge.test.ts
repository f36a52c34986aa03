// The three-way merge of a save that started from an older version (issue 15 item 2): what only one side changed
// merges without asking, what both changed differently is a conflict to pick from, and nothing is dropped unseen.
import { describe, expect, it } from 'vitest';
import { commands, contentFromDoc, docFromContent, type EditorDoc } from './editor-store';
import type { CircuitContent } from './graph';
import { exportedVersionOf, mergeDocs, urlPins } from './merge';

const base = (): CircuitContent => ({
  graph: {
    metadata: { slug: 'agreement', scan: 'demo' },
    qParams: { pinnedIds: [], supernodes: [], linkType: 'both' },
    nodes: ['A', 'B', 'C', 'D', 'E', 'X'].map((id) => ({ id, layer: 1, ctx_idx: 0 })),
    edges: [
      { source: 'A', target: 'B', weight: 1 },
      { source: 'X', target: 'B', weight: 2 },
      { source: 'C', target: 'X', weight: 3 },
    ],
  },
  layout: { positions: { A: { x: 0, y: 0 } }, viewportHint: 'kept' },
  groups: [{ id: 'g1', label: 'subject', nodeIds: ['C', 'D'] }],
  annotations: { nodes: { A: { label: 'plural noun' } }, edges: {} },
});

type Edit = (doc: EditorDoc) => EditorDoc;
const edit = (...steps: Edit[]): EditorDoc => steps.reduce((doc, step) => step(doc), docFromContent(base()));
const label = (id: string, text: string, note?: string): Edit =>
  commands.annotate('nodes', id, { label: text, note }).apply;
/** Theirs as the editor sees it: saved, then read back from the server. */
const saved = (doc: EditorDoc): EditorDoc => docFromContent(JSON.parse(JSON.stringify(contentFromDoc(doc))));

describe('merging a save made on an older version', () => {
  it('merges edits of different nodes, fields and sets without asking', () => {
    const theirs = saved(
      edit(label('B', 'verb slot'), commands.move({ E: { x: 5, y: 9 } }).apply, label('A', 'plural noun', 'L1 only')),
    );
    const mine = edit(
      label('C', 'singular noun'),
      commands.group(['D', 'E'], 'late', 'g2').apply,
      commands.setPinned(['B'], true).apply,
      commands.hide(['X']).apply,
    );
    const result = mergeDocs(docFromContent(base()), theirs, mine);
    expect(result.conflicts).toEqual([]);
    const merged = contentFromDoc(result.resolve());
    expect(merged.annotations.nodes).toEqual({
      A: { label: 'plural noun', note: 'L1 only' },
      B: { label: 'verb slot' },
      C: { label: 'singular noun' },
    });
    expect(merged.layout.positions).toEqual({ A: { x: 0, y: 0 }, E: { x: 5, y: 9 } });
    expect(merged.layout.viewportHint).toBe('kept');
    // Grouping D with E took D out of g1, which is left with C.
    expect(merged.groups).toEqual([
      { id: 'g1', label: 'subject', nodeIds: ['C'] },
      { id: 'g2', label: 'late', nodeIds: ['D', 'E'] },
    ]);
    expect(merged.graph.nodes.map((n) => n.id)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(merged.graph.edges).toEqual([{ source: 'A', target: 'B', weight: 1 }]);
    expect(merged.graph.qParams).toMatchObject({ pinnedIds: ['B'], linkType: 'both' });
    expect(merged.graph.metadata).toEqual({ slug: 'agreement', scan: 'demo' });
    // Hiding X is one change of mine (its two edges go with it), beside a label, a supernode and a pin.
    expect(result.taken).toEqual({ theirs: 3, mine: 5 });
  });

  it('keeps a teammate’s newer label when my edit is a whole re-imported file that still has the old one', () => {
    const theirs = saved(edit(label('A', 'plural subject')));
    // "Download my edits", then import: every entry of the file is the base's but my one change.
    const mine = edit(commands.replaceContent(contentFromDoc(edit(label('D', 'determiner'))), 'Import').apply);
    const result = mergeDocs(docFromContent(base()), theirs, mine);
    expect(result.conflicts).toEqual([]);
    expect(contentFromDoc(result.resolve()).annotations.nodes).toEqual({
      A: { label: 'plural subject' },
      D: { label: 'determiner' },
    });
  });

  it('the same change on both sides is no conflict', () => {
    const theirs = saved(edit(label('B', 'is/are')));
    const result = mergeDocs(docFromContent(base()), theirs, edit(label('B', 'is/are')));
    expect(result.conflicts).toEqual([]);
    expect(contentFromDoc(result.resolve()).annotations.nodes.B).toEqual({ label: 'is/are' });
  });

  it('two different labels of one node are a conflict, resolved by the pick (mine when none is made)', () => {
    const theirs = saved(edit(label('A', 'plural subject'), label('B', 'verb')));
    const mine = edit(label('A', 'number feature'));
    const result = mergeDocs(docFromContent(base()), theirs, mine);
    expect(result.conflicts).toEqual([
      {
        key: 'label:nodes:A',
        what: 'label of node A',
        target: 'A',
        base: 'plural noun',
        theirs: 'plural subject',
        mine: 'number feature',
      },
    ]);
    const labels = (picks?: Record<string, 'theirs' | 'mine'>) =>
      contentFromDoc(result.resolve(picks)).annotations.nodes;
    expect(labels({ 'label:nodes:A': 'theirs' })).toEqual({ A: { label: 'plural subject' }, B: { label: 'verb' } });
    expect(labels()).toEqual({ A: { label: 'number feature' }, B: { label: 'verb' } });
  });

  it('a node I hid that they labeled is a conflict; keeping it brings back its edges and their label', () => {
    const theirs = saved(edit(label('X', 'carries number')));
    const mine = edit(commands.hide(['X']).apply);
    const result = mergeDocs(docFromContent(base()), theirs, mine);
    expect(result.conflicts.map((c) => [c.key, c.what])).toEqual([['node:X', 'node X']]);

    const kept = contentFromDoc(result.resolve({ 'node:X': 'theirs' }));
    expect(kept.graph.nodes.map((n) => n.id)).toContain('X');
    expect(kept.graph.edges).toHaveLength(3);
    expect(kept.annotations.nodes.X).toEqual({ label: 'carries number' });

    const hidden = contentFromDoc(result.resolve());
    expect(hidden.graph.nodes.map((n) => n.id)).not.toContain('X');
    expect(hidden.graph.edges).toEqual([{ source: 'A', target: 'B', weight: 1 }]);
    expect(hidden.annotations.nodes.X).toBeUndefined();
  });

  it('a supernode renamed by one side and regrouped by the other is a conflict on that supernode', () => {
    const theirs = saved(edit(commands.renameGroup('g1', 'subject nouns').apply));
    const mine = edit(commands.group(['g1', 'E'], 'subject', 'g1').apply);
    const result = mergeDocs(docFromContent(base()), theirs, mine);
    expect(result.conflicts.map((c) => c.key)).toEqual(['group:g1']);
    expect(contentFromDoc(result.resolve({ 'group:g1': 'theirs' })).groups).toEqual([
      { id: 'g1', label: 'subject nouns', nodeIds: ['C', 'D'] },
    ]);
  });

  it('keeps pins that came from the URL on every side', () => {
    const start = docFromContent(base(), ['C']);
    expect(urlPins(start)).toEqual(['C']);
    const theirs = docFromContent(contentFromDoc(edit(label('B', 'verb'))), urlPins(start));
    const mine = commands.setPinned(['A'], true).apply(start);
    const merged = mergeDocs(start, theirs, mine).resolve();
    expect(Object.keys(merged.pinned).sort()).toEqual(['A', 'C']);
  });
});

describe('a file of edits exported from an older version', () => {
  it('is recognised by its circuit and version, and only then', () => {
    const file = { title: 't', slug: 'agreement-1', version: 4, ...base() };
    expect(exportedVersionOf(file, 'agreement-1')).toBe(4);
    expect(exportedVersionOf(file, 'another-circuit')).toBeNull();
    expect(exportedVersionOf({ ...file, version: '4' }, 'agreement-1')).toBeNull();
    expect(exportedVersionOf({ ...file, version: 0 }, 'agreement-1')).toBeNull();
    expect(exportedVersionOf(base().graph, 'agreement-1')).toBeNull();
  });
});
