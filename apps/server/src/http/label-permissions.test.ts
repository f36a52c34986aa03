// FeatureLabel.can tells clients which label controls to offer (vote, comment, evidence, edit); it must say exactly
// what the mutations then allow. Each expected row is written out here, and every answer is then tried against the
// API, so the field and the mutations cannot drift apart. On the bundled demo model, so a steering run can be saved.
import { DEMO_ASSETS_DIR } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

type Who = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER' | 'outsider' | 'signedOut';
type Visibility = 'TEAM' | 'PUBLIC';
type Can = { vote: boolean; comment: boolean; addEvidence: boolean; edit: boolean };

const ALL: Can = { vote: true, comment: true, addEvidence: true, edit: true };
const NOTHING: Can = { vote: false, comment: false, addEvidence: false, edit: false };

/** Votes, comments and evidence, without revising: what anyone signed in may do on a public label. */
const PARTICIPATE: Can = { vote: true, comment: true, addEvidence: true, edit: false };

/**
 * A label proposed by the team's owner, by who looks at it; null: they cannot see it at all. A team's viewers
 * read its team labels without taking part; on a public label they, like people outside the team, take part (vote,
 * comment, evidence) but do not revise it (a viewer never may do less than an outsider); signed out, one only reads.
 */
const LABEL_CAN: Record<Who, Record<Visibility, Can | null>> = {
  OWNER: { TEAM: ALL, PUBLIC: ALL },
  ADMIN: { TEAM: ALL, PUBLIC: ALL },
  MEMBER: { TEAM: ALL, PUBLIC: ALL },
  VIEWER: { TEAM: NOTHING, PUBLIC: PARTICIPATE },
  outsider: { TEAM: null, PUBLIC: PARTICIPATE },
  signedOut: { TEAM: null, PUBLIC: NOTHING },
};

const SAE = 'demo/blocks.0.hook_resid_post';
const CAN = '{ can { vote comment addEvidence edit } }';
/** Each permission and the mutation it stands for. */
const MUTATIONS: Record<
  keyof Can,
  { query: string; variables: (labelId: string, who: Who) => Record<string, unknown> }
> = {
  vote: {
    query: 'mutation($l: ID!) { voteLabel(labelId: $l, value: 1) { id } }',
    variables: (l) => ({ l }),
  },
  comment: {
    query: 'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
    variables: (labelId, who) => ({ i: { target: { type: 'LABEL', labelId }, body: `from ${who}` } }),
  },
  addEvidence: {
    query:
      'mutation($l: ID!) { saveSteeringEvidence(labelId: $l, text: "The dogs", strength: 4, continuation: 1) { id } }',
    variables: (l) => ({ l }),
  },
  edit: {
    query: 'mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }',
    variables: (labelId, who) => ({ i: { labelId, name: `revised by ${who}` } }),
  },
};

let stack: TestApp;
let queries = 0;
const clients = {} as Record<Who, TestClient>;
let teamId: string;
const labels = {} as Record<Visibility, string>;
let nextFeature = 0;

async function propose(visibility: Visibility): Promise<string> {
  const { proposeLabel } = await clients.OWNER.ok<{ proposeLabel: { id: string } }>(
    'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
    { i: { teamId, modelId: 'demo', saeId: SAE, featureIndex: nextFeature++, name: 'plural subject', visibility } },
  );
  return proposeLabel.id;
}

beforeAll(async () => {
  stack = await startModelTestApp(DEMO_ASSETS_DIR, 'label-can-', { onQuery: () => void queries++ });
  const url = stack.app.url;
  clients.OWNER = await TestClient.signUp(url, 'owner@label-can.org');
  ({
    createTeam: { id: teamId },
  } = await clients.OWNER.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Label can" }) { id } }',
  ));
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
    const email = `${role.toLowerCase()}@label-can.org`;
    clients[role] = await TestClient.signUp(url, email);
    await clients.OWNER.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email, role },
    });
  }
  clients.outsider = await TestClient.signUp(url, 'outsider@elsewhere.org');
  clients.signedOut = new TestClient(url);
  labels.TEAM = await propose('TEAM');
  labels.PUBLIC = await propose('PUBLIC');
}, 120_000);

afterAll(() => stack?.stop());

const cases = (Object.keys(LABEL_CAN) as Who[]).flatMap((who) =>
  (['TEAM', 'PUBLIC'] as const).map((visibility) => [who, visibility] as const),
);

describe('FeatureLabel.can', () => {
  it.each(cases)('reports what %s may do with a %s label, and the mutations agree', async (who, visibility) => {
    const client = clients[who];
    const labelId = labels[visibility];
    const expected = LABEL_CAN[who][visibility];
    const seen = await client.request<{ label: { can: Can } }>(`query($id: ID!) { label(id: $id) ${CAN} }`, {
      id: labelId,
    });
    if (expected === null) {
      expect(seen.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    } else {
      expect(seen.errors).toBeUndefined();
      expect(seen.data!.label.can).toEqual(expected);
    }
    const allowed: Record<string, boolean> = {};
    for (const [action, { query, variables }] of Object.entries(MUTATIONS)) {
      const result = await client.request(query, variables(labelId, who));
      allowed[action] = result.errors === undefined;
      // A refusal is one of the permission errors, never something else that happens to fail.
      if (result.errors) {
        expect(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], `${action}: ${JSON.stringify(result.errors)}`).toContain(
          result.errors[0]?.extensions?.code,
        );
      }
    }
    expect(allowed).toEqual(expected ?? NOTHING);
  });

  it('is read for a page of labels in a fixed number of queries', async () => {
    const count = async () => {
      const before = queries;
      const { team } = await clients.VIEWER.ok<{ team: { labels: { edges: { node: { can: Can } }[] } } }>(
        `query($id: ID!) { team(id: $id) { labels(first: 100) { edges { node ${CAN} } } } }`,
        { id: teamId },
      );
      return { queries: queries - before, labels: team.labels.edges.length };
    };
    const few = await count();
    for (let i = 0; i < 5; i++) await propose(i % 2 ? 'PUBLIC' : 'TEAM');
    const many = await count();
    expect(many.labels).toBe(few.labels + 5);
    expect(many.queries).toBe(few.queries);
  });
});
