// The inbox over the real API (Postgres or PGlite, graphql-ws): mentions, replies, review requests and decisions
// reach only the people they are for, and only those who may read what they are about; unread count, mark read;
// myInbox delivers to its recipient alone. Also: an approval belongs to a version (approvedVersion).
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

let db: TestDatabase;
let app: RunningApp;
let owner: TestClient;
let admin: TestClient;
let bea: TestClient;
let otto: TestClient;
const id: Record<string, string> = {};
const circuits: Record<'TEAM' | 'PRIVATE', { id: string; slug: string }> = {} as never;

interface Note {
  kind: string;
  subject: string;
  path: string;
  excerpt: string | null;
  read: boolean;
  actor: { displayName: string } | null;
}
const NOTE_FIELDS = 'id kind subject path excerpt read actor { displayName }';
const inbox = async (client: TestClient) =>
  (await client.ok<{ notifications: (Note & { id: string })[] }>(`{ notifications { ${NOTE_FIELDS} } }`)).notifications;
const unread = async (client: TestClient) =>
  (await client.ok<{ unreadNotificationCount: number }>('{ unreadNotificationCount }')).unreadNotificationCount;
const comment = (client: TestClient, target: Record<string, unknown>, body: string, parentId?: string) =>
  client
    .ok<{ addComment: { id: string } }>('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target, body, ...(parentId ? { parentId } : {}) },
    })
    .then((r) => r.addComment.id);
const readAll = (client: TestClient) => client.ok('mutation { markAllNotificationsRead }');

