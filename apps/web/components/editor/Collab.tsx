'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import type { SharePermission, Visibility } from '../../lib/generated/graphql';
import {
  CREATE_SHARE_LINK,
  DECIDE_REVIEW,
  REQUEST_REVIEW,
  REVOKE_SHARE_LINK,
  SET_VISIBILITY,
  SHARE_LINKS,
  TEAM_MEMBERS,
} from '../../lib/operations';
import { formatDate, StatusBadge } from '../Badges';
import { CircuitStatus } from '../CircuitStatus';
import { CircuitVotesFor } from '../CircuitVotes';
import { Dialog } from '../Dialog';
import { CircuitEvidence } from '../Evidence';
import { useMe } from '../TopBar';
import type { CircuitInfo, ReviewRow } from './types';

const VISIBILITY_HELP: Record<string, string> = {
  PRIVATE: 'Only you and the team’s admins',
  TEAM: 'Everyone in the team',
  UNLISTED: 'The team, and anyone with the address',
  PUBLIC: 'Everyone',
};

/** Copies text; falls back to selecting it in a field when the Clipboard API is not allowed. */
async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback?.select();
    return document.execCommand?.('copy') ?? false;
  }
}

export function ShareDialog({
  open,
  onClose,
  circuit,
  version,
}: {
  open: boolean;
  onClose: () => void;
  circuit: CircuitInfo;
  version: number;
}) {
  const links = useQuery(SHARE_LINKS, {
    variables: { slug: circuit.slug },
    skip: !open,
    fetchPolicy: 'network-only',
  });
  const [setVisibility] = useMutation(SET_VISIBILITY);
  const [createLink, creating] = useMutation(CREATE_SHARE_LINK);
  const [revoke] = useMutation(REVOKE_SHARE_LINK);
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [field, setField] = useState<HTMLInputElement | null>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setCopied(false);
    const form = new FormData(event.currentTarget);
    const expires = String(form.get('expires') ?? '');
    try {
      const result = await createLink({
        variables: {
          input: {
            circuitId: circuit.id,
            permission: String(form.get('permission')) as SharePermission,
            ...(form.get('scope') === 'version' ? { version } : {}),
            ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
          },
        },
      });
      setCreated(`${window.location.origin}${result.data!.createShareLink.path}`);
      await links.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <Dialog open={open} title="Share this circuit" onClose={onClose} wide>
      <div className="stack" data-testid="share-dialog">
        <label>
          Who can see it
          <select
            aria-label="Visibility"
            value={circuit.visibility}
            onChange={async (event) => {
              setError(null);
              try {
                // The <select> offers only the schema's values.
                await setVisibility({
                  variables: { circuitId: circuit.id, visibility: event.target.value as Visibility },
                });
              } catch (caught) {
                setError(errorMessage(caught));
              }
            }}
          >
            {Object.entries(VISIBILITY_HELP).map(([value, help]) => (
              <option key={value} value={value}>
                {value.toLowerCase()}: {help}
              </option>
            ))}
          </select>
        </label>
        <h3 className="section-title">New link</h3>
        <form className="row wrap align-end" onSubmit={onCreate}>
          <label>
            Permission
            <select name="permission" aria-label="Link permission" defaultValue="COMMENT">
              <option value="VIEW">view</option>
              <option value="COMMENT">comment</option>
              <option value="EDIT">edit</option>
            </select>
          </label>
          <label>
            Versions
            <select name="scope" aria-label="Link scope" defaultValue="all">
              <option value="all">every version</option>
              <option value="version">only version {version}</option>
            </select>
          </label>
          <label>
            Expires (optional)
            <input name="expires" type="datetime-local" aria-label="Link expiry" />
          </label>
          <button type="submit" disabled={creating.loading}>
            Create link
          </button>
        </form>
        {created && (
          <div className="stack">
            <p className="small muted">Copy it now: the link is shown once.</p>
            <div className="row">
              <input
                ref={setField}
                readOnly
                value={created}
                aria-label="Share link"
                data-testid="share-url"
                className="grow"
              />
              <button
                type="button"
                className="secondary"
                onClick={async () => setCopied(await copyText(created, field))}
              >
                {copied ? 'Copied' : 'Copy'}
              </button>
            </div>
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <h3 className="section-title">Links</h3>
        {links.data?.circuit.shareLinks.length ? (
          <table className="small">
            <thead>
              <tr>
                <th>Permission</th>
                <th>Versions</th>
                <th>Created</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody data-testid="share-links">
              {links.data.circuit.shareLinks.map((link) => (
                <tr key={link.id}>
                  <td>{link.permission.toLowerCase()}</td>
                  <td>{link.version ? `v${link.version}` : 'all'}</td>
                  <td>{formatDate(link.createdAt)}</td>
                  <td>{link.expiresAt ? formatDate(link.expiresAt) : 'never'}</td>
                  <td>
                    {link.revokedAt ? (
                      <span className="muted">revoked</span>
                    ) : (
                      <button
                        type="button"
                        className="secondary small"
                        onClick={async () => {
                          try {
                            // The mutation returns revokedAt: the cached link updates in place.
                            await revoke({ variables: { id: link.id } });
                          } catch (caught) {
                            setError(errorMessage(caught));
                          }
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted small">{links.loading ? 'Loading…' : 'No links yet.'}</p>
        )}
      </div>
    </Dialog>
  );
}

/** Reviews of the circuit: request reviewers from the team, decide the ones assigned to me; votes on the circuit. */
export function ReviewPanel({
  circuit,
  reviews,
  version,
  canRequest,
  onChanged,
}: {
  circuit: CircuitInfo;
  reviews: ReviewRow[];
  version: number;
  canRequest: boolean;
  onChanged: () => void;
}) {
  const { me } = useMe();
  const members = useQuery(TEAM_MEMBERS, { variables: { id: circuit.teamId }, skip: !canRequest });
  const [requestReview, requesting] = useMutation(REQUEST_REVIEW);
  const [error, setError] = useState<string | null>(null);
  const agreement = circuit.reviewAgreement;
  const candidates = members.data?.team.members.filter((m) => m.user.id !== me?.id) ?? [];

  async function onRequest(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const reviewerIds = new FormData(event.currentTarget).getAll('reviewer').map(String);
    if (!reviewerIds.length) {
      setError('Pick at least one reviewer');
      return;
    }
    try {
      await requestReview({ variables: { input: { circuitId: circuit.id, version, reviewerIds } } });
      onChanged();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <div className="stack panel-body" data-testid="review-panel">
      <h2 className="section-title">
        Review <CircuitStatus circuit={circuit} />
      </h2>
      <p className="small muted">
        {agreement.approved} approved · {agreement.changesRequested} changes requested · {agreement.pending} pending
        {agreement.approved + agreement.changesRequested > 0 && ` · ${Math.round(agreement.agreement * 100)}% agree`}
      </p>
      <div className="row spread" data-testid="circuit-vote-row">
        <span className="small muted">Votes (on the circuit; reviews are per version)</span>
        <CircuitVotesFor slug={circuit.slug} />
      </div>
      <ul className="plain stack">
        {reviews.map((review) => (
          <li key={review.id} className="review-row">
            <div className="row spread">
              <span>
                <strong>{review.reviewer?.displayName ?? 'someone'}</strong> on v{review.version}
              </span>
              <StatusBadge status={review.state} />
            </div>
            {review.comment && <p className="comment-body">“{review.comment}”</p>}
            {review.state === 'PENDING' && review.reviewer?.id === me?.id && (
              <DecideReview reviewId={review.id} onDone={onChanged} />
            )}
          </li>
        ))}
        {!reviews.length && <li className="muted small">No reviews requested yet.</li>}
      </ul>
      <CircuitEvidence slug={circuit.slug} version={version} />
      {canRequest && (
        <form className="stack" onSubmit={onRequest}>
          <h3 className="section-title">Request a review of v{version}</h3>
          {candidates.length ? (
            <fieldset className="plain-fieldset">
              <legend className="small muted">Reviewers</legend>
              {candidates.map((m) => (
                <label key={m.user.id} className="check">
                  <input type="checkbox" name="reviewer" value={m.user.id} /> {m.user.displayName}{' '}
                  {m.user.email && <span className="muted">({m.user.email})</span>}
                </label>
              ))}
            </fieldset>
          ) : (
            <p className="muted small">{members.loading ? 'Loading members…' : 'Add teammates to ask them.'}</p>
          )}
          <button type="submit" className="small" disabled={requesting.loading || !candidates.length}>
            Request review
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Approve or request changes, with an optional comment. */
export function DecideReview({ reviewId, onDone }: { reviewId: string; onDone: () => void }) {
  const [decide, deciding] = useMutation(DECIDE_REVIEW);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (decision: 'APPROVED' | 'CHANGES_REQUESTED') => {
    setError(null);
    try {
      await decide({
        variables: { input: { reviewId, decision, ...(comment.trim() ? { comment: comment.trim() } : {}) } },
      });
      onDone();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <div className="stack decide">
      <textarea
        aria-label="Review comment"
        placeholder="Comment for the author (optional)"
        rows={2}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
      />
      <div className="row">
        <button type="button" className="small" disabled={deciding.loading} onClick={() => submit('APPROVED')}>
          Approve
        </button>
        <button
          type="button"
          className="secondary small"
          disabled={deciding.loading}
          onClick={() => submit('CHANGES_REQUESTED')}
        >
          Request changes
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
