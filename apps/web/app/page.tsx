'use client';

import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { TopBar, useMe } from '../components/TopBar';
import { errorMessage } from '../lib/errors';
import { CREATE_TEAM, MY_TEAM_ADDED, MY_TEAMS } from '../lib/operations';

interface Team {
  id: string;
  name: string;
  slug: string;
  myRole: string;
  createdAt: string;
}

export default function HomePage() {
  const router = useRouter();
  const { me, loading, error: meError } = useMe();
  const signedIn = Boolean(me);
  const teams = useQuery<{ myTeams: Team[] }>(MY_TEAMS, { skip: !signedIn });
  // Teams created elsewhere (another tab, a colleague's invitation) appear without a reload.
  useSubscription(MY_TEAM_ADDED, { skip: !signedIn, onData: () => void teams.refetch() });
  const [createTeam, createState] = useMutation(CREATE_TEAM);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!loading && !meError && !me) router.replace('/signin');
  }, [loading, meError, me, router]);

  if (loading || !me) return <main className="muted">Loading…</main>;

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    setError(null);
    try {
      await createTeam({ variables: { name: String(new FormData(formElement).get('name') ?? '') } });
      formElement.reset();
      await teams.refetch();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  return (
    <>
      <TopBar />
      <main className="stack">
        <section className="card stack">
          <h2 style={{ margin: 0 }}>Your teams</h2>
          {teams.data?.myTeams.length ? (
            <table>
              <thead>
                <tr>
                  <th>Team</th>
                  <th>Your role</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody data-testid="team-list">
                {teams.data.myTeams.map((team) => (
                  <tr key={team.id}>
                    <td>
                      <Link href={`/teams/${team.id}`}>{team.name}</Link>
                    </td>
                    <td>
                      <span className="badge">{team.myRole.toLowerCase()}</span>
                    </td>
                    <td className="muted">{new Date(team.createdAt).toLocaleDateString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">{teams.loading ? 'Loading teams…' : 'No teams yet. Create one to start.'}</p>
          )}
          <form className="row" onSubmit={onCreate}>
            <input name="name" placeholder="New team name" aria-label="New team name" required />
            <button type="submit" disabled={createState.loading}>
              Create team
            </button>
          </form>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </section>
      </main>
    </>
  );
}
