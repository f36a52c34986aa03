import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

let testApp: TestApp | undefined;
let app: RunningApp;
let queries = 0;
let owner: TestClient;
let member: TestClient;
let viewer: TestClient;
let outsider: TestClient;
let teamId: string;
let circuit: { id: string; slug: string };

const graph = { nodes: [{ id: 'a' }], edges: [] };
const CREATE = 'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }';
const VOTE_FIELDS = 'score myVote voteAgreement { up down agreement }';
const VOTE = `mutation($id: ID!, $v: Int!) { voteCircuit(circuitId: $id, value: $v) { id ${VOTE_FIELDS} } }`;
const SHOW = `query($s: String!) { circuit(slug: $s) { ${VOTE_FIELDS} } }`;

interface Votes {
  score: number;
  myVote: number;
  voteAgreement: { up: number; down: number; agreement: number };
}

const vote = async (client: TestClient, value: number, circuitId = circuit.id) =>
  (await client.ok<{ voteCircuit: Votes }>(VOTE, { id: circuitId, v: value })).voteCircuit;
const refusal = async (client: TestClient, value = 1, circuitId = circuit.id) =>
  (await client.request(VOTE, { id: circuitId, v: value })).errors?.[0]?.extensions?.code;

function connect(client: TestClient) {
  return createClient({
    url: app.url.replace('http', 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie: client.sessionCookie } });
      }
    },
  });
}

beforeAll(async () => {
  testApp = await startTestApp({ onQuery: () => void queries++ });
  app = testApp.app;
  owner = await TestClient.signUp(app.url, 'owner@votes.org', 'Olive Owner');
  member = await TestClient.signUp(app.url, 'member@votes.org', 'Max Member');
  viewer = await TestClient.signUp(app.url, 'viewer@votes.org', 'Vic Viewer');
  outsider = await TestClient.signUp(app.url, 'outsider@elsewhere.org', 'Oscar Outsider');
  teamId = (await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Votes" }) { id } }'))
    .createTeam.id;
  for (const [email, role] of [
    ['member@votes.org', 'MEMBER'],
    ['viewer@votes.org', 'VIEWER'],
  ]) {
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email, role },
    });
  }
  circuit = (
    await member.ok<{ createCircuit: { id: string; slug: string } }>(CREATE, { i: { teamId, title: 'ioi', graph } })
  ).createCircuit;
});
afterAll(async () => {
  await testApp?.stop();
});