const graph = { nodes: [{ id: 'L1/res/3' }, { id: 'L2/res/3' }], edges: [{ source: 'L1/res/3', target: 'L2/res/3' }] };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ database: db.config, host: '127.0.0.1', port: 0, secureCookies: false });
  owner = await TestClient.signUp(app.url, 'olive@lab.org', 'Olive Owner');
  admin = await TestClient.signUp(app.url, 'ada@lab.org', 'Ada Admin');
  bea = await TestClient.signUp(app.url, 'bea@lab.org', 'Bea Member');
  otto = await TestClient.signUp(app.url, 'otto@else.org', 'Otto Outsider');
  for (const [name, client] of Object.entries({ owner, admin, bea, otto })) {
    id[name] = (await client.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  }
  id.team = (
    await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Lab" }) { id } }')
  ).createTeam.id;
  for (const [email, role] of [
    ['ada@lab.org', 'ADMIN'],
    ['bea@lab.org', 'MEMBER'],
  ]) {
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: id.team, email, role },
    });
  }
  await otto.ok('mutation { createTeam(input: { name: "Elsewhere" }) { id } }');
  for (const visibility of ['TEAM', 'PRIVATE'] as const) {
    circuits[visibility] = (
      await owner.ok<{ createCircuit: { id: string; slug: string } }>(
        'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
        { i: { teamId: id.team, title: `Agreement ${visibility}`, visibility, graph } },
      )
    ).createCircuit;
  }
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('mentions', () => {
  it('notify a member who may read the thread, with what and where, and not an outsider', async () => {
    const target = { type: 'NODE', circuitId: circuits.TEAM.id, nodeId: 'L1/res/3' };
    await comment(owner, target, 'Subject number? @bea@lab.org and @otto@else.org, please look');
    expect(await inbox(bea)).toEqual([
      {
        id: expect.any(String),
        kind: 'mention',
        subject: 'node L1/res/3 of “Agreement TEAM”',
        path: `/c/${circuits.TEAM.slug}?sel=L1%2Fres%2F3`,
        excerpt: 'Subject number? @bea@lab.org and @otto@else.org, please look',
        read: false,
        actor: { displayName: 'Olive Owner' },
      },
    ]);
    expect(await inbox(otto)).toEqual([]);
    // An edge's thread links to that edge.
    await comment(owner, { type: 'EDGE', circuitId: circuits.TEAM.id, edgeId: 'L1/res/3->L2/res/3' }, '@BEA@lab.org');
    expect((await inbox(bea))[0]).toMatchObject({
      subject: 'edge L1/res/3->L2/res/3 of “Agreement TEAM”',
      path: `/c/${circuits.TEAM.slug}?sel=L1%2Fres%2F3-%3EL2%2Fres%2F3`,
    });
    // A team label's thread links to the label on its feature page.
    const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      {
        i: {
          teamId: id.team,
          modelId: 'demo',
          saeId: 'demo/blocks.1.hook_resid_post',
          featureIndex: 370,
          name: 'plural subject',
        },
      },
    );
    await comment(owner, { type: 'LABEL', labelId: proposeLabel.id }, 'agree? @bea@lab.org @otto@else.org');
    expect((await inbox(bea))[0]).toMatchObject({
      subject: 'label “plural subject” of demo/blocks.1.hook_resid_post #370',
      path: `/models/demo/demo/blocks.1.hook_resid_post/370?team=${id.team}#label-${proposeLabel.id}`,
    });
    expect(await inbox(otto)).toEqual([]);
    await readAll(bea);
  });

  it('on a private circuit notify only those who may open it (its admins), not a member of its team', async () => {
    await comment(owner, { type: 'CIRCUIT', circuitId: circuits.PRIVATE.id }, 'cc @bea@lab.org @ada@lab.org');
    expect(await inbox(bea)).toHaveLength(3); // the three earlier ones only
    expect(await inbox(admin)).toEqual([
      expect.objectContaining({
        kind: 'mention',
        subject: 'circuit “Agreement PRIVATE”',
        path: `/c/${circuits.PRIVATE.slug}`,
      }),
    ]);
    await readAll(admin);
  });

  it('are offered, as completions, to people who may read the thread and share a team with me', async () => {
    const candidates = async (client: TestClient, target: Record<string, unknown>, search?: string) =>
      (
        await client.ok<{ mentionCandidates: { displayName: string; email: string }[] }>(
          'query($t: CommentTargetInput!, $s: String) { mentionCandidates(target: $t, search: $s) { displayName email } }',
          { t: target, s: search },
        )
      ).mentionCandidates;
    const team = { type: 'CIRCUIT', circuitId: circuits.TEAM.id };
    expect(await candidates(owner, team)).toEqual([
      { displayName: 'Ada Admin', email: 'ada@lab.org' },
      { displayName: 'Bea Member', email: 'bea@lab.org' },
    ]);
    expect(await candidates(owner, team, 'MEMB')).toEqual([{ displayName: 'Bea Member', email: 'bea@lab.org' }]);
    expect(await candidates(owner, { type: 'CIRCUIT', circuitId: circuits.PRIVATE.id })).toEqual([
      { displayName: 'Ada Admin', email: 'ada@lab.org' },
    ]);
    // Someone who cannot see the circuit cannot ask who can.
    const hidden = await otto.request('query($t: CommentTargetInput!) { mentionCandidates(target: $t) { id } }', {
      t: team,
    });
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('replies', () => {
  it("notify the parent's author, once, and never the one replying to themselves", async () => {
    const target = { type: 'CIRCUIT', circuitId: circuits.TEAM.id };
    const root = await comment(owner, target, 'Is faithfulness 0.8 enough?');
    await comment(bea, target, 'I think so.', root);
    expect(await inbox(owner)).toEqual([
      expect.objectContaining({
        kind: 'reply',
        subject: 'circuit “Agreement TEAM”',
        path: `/c/${circuits.TEAM.slug}`,
        excerpt: 'I think so.',
        actor: { displayName: 'Bea Member' },
      }),
    ]);
    await comment(owner, target, 'Answering myself.', root);
    await comment(bea, target, 'And @olive@lab.org, see above', root);
    expect((await inbox(owner)).map((n) => n.kind)).toEqual(['mention', 'reply']);
    expect(await inbox(bea)).toHaveLength(3); // nothing new for Bea: her replies notify others
    await readAll(owner);
  });
});

describe('reviews', () => {
  it('notify the reviewer of a request (once) and the circuit’s author of the decision', async () => {
    const request = () =>
      owner.ok<{ requestReview: { id: string }[] }>(
        'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
        { i: { circuitId: circuits.TEAM.id, reviewerIds: [id.bea] } },
      );
    const [review] = (await request()).requestReview;
    await request();
    const requested = (await inbox(bea)).filter((n) => n.kind === 'review_requested');
    expect(requested).toEqual([
      expect.objectContaining({
        subject: 'v1 of “Agreement TEAM”',
        path: `/c/${circuits.TEAM.slug}/v/1`,
        read: false,
        actor: { displayName: 'Olive Owner' },
      }),
    ]);
    await bea.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }', {
      i: { reviewId: review!.id, decision: 'APPROVED', comment: 'Clean ablations.' },
    });
    expect(await inbox(owner)).toContainEqual(
      expect.objectContaining({
        kind: 'review_decided',
        subject: 'v1 of “Agreement TEAM”',
        path: `/c/${circuits.TEAM.slug}/v/1`,
        excerpt: 'Clean ablations.',
        read: false,
        actor: { displayName: 'Bea Member' },
      }),
    );
    expect(await inbox(bea)).not.toContainEqual(expect.objectContaining({ kind: 'review_decided' }));
  });
});

