'use client';

import { useSyncExternalStore } from 'react';
import {
  type Annotation,
  type Annotations,
  type CircuitContent,
  edgeKey,
  type Graph,
  type GraphEdge,
  type GraphNode,
  type Group,
  type Point,
  pinnedIdsInGraph,
  withPinnedIds,
} from './graph';

/** The editable document: one circuit version plus the edits made since it was loaded. */
export interface EditorDoc {
  graph: Graph;
  /** Hidden nodes: left out of the saved graph (with their edges). */
  hidden: Record<string, true>;
  groups: Group[];
  annotations: Annotations;
  /** Positions of nodes the user dragged; saved as layout.positions. */
  positions: Record<string, Point>;
  /** Pinned nodes stay visible whatever the thresholds say; carried in the URL (?pin=). */
  pinned: Record<string, true>;
  /** Everything else in the version's layout JSON, kept as it was. */
  layoutExtra: Record<string, unknown>;
}

export type DiffMark = 'added' | 'removed' | 'changed';

/** Changes between an older version and the one being edited, drawn over the graph (ghosts are what was removed). */
export interface DiffView {
  from: number;
  to: number;
  nodes: Record<string, DiffMark>;
  edges: Record<string, DiffMark>;
  ghostNodes: GraphNode[];
  ghostEdges: GraphEdge[];
}

/** How the document is looked at: not part of it, so never undone, saved or marked dirty (the URL carries most). */
export interface EditorView {
  /** Node, supernode and edge ids (edges as "source->target"). */
  selected: ReadonlySet<string>;
  viewport: { x: number; y: number; zoom: number } | null;
  edgeThreshold: number;
  nodeThreshold: number;
  diff: DiffView | null;
}

/** Every edit is a command: a name for the history and a pure function of the document. */
export interface Command {
  label: string;
  apply(doc: EditorDoc): EditorDoc;
  /**
   * Consecutive commands with the same key become one history entry (a run of arrow-key nudges is one undo step).
   * The later command must give the same doc when applied to the earlier one's starting point.
   */
  mergeKey?: string;
}

interface HistoryEntry {
  command: Command;
  before: EditorDoc;
}

export interface EditorState {
  doc: EditorDoc;
  view: EditorView;
  past: HistoryEntry[];
  future: HistoryEntry[];
  /** The doc as last loaded or saved: dirty is doc !== saved. */
  saved: EditorDoc;
}

/** The editor's document of a version; pinned: the pins the URL carries, beside those the graph's file has. */
export function docFromContent(content: CircuitContent, pinned: string[] = []): EditorDoc {
  const { positions, ...layoutExtra } = content.layout ?? {};
  const pins = [...pinned, ...pinnedIdsInGraph(content.graph)];
  return {
    graph: content.graph,
    hidden: {},
    groups: content.groups,
    annotations: content.annotations,
    positions: (positions as Record<string, Point> | undefined) ?? {},
    pinned: Object.fromEntries(pins.map((id) => [id, true as const])),
    layoutExtra,
  };
}

/**
 * What to save: hidden nodes and their edges leave the graph; groups and annotations follow; an attribution graph's
 * qParams.pinnedIds become the editor's pins.
 */
export function contentFromDoc(doc: EditorDoc): CircuitContent {
  const hidden = doc.hidden;
  const nodes = doc.graph.nodes.filter((n) => !hidden[n.id]);
  const edges = doc.graph.edges.filter((e) => !hidden[e.source] && !hidden[e.target]);
  const kept = new Set(nodes.map((n) => n.id));
  const groups = doc.groups
    .map((g) => ({ ...g, nodeIds: g.nodeIds.filter((id) => kept.has(id)) }))
    .filter((g) => g.nodeIds.length > 0);
  const positions = Object.fromEntries(Object.entries(doc.positions).filter(([id]) => kept.has(id)));
  const nodeNotes = Object.fromEntries(Object.entries(doc.annotations.nodes).filter(([id]) => kept.has(id)));
  const edgeIds = new Set(edges.map(edgeKey));
  const edgeNotes = Object.fromEntries(Object.entries(doc.annotations.edges).filter(([id]) => edgeIds.has(id)));
  return {
    graph: withPinnedIds({ ...doc.graph, nodes, edges }, doc.pinned),
    layout: { ...doc.layoutExtra, ...(Object.keys(positions).length ? { positions } : {}) },
    groups,
    annotations: { nodes: nodeNotes, edges: edgeNotes },
  };
}

