'use client';

import { type RefObject, useEffect } from 'react';
import { Dialog } from '../Dialog';

export type ShortcutAction =
  | 'undo'
  | 'redo'
  | 'hide'
  | 'showAll'
  | 'group'
  | 'ungroup'
  | 'pin'
  | 'fit'
  | 'clear'
  | 'save'
  | 'selectAll'
  | 'help';

export type ShortcutActions = Partial<Record<ShortcutAction, () => void>>;

interface Shortcut {
  keys: string;
  what: string;
  /** The editor's action; none for what React Flow does itself (nudging, box and click selection). */
  action?: ShortcutAction;
  matches?: (event: KeyboardEvent, key: string, mod: boolean) => boolean;
}

/** Every shortcut, once: the key handler and the help dialog both read this table. */
const SHORTCUTS: Shortcut[] = [
  { keys: 'Ctrl+Z', what: 'Undo', action: 'undo', matches: (e, key, mod) => mod && key === 'z' && !e.shiftKey },
  {
    keys: 'Ctrl+Shift+Z / Ctrl+Y',
    what: 'Redo',
    action: 'redo',
    matches: (e, key, mod) => mod && ((key === 'z' && e.shiftKey) || key === 'y'),
  },
  {
    keys: 'Delete / Backspace',
    what: 'Hide the selected nodes',
    action: 'hide',
    matches: (e, _key, mod) => !mod && (e.key === 'Delete' || e.key === 'Backspace'),
  },
  {
    keys: 'Shift+A',
    what: 'Show hidden nodes',
    action: 'showAll',
    matches: (e, key, mod) => !mod && key === 'a' && e.shiftKey,
  },
  {
    keys: 'G',
    what: 'Group the selected nodes into a supernode',
    action: 'group',
    matches: (_e, key, mod) => !mod && key === 'g',
  },
  {
    keys: 'U',
    what: 'Ungroup the selected supernode',
    action: 'ungroup',
    matches: (_e, key, mod) => !mod && key === 'u',
  },
  { keys: 'P', what: 'Pin or unpin the selected nodes', action: 'pin', matches: (_e, key, mod) => !mod && key === 'p' },
  { keys: 'F', what: 'Fit the graph in view', action: 'fit', matches: (_e, key, mod) => !mod && key === 'f' },
  { keys: 'Arrow keys (Shift: 4x)', what: 'Nudge the selected nodes (a run of nudges is one undo step)' },
  { keys: 'Escape', what: 'Clear the selection', action: 'clear', matches: (e) => e.key === 'Escape' },
  {
    keys: 'Ctrl+A',
    what: 'Select every visible node',
    action: 'selectAll',
    matches: (_e, key, mod) => mod && key === 'a',
  },
  { keys: 'Ctrl+S', what: 'Save as a new version', action: 'save', matches: (_e, key, mod) => mod && key === 's' },
  { keys: 'Shift+drag', what: 'Select with a box' },
  { keys: 'Shift+click / Ctrl+click', what: 'Add to the selection' },
  { keys: '?', what: 'This help', action: 'help', matches: (e, _key, mod) => !mod && e.key === '?' },
];

/** The editor's keys, on the window; not while typing in a field or with a dialog open. */
export function useEditorShortcuts(actions: RefObject<ShortcutActions>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (document.querySelector('dialog[open]')) return;
      if (target?.closest('input, textarea, select, [contenteditable="true"], dialog')) return;
      if (event.altKey) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const shortcut = SHORTCUTS.find((s) => s.matches?.(event, key, mod));
      if (!shortcut?.action) return;
      event.preventDefault();
      actions.current[shortcut.action]?.();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);
}

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(({ keys, what }) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
