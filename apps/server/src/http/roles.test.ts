// The role rules of policy.ts, as tables over real users of each role (owner, admin, member, viewer, outsider,
// signed out) against the real API and database. Each row names the stable error code it expects, or ok.
// Before: an admin could demote or remove an owner or another admin (addTeamMember set any role), a team could be
// left without an owner, any teammate could cancel anyone's job, a reply in a feature's public thread could hang
// off a comment in a team's thread, and every email was shown to anyone who could see its user (a public circuit's
// creator, a share link's reviewers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

const PEOPLE = ['owner', 'owner2', 'admin', 'admin2', 'member', 'member2', 'viewer', 'outsider'] as const;
type Person = (typeof PEOPLE)[number];
type Actor = Person | 'anonymous';
type Role = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

let testApp: TestApp | undefined;
let app: RunningApp;
const clients = {} as Record<Actor, TestClient>;
const ids = {} as Record<Person, string>;
const email = (p: Person) => `${p}@roles.org`;
const savedBurst = process.env.WRITE_RATE_BURST;

beforeAll(async () => {
  process.env.WRITE_RATE_BURST = '100000';
  testApp = await startTestApp();
  app = testApp.app;
  clients.anonymous = new TestClient(app.url);
  for (const person of PEOPLE) {
    clients[person] = await TestClient.signUp(app.url, email(person));
    ids[person] = (await clients[person].ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  }
});
afterAll(async () => {
  process.env.WRITE_RATE_BURST = savedBurst;
  await testApp?.stop();
});

/** A fresh team: owner (and owner2 when asked), admin, admin2, member, member2 and viewer; outsider is not in it. */
async function team(owners = 1): Promise<string> {
  const { createTeam } = await clients.owner.ok<{ createTeam: { id: string } }>(
    'mutation { createTeam(input: { name: "Roles" }) { id } }',
  );
  const roles: [Person, Role][] = [
    ['admin', 'ADMIN'],
    ['admin2', 'ADMIN'],
    ['member', 'MEMBER'],
    ['member2', 'MEMBER'],
    ['viewer', 'VIEWER'],
  ];
  if (owners > 1) roles.push(['owner2', 'OWNER']);
  for (const [person, role] of roles) {
    await clients.owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: createTeam.id, email: email(person), role },
    });
  }
  return createTeam.id;
}

const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) =>
  result.errors?.[0]?.extensions?.code ?? 'ok';

async function roleIn(teamId: string, person: Person): Promise<Role | null> {
  const row = await app.runtime.services.prisma.membership.findUnique({
    where: { teamId_userId: { teamId, userId: ids[person] } },
  });
  return row?.role ?? null;
}