export class EditorStore {
  private state: EditorState;
  private readonly listeners = new Set<() => void>();

  constructor(doc: EditorDoc, view: Partial<EditorView> = {}) {
    const initialView: EditorView = {
      selected: new Set(),
      viewport: null,
      edgeThreshold: 0,
      nodeThreshold: 0,
      diff: null,
      ...view,
    };
    this.state = { doc, view: initialView, past: [], future: [], saved: doc };
  }

  getState = (): EditorState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: EditorState) {
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Runs a command; a command that changes nothing is not recorded. */
  dispatch = (command: Command): void => {
    const doc = command.apply(this.state.doc);
    if (doc === this.state.doc) return;
    const last = this.state.past.at(-1);
    const past =
      last && command.mergeKey !== undefined && last.command.mergeKey === command.mergeKey
        ? [...this.state.past.slice(0, -1), { command, before: last.before }]
        : [...this.state.past, { command, before: this.state.doc }].slice(-500);
    this.set({ ...this.state, doc, past, future: [] });
  };

  undo = (): void => {
    const entry = this.state.past.at(-1);
    if (!entry) return;
    this.set({
      ...this.state,
      doc: entry.before,
      past: this.state.past.slice(0, -1),
      future: [{ command: entry.command, before: entry.before }, ...this.state.future],
    });
  };

  redo = (): void => {
    const entry = this.state.future[0];
    if (!entry) return;
    const before = this.state.doc;
    this.set({
      ...this.state,
      doc: entry.command.apply(before),
      past: [...this.state.past, { command: entry.command, before }],
      future: this.state.future.slice(1),
    });
  };

  /** Changes how the document is looked at; history is untouched. A change to nothing notifies no one. */
  setView = (update: Partial<EditorView> | ((view: EditorView) => Partial<EditorView>)): void => {
    const patch = typeof update === 'function' ? update(this.state.view) : update;
    const view = { ...this.state.view, ...patch };
    if ((Object.keys(patch) as (keyof EditorView)[]).every((key) => view[key] === this.state.view[key])) return;
    this.set({ ...this.state, view });
  };

  /** Replaces the document (another version was opened); history starts again, the diff goes, the view stays. */
  reset = (doc: EditorDoc): void =>
    this.set({ doc, view: { ...this.state.view, diff: null }, past: [], future: [], saved: doc });

  /**
   * The edits were merged into a newer version (see merge.ts): that version is now what was saved, the merge is the
   * document. History starts again: its steps were taken on the older version.
   */
  rebase = (saved: EditorDoc, doc: EditorDoc): void =>
    this.set({ ...this.state, doc, saved, past: [], future: [], view: { ...this.state.view, diff: null } });

  /** The current doc is now what the server holds; history stays so a save can still be undone locally. */
  markSaved = (): void => this.set({ ...this.state, saved: this.state.doc });
}

export function useEditor<T>(store: EditorStore, select: (state: EditorState) => T): T {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.getState()),
    () => select(store.getState()),
  );
}

// ---- Commands ----

const without = <T extends object>(record: T, keys: Iterable<string>): T => {
  const copy = { ...record } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
};

