'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { useState } from 'react';
import { formatDate, StatusBadge } from '../../components/Badges';
import { CircuitStatus } from '../../components/CircuitStatus';
import { CircuitVotes } from '../../components/CircuitVotes';
import { DecideReview } from '../../components/editor/Collab';
import { SignInLink } from '../../components/SignInLink';
import { TopBar, useMe } from '../../components/TopBar';
import { errorMessage } from '../../lib/errors';
import type { ReviewCardFieldsFragment } from '../../lib/generated/graphql';
import { MY_INBOX, MY_REVIEW_REQUESTS, REVIEW_QUEUE } from '../../lib/operations';

type ReviewRow = ReviewCardFieldsFragment;

type Side = 'assigned' | 'requested';

/** Reviews assigned to me (open the circuit, approve or request changes, vote on it), and those I asked for. */
export default function ReviewsPage() {
  const { me, loading } = useMe();
  const [pendingOnly, setPendingOnly] = useState(false);
  const options = { variables: { pendingOnly }, skip: !me, fetchPolicy: 'cache-and-network' as const };
  const queue = useQuery(REVIEW_QUEUE, options);
  const requests = useQuery(MY_REVIEW_REQUESTS, options);
  useSubscription(MY_INBOX, {
    skip: !me,
    onData: () => {
      void queue.refetch();
      void requests.refetch();
    },
  });
  const assigned = queue.data?.reviewQueue.edges.map((e) => e.node) ?? [];
  const requested = requests.data?.myReviewRequests.edges.map((e) => e.node) ?? [];
  return (
    <>
      <TopBar />
      <main className="stack">
        <div className="row spread">
          <h1 className="page-title">Reviews</h1>
          <label className="check">
            <input type="checkbox" checked={pendingOnly} onChange={(event) => setPendingOnly(event.target.checked)} />
            Pending only
          </label>
        </div>
        {!loading && !me && (
          <p>
            <SignInLink /> to see reviews assigned to you and those you requested.
          </p>
        )}
        {me && (
          <>
            <h2 className="section-title">Assigned to me</h2>
            {queue.error && <p className="error">{errorMessage(queue.error)}</p>}
            <ul className="plain stack" data-testid="review-queue">
              {assigned.map((review) => (
                <ReviewCard key={review.id} review={review} side="assigned" onDecided={() => void queue.refetch()} />
              ))}
              {!assigned.length && !queue.loading && <li className="muted">Nothing to review.</li>}
            </ul>
            <h2 className="section-title">Requested by me</h2>
            {requests.error && <p className="error">{errorMessage(requests.error)}</p>}
            <ul className="plain stack" data-testid="review-requests">
              {requested.map((review) => (
                <ReviewCard key={review.id} review={review} side="requested" />
              ))}
              {!requested.length && !requests.loading && (
                <li className="muted">You have not asked anyone for a review. Ask from a circuit&rsquo;s page.</li>
              )}
            </ul>
          </>
        )}
      </main>
    </>
  );
}

function ReviewCard({ review, side, onDecided }: { review: ReviewRow; side: Side; onDecided?: () => void }) {
  const circuit = review.circuit;
  // The circuit's status is its latest version's: beside a review of an older version it would describe
  // something else (an "approved" v3 beside my open request on v2), so it is shown only for the same version.
  const sameVersion = circuit?.latestVersion === review.version;
  return (
    <li className="card stack review-card" data-testid="review-card" data-state={review.state}>
      <div className="row spread">
        <span>
          {circuit ? (
            <Link href={`/c/${circuit.slug}/v/${review.version}`}>
              {circuit.title} · v{review.version}
            </Link>
          ) : (
            'A circuit you can no longer see'
          )}{' '}
          {circuit && (
            <span className="small muted" data-testid="review-circuit-status">
              {sameVersion ? (
                <>
                  circuit <CircuitStatus circuit={circuit} />
                </>
              ) : (
                `circuit now at v${circuit.latestVersion}`
              )}
            </span>
          )}
        </span>
        <span className="small muted" data-testid="review-state">
          {side === 'assigned' ? 'your review' : `${review.reviewer?.displayName ?? 'someone'}’s review`}{' '}
          <StatusBadge status={review.state} />
        </span>
      </div>
      {circuit && side === 'assigned' && <CircuitVotes circuit={circuit} slug={circuit.slug} live />}
      <p className="small muted">
        {side === 'assigned'
          ? `Requested by ${review.requestedBy?.displayName ?? 'someone'}`
          : `You asked ${review.reviewer?.displayName ?? 'someone'}`}{' '}
        · {formatDate(review.createdAt)}
        {review.decidedAt ? ` · decided ${formatDate(review.decidedAt)}` : ''}
      </p>
      {review.comment && <p className="comment-body">“{review.comment}”</p>}
      {side === 'assigned' && review.state === 'PENDING' && onDecided && (
        <DecideReview reviewId={review.id} onDone={onDecided} />
      )}
    </li>
  );
}
