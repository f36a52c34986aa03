'use client';

import { useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import { type EditorStore, useEditor } from '../../lib/editor-store';
import { errorMessage } from '../../lib/errors';
import { CIRCUIT_VERSIONS } from '../../lib/operations';
import { formatDate } from '../Badges';

/** Saved versions (open one, or compare an older one with the current: the diff shows on the graph) and the edit history. */
export function VersionsPanel({
  slug,
  current,
  dirty,
  onlyVersion,
  diffFrom,
  onOpen,
  onCompare,
  undoStack,
}: {
  slug: string;
  current: number;
  dirty: boolean;
  onlyVersion: number | null;
  diffFrom: number | null;
  onOpen: (number: number) => void;
  onCompare: (from: number | null) => Promise<void>;
  undoStack: EditorStore;
}) {
  const versions = useQuery(CIRCUIT_VERSIONS, {
    variables: { slug },
    skip: onlyVersion !== null,
    fetchPolicy: 'cache-and-network',
  });
  // A new version was saved or opened while the panel is open: list it (opening the panel fetches already).
  const listed = useRef(current);
  // biome-ignore lint/correctness/useExhaustiveDependencies: current is the trigger
  useEffect(() => {
    if (listed.current === current || onlyVersion !== null) return;
    listed.current = current;
    void versions.refetch();
  }, [current]);
  const past = useEditor(undoStack, (s) => s.past);
  const future = useEditor(undoStack, (s) => s.future);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="stack panel-body">
      <h2 className="section-title">Versions</h2>
      {onlyVersion !== null && <p className="muted small">This link shows version {onlyVersion} only.</p>}
      {dirty && <p className="notice warn small">You have unsaved edits: opening another version drops them.</p>}
      {versions.error && <p className="error">{errorMessage(versions.error)}</p>}
      <ol className="versions plain" data-testid="version-list">
        {versions.data?.circuit.versions.map((v) => (
          <li key={v.number} className={v.number === current ? 'current' : undefined}>
            <div>
              <strong>v{v.number}</strong> {v.message || <span className="muted">(no message)</span>}
            </div>
            <div className="small muted">
              {v.author?.displayName ?? 'someone'} · {formatDate(v.createdAt)}
            </div>
            <div className="row small">
              {v.number === current ? (
                <span className="badge">open</span>
              ) : (
                <button type="button" className="link" onClick={() => onOpen(v.number)}>
                  Open
                </button>
              )}
              {v.number < current && (
                <button
                  type="button"
                  className="link"
                  aria-pressed={diffFrom === v.number}
                  onClick={async () => {
                    setError(null);
                    try {
                      await onCompare(diffFrom === v.number ? null : v.number);
                    } catch (caught) {
                      setError(errorMessage(caught));
                    }
                  }}
                >
                  {diffFrom === v.number ? 'Hide changes' : `Show changes since v${v.number}`}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {error && <p className="error">{error}</p>}
      <h2 className="section-title">Edits since opening</h2>
      {past.length === 0 && future.length === 0 ? (
        <p className="muted small">No edits yet.</p>
      ) : (
        <ol className="small plain edit-history" data-testid="edit-history">
          {past.map((entry, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only
            <li key={index}>{entry.command.label}</li>
          ))}
          {future.map((entry, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only
            <li key={`f${index}`} className="muted undone">
              {entry.command.label} (undone)
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
