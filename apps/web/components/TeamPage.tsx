'use client';

import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { type ChangeEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { Role, TeamQuery } from '../lib/generated/graphql';
import { featurePath, parseCircuitJson } from '../lib/graph';
import { useAppRouter } from '../lib/navigation';
import { ADD_MEMBER, CREATE_CIRCUIT, TEAM, TEAM_CHANGED } from '../lib/operations';
import { formatDate, StatusBadge, statusText } from './Badges';
import { CircuitStatus } from './CircuitStatus';
import { CircuitVotes } from './CircuitVotes';
import { InviteLinks } from './InviteLinks';
import { LabelAcceptVotes } from './LabelAcceptVotes';
import { LabelTransfer } from './LabelTransfer';
import { TopBar } from './TopBar';

type ActivityRow = TeamQuery['team']['activity'][number];
/** ActivityEvent.data is JSON: an object of the entry's details (names, ids, values), written by logActivity. */
const dataOf = (event: ActivityRow) => (event.data ?? {}) as Record<string, unknown>;

/** Admins add members and viewers; owners also make admins and owners (Team.can.manageAdmins). */
const ROLES = ['VIEWER', 'MEMBER'];
const ADMIN_ROLES = ['ADMIN', 'OWNER'];

type Field = [value: string, set: (value: string) => void];

/** A list's search box, status filter and sort order; `noun` names the list in the controls' labels. */
function ListFilters({
  noun,
  search: [search, setSearch],
  status: [status, setStatus],
  statuses,
  sort: [sort, setSort],
  sorts,
}: {
  noun: 'circuit' | 'label';
  search: Field;
  status: Field;
  statuses: string[];
  sort: Field;
  /** [value, label] of each sort order. */
  sorts: [string, string][];
}) {
  const capitalized = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <div className="filters">
      <label>
        Search
        <input
          value={search}
          onChange={(e: ChangeEvent<HTMLInputElement>) => setSearch(e.target.value)}
          aria-label={`Search ${noun}s`}
        />
      </label>
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label={`${capitalized} status`}>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase().replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sort
        <select value={sort} onChange={(e) => setSort(e.target.value)} aria-label={`Sort ${noun}s`}>
          {sorts.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/**
 * The latest version's reviews in words, one state a line ("1 approved", "2 pending"); states nobody is in are left
 * out. The column is narrow: it wraps between states, never inside one.
 */
function ReviewCounts({ reviews }: { reviews: { approved: number; changesRequested: number; pending: number } }) {
  const counts = (
    [
      ['APPROVED', reviews.approved],
      ['CHANGES_REQUESTED', reviews.changesRequested],
      ['PENDING', reviews.pending],
    ] as const
  ).filter(([, count]) => count > 0);
  if (!counts.length) return <span className="muted">none</span>;
  return (
    <ul className="plain review-counts" data-testid="review-counts">
      {counts.map(([state, count]) => (
        <li key={state}>
          {count} {statusText(state)}
        </li>
      ))}
    </ul>
  );
}

/** Below this, the circuit explains less than half of the behaviour: worth a warning in the list. */
const LOW_FAITHFULNESS = 0.5;

/** "faithfulness 0.86", flagged when low; nothing when the graph records none. */
function Faithfulness({ value }: { value: number | null }) {
  if (value === null) return null;
  const low = value < LOW_FAITHFULNESS;
  // Low: the amber of pending states, a caution rather than an error.
  return (
    <span
      className={low ? 'badge status-pending' : 'small muted'}
      data-testid="circuit-faithfulness"
      title="How much of the model's behaviour on the prompt pairs the circuit alone recovers (1: all of it)"
    >
      faithfulness {value.toFixed(2)}
      {low && ' — low'}
    </span>
  );
}

const ACTIONS: Record<string, string> = {
  'team.member_set': 'set the role of',
  'team.member_removed': 'removed',
  'team.member_left': 'left the team',
  'team.settings_changed': 'changed how many votes accept a label',
  'team.invitation_created': 'created an invitation link',
  'team.invitation_accepted': 'joined with an invitation link',
  'circuit.created': 'created',
  'circuit.computed': 'computed',
  'circuit.forked': 'forked into',
  'circuit.version_saved': 'saved',
  'circuit.visibility_changed': 'changed the visibility of',
  'comment.added': 'commented',
  'comment.resolved': 'resolved a comment',
  'comment.reopened': 'reopened a comment',
  'share_link.created': 'created a share link to',
  'share_link.revoked': 'revoked a share link to',
  'review.requested': 'requested a review of',
  'review.approved': 'approved',
  'review.changes_requested': 'requested changes to',
  'label.proposed': 'proposed',
  'label.edited': 'edited',
  'evidence.added': 'saved an intervention as evidence on',
};

const IMPORT_SOURCES: Record<string, string> = {
  NEURONPEDIA: 'Neuronpedia',
  FEATURE_CIRCUITS: 'feature-circuits annotations',
  WORKBENCH: 'a label export',
  CSV: 'a CSV file',
};

const VOTES: Record<string, string> = { '1': 'voted up', '-1': 'voted down', '0': 'withdrew a vote on' };

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

/** What the entry is about, named and linked when its data says (older entries may only name it, or not at all). */
/** A feature page opened from a team's page opens on that team's labels and thread (not the viewer's first team). */
const inTeam = (path: string, teamId: string) => `${path}?team=${encodeURIComponent(teamId)}`;

function ActivitySubject({ event, teamId }: { event: ActivityRow; teamId: string }) {
  const data = dataOf(event);
  if (event.subjectType === 'label') {
    const name = text(data.name);
    const [modelId, saeId, index] = [text(data.modelId), text(data.saeId), text(data.featureIndex)];
    if (!name) return <>a label</>;
    if (modelId === null || saeId === null || index === null) return <>label “{name}”</>;
    return (
      <>
        label “{name}” of{' '}
        <Link
          href={inTeam(featurePath({ modelId, saeId, featureIndex: Number(index) }), teamId)}
          data-testid="activity-link"
        >
          {saeId} #{index}
        </Link>
      </>
    );
  }
  if (event.subjectType === 'circuit') {
    const title = text(data.title);
    const slug = text(data.slug);
    const version = text(data.version);
    const name = title ? `circuit “${title}”` : 'a circuit';
    const label = version && event.action !== 'circuit.forked' ? `${name} v${version}` : name;
    if (!slug) return <>{label}</>;
    const href = version && event.action !== 'circuit.forked' ? `/c/${slug}/v/${version}` : `/c/${slug}`;
    return (
      <Link href={href} data-testid="activity-link">
        {label}
      </Link>
    );
  }
  if (event.subjectType === 'user') return <>{text(data.displayName) ?? 'a member'}</>;
  return null;
}

function describeVerb(event: ActivityRow): string {
  if (event.action.endsWith('.voted')) return VOTES[String(dataOf(event).value)] ?? 'voted on';
  if (event.action === 'comment.added') return `commented on a ${event.subjectType.replaceAll('_', ' ')}`;
  if (event.action === 'labels.imported') {
    const from = IMPORT_SOURCES[String(dataOf(event).format)] ?? 'a file';
    return `imported ${text(dataOf(event).created) ?? 'some'} labels from ${from}`;
  }
  return ACTIONS[event.action] ?? `${event.action.replace(/^[a-z_]+\./, '').replaceAll('_', ' ')}`;
}

function ActivityEntry({ event, teamId }: { event: ActivityRow; teamId: string }) {
  const role = event.action === 'team.member_set' ? text(dataOf(event).role) : null;
  const subject = ['comment.added', 'team.member_left'].includes(event.action) ? null : (
    <ActivitySubject event={event} teamId={teamId} />
  );
  return (
    <>
      {describeVerb(event)}
      {subject && <> {subject}</>}
      {role && <> to {role.toLowerCase()}</>}
    </>
  );
}

/** A team: members and roles, circuits and labels with search, filters and sorting, and what happened lately. */
export function TeamPage({ id }: { id: string }) {
  const router = useAppRouter();
  const team = useQuery(TEAM, { variables: { id } });
  // Live: whatever lands in the team's activity refreshes the page; a burst of events becomes one refetch.
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useSubscription(TEAM_CHANGED, {
    variables: { teamId: id },
    onData: () => {
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(() => void team.refetch(), 250);
    },
  });
  useEffect(() => () => void (refetchTimer.current && clearTimeout(refetchTimer.current)), []);
  const [addMember, adding] = useMutation(ADD_MEMBER);
  const [createCircuit, creating] = useMutation(CREATE_CIRCUIT);
  const [memberError, setMemberError] = useState<string | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [circuitSearch, setCircuitSearch] = useState('');
  const [circuitStatus, setCircuitStatus] = useState('ALL');
  const [circuitSort, setCircuitSort] = useState('updated');
  const [labelSearch, setLabelSearch] = useState('');
  const [labelStatus, setLabelStatus] = useState('ALL');
  const [labelSort, setLabelSort] = useState('newest');

  const data = team.data?.team;
  if (!data) {
    return (
      <>
        <TopBar />
        <main className={team.error ? 'card error' : 'muted'} role={team.error ? 'alert' : undefined}>
          {team.error ? errorMessage(team.error) : 'Loading team…'}
        </main>
      </>
    );
  }
  const manage = data.can.manageMembers;
  const canCreate = data.can.createCircuits;

  const circuits = data.circuits.edges
    .map((e) => e.node)
    .filter((c) => circuitStatus === 'ALL' || c.status === circuitStatus)
    .filter((c) => c.title.toLowerCase().includes(circuitSearch.toLowerCase()))
    .sort((a, b) =>
      circuitSort === 'title'
        ? a.title.localeCompare(b.title)
        : circuitSort === 'status'
          ? a.status.localeCompare(b.status)
          : circuitSort === 'score'
            ? b.score - a.score || b.updatedAt.localeCompare(a.updatedAt)
            : b.updatedAt.localeCompare(a.updatedAt),
    );
  const shownLabels = data.labels.edges
    .map((e) => e.node)
    .filter((l) => labelStatus === 'ALL' || l.status === labelStatus)
    .filter((l) => `${l.name} ${l.saeId} ${l.featureIndex}`.toLowerCase().includes(labelSearch.toLowerCase()))
    .sort((a, b) =>
      labelSort === 'name'
        ? a.name.localeCompare(b.name)
        : labelSort === 'score'
          ? b.score - a.score
          : b.updatedAt.localeCompare(a.updatedAt),
    );

  async function onAddMember(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = new FormData(form);
    setMemberError(null);
    try {
      await addMember({
        // The form's <select> offers only the schema's roles.
        variables: {
          input: { teamId: id, email: String(values.get('email')), role: String(values.get('role')) as Role },
        },
      });
      // The member appears through teamChanged (team.member_set), like changes made by anyone else.
      form.reset();
    } catch (caught) {
      setMemberError(errorMessage(caught));
    }
  }

  async function onImport(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = new FormData(event.currentTarget);
    const file = values.get('file');
    setImportError(null);
    if (!(file instanceof File) || !file.size) {
      setImportError('Choose a graph JSON file');
      return;
    }
    try {
      const content = parseCircuitJson(JSON.parse(await file.text()));
      const title = String(values.get('title') ?? '').trim() || content.title || file.name.replace(/\.json$/, '');
      const result = await createCircuit({
        variables: {
          input: {
            teamId: id,
            title,
            graph: content.graph,
            layout: content.layout,
            groups: content.groups,
            annotations: content.annotations,
            message: `Imported from ${file.name}`,
          },
        },
      });
      router.push(`/c/${result.data!.createCircuit.slug}`);
    } catch (caught) {
      setImportError(errorMessage(caught));
    }
  }

  return (
    <>
      <TopBar />
      <main className="wide stack">
        <div className="row spread">
          <h1 className="page-title" data-testid="team-name">
            {data.name}
          </h1>
          <span className="badge">you: {data.myRole.toLowerCase()}</span>
        </div>
        <div className="grid-2">
          <section className="card stack" aria-label="Members">
            <h2 className="section-title">Members ({data.members.length})</h2>
            <table className="small">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Email</th>
                  <th>Role</th>
                </tr>
              </thead>
              <tbody data-testid="member-list">
                {data.members.map((m) => (
                  <tr key={m.user.id}>
                    <td>{m.user.displayName}</td>
                    <td>{m.user.email}</td>
                    <td>
                      <span className="badge">{m.role.toLowerCase()}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {manage && (
              <form className="row wrap" onSubmit={onAddMember} aria-label="Add a member">
                <input name="email" type="email" aria-label="Member email" placeholder="colleague@lab.org" required />
                <select name="role" aria-label="Member role" defaultValue="MEMBER">
                  {(data.can.manageAdmins ? [...ROLES, ...ADMIN_ROLES] : ROLES).map((role) => (
                    <option key={role} value={role}>
                      {role.toLowerCase()}
                    </option>
                  ))}
                </select>
                <button type="submit" disabled={adding.loading}>
                  Add member
                </button>
              </form>
            )}
            {memberError && (
              <p className="error" role="alert">
                {memberError}
              </p>
            )}
            {manage && <InviteLinks teamId={id} canInviteAdmins={data.can.manageAdmins} />}
            <LabelAcceptVotes teamId={id} votes={data.labelAcceptVotes} canChange={data.can.changeSettings} />
          </section>
          <section className="card stack" aria-label="Activity">
            <h2 className="section-title">Activity</h2>
            <ul className="plain feed small" data-testid="activity-feed">
              {data.activity.slice(0, 25).map((event) => (
                <li key={event.id}>
                  <strong>{event.actor?.displayName ?? 'Someone'}</strong> <ActivityEntry event={event} teamId={id} />{' '}
                  <span className="muted">· {formatDate(event.createdAt)}</span>
                </li>
              ))}
              {!data.activity.length && <li className="muted">Nothing yet.</li>}
            </ul>
          </section>
        </div>

        <section className="card stack" aria-label="Circuits">
          <h2 className="section-title">Circuits</h2>
          <ListFilters
            noun="circuit"
            search={[circuitSearch, setCircuitSearch]}
            status={[circuitStatus, setCircuitStatus]}
            statuses={['ALL', 'DRAFT', 'IN_REVIEW', 'APPROVED', 'CHANGES_REQUESTED']}
            sort={[circuitSort, setCircuitSort]}
            sorts={[
              ['updated', 'recently updated'],
              ['title', 'title'],
              ['status', 'status'],
              ['score', 'score'],
            ]}
          />
          <table className="small circuit-table">
            <thead>
              <tr>
                <th>Circuit</th>
                <th>Status</th>
                <th>Reviews</th>
                <th>Votes</th>
                <th>Versions</th>
                <th>Visibility</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody data-testid="circuit-list">
              {circuits.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/c/${c.slug}`}>{c.title}</Link> <Faithfulness value={c.faithfulness} />
                  </td>
                  <td>
                    <CircuitStatus circuit={c} />
                  </td>
                  <td>
                    <ReviewCounts reviews={c.reviewAgreement} />
                  </td>
                  <td>
                    <CircuitVotes circuit={c} slug={c.slug} />
                  </td>
                  <td>{c.latestVersion}</td>
                  <td>{c.visibility.toLowerCase()}</td>
                  <td className="muted">{formatDate(c.updatedAt)}</td>
                </tr>
              ))}
              {!circuits.length && (
                <tr>
                  <td colSpan={7} className="muted">
                    No circuits{circuitSearch || circuitStatus !== 'ALL' ? ' match' : ' yet'}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {data.circuits.pageInfo.hasNextPage && (
            <p className="muted">The 50 most recently updated circuits; search and filters apply to these.</p>
          )}
          {canCreate && (
            <form className="row wrap align-end" onSubmit={onImport} aria-label="Import a circuit">
              <label>
                Title
                <input name="title" aria-label="Imported circuit title" placeholder="(from the file)" />
              </label>
              <label>
                Graph JSON (this app’s export, or Neuronpedia / circuit-tracer)
                <input name="file" type="file" accept="application/json,.json" aria-label="Circuit JSON file" />
              </label>
              <button type="submit" disabled={creating.loading}>
                Import as new circuit
              </button>
            </form>
          )}
          {importError && (
            <p className="error" role="alert">
              {importError}
            </p>
          )}
        </section>

        <section className="card stack" aria-label="Labels">
          <div className="row spread wrap">
            <h2 className="section-title">Feature labels</h2>
            <LabelTransfer teamId={id} canImport={data.can.proposeLabels} />
          </div>
          <ListFilters
            noun="label"
            search={[labelSearch, setLabelSearch]}
            status={[labelStatus, setLabelStatus]}
            statuses={['ALL', 'PROPOSED', 'ACCEPTED', 'DISPUTED']}
            sort={[labelSort, setLabelSort]}
            sorts={[
              ['newest', 'recently changed'],
              ['score', 'score'],
              ['name', 'name'],
            ]}
          />
          <table className="small">
            <thead>
              <tr>
                <th>Label</th>
                <th>Feature</th>
                <th>Status</th>
                <th>Score</th>
              </tr>
            </thead>
            <tbody data-testid="label-table">
              {shownLabels.map((l) => (
                <tr key={l.id}>
                  <td>{l.name}</td>
                  <td>
                    <Link href={inTeam(featurePath(l), id)}>
                      {l.modelId} · {l.saeId} #{l.featureIndex}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={l.status} />
                  </td>
                  <td>{l.score}</td>
                </tr>
              ))}
              {!shownLabels.length && (
                <tr>
                  <td colSpan={4} className="muted">
                    No labels{labelSearch || labelStatus !== 'ALL' ? ' match' : ' yet'}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {data.labels.pageInfo.hasNextPage && (
            <p className="muted">The 100 most recently changed labels; search and filters apply to these.</p>
          )}
        </section>
      </main>
    </>
  );
}
