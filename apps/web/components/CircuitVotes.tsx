'use client';

import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage } from '../lib/errors';
import type { CircuitVoteFieldsFragment } from '../lib/generated/graphql';
import { CIRCUIT_CHANGED, CIRCUIT_VOTES, type CircuitPermissions, VOTE_CIRCUIT } from '../lib/operations';
import { recountVotes } from '../lib/votes';

/** A circuit's votes as CircuitVoteFields reads them, with the access that decides whether I may vote. */
export type CircuitVoteData = CircuitVoteFieldsFragment & { can: Pick<CircuitPermissions, 'comment'> };

/**
 * Up and down votes on a circuit: the score, my vote, and buttons when I may vote (pressing my vote again withdraws
 * it). With `live`, other people's votes arrive over circuitChanged; the team page gets them through teamChanged.
 */
export function CircuitVotes({
  circuit,
  slug,
  live = false,
}: {
  circuit: CircuitVoteData;
  slug: string;
  live?: boolean;
}) {
  const client = useApolloClient();
  const [vote] = useMutation(VOTE_CIRCUIT);
  const [error, setError] = useState<string | null>(null);
  useSubscription(CIRCUIT_CHANGED, {
    variables: { circuitId: circuit.id },
    skip: !live,
    onData: ({ data }) => {
      // The refetched votes land on the cached circuit: every list that shows it follows.
      if (data.data?.circuitChanged.kind === 'vote') {
        void client.query({ query: CIRCUIT_VOTES, variables: { slug }, fetchPolicy: 'network-only' }).catch(() => {});
      }
    },
  });

  const { up, down } = circuit.voteAgreement;
  const castVote = async (value: 1 | -1) => {
    const { next, up: nextUp, down: nextDown } = recountVotes(circuit.voteAgreement, circuit.myVote, value);
    setError(null);
    try {
      await vote({
        variables: { circuitId: circuit.id, value: next },
        // Shown at once; the server's answer replaces it (or the cache rolls back on an error).
        optimisticResponse: {
          voteCircuit: {
            __typename: 'Circuit',
            id: circuit.id,
            score: nextUp - nextDown,
            myVote: next,
            voteAgreement: { __typename: 'Agreement', up: nextUp, down: nextDown },
          },
        },
      });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const mine = circuit.myVote === 1 ? 'you voted up' : circuit.myVote === -1 ? 'you voted down' : null;
  return (
    <span
      className="row vote small"
      data-testid="circuit-votes"
      data-score={circuit.score}
      data-my-vote={circuit.myVote}
    >
      {circuit.can.comment ? (
        <>
          <button
            type="button"
            className={circuit.myVote === 1 ? 'small' : 'secondary small'}
            aria-pressed={circuit.myVote === 1}
            aria-label="Vote the circuit up"
            title={circuit.myVote === 1 ? 'Withdraw your up vote' : 'Vote up'}
            onClick={() => castVote(1)}
          >
            ▲ {up}
          </button>
          <button
            type="button"
            className={circuit.myVote === -1 ? 'small danger' : 'secondary small'}
            aria-pressed={circuit.myVote === -1}
            aria-label="Vote the circuit down"
            title={circuit.myVote === -1 ? 'Withdraw your down vote' : 'Vote down'}
            onClick={() => castVote(-1)}
          >
            ▼ {down}
          </button>
        </>
      ) : (
        <span className="muted" title="Votes: whoever may comment on the circuit may vote">
          ▲ {up} ▼ {down}
        </span>
      )}
      <span className="muted" data-testid="circuit-score">
        score {circuit.score}
        {mine ? ` · ${mine}` : ''}
      </span>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** The votes of the circuit at /c/{slug}, live: what the circuit page's review panel shows. */
export function CircuitVotesFor({ slug }: { slug: string }) {
  const votes = useQuery(CIRCUIT_VOTES, { variables: { slug } });
  if (!votes.data) return votes.error ? <p className="error small">{errorMessage(votes.error)}</p> : null;
  return <CircuitVotes circuit={votes.data.circuit} slug={slug} live />;
}
