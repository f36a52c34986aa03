'use client';

import { useMutation } from '@apollo/client/react';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../lib/errors';
import { SET_LABEL_ACCEPT_VOTES } from '../lib/operations';

/** The team's label rule, in words; admins and owners can change how many votes accept a label. */
export function LabelAcceptVotes({ teamId, votes, canChange }: { teamId: string; votes: number; canChange: boolean }) {
  const [save, saving] = useMutation(SET_LABEL_ACCEPT_VOTES);
  const [error, setError] = useState<string | null>(null);
  const rule = `A label is accepted once ${votes} ${votes === 1 ? 'person' : 'people'} other than its author vote it up (and three quarters of those votes are up).`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      await save({ variables: { teamId, votes: Number(new FormData(event.currentTarget).get('votes')) } });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <div className="stack small" data-testid="label-rule">
      <p className="muted">{rule}</p>
      {canChange && (
        <form className="row wrap" onSubmit={onSubmit} aria-label="Votes that accept a label">
          <label className="row">
            Votes needed
            <input
              name="votes"
              type="number"
              min={1}
              max={50}
              defaultValue={votes}
              key={votes}
              style={{ width: '5em' }}
            />
          </label>
          <button type="submit" className="secondary small" disabled={saving.loading}>
            Save
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
