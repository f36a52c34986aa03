// Team.can and Circuit.can tell clients what to offer; they must say exactly what the server then allows. Each
// expected row is written out here, and each "allowed" is then tried against the API so the two cannot drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

const TEAM_CAN: Record<Role, Record<string, boolean>> = {
  OWNER: {
    manageMembers: true,
    manageAdmins: true,
    changeSettings: true,
    createCircuits: true,
    computeCircuits: true,
    proposeLabels: true,
    participate: true,
  },
  ADMIN: {
    manageMembers: true,
    manageAdmins: false,
    changeSettings: true,
    createCircuits: true,
    computeCircuits: true,
    proposeLabels: true,
    participate: true,
  },
  MEMBER: {
    manageMembers: false,
    manageAdmins: false,
    changeSettings: false,
    createCircuits: true,
    computeCircuits: true,
    proposeLabels: true,
    participate: true,
  },
  VIEWER: {
    manageMembers: false,
    manageAdmins: false,
    changeSettings: false,
    createCircuits: false,
    computeCircuits: false,
    proposeLabels: false,
    participate: false,
  },
};

/** A TEAM-visibility circuit created by the owner, by who looks at it. */
const CIRCUIT_CAN: Record<string, { comment: boolean; edit: boolean; manage: boolean }> = {
  OWNER: { comment: true, edit: true, manage: true },
  ADMIN: { comment: true, edit: true, manage: true },
  MEMBER: { comment: true, edit: true, manage: false },
  VIEWER: { comment: false, edit: false, manage: false },
  linkVIEW: { comment: false, edit: false, manage: false },
  linkCOMMENT: { comment: true, edit: false, manage: false },
  linkEDIT: { comment: true, edit: true, manage: false },
};

const CAN = '{ can { comment edit manage } }';

let stack: TestApp;
const clients = {} as Record<string, TestClient>;
let teamId: string;
let circuit: { id: string; slug: string };

beforeAll(async () => {
  stack = await startTestApp();
  const url = stack.app.url;
  clients.OWNER = await TestClient.signUp(url, 'owner@perm.org');
  ({
    createTeam: { id: teamId },
  } = await clients.OWNER.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Perm" }) { id } }',
  ));
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
    const email = `${role.toLowerCase()}@perm.org`;
    clients[role] = await TestClient.signUp(url, email);
    await clients.OWNER.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email, role },
    });
  }
  ({ createCircuit: circuit } = await clients.OWNER.ok<{ createCircuit: { id: string; slug: string } }>(
    'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
    { i: { teamId, title: 'Shared', visibility: 'TEAM', graph: { nodes: [{ id: 'n' }], edges: [] } } },
  ));
  for (const permission of ['VIEW', 'COMMENT', 'EDIT'] as const) {
    const { createShareLink } = await clients.OWNER.ok<{ createShareLink: { token: string } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
      { i: { circuitId: circuit.id, permission } },
    );
    const holder = await TestClient.signUp(url, `link-${permission.toLowerCase()}@elsewhere.org`);
    holder.shareToken = createShareLink.token;
    clients[`link${permission}`] = holder;
  }
});

afterAll(() => stack?.stop());

describe('Team.can', () => {
  it.each(Object.keys(TEAM_CAN) as Role[])('reports what a %s may do in the team', async (role) => {
    const { team } = await clients[role]!.ok<{ team: { myRole: string; can: Record<string, boolean> } }>(
      'query($id: ID!) { team(id: $id) { myRole can { manageMembers manageAdmins changeSettings createCircuits computeCircuits proposeLabels participate } } }',
      { id: teamId },
    );
    expect(team.myRole).toBe(role);
    expect(team.can).toEqual(TEAM_CAN[role]);
    // What it says about creating circuits is what createCircuit then does.
    const created = await clients[role]!.request(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
      {
        i: { teamId, title: `by ${role}`, graph: { nodes: [{ id: 'n' }], edges: [] } },
      },
    );
    expect(created.errors === undefined).toBe(TEAM_CAN[role]!.createCircuits);
  });
});

describe('Circuit.can', () => {
  it.each(Object.keys(CIRCUIT_CAN))('reports what %s may do with a team circuit, and the API agrees', async (who) => {
    const client = clients[who]!;
    const { circuit: seen } = await client.ok<{ circuit: { can: Record<string, boolean> } }>(
      `query($s: String!) { circuit(slug: $s) ${CAN} }`,
      { s: circuit.slug },
    );
    expect(seen.can).toEqual(CIRCUIT_CAN[who]);
    const comment = await client.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'CIRCUIT', circuitId: circuit.id }, body: `from ${who}` },
    });
    expect(comment.errors === undefined, JSON.stringify(comment.errors)).toBe(seen.can.comment);
    const links = await client.request('query($s: String!) { circuit(slug: $s) { shareLinks { id } } }', {
      s: circuit.slug,
    });
    const managed =
      links.errors === undefined &&
      (links.data as { circuit: { shareLinks: unknown[] } }).circuit.shareLinks.length > 0;
    expect(managed, JSON.stringify(links)).toBe(seen.can.manage);
  });
});
