/** Where the signed-in user's teams stand: a page cannot tell "in no team" from "not loaded yet" until `loaded`. */
export type TeamsState = 'loading' | 'failed' | 'loaded';

/**
 * Why someone on a feature page cannot propose a label, or null when they can: one text for the page's note under the
 * labels and for the `l` key's message, so the two cannot say different things. `team` is the team the page is in
 * when the user belongs to it (any role), with its `can.proposeLabels` from the API (policy.ts, label.propose);
 * `teams` says whether the user's teams have loaded, so no one is told to join a team they are already in.
 */
export function proposeLabelRefusal(who: {
  signedIn: boolean;
  teams: TeamsState;
  team: { canPropose: boolean } | null;
}): string | null {
  if (!who.signedIn) return 'Sign in to propose and vote.';
  if (who.teams === 'loading') return 'Checking your teams…';
  if (who.teams === 'failed')
    return 'Your teams could not be loaded, so proposing is off; reload the page to try again.';
  if (!who.team) return 'Join a team (as member or above) to propose labels.';
  // In the team without label.propose: a viewer, whom only an admin can make a member.
  if (!who.team.canPropose) return 'Viewers can’t propose labels; ask an admin of the team for the member role.';
  return null;
}
