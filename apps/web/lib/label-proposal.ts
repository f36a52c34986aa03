/**
 * Why someone on a feature page cannot propose a label, or null when they can: one text for the page's note under the
 * labels and for the `l` key's message, so the two cannot say different things. `team` is the team the page is in
 * when the user belongs to it (any role), with its `can.proposeLabels` from the API (policy.ts, label.propose).
 */
export function proposeLabelRefusal(who: { signedIn: boolean; team: { canPropose: boolean } | null }): string | null {
  if (!who.signedIn) return 'Sign in to propose and vote.';
  if (!who.team) return 'Join a team (as member or above) to propose labels.';
  // In the team without label.propose: a viewer, whom only an admin can make a member.
  if (!who.team.canPropose) return 'Viewers can’t propose labels; ask an admin of the team for the member role.';
  return null;
}