describe('team membership', () => {
  // actor, change (target -> role, or target -> removed), owners in the team, expected code
  const ROWS: [Actor, Person, Role | 'removed', number, string][] = [
    // admins manage members and viewers, and may step down or leave
    ['admin', 'member', 'VIEWER', 1, 'ok'],
    ['admin', 'viewer', 'MEMBER', 1, 'ok'],
    ['admin', 'viewer', 'removed', 1, 'ok'],
    ['admin', 'member', 'removed', 1, 'ok'],
    ['admin', 'admin', 'MEMBER', 1, 'ok'],
    ['admin', 'admin', 'removed', 1, 'ok'],
    // ... but cannot demote or remove owners or other admins, nor make anyone admin or owner
    ['admin', 'owner', 'MEMBER', 1, 'FORBIDDEN'],
    ['admin', 'owner', 'ADMIN', 1, 'FORBIDDEN'],
    ['admin', 'owner', 'removed', 1, 'FORBIDDEN'],
    ['admin', 'owner', 'removed', 2, 'FORBIDDEN'],
    ['admin', 'admin2', 'MEMBER', 1, 'FORBIDDEN'],
    ['admin', 'admin2', 'removed', 1, 'FORBIDDEN'],
    ['admin', 'member', 'ADMIN', 1, 'FORBIDDEN'],
    ['admin', 'member', 'OWNER', 1, 'FORBIDDEN'],
    ['admin', 'admin', 'OWNER', 1, 'FORBIDDEN'],
    // members and viewers change nobody but may leave
    ['member', 'viewer', 'removed', 1, 'FORBIDDEN'],
    ['member', 'viewer', 'MEMBER', 1, 'FORBIDDEN'],
    ['member', 'member2', 'removed', 1, 'FORBIDDEN'],
    ['member', 'member', 'ADMIN', 1, 'FORBIDDEN'],
    ['viewer', 'viewer', 'MEMBER', 1, 'FORBIDDEN'],
    ['viewer', 'member', 'removed', 1, 'FORBIDDEN'],
    ['member', 'member', 'removed', 1, 'ok'],
    ['viewer', 'viewer', 'removed', 1, 'ok'],
    // people outside the team do not learn it exists; signed out is asked to sign in
    ['outsider', 'member', 'removed', 1, 'NOT_FOUND'],
    ['outsider', 'member', 'VIEWER', 1, 'NOT_FOUND'],
    ['anonymous', 'member', 'removed', 1, 'UNAUTHENTICATED'],
    ['anonymous', 'member', 'VIEWER', 1, 'UNAUTHENTICATED'],
    // owners manage everyone
    ['owner', 'admin', 'MEMBER', 1, 'ok'],
    ['owner', 'admin', 'removed', 1, 'ok'],
    ['owner', 'member', 'OWNER', 1, 'ok'],
    ['owner', 'owner2', 'ADMIN', 2, 'ok'],
    ['owner', 'owner2', 'removed', 2, 'ok'],
    ['owner2', 'owner', 'removed', 2, 'ok'],
    ['owner', 'owner', 'removed', 2, 'ok'],
    ['owner', 'owner', 'MEMBER', 2, 'ok'],
    // a team always keeps an owner
    ['owner', 'owner', 'removed', 1, 'LAST_OWNER'],
    ['owner', 'owner', 'ADMIN', 1, 'LAST_OWNER'],
    ['owner', 'owner', 'VIEWER', 1, 'LAST_OWNER'],
    // removing someone not in the team
    ['owner', 'outsider', 'removed', 1, 'NOT_FOUND'],
  ];

  it.each(ROWS)('%s sets %s to %s (owners: %i): %s', async (actor, target, change, owners, expected) => {
    const teamId = await team(owners);
    const before = await roleIn(teamId, target);
    const result =
      change === 'removed'
        ? await clients[actor].request('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
            t: teamId,
            u: ids[target],
          })
        : await clients[actor].request('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
            i: { teamId, email: email(target), role: change },
          });
    expect(codeOf(result), JSON.stringify(result.errors)).toBe(expected);
    const after = await roleIn(teamId, target);
    if (expected === 'ok') expect(after).toBe(change === 'removed' ? null : change);
    else expect(after).toBe(before);
    // Whatever happened, the team has an owner.
    const left = await app.runtime.services.prisma.membership.count({ where: { teamId, role: 'OWNER' } });
    expect(left).toBeGreaterThanOrEqual(1);
  });

  it('two owners demoting each other at once leave one owner', async () => {
    const teamId = await team(2);
    const demote = (actor: Person, target: Person) =>
      clients[actor].request('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId, email: email(target), role: 'MEMBER' },
      });
    const results = await Promise.all([demote('owner', 'owner2'), demote('owner2', 'owner')]);
    const codes = results.map(codeOf).sort();
    const owners = await app.runtime.services.prisma.membership.count({ where: { teamId, role: 'OWNER' } });
    expect(owners).toBe(1);
    // One demotion went through; the other found its actor demoted (FORBIDDEN) or the last owner (LAST_OWNER).
    expect(codes[1]).toBe('ok');
    expect(['FORBIDDEN', 'LAST_OWNER']).toContain(codes[0]);
  });

  it('a creator removed from the team loses their private circuit; the team list and the lookup agree', async () => {
    const teamId = await team();
    const { createCircuit } = await clients.member.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId, title: 'mine', visibility: 'PRIVATE', graph: { nodes: [{ id: 'n' }], edges: [] } } },
    );
    const lookup = (who: Actor) =>
      clients[who].request('query($s: String!) { circuit(slug: $s) { id } }', { s: createCircuit.slug });
    const listed = async (who: Actor) => {
      const result = await clients[who].request<{ team: { circuits: { edges: { node: { id: string } }[] } } }>(
        'query($t: ID!) { team(id: $t) { circuits { edges { node { id } } } } }',
        { t: teamId },
      );
      return result.data?.team.circuits.edges.some((e) => e.node.id === createCircuit.id) ?? false;
    };
    for (const [who, sees] of [
      ['member', true],
      ['admin', true],
      ['owner', true],
      ['member2', false],
      ['viewer', false],
    ] as const) {
      expect(codeOf(await lookup(who)), who).toBe(sees ? 'ok' : 'NOT_FOUND');
      expect(await listed(who), who).toBe(sees);
    }
    // Demoted to viewer: the creator may still view it (listed and opened), no longer edit it.
    await clients.owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: email('member'), role: 'VIEWER' },
    });
    expect(codeOf(await lookup('member'))).toBe('ok');
    expect(await listed('member')).toBe(true);
    const save = await clients.member.request(
      'mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }',
      {
        i: { circuitId: createCircuit.id, baseVersion: 1, graph: { nodes: [{ id: 'n' }], edges: [] } },
      },
    );
    expect(codeOf(save)).toBe('FORBIDDEN');
    // Removed: nothing is left.
    await clients.owner.ok('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
      t: teamId,
      u: ids.member,
    });
    expect(codeOf(await lookup('member'))).toBe('NOT_FOUND');
  });
});

