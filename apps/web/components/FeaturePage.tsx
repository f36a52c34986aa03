'use client';

import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { FeatureKey } from '../lib/graph';
import {
  EDIT_LABEL,
  FEATURE_CHANGED,
  FEATURE_LABELS,
  LABEL_REVISIONS,
  MY_TEAMS,
  PROPOSE_LABEL,
  VOTE_LABEL,
} from '../lib/operations';
import { formatDate, StatusBadge } from './Badges';
import { CommentThread } from './CommentThread';
import { FeatureDashboard } from './FeatureDashboard';
import { TopBar, useMe } from './TopBar';

interface Label {
  __typename?: 'FeatureLabel';
  id: string;
  teamId: string;
  visibility: string;
  status: string;
  name: string;
  description: string;
  revision: number;
  score: number;
  myVote: number;
  createdAt: string;
  updatedAt: string;
  author: { __typename?: 'User'; id: string; displayName: string } | null;
  agreement: { __typename?: 'Agreement'; up: number; down: number; agreement: number };
  [key: string]: unknown;
}

interface Team {
  id: string;
  name: string;
  myRole: string;
}

/** The same rule as the API: ACCEPTED at >= 2 votes with 3 in 4 up; DISPUTED at >= 2 votes with any down. */
function statusFor(up: number, down: number): string {
  const total = up + down;
  if (total < 2) return 'PROPOSED';
  if (up / total >= 0.75) return 'ACCEPTED';
  return down > 0 ? 'DISPUTED' : 'PROPOSED';
}

