'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { useAppRouter } from '../../lib/navigation';
import { CREATE_CIRCUIT, MY_TEAMS } from '../../lib/operations';
import { forgetUnsavedEdits } from '../../lib/unsaved-edits';
import { SignInLink } from '../SignInLink';
import { useMe } from '../TopBar';

/** What a new circuit starts from: a graph, and in the editor its layout, supernodes and labels as edited. */
export interface SavedContent {
  graph: unknown;
  layout?: unknown;
  groups?: unknown;
  annotations?: unknown;
}

/**
 * Keeps a circuit the walkthrough computed: saved as a new circuit of one of your teams (createCircuit), then opened
 * in the editor there. `content` is read when saving (the editor's edits so far). Signed out, it says that saving
 * needs an account and links sign-in, which comes back here (the editor keeps the edits meanwhile: unsaved-edits.ts).
 */
export function SaveToTeam({
  title,
  content,
  what,
  editsKey,
}: {
  title: string;
  content: () => SavedContent;
  what: string;
  /** The editor's key for the unsaved edits it keeps (unsaved-edits.ts): saved, they are forgotten. */
  editsKey?: string;
}) {
  const router = useAppRouter();
  const { me, loading } = useMe();
  const teams = useQuery(MY_TEAMS, { skip: !me });
  const [teamId, setTeamId] = useState('');
  const [create, creating] = useMutation(CREATE_CIRCUIT);
  const [error, setError] = useState<string | null>(null);
  if (loading) return null;
  if (!me) {
    return (
      <span data-testid="save-needs-account">
        {what} is not saved anywhere. Saving it to a team (to label, discuss and review it there) needs an account:{' '}
        <SignInLink>sign in or create one</SignInLink>, and you come back here.
      </span>
    );
  }
  // Until the teams arrive there is nothing to choose: a disabled control says so, not an empty list.
  if (!teams.data) {
    return (
      <span className="row wrap" style={{ display: 'inline-flex' }} data-testid="save-to-team">
        {what} is not saved yet. Save it to
        <select aria-label="Team to save to" disabled value="">
          <option value="">{teams.error ? 'teams could not be loaded' : 'loading teams…'}</option>
        </select>
        <button type="button" className="small" disabled>
          Save to team
        </button>
        {teams.error && (
          <span className="error" role="alert">
            {errorMessage(teams.error)}
          </span>
        )}
      </span>
    );
  }
  const writable = teams.data.myTeams.filter((t) => t.can.createCircuits);
  if (!writable.length) {
    return (
      <span data-testid="save-to-team">
        {what} is not saved. Saving it needs a team you are a member of (viewers only read):{' '}
        <Link href="/">create a team</Link> first.
      </span>
    );
  }
  const chosen = teamId || writable[0]?.id || '';
  async function save() {
    setError(null);
    try {
      const result = await create({
        variables: { input: { ...content(), teamId: chosen, title, message: 'Saved from the walkthrough (/learn)' } },
      });
      if (editsKey) forgetUnsavedEdits(editsKey);
      router.push(`/c/${result.data!.createCircuit.slug}`);
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }
  return (
    <span className="row wrap" style={{ display: 'inline-flex' }} data-testid="save-to-team">
      {what} is not saved yet. Save it to
      <select aria-label="Team to save to" value={chosen} onChange={(event) => setTeamId(event.target.value)}>
        {writable.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <button type="button" className="small" onClick={() => void save()} disabled={!chosen || creating.loading}>
        {creating.loading ? 'Saving…' : 'Save to team'}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