describe('reading', () => {
  it('counts unread ones, marks one or all read, and never another person’s', async () => {
    await readAll(bea);
    await comment(owner, { type: 'CIRCUIT', circuitId: circuits.TEAM.id }, 'one @bea@lab.org');
    await comment(owner, { type: 'CIRCUIT', circuitId: circuits.TEAM.id }, 'two @bea@lab.org');
    expect(await unread(bea)).toBe(2);
    const [newest] = await inbox(bea);
    expect(newest).toMatchObject({ excerpt: 'two @bea@lab.org', read: false });

    const stolen = await otto.request('mutation($id: ID!) { markNotificationRead(id: $id) { id } }', {
      id: newest!.id,
    });
    expect(stolen.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const junk = await bea.request('mutation { markNotificationRead(id: "not-an-id") { id } }');
    expect(junk.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await unread(bea)).toBe(2);

    const one = await bea.ok<{ markNotificationRead: { read: boolean } }>(
      'mutation($id: ID!) { markNotificationRead(id: $id) { read } }',
      { id: newest!.id },
    );
    expect(one.markNotificationRead.read).toBe(true);
    expect(await unread(bea)).toBe(1);
    const unreadOnes = await bea.ok<{ notifications: { excerpt: string }[] }>(
      '{ notifications(unreadOnly: true) { excerpt } }',
    );
    expect(unreadOnes.notifications).toEqual([{ excerpt: 'one @bea@lab.org' }]);
    expect(await bea.ok('mutation { markAllNotificationsRead }')).toEqual({ markAllNotificationsRead: 1 });
    expect(await unread(bea)).toBe(0);
    expect((await bea.request('{ unreadNotificationCount }')).data).toEqual({ unreadNotificationCount: 0 });
    expect((await new TestClient(app.url).request('{ unreadNotificationCount }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('myInbox', () => {
  it('delivers to the recipient only', async () => {
    const socketFor = (client: TestClient) =>
      createClient({
        url: app.url.replace('http', 'ws'),
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers: { cookie: client.sessionCookie } });
          }
        },
      });
    const [beaWs, ottoWs] = [socketFor(bea), socketFor(otto)];
    try {
      type Event = { myInbox: { kind: string } };
      const beaEvents = beaWs.iterate<Event>({ query: 'subscription { myInbox { kind id } }' });
      const ottoEvents = ottoWs.iterate<Event>({ query: 'subscription { myInbox { kind id } }' });
      const beaNext = beaEvents.next();
      const ottoNext = ottoEvents.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Otto is mentioned too, but cannot read the team's circuit: nothing reaches him.
      await comment(owner, { type: 'CIRCUIT', circuitId: circuits.TEAM.id }, 'live @bea@lab.org @otto@else.org');
      expect((await beaNext).value?.data?.myInbox.kind).toBe('mention');
      const quiet = await Promise.race([ottoNext, new Promise((resolve) => setTimeout(resolve, 700, 'nothing'))]);
      expect(quiet).toBe('nothing');
      // On a public feature thread Otto may read, the same mention reaches him: his subscription works.
      await comment(
        owner,
        { type: 'FEATURE', modelId: 'demo', saeId: 'demo/blocks.1.hook_resid_post', featureIndex: 3 },
        'public @otto@else.org',
      );
      expect((await ottoNext).value?.data?.myInbox.kind).toBe('mention');
      expect(await inbox(otto)).toEqual([
        expect.objectContaining({
          subject: 'feature demo/blocks.1.hook_resid_post #3',
          path: '/models/demo/demo/blocks.1.hook_resid_post/3',
        }),
      ]);
      // Reading on one page tells my other pages (the badge follows).
      const beaRead = beaEvents.next();
      await readAll(bea);
      expect((await beaRead).value?.data?.myInbox.kind).toBe('read');
      await beaEvents.return?.();
      await ottoEvents.return?.();
    } finally {
      await beaWs.dispose();
      await ottoWs.dispose();
    }
  });
});

describe('an approval belongs to a version', () => {
  it('keeps approvedVersion when a later version is saved, and moves it when that one is approved', async () => {
    const state = async () =>
      (
        await owner.ok<{ circuit: { status: string; latestVersion: number; approvedVersion: number | null } }>(
          'query($s: String!) { circuit(slug: $s) { status latestVersion approvedVersion } }',
          { s: circuits.TEAM.slug },
        )
      ).circuit;
    // v1 was approved by Bea above.
    expect(await state()).toEqual({ status: 'APPROVED', latestVersion: 1, approvedVersion: 1 });
    await bea.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
      i: { circuitId: circuits.TEAM.id, baseVersion: 1, graph, message: 'v2' },
    });
    expect(await state()).toEqual({ status: 'DRAFT', latestVersion: 2, approvedVersion: 1 });
    const ask = async (reviewerId: string) =>
      (
        await owner.ok<{ requestReview: { id: string }[] }>(
          'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
          { i: { circuitId: circuits.TEAM.id, reviewerIds: [reviewerId] } },
        )
      ).requestReview[0]!.id;
    const decide = (client: TestClient, reviewId: string, decision: string) =>
      client.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }', {
        i: { reviewId, decision },
      });
    const byBea = await ask(id.bea!);
    const byAda = await ask(id.admin!);
    expect(await state()).toEqual({ status: 'IN_REVIEW', latestVersion: 2, approvedVersion: 1 });
    await decide(bea, byBea, 'APPROVED');
    // One of two reviewers approved: v2 is not approved yet.
    expect(await state()).toEqual({ status: 'IN_REVIEW', latestVersion: 2, approvedVersion: 1 });
    await decide(admin, byAda, 'CHANGES_REQUESTED');
    expect(await state()).toEqual({ status: 'CHANGES_REQUESTED', latestVersion: 2, approvedVersion: 1 });
    await decide(admin, byAda, 'APPROVED');
    expect(await state()).toEqual({ status: 'APPROVED', latestVersion: 2, approvedVersion: 2 });
    // A circuit never reviewed has none.
    const fresh = await owner.ok<{ circuit: { approvedVersion: number | null } }>(
      'query($s: String!) { circuit(slug: $s) { approvedVersion } }',
      { s: circuits.PRIVATE.slug },
    );
    expect(fresh.circuit.approvedVersion).toBeNull();
  });
});
