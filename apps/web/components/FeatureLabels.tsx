'use client';

import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { errorMessage } from '../lib/errors';
import { evidenceListed } from '../lib/evidence-cache';
import { LABEL_EVIDENCE } from '../lib/evidence-operations';
import type { FeatureLabelsQuery, Visibility } from '../lib/generated/graphql';
import { type FeatureKey, featurePath } from '../lib/graph';
import { describeDetection, describeLabelSource, isMachineDraft } from '../lib/label-source';
import {
  EDIT_LABEL,
  FEATURE_CHANGED,
  FEATURE_LABELS,
  LABEL_REVISIONS,
  PROPOSE_LABEL,
  VOTE_LABEL,
} from '../lib/operations';
import { optimisticLabelVote } from '../lib/votes';
import { formatDate, StatusBadge } from './Badges';
import { CommentThread } from './CommentThread';
import { LabelEvidence } from './Evidence';
import './collaboration.css';

/** A label as FEATURE_LABELS (LabelFields) reads it. */
type Label = FeatureLabelsQuery['featureLabels']['edges'][number]['node'];

export interface FeatureLabelsProps {
  feature: FeatureKey;
  /** Show only this team's labels (the circuit editor shows its circuit's team); unset: every label one may see. */
  onlyTeamId?: string;
  /** The team a proposal goes to; null: no form, `proposeNote` instead. */
  proposeTeam: { id: string; name: string } | null;
  proposeNote?: ReactNode;
  /** After this user proposes, votes or edits, and on label events from others: what a graph shows may change. */
  onChanged?: () => void;
  /**
   * Every featureChanged event of the feature but comments on a label's own thread, which the labels refresh
   * themselves (the feature page refreshes its feature thread on 'comment' ones).
   */
  onEvent?: (kind: string) => void;
}

/**
 * The label a link names (#label-{id}, as the inbox links a label's thread), once it is listed: scrolled into view
 * and marked. Labels arrive after the page does, so the browser's own jump to the fragment finds nothing.
 */
function useLinkedLabel(ids: string[]): string | null {
  const [linked, setLinked] = useState<string | null>(null);
  const listed = ids.join(',');
  useEffect(() => {
    const hash = window.location.hash;
    const id = hash.startsWith('#label-') ? decodeURIComponent(hash.slice('#label-'.length)) : null;
    if (!id || !listed.split(',').includes(id)) return;
    setLinked(id);
    document.getElementById(`label-${id}`)?.scrollIntoView({ block: 'center' });
  }, [listed]);
  return linked;
}

/**
 * The labels of one SAE feature, best first, with votes, edits, histories and a "Propose a label" form; they follow
 * the feature's live events. Each label offers what its `can` says the viewer may do (the API checks the same).
 * Used by the feature page and the circuit editor's inspector.
 */
