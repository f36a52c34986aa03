'use client';

import { useEffect } from 'react';
import { commands, type EditorDoc, type EditorStore } from './editor-store';
import type { Graph } from './graph';

/**
 * Unsaved edits of a circuit that is stored nowhere (the walkthrough's, the editor's standalone mode), kept in the
 * tab's sessionStorage: leaving the page to sign in, and coming back to save, would otherwise lose them. Kept are
 * the document's edits, not its graph (the page rebuilds the same graph on return), with the graph's fingerprint:
 * edits made on another graph are dropped, not applied to it.
 */
type Edits = Omit<EditorDoc, 'graph'>;
interface Kept {
  graph: string;
  edits: Edits;
}

const PREFIX = 'workbench.unsaved-edits:';

const fingerprints = new WeakMap<Graph, string>();

/** The graph's node and edge ids (FNV-1a, 32 bits): the same graph rebuilt gives the same fingerprint. */
export function graphFingerprint(graph: Graph): string {
  let fingerprint = fingerprints.get(graph);
  if (fingerprint === undefined) {
    let h = 0x811c9dc5;
    const add = (text: string) => {
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    };
    for (const n of graph.nodes) add(`${n.id}\n`);
    for (const e of graph.edges) add(`${e.source}->${e.target}\n`);
    fingerprint = `${graph.nodes.length}/${graph.edges.length}/${(h >>> 0).toString(36)}`;
    fingerprints.set(graph, fingerprint);
  }
  return fingerprint;
}

// sessionStorage can be missing or full (private windows, quotas): then edits are not kept, and the editor works on.
function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function keepUnsavedEdits(key: string, doc: EditorDoc): void {
  const { graph, ...edits } = doc;
  try {
    storage()?.setItem(PREFIX + key, JSON.stringify({ graph: graphFingerprint(graph), edits } satisfies Kept));
  } catch {
    // over the quota: nothing kept
  }
}

export function forgetUnsavedEdits(key: string): void {
  storage()?.removeItem(PREFIX + key);
}

/** The edits kept for `key`, when they were made on this graph. */
export function keptUnsavedEdits(key: string, graph: Graph): Edits | null {
  const text = storage()?.getItem(PREFIX + key);
  if (!text) return null;
  try {
    const kept = JSON.parse(text) as Kept;
    if (kept.graph === graphFingerprint(graph) && kept.edits) return kept.edits;
  } catch {
    // not ours (or cut short): dropped below
  }
  forgetUnsavedEdits(key);
  return null;
}

/** Stores whose kept edits were applied once already (React runs a mount effect twice in development). */
const restored = new WeakSet<EditorStore>();

/**
 * Keeps the store's unsaved edits under `key` while it is mounted (forgotten when it is back to what was loaded),
 * and on mount restores edits kept earlier as one undoable command, then calls onRestored.
 */
export function useKeptUnsavedEdits(store: EditorStore, key: string | null, onRestored: () => void): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: onRestored is read once, at mount
  useEffect(() => {
    if (!key) return;
    if (!restored.has(store)) {
      restored.add(store);
      const edits = keptUnsavedEdits(key, store.getState().doc.graph);
      if (edits) {
        store.dispatch(commands.mergeIn({ ...store.getState().doc, ...edits }, 'Restore unsaved edits'));
        onRestored();
      }
    }
    let last = store.getState().doc;
    return store.subscribe(() => {
      const { doc, saved } = store.getState();
      if (doc === last) return; // a change of the view (selection, viewport), not of the document
      last = doc;
      if (doc === saved) forgetUnsavedEdits(key);
      else keepUnsavedEdits(key, doc);
    });
  }, [store, key]);
}
