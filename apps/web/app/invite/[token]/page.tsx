'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { formatDate } from '../../../components/Badges';
import { TopBar, useMe } from '../../../components/TopBar';
import { errorExtensions, errorMessage } from '../../../lib/errors';
import { useAppRouter } from '../../../lib/navigation';
import { ACCEPT_INVITATION, INVITATION_PREVIEW } from '../../../lib/operations';

/** /invite/{token}: what the link offers, and a button to join (after signing in). */
export default function InvitePage() {
  const { token } = useParams<{ token: string }>();
  const router = useAppRouter();
  const { me, loading } = useMe();
  const preview = useQuery(INVITATION_PREVIEW, {
    variables: { token },
  });
  const [accept, accepting] = useMutation(ACCEPT_INVITATION);
  const [error, setError] = useState<string | null>(null);
  const invitation = preview.data?.invitation;
  return (
    <>
      <TopBar />
      <main>
        <section className="card stack" style={{ maxWidth: 520, margin: '2rem auto' }}>
          <h1 style={{ margin: 0 }}>Team invitation</h1>
          {preview.error && (
            <>
              {errorExtensions(preview.error)?.code === 'INVITATION_EXPIRED' && (
                <h2 style={{ margin: 0 }}>This invitation has expired</h2>
              )}
              <p className="notice warn" role="alert" data-testid="invite-problem">
                {errorMessage(preview.error)}
              </p>
            </>
          )}
          {invitation && (
            <>
              <p>
                You are invited to join <strong data-testid="invite-team">{invitation.teamName}</strong> as{' '}
                <span className="badge">{invitation.role.toLowerCase()}</span>.
              </p>
              <p className="muted small">The link works until {formatDate(invitation.expiresAt)}.</p>
              {loading ? null : me ? (
                <button
                  type="button"
                  disabled={accepting.loading}
                  onClick={async () => {
                    setError(null);
                    try {
                      const result = await accept({ variables: { token } });
                      router.push(`/teams/${result.data!.acceptInvitation.id}`);
                    } catch (caught) {
                      setError(errorMessage(caught));
                    }
                  }}
                >
                  Join {invitation.teamName}
                </button>
              ) : (
                <p>
                  <Link href={`/signin?next=${encodeURIComponent(`/invite/${token}`)}`}>
                    Sign in or create an account
                  </Link>{' '}
                  to join.
                </p>
              )}
            </>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {/* A link that no longer works is no dead end: somewhere to go on from, signed in or not. */}
          {(preview.error || error) && !loading && (
            <p data-testid="invite-next">
              {me ? (
                <Link href="/">Go to your teams</Link>
              ) : (
                <>
                  <Link href="/signin">Sign in</Link> to see your teams, or go to the <Link href="/">home page</Link>
                </>
              )}
              .
            </p>
          )}
        </section>
      </main>
    </>
  );
}
