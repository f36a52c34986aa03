// Label rules that mean something (issue 15, item 4): the author's own vote does not count toward acceptance, the
// team sets how many others must agree (default 2), and a revision keeps the time it was written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

let stack: TestApp;
let teamId: string;
const people = {} as Record<'author' | 'bea' | 'cal' | 'dee' | 'outsider', TestClient>;
let feature = 0;

const LABEL = '{ id status score revision revisedAt updatedAt }';
type Label = { id: string; status: string; score: number; revision: number; revisedAt: string; updatedAt: string };

beforeAll(async () => {
  stack = await startTestApp();
  for (const name of Object.keys({ author: 0, bea: 0, cal: 0, dee: 0, outsider: 0 }) as (keyof typeof people)[]) {
    people[name] = await TestClient.signUp(stack.app.url, `${name}@labels.org`);
  }
  ({
    createTeam: { id: teamId },
  } = await people.author.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Rules" }) { id } }',
  ));
  for (const [name, role] of [
    ['bea', 'MEMBER'],
    ['cal', 'MEMBER'],
    ['dee', 'ADMIN'],
  ] as const) {
    await people.author.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: `${name}@labels.org`, role },
    });
  }
});
afterAll(() => stack?.stop());

async function propose(): Promise<Label> {
  const { proposeLabel } = await people.author.ok<{ proposeLabel: Label }>(
    `mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) ${LABEL} }`,
    { i: { teamId, modelId: 'demo', saeId: 'demo/sae', featureIndex: feature++, name: 'plural subject' } },
  );
  return proposeLabel;
}

async function vote(who: keyof typeof people, labelId: string, value: number): Promise<Label> {
  const { voteLabel } = await people[who].ok<{ voteLabel: Label }>(
    `mutation($l: ID!, $v: Int!) { voteLabel(labelId: $l, value: $v) ${LABEL} }`,
    { l: labelId, v: value },
  );
  return voteLabel;
}

const SET = 'mutation($t: ID!, $v: Int!) { setLabelAcceptVotes(teamId: $t, votes: $v) { labelAcceptVotes } }';

describe('label acceptance', () => {
  it("does not count the author's own vote: two others must agree by default", async () => {
    const label = await propose();
    expect(await vote('author', label.id, 1)).toMatchObject({ status: 'PROPOSED', score: 1 });
    expect(await vote('bea', label.id, 1)).toMatchObject({ status: 'PROPOSED', score: 2 });
    expect(await vote('cal', label.id, 1)).toMatchObject({ status: 'ACCEPTED', score: 3 });
    // Withdrawing one of the others' votes takes acceptance away again; the author's vote cannot hold it.
    expect(await vote('cal', label.id, 0)).toMatchObject({ status: 'PROPOSED', score: 2 });
  });

  it('is disputed when enough others voted and one of them is against', async () => {
    const label = await propose();
    await vote('bea', label.id, -1);
    expect(await vote('cal', label.id, 1)).toMatchObject({ status: 'DISPUTED', score: 0 });
  });

  it("follows the team's setting, and a change recounts the team's labels", async () => {
    const label = await propose();
    await vote('author', label.id, 1);
    expect(await vote('bea', label.id, 1)).toMatchObject({ status: 'PROPOSED' });
    expect(await people.dee.ok(SET, { t: teamId, v: 1 })).toEqual({ setLabelAcceptVotes: { labelAcceptVotes: 1 } });
    const { label: recounted } = await people.bea.ok<{ label: Label }>(`query($id: ID!) { label(id: $id) ${LABEL} }`, {
      id: label.id,
    });
    expect(recounted.status).toBe('ACCEPTED');
    // Back to two: one other's vote is not enough again.
    await people.author.ok(SET, { t: teamId, v: 2 });
    const { label: again } = await people.bea.ok<{ label: Label }>(`query($id: ID!) { label(id: $id) ${LABEL} }`, {
      id: label.id,
    });
    expect(again.status).toBe('PROPOSED');
    const { team } = await people.bea.ok<{ team: { labelAcceptVotes: number } }>(
      'query($t: ID!) { team(id: $t) { labelAcceptVotes } }',
      { t: teamId },
    );
    expect(team.labelAcceptVotes).toBe(2);
  });

  it('lets only admins and owners change the setting, within 1 to 50', async () => {
    const code = async (who: keyof typeof people, v: number) =>
      (await people[who].request(SET, { t: teamId, v })).errors?.[0]?.extensions ?? 'ok';
    expect(await code('bea', 1)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code('outsider', 1)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await code('dee', 0)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'votes' });
    expect(await code('dee', 51)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'votes' });
    expect(await code('dee', 3)).toBe('ok');
    await people.dee.ok(SET, { t: teamId, v: 2 });
  });
});

describe('label revisions', () => {
  it('keep the time they were written when votes arrive', async () => {
    const label = await propose();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const voted = await vote('bea', label.id, 1);
    expect(voted.revisedAt).toBe(label.revisedAt);
    expect(voted.updatedAt > label.updatedAt).toBe(true);
    // An edit writes a new revision, with its own time.
    const { editLabel } = await people.author.ok<{ editLabel: Label }>(
      `mutation($i: EditLabelInput!) { editLabel(input: $i) ${LABEL} }`,
      { i: { labelId: label.id, name: 'plural subject noun' } },
    );
    expect(editLabel.revision).toBe(2);
    expect(editLabel.revisedAt > label.revisedAt).toBe(true);
  });
});
