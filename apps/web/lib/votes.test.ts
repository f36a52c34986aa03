import { describe, expect, it } from 'vitest';
import { optimisticLabelVote, recountVotes } from './votes';

const label = (over: Partial<Parameters<typeof optimisticLabelVote>[0]> = {}) => ({
  myVote: 0,
  score: 1,
  status: 'PROPOSED' as const,
  agreement: { up: 1, down: 0, agreement: 1 },
  ...over,
});

describe('recountVotes', () => {
  it('adds a new vote, switches sides, and withdraws a vote pressed again', () => {
    expect(recountVotes({ up: 1, down: 0 }, 0, 1)).toEqual({ next: 1, up: 2, down: 0 });
    expect(recountVotes({ up: 2, down: 0 }, 1, -1)).toEqual({ next: -1, up: 1, down: 1 });
    expect(recountVotes({ up: 1, down: 1 }, -1, -1)).toEqual({ next: 0, up: 1, down: 0 });
  });
});

describe('optimisticLabelVote', () => {
  it('keeps the status while score, counts and my vote move at once', () => {
    // Two up votes, all up: the old client rule called this ACCEPTED, but if one of them is the author's the API
    // (which counts only others' votes against the team's threshold) still says PROPOSED.
    const { value, label: shown } = optimisticLabelVote(label(), 1);
    expect(value).toBe(1);
    expect(shown).toEqual({
      myVote: 1,
      score: 2,
      status: 'PROPOSED',
      agreement: { up: 2, down: 0, agreement: 1 },
    });
  });

  it('does not dispute or un-accept a label on a down vote before the API says so', () => {
    const accepted = label({ status: 'ACCEPTED', score: 3, agreement: { up: 3, down: 0, agreement: 1 } });
    const { label: shown } = optimisticLabelVote(accepted, -1);
    expect(shown.status).toBe('ACCEPTED');
    expect(shown.score).toBe(2);
    expect(shown.agreement).toEqual({ up: 3, down: 1, agreement: 0.75 });
  });
});