describe('cancelling a job', () => {
  // Only the job's creator or an admin (or owner) of its team; teammates may see it, not cancel it.
  const ROWS: [Actor, string][] = [
    ['member', 'ok'],
    ['admin', 'ok'],
    ['owner', 'ok'],
    ['member2', 'FORBIDDEN'],
    ['viewer', 'FORBIDDEN'],
    ['outsider', 'NOT_FOUND'],
    ['anonymous', 'NOT_FOUND'],
  ];
  it.each(ROWS)('%s cancels a member’s team job: %s', async (actor, expected) => {
    const teamId = await team();
    // A queued job of the member's for the team (as startCircuitJob stores it), written to the real database.
    const job = await app.runtime.services.prisma.job.create({
      data: { kind: 'selftest', input: { steps: 1 }, teamId, createdById: ids.member, status: 'QUEUED' },
    });
    const result = await clients[actor].request('mutation($id: ID!) { cancelJob(id: $id) { status } }', {
      id: job.id,
    });
    expect(codeOf(result), JSON.stringify(result.errors)).toBe(expected);
    const after = await app.runtime.services.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(after.status).toBe(expected === 'ok' ? 'CANCELLED' : 'QUEUED');
  });
});

describe('comment replies stay in their parent’s thread', () => {
  const graph = { nodes: [{ id: 'n' }], edges: [] };
  const add = (target: Record<string, unknown>, parentId?: string) =>
    clients.member.request<{ addComment: { id: string } }>(
      'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
      { i: { target, body: 'hi', parentId } },
    );
  const feature = { type: 'FEATURE', modelId: 'm', saeId: 's', featureIndex: 3 };

  it.each([
    ['the same circuit thread', 'circuitA', 'circuitA', 'ok'],
    ['another circuit', 'circuitA', 'circuitB', 'BAD_USER_INPUT'],
    ['a node thread of the same circuit', 'nodeA', 'circuitA', 'BAD_USER_INPUT'],
    ['the same team feature thread', 'teamFeature', 'teamFeature', 'ok'],
    ['a feature’s public thread, parent in a team’s thread', 'teamFeature', 'publicFeature', 'BAD_USER_INPUT'],
    ['a team’s feature thread, parent in the public thread', 'publicFeature', 'teamFeature', 'BAD_USER_INPUT'],
  ])('reply in %s', async (_name, parentIn, replyIn, expected) => {
    const teamId = await team();
    const circuit = async () =>
      (
        await clients.member.ok<{ createCircuit: { id: string } }>(
          'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
          { i: { teamId, title: 'c', graph } },
        )
      ).createCircuit.id;
    const [a, b] = [await circuit(), await circuit()];
    const targets: Record<string, Record<string, unknown>> = {
      circuitA: { type: 'CIRCUIT', circuitId: a },
      circuitB: { type: 'CIRCUIT', circuitId: b },
      nodeA: { type: 'NODE', circuitId: a, nodeId: 'n' },
      teamFeature: { ...feature, teamId },
      publicFeature: feature,
    };
    const parent = await add(targets[parentIn]!);
    const reply = await add(targets[replyIn]!, parent.data!.addComment.id);
    expect(codeOf(reply), JSON.stringify(reply.errors)).toBe(expected);
    if (expected !== 'ok') expect(reply.errors?.[0]?.extensions?.field).toBe('parentId');
  });
});

