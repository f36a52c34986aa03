'use client';

import { useState } from 'react';
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

/** Two edits of the same thing: one row, their value beside mine, the user picks one (mine by default). */
function ConflictRow({
  conflict,
  pick,
  onPick,
  latest,
  author,
}: {
  conflict: MergeConflict;
  pick: Side;
  onPick: (side: Side) => void;
  latest: number;
  author: string | null;
}) {
  const option = (side: Side, title: string, caption = title) => (
    <label className={`merge-option${pick === side ? ' picked' : ''}`}>
      <input
        type="radio"
        name={conflict.key}
        checked={pick === side}
        onChange={() => onPick(side)}
        aria-label={`${title} for ${conflict.what}`}
      />
      <span className="muted small">{caption}</span>
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
        {option('theirs', `v${latest}`, author ? `v${latest} · ${author}` : undefined)}
        {option('mine', 'your edit')}
      </div>
    </li>
  );
}

/**
 * Someone saved while these edits were made, and both changed the same things: each is shown side by side to pick
 * from; everything else has merged already.
 */
export function MergeDialog({
  pending,
  saving,
  onMerge,
  onCancel,
}: {
  pending: PendingMerge | null;
  saving: boolean;
  onMerge: (picks: Record<string, Side>) => void;
  onCancel: () => void;
}) {
  const [picks, setPicks] = useState<Record<string, Side>>({});
  const conflicts = pending?.result.conflicts ?? [];
  const who = pending?.latestAuthor ? ` by ${pending.latestAuthor}` : '';
  const taken = pending?.result.taken ?? { theirs: 0, mine: 0 };
  return (
    <Dialog open={pending !== null} title="Merge with the newer version" onClose={onCancel} wide>
      <div className="stack" data-testid="merge-dialog">
        <p>
          Version {pending?.latest} was saved{who} while you edited.{' '}
          {taken.theirs + taken.mine > 0
            ? `${taken.theirs} of its changes and ${taken.mine} of yours merge by themselves; `
            : 'Nothing else changed; '}
          {conflicts.length === 1 ? 'one thing was' : `${conflicts.length} things were`} changed on both sides. Pick
          which to keep:
        </p>
        <ul className="merge-conflicts">
          {conflicts.map((conflict) => (
            <ConflictRow
              key={conflict.key}
              conflict={conflict}
              latest={pending?.latest ?? 0}
              author={pending?.latestAuthor ?? null}
              pick={picks[conflict.key] ?? 'mine'}
              onPick={(side) => setPicks((p) => ({ ...p, [conflict.key]: side }))}
            />
          ))}
        </ul>
        <div className="row wrap">
          <button type="button" disabled={saving} onClick={() => onMerge(picks)}>
            {saving ? 'Saving…' : `Merge and save as v${(pending?.latest ?? 0) + 1}`}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Keep editing (nothing saved)
          </button>
        </div>
      </div>
    </Dialog>
  );
}
