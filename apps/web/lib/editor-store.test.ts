import { describe, expect, it } from 'vitest';
import { commands, contentFromDoc, docFromContent, EditorStore } from './editor-store';
import type { CircuitContent } from './graph';

const content: CircuitContent = {
  graph: {
    nodes: [
      { id: 'a', layer: 0 },
      { id: 'b', layer: 1 },
      { id: 'c', layer: 2 },
    ],
    edges: [
      { source: 'a', target: 'b', weight: 1 },
      { source: 'b', target: 'c', weight: 0.5 },
    ],
  },
  layout: { positions: { a: { x: 0, y: 0 } } },
  groups: [],
  annotations: { nodes: {}, edges: {} },
};

const history = (store: EditorStore) => store.getState().past.map((entry) => entry.command.label);

describe('editor store', () => {
  it('undoes and redoes commands and records nothing for a no-op', () => {
    const store = new EditorStore(docFromContent(content));
    store.dispatch(commands.hide(['b']));
    store.dispatch(commands.hide(['b']));
    expect(history(store)).toEqual(['Hide b']);
    expect(contentFromDoc(store.getState().doc).graph.edges).toEqual([]);
    store.undo();
    expect(store.getState().doc.hidden).toEqual({});
    store.redo();
    expect(store.getState().doc.hidden).toEqual({ b: true });
  });

  it('merges a run of nudges of the same nodes into one undo step, and keeps drags apart', () => {
    const store = new EditorStore(docFromContent(content));
    store.dispatch(commands.move({ a: { x: 5, y: 0 } }, { nudge: true }));
    store.dispatch(commands.move({ a: { x: 10, y: 0 } }, { nudge: true }));
    store.dispatch(commands.move({ a: { x: 10, y: 20 } }, { nudge: true }));
    expect(history(store)).toEqual(['Move a']);
    expect(store.getState().doc.positions.a).toEqual({ x: 10, y: 20 });

    // Nudging other nodes, or dragging, starts a new step.
    store.dispatch(commands.move({ a: { x: 15, y: 20 }, b: { x: 5, y: 100 } }, { nudge: true }));
    store.dispatch(commands.move({ a: { x: 100, y: 100 } }));
    expect(history(store)).toEqual(['Move a', 'Move 2 nodes', 'Move a']);

    store.undo();
    store.undo();
    expect(store.getState().doc.positions).toEqual({ a: { x: 10, y: 20 } });
    store.undo();
    expect(store.getState().doc.positions).toEqual({ a: { x: 0, y: 0 } });
    store.redo();
    expect(store.getState().doc.positions).toEqual({ a: { x: 10, y: 20 } });
    expect(contentFromDoc(store.getState().doc).layout).toEqual({ positions: { a: { x: 10, y: 20 } } });
  });

  it('does not record a move to where the nodes already are', () => {
    const store = new EditorStore(docFromContent(content));
    store.dispatch(commands.move({ a: { x: 0, y: 0 } }));
    expect(history(store)).toEqual([]);
  });

  it('keeps the view beside the document: view changes are never undone, saved or dirty', () => {
    const store = new EditorStore(docFromContent(content), { nodeThreshold: 0.5 });
    let notified = 0;
    store.subscribe(() => notified++);
    store.dispatch(commands.hide(['c']));
    store.setView({ selected: new Set(['a']), nodeThreshold: 0.1 });
    store.setView((view) => ({ selected: new Set([...view.selected, 'b']) }));
    expect([...store.getState().view.selected]).toEqual(['a', 'b']);
    expect(history(store)).toEqual(['Hide c']);
    // Undo takes back the edit, not the selection or the threshold.
    store.undo();
    expect(store.getState().doc.hidden).toEqual({});
    expect(store.getState().view.nodeThreshold).toBe(0.1);
    expect([...store.getState().view.selected]).toEqual(['a', 'b']);
    expect(store.getState().doc).toBe(store.getState().saved);
    // Setting what is already there notifies no one; opening another version drops the diff only.
    const before = notified;
    store.setView({ nodeThreshold: 0.1 });
    expect(notified).toBe(before);
    store.setView({ diff: { from: 1, to: 2, nodes: {}, edges: {}, ghostNodes: [], ghostEdges: [] } });
    store.reset(docFromContent(content));
    expect(store.getState().view.diff).toBeNull();
    expect(store.getState().view.nodeThreshold).toBe(0.1);
  });
});
