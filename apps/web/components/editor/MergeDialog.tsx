'use client';

import { type ReactNode, useState } from 'react';
import type { EditorDoc } from '../../lib/editor-store';
import type { MergeConflict, MergeResult, Side } from '../../lib/merge';
import { Dialog } from '../Dialog';

/** A save that found a newer version, merged with it: what the merge needs to finish. */
export interface PendingMerge {
  /** The newer version the edits are merged into. */
  latest: number;
  latestAuthor: string | null;
  result: MergeResult;
  /** The save's message, kept for the merged save. */
  message: string;
  /** The newer version as a document: what the merged edits are saved on top of. */
  theirs: EditorDoc;
}

/** A file of edits made on an older version, being merged into the editor. */
export interface PendingImport {
  /** The version the file's edits started from. */
  from: number;
  file: string;
  result: MergeResult;
}

/** A value of a merge entry in a few words: a label's text, a position, a supernode's name and size. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'removed';
  if (typeof value === 'string') return `“${value}”`;
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (typeof v.x === 'number' && typeof v.y === 'number') return `at (${Math.round(v.x)}, ${Math.round(v.y)})`;
    if (typeof v.label === 'string' && Array.isArray(v.nodeIds))
      return `“${v.label}”: ${v.nodeIds.length} node${v.nodeIds.length === 1 ? '' : 's'} (${v.nodeIds.join(', ')})`;
    if (typeof v.id === 'string') return 'kept in the graph';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * What the two sides of a merge are called: `name` labels its choice ("v5"), `caption` is shown above its value
 * ("v5 · Bob"), `changes` counts its changes in the summary ("of its changes", "of yours").
 */
export interface SideNames {
  theirs: { name: string; caption: string; changes: string };
  mine: { name: string; caption: string; changes: string };
}

/** Two edits of the same thing: one row, their value beside mine, the user picks one (mine by default). */
function ConflictRow({
  conflict,
  pick,
  onPick,
  sides,
}: {
  conflict: MergeConflict;
  pick: Side;
  onPick: (side: Side) => void;
  sides: SideNames;
}) {
  const option = (side: Side) => (
    <label className={`merge-option${pick === side ? ' picked' : ''}`}>
      <input
        type="radio"
        name={conflict.key}
        checked={pick === side}
        onChange={() => onPick(side)}
        aria-label={`${sides[side].name} for ${conflict.what}`}
      />
      <span className="muted small">{sides[side].caption}</span>
      <span>{describeValue(conflict[side])}</span>
    </label>
  );
  return (
    <li className="merge-conflict" data-testid="merge-conflict">
      <div>
        <strong>{conflict.what}</strong>
        <span className="muted small"> (was {describeValue(conflict.base)})</span>
      </div>
      <div className="merge-options">
        {option('theirs')}
        {option('mine')}
      </div>
    </li>
  );
}

/**
 * Two sets of changes to one circuit touched the same things: each is shown side by side to pick from; everything
 * else has merged already. Used when a save meets a newer version and when a file of older edits is imported.
 */
export function MergeDialog({
  result,
  intro,
  sides,
  action,
  busy = false,
  onMerge,
  onCancel,
}: {
  result: MergeResult | null;
  /** Whose changes meet whose, in a sentence. */
  intro: ReactNode;
  sides: SideNames;
  /** The button that finishes: "Merge and save as v6". */
  action: string;
  busy?: boolean;
  onMerge: (picks: Record<string, Side>) => void;
  onCancel: () => void;
}) {
  const [picks, setPicks] = useState<Record<string, Side>>({});
  const conflicts = result?.conflicts ?? [];
  const taken = result?.taken ?? { theirs: 0, mine: 0 };
  return (
    <Dialog open={result !== null} title="Merge changes" onClose={onCancel} wide>
      <div className="stack" data-testid="merge-dialog">
        <p>
          {intro}{' '}
          {taken.theirs + taken.mine > 0
            ? `${taken.theirs} ${sides.theirs.changes} and ${taken.mine} ${sides.mine.changes} merge by themselves; `
            : 'Nothing else changed; '}
          {conflicts.length === 1 ? 'one thing was' : `${conflicts.length} things were`} changed on both sides. Pick
          which to keep:
        </p>
        <ul className="merge-conflicts">
          {conflicts.map((conflict) => (
            <ConflictRow
              key={conflict.key}
              conflict={conflict}
              sides={sides}
              pick={picks[conflict.key] ?? 'mine'}
              onPick={(side) => setPicks((p) => ({ ...p, [conflict.key]: side }))}
            />
          ))}
        </ul>
        <div className="row wrap">
          <button type="button" disabled={busy} onClick={() => onMerge(picks)}>
            {busy ? 'Saving…' : action}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel (nothing changes)
          </button>
        </div>
      </div>
    </Dialog>
  );
}