/** Labels, votes and discussion of one SAE feature; the activation dashboard slot is left for the explorer. */
export function FeaturePage({ feature }: { feature: FeatureKey }) {
  const router = useRouter();
  const search = useSearchParams();
  const { me, loading: meLoading } = useMe();
  const teams = useQuery<{ myTeams: Team[] }>(MY_TEAMS, { skip: !me });
  const teamId = search.get('team') ?? teams.data?.myTeams[0]?.id ?? null;
  const team = teams.data?.myTeams.find((t) => t.id === teamId);
  const canWrite = Boolean(me && team && team.myRole !== 'VIEWER');
  const labels = useQuery<{ featureLabels: { edges: { node: Label }[] } }>(FEATURE_LABELS, {
    variables: { feature },
    fetchPolicy: 'cache-and-network',
  });
  // Label events refresh the labels (and their open histories); comment events refresh the thread.
  const [tick, setTick] = useState(0);
  const [commentTick, setCommentTick] = useState(0);
  useSubscription<{ featureChanged: { kind: string } }>(FEATURE_CHANGED, {
    variables: { feature },
    onData: ({ data }) => {
      if (data.data?.featureChanged.kind === 'comment') {
        setCommentTick((t) => t + 1);
        return;
      }
      void labels.refetch();
      setTick((t) => t + 1);
    },
  });
  const [propose, proposing] = useMutation(PROPOSE_LABEL);
  const [error, setError] = useState<string | null>(null);

  async function onPropose(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(null);
    try {
      await propose({
        variables: {
          input: {
            teamId,
            ...feature,
            name: String(data.get('name') ?? ''),
            description: String(data.get('description') ?? ''),
            visibility: String(data.get('visibility') ?? 'TEAM'),
          },
        },
      });
      form.reset();
      await labels.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const list = labels.data?.featureLabels.edges.map((e) => e.node) ?? [];
  const sorted = [...list].sort((a, b) => b.score - a.score || a.createdAt.localeCompare(b.createdAt));
  return (
    <>
      <TopBar />
      <main className="wide stack">
        <nav className="small muted" aria-label="Breadcrumb">
          Models / {feature.modelId} / {feature.saeId}
        </nav>
        <div className="row spread wrap">
          <h1 className="page-title" data-testid="feature-title">
            Feature #{feature.featureIndex}{' '}
            <span className="muted small">
              {feature.modelId} · {feature.saeId}
            </span>
          </h1>
          {me && (teams.data?.myTeams.length ?? 0) > 0 && (
            <label className="row">
              Team
              <select
                aria-label="Team"
                value={teamId ?? ''}
                onChange={(event) => {
                  const params = new URLSearchParams(search.toString());
                  params.set('team', event.target.value);
                  router.replace(`?${params.toString()}`);
                }}
              >
                {teams.data?.myTeams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>

        <section className="card dashboard-slot" aria-label="Activation dashboard" data-slot="activation-dashboard">
          <h2 className="section-title">Activations</h2>
          <FeatureDashboard feature={feature} />
        </section>

        <div className="grid-2">
          <section className="card stack" aria-label="Labels">
            <h2 className="section-title">Labels</h2>
            {labels.error && <p className="error">{errorMessage(labels.error)}</p>}
            <ul className="plain stack" data-testid="label-list">
              {sorted.map((label) => (
                <LabelItem key={label.id} label={label} canVote={Boolean(me)} canEdit={Boolean(me)} tick={tick} />
              ))}
              {!sorted.length && !labels.loading && <li className="muted small">No labels yet: propose the first.</li>}
            </ul>
            {canWrite ? (
              <form className="stack" onSubmit={onPropose} aria-label="Propose a label">
                <h3 className="section-title">Propose a label</h3>
                <input
                  name="name"
                  aria-label="Label name"
                  placeholder="e.g. plural subject noun"
                  required
                  maxLength={200}
                />
                <textarea
                  name="description"
                  aria-label="Label description"
                  placeholder="What makes it fire?"
                  rows={2}
                />
                <div className="row">
                  <select name="visibility" aria-label="Label visibility" defaultValue="TEAM">
                    <option value="TEAM">{team?.name ?? 'team'} only</option>
                    <option value="PUBLIC">public</option>
                  </select>
                  <button type="submit" disabled={proposing.loading}>
                    Propose
                  </button>
                </div>
              </form>
            ) : (
              !meLoading && (
                <p className="muted small">
                  {me ? (
                    'Join a team (as member or above) to propose labels.'
                  ) : (
                    <Link href="/signin">Sign in to propose and vote.</Link>
                  )}
                </p>
              )
            )}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
          </section>
          <section className="card">
            <CommentThread
              key={teamId ?? 'public'}
              refreshKey={commentTick}
              target={{ type: 'FEATURE', ...feature, ...(teamId ? { teamId } : {}) }}
              canComment={Boolean(me)}
              title={team ? `Discussion in ${team.name}` : 'Public discussion'}
            />
          </section>
        </div>
      </main>
    </>
  );
}

function LabelItem({
  label,
  canVote,
  canEdit,
  tick,
}: {
  label: Label;
  canVote: boolean;
  canEdit: boolean;
  tick: number;
}) {
  const [vote] = useMutation<{ voteLabel: Label }>(VOTE_LABEL);
  const [edit, editing] = useMutation(EDIT_LABEL);
  const [editOpen, setEditOpen] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const revisions = useQuery<{
    label: {
      revisions: {
        revision: number;
        name: string;
        description: string;
        createdAt: string;
        author: { displayName: string } | null;
      }[];
    };
  }>(LABEL_REVISIONS, { variables: { id: label.id }, skip: !historyOpen, fetchPolicy: 'network-only' });
  // Someone edited a label: the open history follows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the trigger
  useEffect(() => {
    if (historyOpen && tick) void revisions.refetch();
  }, [tick]);

  const castVote = async (value: number) => {
    const next = label.myVote === value ? 0 : value;
    const up = label.agreement.up - (label.myVote === 1 ? 1 : 0) + (next === 1 ? 1 : 0);
    const down = label.agreement.down - (label.myVote === -1 ? 1 : 0) + (next === -1 ? 1 : 0);
    setError(null);
    try {
      await vote({
        variables: { labelId: label.id, value: next },
        // Shown at once; the server's answer replaces it (or the cache rolls back on an error).
        optimisticResponse: {
          voteLabel: {
            ...label,
            myVote: next,
            score: up - down,
            status: statusFor(up, down),
            agreement: { ...label.agreement, up, down, agreement: up + down ? Math.max(up, down) / (up + down) : 0 },
          },
        },
      });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <li className="label-item" data-testid="label-item" data-label-name={label.name}>
      <div className="row spread">
        <div className="row">
          <strong>{label.name}</strong> <StatusBadge status={label.status} />
          {label.visibility === 'PUBLIC' && <span className="badge">public</span>}
        </div>
        <div className="row vote">
          <button
            type="button"
            className={label.myVote === 1 ? 'small' : 'secondary small'}
            aria-pressed={label.myVote === 1}
            aria-label={`Vote up ${label.name}`}
            disabled={!canVote}
            onClick={() => castVote(1)}
          >
            ▲ {label.agreement.up}
          </button>
          <button
            type="button"
            className={label.myVote === -1 ? 'small danger' : 'secondary small'}
            aria-pressed={label.myVote === -1}
            aria-label={`Vote down ${label.name}`}
            disabled={!canVote}
            onClick={() => castVote(-1)}
          >
            ▼ {label.agreement.down}
          </button>
        </div>
      </div>
      {label.description && <p className="comment-body">{label.description}</p>}
      <p className="small muted">
        score {label.score} · agreement {Math.round(label.agreement.agreement * 100)}% · revision {label.revision} by{' '}
        {label.author?.displayName ?? 'someone'} · {formatDate(label.updatedAt)}
      </p>
      <div className="row small">
        {canEdit && (
          <button type="button" className="link" onClick={() => setEditOpen(!editOpen)}>
            {editOpen ? 'Cancel edit' : 'Edit'}
          </button>
        )}
        <button type="button" className="link" onClick={() => setHistoryOpen(!historyOpen)} aria-expanded={historyOpen}>
          {historyOpen ? 'Hide history' : `History (${label.revision} revision${label.revision === 1 ? '' : 's'})`}
        </button>
      </div>
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
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
