import type { LabelFieldsFragment } from './generated/graphql';

/** A vote as the API takes it: 1 up, -1 down, 0 withdrawn. */
export type VoteValue = 1 | -1 | 0;

/**
 * My vote after pressing `pressed` (pressing my vote again withdraws it) and the up/down counts it leaves, counting
 * every voter as the API's score and agreement do.
 */
export function recountVotes(
  counts: { up: number; down: number },
  myVote: number,
  pressed: 1 | -1,
): { next: VoteValue; up: number; down: number } {
  const next: VoteValue = myVote === pressed ? 0 : pressed;
  return {
    next,
    up: counts.up - (myVote === 1 ? 1 : 0) + (next === 1 ? 1 : 0),
    down: counts.down - (myVote === -1 ? 1 : 0) + (next === -1 ? 1 : 0),
  };
}

/**
 * What a label shows while my vote on it is on its way: the new score, counts and my vote. The status stays as it is
 * until the API answers: the API decides it from the votes of people other than the author against the team's
 * labelAcceptVotes (workbench_label_status), and neither who voted nor that threshold is on the client, so any
 * guess here would show a badge the answer then takes back.
 */
export function optimisticLabelVote<L extends Pick<LabelFieldsFragment, 'myVote' | 'score' | 'status' | 'agreement'>>(
  label: L,
  pressed: 1 | -1,
): { value: VoteValue; label: L } {
  const { next, up, down } = recountVotes(label.agreement, label.myVote, pressed);
  return {
    value: next,
    label: {
      ...label,
      myVote: next,
      score: up - down,
      agreement: { ...label.agreement, up, down, agreement: up + down ? Math.max(up, down) / (up + down) : 0 },
    },
  };
}
