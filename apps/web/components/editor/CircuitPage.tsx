'use client';

import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { errorExtensions, errorMessage } from '../../lib/errors';
import { CIRCUIT } from '../../lib/operations';
import { setShareToken } from '../../lib/share';
import { SignInLink } from '../SignInLink';
import { TopBar } from '../TopBar';
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

  if (!data) {
    if (query.error) {
      const code = errorExtensions(query.error)?.code;
      return (
        <>
          <TopBar />
          <main className="card stack" role="alert">
            <h1>Circuit unavailable</h1>
            <p>
              {code === 'NOT_FOUND'
                ? 'This circuit does not exist, or you have no access to it (a share link may have expired or been revoked).'
                : errorMessage(query.error)}
            </p>
            <p>
              <Link href="/">Go to your teams</Link> · <SignInLink />
            </p>
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
