import { describe, expect, it } from 'vitest';
import { proposeLabelRefusal } from './label-proposal';

describe('proposeLabelRefusal', () => {
  it('tells a signed-out visitor to sign in, whatever team the page names', () => {
    expect(proposeLabelRefusal({ signedIn: false, teams: 'loaded', team: null })).toBe('Sign in to propose and vote.');
    expect(proposeLabelRefusal({ signedIn: false, teams: 'loaded', team: { canPropose: true } })).toBe(
      'Sign in to propose and vote.',
    );
  });

  it('tells someone in no team to join one', () => {
    expect(proposeLabelRefusal({ signedIn: true, teams: 'loaded', team: null })).toBe(
      'Join a team (as member or above) to propose labels.',
    );
  });

  it('says only that it is checking while the teams load: no "join a team" to someone who may be in one', () => {
    expect(proposeLabelRefusal({ signedIn: true, teams: 'loading', team: null })).toBe('Checking your teams…');
  });

  it('says why proposing is off when the teams could not be loaded, instead of telling the user to join one', () => {
    expect(proposeLabelRefusal({ signedIn: true, teams: 'failed', team: null })).toBe(
      'Your teams could not be loaded, so proposing is off; reload the page to try again.',
    );
  });

  it('tells a viewer of the team, not to join a team, but to ask an admin for the member role', () => {
    expect(proposeLabelRefusal({ signedIn: true, teams: 'loaded', team: { canPropose: false } })).toBe(
      'Viewers can’t propose labels; ask an admin of the team for the member role.',
    );
  });

  it('refuses nothing to a member of the team', () => {
    expect(proposeLabelRefusal({ signedIn: true, teams: 'loaded', team: { canPropose: true } })).toBeNull();
  });
});
