import { describe, expect, it } from 'vitest';
import { proposeLabelRefusal } from './label-proposal';

describe('proposeLabelRefusal', () => {
  it('tells a signed-out visitor to sign in, whatever team the page names', () => {
    expect(proposeLabelRefusal({ signedIn: false, team: null })).toBe('Sign in to propose and vote.');
    expect(proposeLabelRefusal({ signedIn: false, team: { canPropose: true } })).toBe('Sign in to propose and vote.');
  });

  it('tells someone in no team to join one', () => {
    expect(proposeLabelRefusal({ signedIn: true, team: null })).toBe(
      'Join a team (as member or above) to propose labels.',
    );
  });

  it('tells a viewer of the team, not to join a team, but to ask an admin for the member role', () => {
    expect(proposeLabelRefusal({ signedIn: true, team: { canPropose: false } })).toBe(
      'Viewers can’t propose labels; ask an admin of the team for the member role.',
    );
  });

  it('refuses nothing to a member of the team', () => {
    expect(proposeLabelRefusal({ signedIn: true, team: { canPropose: true } })).toBeNull();
  });
});