export const commands = {
  hide(ids: string[]): Command {
    return {
      label: `Hide ${ids.length === 1 ? ids[0] : `${ids.length} nodes`}`,
      apply: (doc) => {
        const fresh = ids.filter((id) => !doc.hidden[id]);
        if (!fresh.length) return doc;
        return { ...doc, hidden: { ...doc.hidden, ...Object.fromEntries(fresh.map((id) => [id, true as const])) } };
      },
    };
  },
  showAll(): Command {
    return {
      label: 'Show hidden nodes',
      apply: (doc) => (Object.keys(doc.hidden).length ? { ...doc, hidden: {} } : doc),
    };
  },
  setPinned(ids: string[], pinned: boolean): Command {
    return {
      label: `${pinned ? 'Pin' : 'Unpin'} ${ids.length === 1 ? ids[0] : `${ids.length} nodes`}`,
      apply: (doc) => {
        const change = ids.filter((id) => Boolean(doc.pinned[id]) !== pinned);
        if (!change.length) return doc;
        return {
          ...doc,
          pinned: pinned
            ? { ...doc.pinned, ...Object.fromEntries(change.map((id) => [id, true as const])) }
            : without(doc.pinned, change),
        };
      },
    };
  },
  group(nodeIds: string[], label: string, id = `g-${Date.now().toString(36)}`): Command {
    return {
      label: `Group ${nodeIds.length} nodes as “${label}”`,
      apply: (doc) => {
        // Grouping a supernode with other nodes merges its members in.
        const members = new Set<string>();
        const absorbed = new Set<string>();
        for (const nodeId of nodeIds) {
          const group = doc.groups.find((g) => g.id === nodeId);
          if (group) {
            absorbed.add(group.id);
            for (const member of group.nodeIds) members.add(member);
          } else members.add(nodeId);
        }
        if (members.size < 2) return doc;
        const groups = doc.groups
          .filter((g) => !absorbed.has(g.id))
          .map((g) => ({ ...g, nodeIds: g.nodeIds.filter((m) => !members.has(m)) }))
          .filter((g) => g.nodeIds.length > 0);
        return { ...doc, groups: [...groups, { id, label, nodeIds: [...members] }] };
      },
    };
  },
  ungroup(groupIds: string[]): Command {
    return {
      label: `Ungroup ${groupIds.length === 1 ? '' : `${groupIds.length} `}supernode${groupIds.length === 1 ? '' : 's'}`,
      apply: (doc) => {
        const groups = doc.groups.filter((g) => !groupIds.includes(g.id));
        if (groups.length === doc.groups.length) return doc;
        // Members that were moved as one card stand on one spot: ungrouped, they go back to their own places in the
        // layout instead of staying stacked. Members the user placed apart keep their places.
        const stacked: string[] = [];
        for (const group of doc.groups.filter((g) => groupIds.includes(g.id))) {
          const spot = (id: string) => `${doc.positions[id]!.x},${doc.positions[id]!.y}`;
          const placed = group.nodeIds.filter((id) => doc.positions[id]);
          const shared = placed.filter((id) => placed.some((other) => other !== id && spot(other) === spot(id)));
          stacked.push(...shared);
        }
        return { ...doc, groups, positions: stacked.length ? without(doc.positions, stacked) : doc.positions };
      },
    };
  },
  renameGroup(groupId: string, label: string): Command {
    return {
      label: `Rename supernode to “${label}”`,
      apply: (doc) => {
        const group = doc.groups.find((g) => g.id === groupId);
        if (!group || group.label === label) return doc;
        return { ...doc, groups: doc.groups.map((g) => (g.id === groupId ? { ...g, label } : g)) };
      },
    };
  },
  annotate(kind: 'nodes' | 'edges', id: string, annotation: Annotation): Command {
    return {
      label: `Annotate ${kind === 'nodes' ? 'node' : 'edge'} ${id}`,
      apply: (doc) => {
        const previous = doc.annotations[kind][id] ?? {};
        const next: Annotation = {};
        if (annotation.label?.trim()) next.label = annotation.label.trim();
        if (annotation.note?.trim()) next.note = annotation.note.trim();
        if ((previous.label ?? '') === (next.label ?? '') && (previous.note ?? '') === (next.note ?? '')) return doc;
        const entries =
          next.label || next.note ? { ...doc.annotations[kind], [id]: next } : without(doc.annotations[kind], [id]);
        return { ...doc, annotations: { ...doc.annotations, [kind]: entries } };
      },
    };
  },
  /** Moves nodes to absolute positions; `nudge` (arrow keys) merges a run of moves of the same nodes into one step. */
  move(moves: Record<string, Point>, { nudge = false } = {}): Command {
    const ids = Object.keys(moves);
    return {
      label: `Move ${ids.length === 1 ? ids[0] : `${ids.length} nodes`}`,
      apply: (doc) =>
        ids.every((id) => doc.positions[id]?.x === moves[id]!.x && doc.positions[id]?.y === moves[id]!.y)
          ? doc
          : { ...doc, positions: { ...doc.positions, ...moves } },
      ...(nudge ? { mergeKey: `nudge:${[...ids].sort().join(',')}` } : {}),
    };
  },
  /** Replaces the document with a merge of it (see merge.ts), as one undoable step. */
  mergeIn(merged: EditorDoc, label: string): Command {
    return { label, apply: () => merged };
  },
  replaceContent(content: CircuitContent, label = 'Import graph JSON'): Command {
    return {
      label,
      // The pins stay, joined by those the imported file has.
      apply: (doc) => docFromContent(content, Object.keys(doc.pinned)),
    };
  },
};
