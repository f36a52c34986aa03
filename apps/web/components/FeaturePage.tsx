'use client';

import { useQuery } from '@apollo/client/react';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import type { FeatureKey } from '../lib/graph';
import { proposeLabelRefusal, type TeamsState } from '../lib/label-proposal';
import { useAppRouter } from '../lib/navigation';
import { MY_TEAMS } from '../lib/operations';
import { CommentThread } from './CommentThread';
import { FeatureDashboard } from './FeatureDashboard';
import { FeatureLabels } from './FeatureLabels';
import { LabelDrafts } from './LabelDrafts';
import { LabelingFlow } from './LabelingFlow';
import { SignInLink } from './SignInLink';
import { SteerPanel } from './SteerPanel';
import { TopBar, useMe } from './TopBar';

/** Labels, votes and discussion of one SAE feature; the activation dashboard slot is left for the explorer. */
export function FeaturePage({ feature }: { feature: FeatureKey }) {
  const router = useAppRouter();
  const search = useSearchParams();
  const { me, loading: meLoading } = useMe();
  const teams = useQuery(MY_TEAMS, { skip: !me });
  const teamId = search.get('team') ?? teams.data?.myTeams[0]?.id ?? null;
  const team = teams.data?.myTeams.find((t) => t.id === teamId);
  const canWrite = Boolean(me && team?.can.proposeLabels);
  // What keeps this user from proposing, said the same by the note below the labels and by the l key.
  // Until the teams have loaded, "in no team" cannot be told from "not loaded yet".
  const teamsState: TeamsState = me && !teams.data ? (teams.error ? 'failed' : 'loading') : 'loaded';
  const proposeRefusal = proposeLabelRefusal({
    signedIn: Boolean(me),
    teams: teamsState,
    team: team ? { canPropose: team.can.proposeLabels } : null,
  });
  // Comment events (heard by the labels' subscription) refresh the thread.
  const [commentTick, setCommentTick] = useState(0);

  return (
    <>
      <TopBar />
      <main className="wide stack">
        <nav className="small muted" aria-label="Breadcrumb">
          Models / {feature.modelId} / {feature.saeId}
        </nav>
        <div className="row spread wrap">
          <h1 className="page-title" data-testid="feature-title">
            Feature #{feature.featureIndex}{' '}
            <span className="muted small">
              {feature.modelId} · {feature.saeId}
            </span>
          </h1>
          {me && (teams.data?.myTeams.length ?? 0) > 0 && (
            <label className="row">
              Team
              <select
                aria-label="Team"
                value={teamId ?? ''}
                onChange={(event) => {
                  const params = new URLSearchParams(search.toString());
                  params.set('team', event.target.value);
                  router.replace(`?${params.toString()}`);
                }}
              >
                {teams.data?.myTeams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>

        <LabelingFlow feature={feature} teamId={teamId} signedIn={Boolean(me)} proposeRefusal={proposeRefusal} />

        {/* The dashboard beside the labels: a labeler reads one and writes the other without scrolling. */}
        <div className="grid-2">
          <section className="card dashboard-slot" aria-label="Activation dashboard" data-slot="activation-dashboard">
            <h2 className="section-title">Activations</h2>
            <FeatureDashboard feature={feature} />
          </section>
          <section className="card stack" aria-label="Labels">
            <h2 className="section-title">Labels</h2>
            <FeatureLabels
              feature={feature}
              proposeTeam={canWrite && team ? { id: team.id, name: team.name } : null}
              proposeNote={
                !meLoading &&
                proposeRefusal && (
                  <p className="muted small" data-testid="propose-note">
                    {me ? proposeRefusal : <SignInLink>{proposeRefusal}</SignInLink>}
                  </p>
                )
              }
              onEvent={(kind) => {
                if (kind === 'comment') setCommentTick((t) => t + 1);
              }}
            />
            {canWrite && team && <LabelDrafts feature={feature} team={{ id: team.id, name: team.name }} />}
          </section>
        </div>
        <div>
          <section className="card" data-testid="feature-discussion">
            {/* Which thread (the team's or the public one) and whether one may write in it depend on the teams: the
                public thread's comment box shown for a moment could take a comment meant for the team. */}
            {teamsState === 'loading' ? (
              <p className="muted small">Checking your teams…</p>
            ) : (
              <CommentThread
                key={teamId ?? 'public'}
                refreshKey={commentTick}
                target={{ type: 'FEATURE', ...feature, ...(teamId ? { teamId } : {}) }}
                // A team's thread takes its members' comments (Team.can.participate); the public one anyone's signed in.
                canComment={teamId ? Boolean(team?.can.participate) : Boolean(me)}
                title={team ? `Discussion in ${team.name}` : 'Public discussion'}
              />
            )}
          </section>
        </div>
        <SteerPanel feature={feature} />
      </main>
    </>
  );
}
