import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { docFromContent, type EditorDoc } from './editor-store';
import type { CircuitContent, Graph } from './graph';
import { forgetUnsavedEdits, graphFingerprint, keepUnsavedEdits, keptUnsavedEdits } from './unsaved-edits';

/** sessionStorage as the browser's behaves for these calls, in memory; `full` makes every write fail as over quota. */
class MemoryStorage implements Storage {
  readonly items = new Map<string, string>();
  full = false;
  get length() {
    return this.items.size;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  clear() {
    this.items.clear();
  }
}

const graph = (): Graph => ({
  nodes: [
    { id: 'toy.input:0:0', layer: 0 },
    { id: 'toy.hidden:1:0', layer: 1 },
    { id: 'toy.sae:2:0', layer: 2 },
  ],
  edges: [
    { source: 'toy.input:0:0', target: 'toy.hidden:1:0', weight: 0.5 },
    { source: 'toy.hidden:1:0', target: 'toy.sae:2:0', weight: -1 },
  ],
});

const content = (on: Graph): CircuitContent => ({
  graph: on,
  layout: {},
  groups: [],
  annotations: { nodes: {}, edges: {} },
});

/** A document with one edit of every kind that is kept. */
function editedDoc(on: Graph = graph()): EditorDoc {
  return {
    ...docFromContent(content(on)),
    hidden: { 'toy.sae:2:0': true },
    groups: [{ id: 'g1', label: 'first units', nodeIds: ['toy.input:0:0', 'toy.hidden:1:0'] }],
    annotations: { nodes: { 'toy.hidden:1:0': { label: 'singular cue' } }, edges: {} },
    positions: { 'toy.input:0:0': { x: 10, y: 20 } },
    pinned: { 'toy.hidden:1:0': true },
    layoutExtra: { note: 'kept as is' },
  };
}
const { graph: _unkept, ...editsOf } = editedDoc();

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  Object.defineProperty(globalThis, 'window', { value: { sessionStorage: storage }, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(globalThis, 'window');
});

describe('unsaved edits kept across sign-in', () => {
  it('restores every kind of edit on the same graph rebuilt, and stores the graph only as its fingerprint', () => {
    keepUnsavedEdits('learn:toy-singular', editedDoc());
    expect(keptUnsavedEdits('learn:toy-singular', graph())).toEqual(editsOf);
    const stored = storage.getItem('workbench.unsaved-edits:learn:toy-singular')!;
    expect(JSON.parse(stored).graph).toBe(graphFingerprint(graph()));
    expect(stored).not.toContain('"weight"');
  });

  it('forgets them: nothing to restore afterwards', () => {
    keepUnsavedEdits('learn:toy-singular', editedDoc());
    forgetUnsavedEdits('learn:toy-singular');
    expect(keptUnsavedEdits('learn:toy-singular', graph())).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('drops edits made on another graph instead of applying them, and forgets them', () => {
    keepUnsavedEdits('learn:toy-singular', editedDoc());
    const other = graph();
    other.edges[1] = { source: 'toy.input:0:0', target: 'toy.sae:2:0', weight: -1 };
    expect(graphFingerprint(other)).not.toBe(graphFingerprint(graph()));
    expect(keptUnsavedEdits('learn:toy-singular', other)).toBeNull();
    expect(storage.getItem('workbench.unsaved-edits:learn:toy-singular')).toBeNull();
  });

  it('drops stored text that is not JSON, or JSON without edits, and forgets it', () => {
    const key = 'workbench.unsaved-edits:learn:demo';
    for (const bad of ['{"graph":"3/2/', 'not json', 'null', JSON.stringify({ graph: graphFingerprint(graph()) })]) {
      storage.setItem(key, bad);
      expect(keptUnsavedEdits('learn:demo', graph()), bad).toBeNull();
      expect(storage.getItem(key), bad).toBeNull();
    }
  });

  it('keeps each key apart, and leaves what others stored alone', () => {
    storage.setItem('someone-else', 'theirs');
    keepUnsavedEdits('learn:toy-singular', editedDoc());
    const plain = docFromContent(content(graph()));
    keepUnsavedEdits('learn:toy-plural', { ...plain, hidden: { 'toy.input:0:0': true } });
    expect(keptUnsavedEdits('learn:toy-plural', graph())?.hidden).toEqual({ 'toy.input:0:0': true });
    forgetUnsavedEdits('learn:toy-plural');
    expect(keptUnsavedEdits('learn:toy-plural', graph())).toBeNull();
    expect(keptUnsavedEdits('learn:toy-singular', graph())).toEqual(editsOf);
    expect(keptUnsavedEdits('learn:demo', graph())).toBeNull();
    expect(storage.getItem('someone-else')).toBe('theirs');
  });

  it('keeps nothing, and does not throw, when the storage is full or missing', () => {
    storage.full = true;
    expect(() => keepUnsavedEdits('learn:toy-singular', editedDoc())).not.toThrow();
    expect(keptUnsavedEdits('learn:toy-singular', graph())).toBeNull();
    Reflect.deleteProperty(globalThis, 'window');
    expect(() => keepUnsavedEdits('learn:toy-singular', editedDoc())).not.toThrow();
    expect(keptUnsavedEdits('learn:toy-singular', graph())).toBeNull();
    expect(() => forgetUnsavedEdits('learn:toy-singular')).not.toThrow();
  });
});
