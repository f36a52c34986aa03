'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { Role } from '../lib/generated/graphql';
import { CREATE_INVITATION, REVOKE_INVITATION, TEAM_INVITATIONS } from '../lib/operations';
import { formatDate } from './Badges';

/** Invitation links for a team: create (role, days valid), copy the link once, see uses, revoke. */
export function InviteLinks({ teamId, canInviteAdmins }: { teamId: string; canInviteAdmins: boolean }) {
  const list = useQuery(TEAM_INVITATIONS, { variables: { id: teamId } });
  const [create, creating] = useMutation(CREATE_INVITATION);
  const [revoke] = useMutation(REVOKE_INVITATION);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    setCopied(false);
    try {
      const result = await create({
        // The form's <select> offers only the schema's roles.
        variables: { teamId, role: String(form.get('role')) as Role, days: Number(form.get('days')) },
      });
      setLink(`${window.location.origin}${result.data!.createInvitation.path}`);
      await list.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  const active = (list.data?.team.invitations ?? []).filter(
    (i) => !i.revokedAt && new Date(i.expiresAt).getTime() > Date.now(),
  );
  return (
    <div className="stack">
      <h3 className="section-title">Invite by link</h3>
      <form className="row wrap" onSubmit={onCreate}>
        <select name="role" aria-label="Invitation role" defaultValue="MEMBER">
          {(canInviteAdmins ? ['VIEWER', 'MEMBER', 'ADMIN'] : ['VIEWER', 'MEMBER']).map((role) => (
            <option key={role} value={role}>
              {role.toLowerCase()}
            </option>
          ))}
        </select>
        <select name="days" aria-label="Valid for" defaultValue="7">
          {[1, 7, 30].map((d) => (
            <option key={d} value={d}>
              valid {d} day{d > 1 ? 's' : ''}
            </option>
          ))}
        </select>
        <button type="submit" disabled={creating.loading}>
          Create invitation link
        </button>
      </form>
      {link && (
        <div className="row wrap">
          <input readOnly value={link} aria-label="Invitation link" data-testid="invitation-link" style={{ flex: 1 }} />
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              await navigator.clipboard?.writeText(link).catch(() => {});
              setCopied(true);
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      {link && (
        <p className="muted small">Anyone signed in who opens this link joins the team. It is shown only now.</p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {active.length > 0 && (
        <table className="small">
          <tbody>
            {active.map((i) => (
              <tr key={i.id}>
                <td>
                  <span className="badge">{i.role.toLowerCase()}</span>
                </td>
                <td className="muted">until {formatDate(i.expiresAt)}</td>
                <td className="muted">
                  {i.uses} use{i.uses === 1 ? '' : 's'}
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    onClick={async () => {
                      // The mutation returns revokedAt: the cached row updates, and the list drops it.
                      await revoke({ variables: { id: i.id } });
                    }}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
