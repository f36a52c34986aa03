// The label writes bench:api measures send few statements: a vote or a comment on a label reads the label and the
// voter's role in one statement (no membership query of its own), and on PGlite a vote is one more statement with no
// transaction around it. Each statement is a round trip through PGlite on the API's event loop, the limit under load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

let testApp: TestApp | undefined;
const statements: string[] = [];
let owner: TestClient;
let member: TestClient;
let viewer: TestClient;
let labelId: string;

const VOTE = 'mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { score status } }';
const COMMENT = 'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }';
const MEMBERSHIP_QUERY = /FROM "public"\."memberships"/;

/** The statements one request sent (its session is cached by then: each client has made a request before). */
async function statementsOf(send: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0;
  await send();
  return [...statements];
}

beforeAll(async () => {
  testApp = await startTestApp({ onQuery: (sql) => void statements.push(sql) });
  const url = testApp.app.url;
  owner = await TestClient.signUp(url, 'owner@statements.org');
  member = await TestClient.signUp(url, 'member@statements.org');
  viewer = await TestClient.signUp(url, 'viewer@statements.org');
  const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Statements" }) { id } }',
  );
  for (const [email, role] of [
    ['member@statements.org', 'MEMBER'],
    ['viewer@statements.org', 'VIEWER'],
  ]) {
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: createTeam.id, email, role },
    });
  }
  const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
    'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
    {
      i: { teamId: createTeam.id, modelId: 'demo', saeId: 'demo/blocks.1.hook_resid_post', featureIndex: 7, name: 'x' },
    },
  );
  labelId = proposeLabel.id;
  await member.ok('{ me { id } }');
  await viewer.ok('{ me { id } }');
}, 120_000);

afterAll(async () => {
  await testApp?.stop();
});

describe('label writes', () => {
  it('a vote reads the label with the voter’s role, and on PGlite is one statement more', async () => {
    const sent = await statementsOf(() => member.ok(VOTE, { id: labelId, v: 1 }));
    expect(sent.filter((sql) => MEMBERSHIP_QUERY.test(sql))).toEqual([]);
    if (testApp?.db.config.kind === 'pglite') {
      expect(sent).toHaveLength(2);
      expect(sent[1]).toMatch(/INSERT INTO label_votes/);
    }
    // The role read with the label still decides: a viewer may not vote, and the vote above counted once.
    const refused = await viewer.request(VOTE, { id: labelId, v: 1 });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const again = await member.ok<{ voteLabel: { score: number } }>(VOTE, { id: labelId, v: 1 });
    expect(again.voteLabel.score).toBe(1);
  });

  it('a comment on a label reads the label with the commenter’s role', async () => {
    const target = { type: 'LABEL', labelId };
    const sent = await statementsOf(() => member.ok(COMMENT, { i: { target, body: 'agreed' } }));
    expect(sent.filter((sql) => MEMBERSHIP_QUERY.test(sql))).toEqual([]);
    expect(sent).toHaveLength(2);
    const refused = await viewer.request(COMMENT, { i: { target, body: 'me too' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