describe('votes on circuits', () => {
  it('counts one changeable, withdrawable vote per person, and a repeated vote once', async () => {
    expect((await member.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit).toEqual({
      score: 0,
      myVote: 0,
      voteAgreement: { up: 0, down: 0, agreement: 0 },
    });
    expect(await vote(owner, 1)).toEqual({
      id: circuit.id,
      score: 1,
      myVote: 1,
      voteAgreement: { up: 1, down: 0, agreement: 1 },
    });
    // Nobody votes twice: the same vote again changes nothing.
    expect(await vote(owner, 1)).toMatchObject({ score: 1, voteAgreement: { up: 1, down: 0 } });
    expect(await vote(member, -1)).toMatchObject({ score: 0, myVote: -1, voteAgreement: { up: 1, down: 1 } });
    // Changeable: the down vote becomes an up vote.
    expect(await vote(member, 1)).toMatchObject({ score: 2, myVote: 1, voteAgreement: { up: 2, down: 0 } });
    // Withdrawn with 0; withdrawing again is a no-op.
    expect(await vote(owner, 0)).toMatchObject({ score: 1, myVote: 0, voteAgreement: { up: 1, down: 0 } });
    expect(await vote(owner, 0)).toMatchObject({ score: 1, myVote: 0 });
    // Each person sees their own vote beside the same score.
    expect((await owner.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit).toMatchObject({
      score: 1,
      myVote: 0,
    });
    expect((await member.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit).toMatchObject({
      score: 1,
      myVote: 1,
    });
    expect((await viewer.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit).toMatchObject({
      score: 1,
      myVote: 0,
    });

    const invalid = await owner.request(VOTE, { id: circuit.id, v: 2 });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'value' });
  });

  it('logs each vote that changed something in the team’s activity, naming and linking the circuit', async () => {
    const other = (
      await owner.ok<{ createCircuit: { id: string; slug: string } }>(CREATE, { i: { teamId, title: 'logged', graph } })
    ).createCircuit;
    await vote(member, 1, other.id);
    await vote(owner, 1, other.id);
    await vote(owner, 1, other.id);
    await vote(owner, -1, other.id);
    await vote(owner, 0, other.id);
    const { team } = await owner.ok<{
      team: {
        activity: {
          action: string;
          subjectId: string;
          data: { value: number; title: string; slug: string };
          actor: { displayName: string };
        }[];
      };
    }>('query($id: ID!) { team(id: $id) { activity(first: 200) { action subjectId data actor { displayName } } } }', {
      id: teamId,
    });
    const votes = team.activity.filter((a) => a.action === 'circuit.voted' && a.subjectId === other.id);
    // The owner's up vote (its repeat is not logged), down vote and withdrawal, and the member's up vote.
    expect(votes).toHaveLength(4);
    expect(votes.map((a) => [a.actor.displayName, a.data])).toEqual(
      expect.arrayContaining([
        ['Olive Owner', { value: 0, title: 'logged', slug: other.slug }],
        ['Olive Owner', { value: -1, title: 'logged', slug: other.slug }],
        ['Olive Owner', { value: 1, title: 'logged', slug: other.slug }],
        ['Max Member', { value: 1, title: 'logged', slug: other.slug }],
      ]),
    );
  });

  it('lets whoever may comment vote, and refuses everyone else with a stable code', async () => {
    // A viewer of the team may look but not comment, so not vote.
    expect(await refusal(viewer)).toBe('FORBIDDEN');
    // Someone from another team does not even learn the team circuit exists.
    expect(await refusal(outsider)).toBe('NOT_FOUND');
    // Signed out: a public circuit is visible, but voting needs an account.
    const open = (
      await owner.ok<{ createCircuit: { id: string; slug: string } }>(CREATE, {
        i: { teamId, title: 'public', graph, visibility: 'PUBLIC' },
      })
    ).createCircuit;
    expect(await refusal(new TestClient(app.url), 1, open.id)).toBe('UNAUTHENTICATED');
    expect(await refusal(new TestClient(app.url))).toBe('NOT_FOUND');
    // Anyone signed in sees a public circuit, and may vote only as far as they may comment: not at all.
    expect(await refusal(outsider, 1, open.id)).toBe('FORBIDDEN');

    const link = async (permission: string) =>
      (
        await owner.ok<{ createShareLink: { token: string } }>(
          'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
          { i: { circuitId: circuit.id, permission } },
        )
      ).createShareLink.token;
    const holder = await TestClient.signUp(app.url, 'holder@elsewhere.org');
    holder.shareToken = await link('VIEW');
    expect((await holder.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit.score).toBe(1);
    expect(await refusal(holder)).toBe('FORBIDDEN');
    holder.shareToken = await link('COMMENT');
    expect(await vote(holder, -1)).toMatchObject({ score: 0, myVote: -1 });
    await vote(holder, 0);
    // A comment link held by no one signed in lets them look, not vote.
    const anonymous = new TestClient(app.url);
    anonymous.shareToken = holder.shareToken;
    expect(await refusal(anonymous)).toBe('UNAUTHENTICATED');

    expect((await owner.ok<{ circuit: Votes }>(SHOW, { s: circuit.slug })).circuit).toMatchObject({
      score: 1,
      voteAgreement: { up: 1, down: 0 },
    });
  });

  it('pushes a vote live to everyone looking at the circuit and to the team', async () => {
    const circuitWs = connect(viewer);
    const teamWs = connect(owner);
    try {
      const circuitEvents = circuitWs.iterate<{ circuitChanged: { kind: string; id: string } }>({
        query: 'subscription($id: ID!) { circuitChanged(circuitId: $id) { kind id data } }',
        variables: { id: circuit.id },
      });
      const teamEvents = teamWs.iterate<{ teamChanged: { kind: string; id: string; data: { action: string } } }>({
        query: 'subscription($t: ID!) { teamChanged(teamId: $t) { kind id data } }',
        variables: { t: teamId },
      });
      const nextCircuit = circuitEvents.next();
      const nextTeam = teamEvents.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sentAt = Date.now();
      await vote(owner, -1);
      expect((await nextCircuit).value?.data?.circuitChanged).toMatchObject({ kind: 'vote', id: circuit.id });
      expect((await nextTeam).value?.data?.teamChanged).toMatchObject({
        kind: 'activity',
        id: circuit.id,
        data: { action: 'circuit.voted', subjectType: 'circuit' },
      });
      expect(Date.now() - sentAt).toBeLessThan(1000);
      await circuitEvents.return?.();
      await teamEvents.return?.();
    } finally {
      await circuitWs.dispose();
      await teamWs.dispose();
    }
  });

  it('reads the score and my vote of a team’s circuits in a fixed number of queries', async () => {
    const LIST = `query($id: ID!) { team(id: $id) { circuits(first: 50) { edges { node { id ${VOTE_FIELDS} } } } } }`;
    const count = async () => {
      const before = queries;
      const { team } = await member.ok<{ team: { circuits: { edges: { node: Votes & { id: string } }[] } } }>(LIST, {
        id: teamId,
      });
      return { queries: queries - before, circuits: team.circuits.edges.map((e) => e.node) };
    };
    const few = await count();
    for (let i = 0; i < 4; i++) {
      const { id } = (
        await member.ok<{ createCircuit: { id: string } }>(CREATE, { i: { teamId, title: `more ${i}`, graph } })
      ).createCircuit;
      await vote(owner, i % 2 ? -1 : 1, id);
    }
    const many = await count();
    expect(many.circuits).toHaveLength(few.circuits.length + 4);
    expect(many.queries).toBe(few.queries);
    expect(many.circuits.find((c) => c.id === circuit.id)).toMatchObject({ score: 0, myVote: 1 });
  });
});