export function FeatureLabels({
  feature,
  onlyTeamId,
  proposeTeam,
  proposeNote,
  onChanged,
  onEvent,
}: FeatureLabelsProps) {
  const labels = useQuery(FEATURE_LABELS, {
    variables: { feature },
    fetchPolicy: 'cache-and-network',
  });
  // Label events refresh the labels (and their open histories); evidence events the open evidence lists.
  const client = useApolloClient();
  const [tick, setTick] = useState(0);
  // Comments on a label's thread, by label id: that label's open discussion asks again.
  const [threadTicks, setThreadTicks] = useState<Record<string, number>>({});
  useSubscription(FEATURE_CHANGED, {
    variables: { feature },
    onData: ({ data }) => {
      const event = data.data?.featureChanged;
      const kind = event?.kind;
      // ChangeEvent.data is JSON; a comment event's names its thread (targetType, targetKey: the label's id).
      const thread = event?.data as { targetType?: string; targetKey?: string } | undefined;
      if (kind === 'comment' && thread?.targetType === 'LABEL' && thread.targetKey) {
        const id = thread.targetKey;
        setThreadTicks((ticks) => ({ ...ticks, [id]: (ticks[id] ?? 0) + 1 }));
        return;
      }
      if (kind) onEvent?.(kind);
      if (kind === 'comment') return;
      // Saved evidence changes no label: only the lists that show evidence ask again, unless this tab saved it and
      // so shows it already (lib/evidence-cache.ts).
      if (kind === 'evidence') {
        const labelId = (event?.data as { labelId?: string } | undefined)?.labelId;
        if (!labelId || !event?.id || !evidenceListed(client.cache, { labelId }, event.id)) {
          void client.refetchQueries({ include: [LABEL_EVIDENCE] });
        }
        return;
      }
      void labels.refetch();
      setTick((t) => t + 1);
      onChanged?.();
    },
  });
  const [propose, proposing] = useMutation(PROPOSE_LABEL);
  const [error, setError] = useState<string | null>(null);

  async function onPropose(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!proposeTeam) return;
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(null);
    try {
      await propose({
        variables: {
          input: {
            teamId: proposeTeam.id,
            ...feature,
            name: String(data.get('name') ?? ''),
            description: String(data.get('description') ?? ''),
            // The form's <select> offers only the schema's values.
            visibility: String(data.get('visibility') ?? 'TEAM') as Visibility,
          },
        },
      });
      form.reset();
      await labels.refetch();
      onChanged?.();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const all = labels.data?.featureLabels.edges.map((e) => e.node) ?? [];
  const list = onlyTeamId ? all.filter((label) => label.teamId === onlyTeamId) : all;
  const others = all.length - list.length;
  const sorted = [...list].sort((a, b) => b.score - a.score || a.createdAt.localeCompare(b.createdAt));
  const linked = useLinkedLabel(sorted.map((l) => l.id));
  return (
    <>
      {labels.error && <p className="error">{errorMessage(labels.error)}</p>}
      <ul className="plain stack" data-testid="label-list">
        {sorted.map((label) => (
          <LabelItem
            key={label.id}
            label={label}
            linked={label.id === linked}
            tick={tick}
            threadTick={threadTicks[label.id] ?? 0}
            onChanged={onChanged}
          />
        ))}
        {!sorted.length && !labels.loading && (
          <li className="muted small">{proposeTeam ? 'No labels yet: propose the first.' : 'No labels yet.'}</li>
        )}
      </ul>
      {others > 0 && (
        <p className="muted small">
          {others} more from other teams or public: <Link href={featurePath(feature)}>see the feature page</Link>.
        </p>
      )}
      {proposeTeam ? (
        <form className="stack" onSubmit={onPropose} aria-label="Propose a label">
          <h3 className="section-title">Propose a label</h3>
          <input name="name" aria-label="Label name" placeholder="e.g. plural subject noun" required maxLength={200} />
          <textarea name="description" aria-label="Label description" placeholder="What makes it fire?" rows={2} />
          <div className="row">
            <select name="visibility" aria-label="Label visibility" defaultValue="TEAM">
              <option value="TEAM">{proposeTeam.name} only</option>
              <option value="PUBLIC">public</option>
            </select>
            <button type="submit" disabled={proposing.loading}>
              Propose
            </button>
          </div>
        </form>
      ) : (
        proposeNote
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function LabelItem({
  label,
  linked,
  tick,
  threadTick,
  onChanged,
}: {
  label: Label;
  /** Opened by a link to it (#label-{id}). */
  linked: boolean;
  tick: number;
  /** Someone commented on this label's thread: the open discussion asks again. */
  threadTick: number;
  onChanged?: () => void;
}) {
  const [vote] = useMutation(VOTE_LABEL);
  const [edit, editing] = useMutation(EDIT_LABEL);
  const [editOpen, setEditOpen] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  // A link to the label (from the inbox: a comment on it) opens its discussion.
  const [discussOpen, setDiscussOpen] = useState(linked);
  useEffect(() => {
    if (linked) setDiscussOpen(true);
  }, [linked]);
  const [error, setError] = useState<string | null>(null);
  const revisions = useQuery(LABEL_REVISIONS, {
    variables: { id: label.id },
    skip: !historyOpen,
    fetchPolicy: 'network-only',
  });
  // Someone edited a label: the open history follows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the trigger
  useEffect(() => {
    if (historyOpen && tick) void revisions.refetch();
  }, [tick]);

  const castVote = async (pressed: 1 | -1) => {
    const { value, label: shown } = optimisticLabelVote(label, pressed);
    setError(null);
    try {
      await vote({
        variables: { labelId: label.id, value },
        // Shown at once; the server's answer replaces it (or the cache rolls back on an error).
        optimisticResponse: { voteLabel: shown },
      });
      onChanged?.();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const myVote = label.myVote === 1 ? 'you voted up' : label.myVote === -1 ? 'you voted down' : null;
  const source = describeLabelSource(label.source);
  const detection = describeDetection(label.source, label.revision);
  return (
    <li
      id={`label-${label.id}`}
      className={linked ? 'label-item linked' : 'label-item'}
      data-testid="label-item"
      data-label-name={label.name}
    >
      <div className="row spread">
        <div className="row">
          <strong>{label.name}</strong> <StatusBadge status={label.status} />
          {label.visibility === 'PUBLIC' && <span className="badge">public</span>}
          {isMachineDraft(label.source) && <span className="badge">machine draft</span>}
        </div>
        {label.can.vote ? (
          <div className="row vote">
            <button
              type="button"
              className={label.myVote === 1 ? 'small' : 'secondary small'}
              aria-pressed={label.myVote === 1}
              aria-label={`Vote up ${label.name}`}
              onClick={() => castVote(1)}
            >
              ▲ {label.agreement.up}
            </button>
            <button
              type="button"
              className={label.myVote === -1 ? 'small danger' : 'secondary small'}
              aria-pressed={label.myVote === -1}
              aria-label={`Vote down ${label.name}`}
              onClick={() => castVote(-1)}
            >
              ▼ {label.agreement.down}
            </button>
          </div>
        ) : (
          <span className="small muted" data-testid="label-votes">
            ▲ {label.agreement.up} ▼ {label.agreement.down}
          </span>
        )}
      </div>
      {label.description && <p className="comment-body">{label.description}</p>}
      <p className="small muted">
        score {label.score} · agreement {Math.round(label.agreement.agreement * 100)}%{myVote ? ` · ${myVote}` : ''} ·
        revision {label.revision} by {label.author?.displayName ?? 'someone'} · {formatDate(label.revisedAt)}
        {source && <span data-testid="label-source"> · {source}</span>}
      </p>
      {detection && (
        <p className="small" data-testid="label-detection">
          {detection.score && (
            <strong className="badge" title={detection.explanation}>
              {detection.score}
            </strong>
          )}{' '}
          <span className="muted">{detection.explanation}</span>
        </p>
      )}
      <div className="row small">
        {label.can.edit && (
          <button type="button" className="link" onClick={() => setEditOpen(!editOpen)}>
            {editOpen ? 'Cancel edit' : 'Edit'}
          </button>
        )}
        <button type="button" className="link" onClick={() => setHistoryOpen(!historyOpen)} aria-expanded={historyOpen}>
          {historyOpen ? 'Hide history' : `History (${label.revision} revision${label.revision === 1 ? '' : 's'})`}
        </button>
        <button type="button" className="link" onClick={() => setDiscussOpen(!discussOpen)} aria-expanded={discussOpen}>
          {discussOpen ? 'Hide discussion' : 'Discussion'}
        </button>
      </div>
      {discussOpen && (
        <CommentThread
          target={{ type: 'LABEL', labelId: label.id }}
          refreshKey={threadTick}
          canComment={label.can.comment}
          title={`Discussion of “${label.name}”`}
        />
      )}
      {editOpen && (
        <form
          className="stack"
          onSubmit={async (event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            setError(null);
            try {
              await edit({
                variables: {
                  input: {
                    labelId: label.id,
                    name: String(data.get('name') ?? ''),
                    description: String(data.get('description') ?? ''),
                  },
                },
              });
              setEditOpen(false);
              void revisions.refetch();
              onChanged?.();
            } catch (caught) {
              setError(errorMessage(caught));
            }
          }}
        >
          <input name="name" aria-label="Edited label name" defaultValue={label.name} required maxLength={200} />
          <textarea
            name="description"
            aria-label="Edited label description"
            defaultValue={label.description}
            rows={2}
          />
          <button type="submit" className="small" disabled={editing.loading}>
            Save revision
          </button>
        </form>
      )}
      {historyOpen && (
        <ol className="plain small revisions" data-testid="revisions">
          {revisions.data?.label.revisions.map((r) => (
            <li key={r.revision}>
              <strong>r{r.revision}</strong> “{r.name}”{r.description ? ` — ${r.description}` : ''}{' '}
              <span className="muted">
                {r.author?.displayName ?? 'someone'}, {formatDate(r.createdAt)}
              </span>
            </li>
          ))}
        </ol>
      )}
      {historyOpen && <LabelEvidence labelId={label.id} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
