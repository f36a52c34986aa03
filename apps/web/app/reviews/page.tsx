'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { useState } from 'react';
import { formatDate, StatusBadge } from '../../components/Badges';
import { type CircuitVoteData, CircuitVotes } from '../../components/CircuitVotes';
import { DecideReview } from '../../components/editor/Collab';
import { TopBar, useMe } from '../../components/TopBar';
import { errorMessage } from '../../lib/errors';
import { MY_INBOX, REVIEW_QUEUE } from '../../lib/operations';

interface ReviewRow {
  id: string;
  version: number;
  state: string;
  comment: string | null;
  decidedAt: string | null;
  createdAt: string;
  requestedBy: { displayName: string } | null;
  circuit: (CircuitVoteData & { slug: string; title: string; status: string; latestVersion: number }) | null;
}

/** Reviews assigned to me, pending first: open the circuit, approve or request changes, vote on it. */
export default function ReviewsPage() {
  const { me, loading } = useMe();
  const [pendingOnly, setPendingOnly] = useState(false);
  const queue = useQuery<{ reviewQueue: { edges: { node: ReviewRow }[] } }>(REVIEW_QUEUE, {
    variables: { pendingOnly },
    skip: !me,
    fetchPolicy: 'cache-and-network',
  });
  useSubscription(MY_INBOX, { skip: !me, onData: () => void queue.refetch() });
  const rows = queue.data?.reviewQueue.edges.map((e) => e.node) ?? [];
  return (
    <>
      <TopBar />
      <main className="stack">
        <div className="row spread">
          <h1 className="page-title">Review queue</h1>
          <label className="check">
            <input type="checkbox" checked={pendingOnly} onChange={(event) => setPendingOnly(event.target.checked)} />
            Pending only
          </label>
        </div>
        {!loading && !me && (
          <p>
            <Link href="/signin">Sign in</Link> to see reviews assigned to you.
          </p>
        )}
        {queue.error && <p className="error">{errorMessage(queue.error)}</p>}
        <ul className="plain stack" data-testid="review-queue">
          {rows.map((review) => (
            <li key={review.id} className="card stack review-card">
              <div className="row spread">
                <span>
                  {review.circuit ? (
                    <Link href={`/c/${review.circuit.slug}/v/${review.version}`}>
                      {review.circuit.title} · v{review.version}
                    </Link>
                  ) : (
                    'A circuit you can no longer see'
                  )}{' '}
                  {review.circuit && (
                    <span className="small muted">
                      circuit <StatusBadge status={review.circuit.status} />
                    </span>
                  )}
                </span>
                <span className="small muted">
                  your review <StatusBadge status={review.state} />
                </span>
              </div>
              {review.circuit && <CircuitVotes circuit={review.circuit} slug={review.circuit.slug} live />}
              <p className="small muted">
                Requested by {review.requestedBy?.displayName ?? 'someone'} · {formatDate(review.createdAt)}
                {review.decidedAt ? ` · decided ${formatDate(review.decidedAt)}` : ''}
              </p>
              {review.comment && <p className="comment-body">“{review.comment}”</p>}
              {review.state === 'PENDING' && <DecideReview reviewId={review.id} onDone={() => void queue.refetch()} />}
            </li>
          ))}
          {me && !rows.length && !queue.loading && <li className="muted">Nothing to review.</li>}
        </ul>
      </main>
    </>
  );
}
