'use client';

import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { TopBar, useMe } from '../components/TopBar';
import { errorMessage } from '../lib/errors';
import { useAppRouter } from '../lib/navigation';
import { CREATE_TEAM, MY_TEAM_ADDED, MY_TEAMS } from '../lib/operations';

export default function HomePage() {
  const router = useAppRouter();
  const { me, loading, error: meError } = useMe();
  const signedIn = Boolean(me);
  const teams = useQuery(MY_TEAMS, { skip: !signedIn });
  // Teams created elsewhere (another tab, a colleague's invitation) appear without a reload.
  useSubscription(MY_TEAM_ADDED, { skip: !signedIn, onData: () => void teams.refetch() });
  const [createTeam, createState] = useMutation(CREATE_TEAM);
  const [error, setError] = useState<string | null>(null);

  if (loading) return <main className="muted">Loading…</main>;
  if (!me) return <Welcome unreachable={Boolean(meError)} />;

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (!name) {
      setError('Give the team a name first.');
      return;
    }
    try {
      const created = await createTeam({ variables: { name } });
      // A new team is where the next steps are (invite people, add a circuit): open it.
      router.push(`/teams/${created.data!.createTeam.id}`);
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
          <form className="row" onSubmit={onCreate} noValidate>
            <input name="name" placeholder="New team name" aria-label="New team name" maxLength={80} />
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
        <p className="muted small">
          New to feature circuits? <Link href="/learn">The walkthrough</Link> builds one from scratch, then opens the
          demo model&rsquo;s circuit for &ldquo;The cat runs&rdquo; / &ldquo;The cats run&rdquo;.
        </p>
      </main>
    </>
  );
}

/** Signed out: what this is, and ways in that need no account (the explorer) or take one step (an account). */
function Welcome({ unreachable }: { unreachable: boolean }) {
  return (
    <>
      <TopBar />
      <main className="stack" style={{ maxWidth: 760, margin: '0 auto' }}>
        <section className="card stack" data-testid="welcome">
          <h1 style={{ margin: 0 }}>Circuit Workbench</h1>
          <p>
            A shared workbench for the features that sparse autoencoders (SAEs) find inside language models: see which
            features fire on your text, compute and edit the circuits that explain a behaviour, and label and review
            them together with your team.
          </p>
          <ul>
            <li>
              <Link href="/learn">Follow the walkthrough</Link>: feature circuits step by step, from a toy network and
              its sparse autoencoder to the demo model&rsquo;s circuit for &ldquo;The cat runs&rdquo; / &ldquo;The cats
              run&rdquo;. No account needed.
            </li>
            <li>
              <Link href="/explore">Open the feature explorer</Link>: type a sentence and see the bundled demo
              model&rsquo;s features on every token. No account needed.
            </li>
            <li>
              <Link href="/signin?mode=signup">Create an account</Link> to start a team, compute circuits, propose
              labels and request reviews. Already have one? <Link href="/signin">Sign in</Link>.
            </li>
          </ul>
          {unreachable && (
            <p className="error" role="alert">
              The server could not be reached just now, so you may already be signed in: reload to try again.
            </p>
          )}
        </section>
      </main>
    </>
  );
}