describe('emails are shown only to teammates', () => {
  let teamId: string;
  let slug: string;
  let token: string;
  let labelId: string;
  const graph = { nodes: [{ id: 'n' }], edges: [] };

  beforeAll(async () => {
    teamId = await team();
    const { createCircuit } = await clients.owner.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId, title: 'public', visibility: 'PUBLIC', graph } },
    );
    slug = createCircuit.slug;
    await clients.owner.ok('mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }', {
      i: { circuitId: createCircuit.id, reviewerIds: [ids.member] },
    });
    await clients.member.ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'CIRCUIT', circuitId: createCircuit.id }, body: 'looks right' },
    });
    token = (
      await clients.owner.ok<{ createShareLink: { token: string } }>(
        'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
        { i: { circuitId: createCircuit.id, permission: 'VIEW' } },
      )
    ).createShareLink.token;
    labelId = (
      await clients.member.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId, modelId: 'm', saeId: 's', featureIndex: 1, name: 'x', visibility: 'PUBLIC' } },
      )
    ).proposeLabel.id;
  });

  /** Every email a circuit page and a label page show: creator, version author, reviewers, commenters, authors. */
  async function emailsSeenBy(actor: Actor, withLink = false): Promise<(string | null)[]> {
    const client = clients[actor];
    client.shareToken = withLink ? token : undefined;
    try {
      const { circuit } = await client.ok<{
        circuit: {
          id: string;
          createdBy: { email: string | null };
          version: { author: { email: string | null } };
          reviews: { reviewer: { email: string | null }; requestedBy: { email: string | null } }[];
        };
      }>(
        `query($s: String!) { circuit(slug: $s) { id createdBy { email } version { author { email } }
           reviews { reviewer { email } requestedBy { email } } } }`,
        { s: slug },
      );
      const { comments } = await client.ok<{ comments: { edges: { node: { author: { email: string | null } } }[] } }>(
        'query($t: CommentTargetInput!) { comments(target: $t) { edges { node { author { email } } } } }',
        { t: { type: 'CIRCUIT', circuitId: circuit.id } },
      );
      const { label } = await client.ok<{
        label: { author: { email: string | null }; revisions: { author: { email: string | null } }[] };
      }>('query($id: ID!) { label(id: $id) { author { email } revisions { author { email } } } }', { id: labelId });
      return [
        circuit.createdBy.email,
        circuit.version.author.email,
        ...circuit.reviews.flatMap((r) => [r.reviewer.email, r.requestedBy.email]),
        ...comments.edges.map((e) => e.node.author.email),
        label.author.email,
        ...label.revisions.map((r) => r.author.email),
      ];
    } finally {
      client.shareToken = undefined;
    }
  }

  it.each([
    ['owner', false, true],
    ['admin', false, true],
    ['member', false, true],
    ['viewer', false, true],
    ['outsider', false, false],
    ['outsider', true, false],
    ['anonymous', false, false],
    ['anonymous', true, false],
  ] as const)('%s (share link: %s) sees emails: %s', async (actor, withLink, sees) => {
    const seen = await emailsSeenBy(actor, withLink);
    expect(seen.length).toBeGreaterThanOrEqual(7);
    for (const value of seen) {
      if (sees) expect(value).toMatch(/@roles\.org$/);
      else expect(value).toBeNull();
    }
  });

  it('everyone sees their own email, also in the answer to signing in', async () => {
    expect((await clients.outsider.ok<{ me: { email: string } }>('{ me { email } }')).me.email).toBe(email('outsider'));
    const fresh = new TestClient(app.url);
    const { signIn } = await fresh.ok<{ signIn: { email: string } }>(
      'mutation($i: SignInInput!) { signIn(input: $i) { email } }',
      { i: { email: email('outsider'), password: 'a long enough password' } },
    );
    expect(signIn.email).toBe(email('outsider'));
  });

  it('a removed teammate no longer sees emails', async () => {
    const loner = await TestClient.signUp(app.url, 'loner@elsewhere.org');
    const { me } = await loner.ok<{ me: { id: string } }>('{ me { id } }');
    const creatorEmail = async () =>
      (
        await loner.ok<{ circuit: { createdBy: { email: string | null } } }>(
          'query($s: String!) { circuit(slug: $s) { createdBy { email } } }',
          { s: slug },
        )
      ).circuit.createdBy.email;
    expect(await creatorEmail()).toBeNull();
    await clients.owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: 'loner@elsewhere.org', role: 'VIEWER' },
    });
    expect(await creatorEmail()).toBe(email('owner'));
    await clients.owner.ok('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
      t: teamId,
      u: me.id,
    });
    expect(await creatorEmail()).toBeNull();
  });
});

describe('review requests', () => {
  it('ask only reviewers who can open the circuit: a member cannot review a private one, an admin can', async () => {
    const teamId = await team();
    const { createCircuit } = await clients.owner.ok<{ createCircuit: { id: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
      { i: { teamId, title: 'private', visibility: 'PRIVATE', graph: { nodes: [{ id: 'n' }], edges: [] } } },
    );
    const REQUEST = 'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }';
    const blind = await clients.owner.request(REQUEST, {
      i: { circuitId: createCircuit.id, reviewerIds: [ids.member] },
    });
    expect(blind.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewerIds' });
    expect(blind.errors?.[0]?.message).toBe(`reviewerIds: ${ids.member} cannot see this private circuit`);
    const { requestReview } = await clients.owner.ok<{ requestReview: { id: string }[] }>(REQUEST, {
      i: { circuitId: createCircuit.id, reviewerIds: [ids.admin] },
    });
    expect(requestReview).toHaveLength(1);
    // The member's refused request left nothing pending for them on this circuit.
    const { reviewQueue } = await clients.member.ok<{
      reviewQueue: { edges: { node: { circuit: { id: string } } }[] };
    }>('{ reviewQueue(pendingOnly: true) { edges { node { circuit { id } } } } }');
    expect(reviewQueue.edges.filter((e) => e.node.circuit.id === createCircuit.id)).toEqual([]);
  });
});
