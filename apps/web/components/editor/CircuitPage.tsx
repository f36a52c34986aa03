'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { errorExtensions, errorMessage } from '../../lib/errors';
import { CIRCUIT } from '../../lib/operations';
import { setShareToken } from '../../lib/share';
import { SignInLink } from '../SignInLink';
import { TopBar, useMe } from '../TopBar';
import { CircuitEditor } from './CircuitEditor';

/** /c/{slug} (latest version) and /c/{slug}/v/{n}; ?share={token} grants access through a share link. */
export function CircuitPage({ slug, version }: { slug: string; version: number | null }) {
  const search = useSearchParams();
  const share = search.get('share');
  // Before any query runs: the Apollo links read it for x-share-token and graphql-ws connectionParams.
  setShareToken(share);
  const query = useQuery(CIRCUIT, {
    variables: { slug, number: version },
    fetchPolicy: 'network-only',
  });
  const data = query.data ?? query.previousData;
  const { me, loading: meLoading } = useMe();

  if (!data) {
    if (query.error) {
      const code = errorExtensions(query.error)?.code;
      // Only the holder of an expired link hears it expired (the server says when); anything else reads alike.
      const expired = code === 'SHARE_LINK_EXPIRED';
      return (
        <>
          <TopBar />
          <main className="card stack" role="alert">
            <h1>{expired ? 'This share link has expired' : 'Circuit unavailable'}</h1>
            <p data-testid="circuit-problem">
              {code === 'NOT_FOUND'
                ? 'This circuit does not exist, or you have no access to it (a share link may have been revoked).'
                : errorMessage(query.error)}
            </p>
            {/* Somewhere to go on from, signed in or not: no dead end. */}
            {!meLoading && (
              <p data-testid="circuit-next">
                {me ? (
                  <Link href="/">Go to your teams</Link>
                ) : (
                  <>
                    <SignInLink /> (if the circuit is your team's, signing in opens it), or go to the{' '}
                    <Link href="/">home page</Link>
                  </>
                )}
                .
              </p>
            )}
          </main>
        </>
      );
    }
    return (
      <>
        <TopBar />
        <main className="muted">Loading circuit…</main>
      </>
    );
  }
  return (
    <CircuitEditor
      key={data.circuit.id}
      circuit={data.circuit}
      version={data.circuit.version}
      pinnedVersion={version}
      shareToken={share}
      loading={query.loading}
      refetch={() => void query.refetch()}
    />
  );
}
