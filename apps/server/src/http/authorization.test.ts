import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

/**
 * Who may do what, written out as a table and enforced by the services (the API is called directly, as any client
 * could). Y: allowed; N: denied with UNAUTHENTICATED, FORBIDDEN or NOT_FOUND; -: not applicable.
 * The circuit is created by the owner; share-link holders are signed-in people outside the team.
 */
const MATRIX = `
operation        visibility  anonymous viewer member admin owner outsider linkView linkComment linkEdit
circuit.view     PRIVATE     N         N      N      Y     Y     N        Y        Y           Y
circuit.view     TEAM        N         Y      Y      Y     Y     N        Y        Y           Y
circuit.view     UNLISTED    Y         Y      Y      Y     Y     Y        Y        Y           Y
circuit.view     PUBLIC      Y         Y      Y      Y     Y     Y        Y        Y           Y
circuit.comment  PRIVATE     N         N      N      Y     Y     N        N        Y           Y
circuit.comment  TEAM        N         N      Y      Y     Y     N        N        Y           Y
circuit.comment  UNLISTED    N         N      Y      Y     Y     N        N        Y           Y
circuit.comment  PUBLIC      N         N      Y      Y     Y     N        N        Y           Y
circuit.vote     PRIVATE     N         N      N      Y     Y     N        N        Y           Y
circuit.vote     TEAM        N         N      Y      Y     Y     N        N        Y           Y
circuit.vote     UNLISTED    N         N      Y      Y     Y     N        N        Y           Y
circuit.vote     PUBLIC      N         N      Y      Y     Y     N        N        Y           Y
circuit.save     PRIVATE     N         N      N      Y     Y     N        N        N           Y
circuit.save     TEAM        N         N      Y      Y     Y     N        N        N           Y
circuit.save     UNLISTED    N         N      Y      Y     Y     N        N        N           Y
circuit.save     PUBLIC      N         N      Y      Y     Y     N        N        N           Y
circuit.review   TEAM        N         N      Y      Y     Y     N        N        N           Y
circuit.share    PRIVATE     N         N      N      Y     Y     N        N        N           N
circuit.share    TEAM        N         N      N      Y     Y     N        N        N           N
circuit.share    PUBLIC      N         N      N      Y     Y     N        N        N           N
circuit.links    TEAM        N         N      N      Y     Y     N        N        N           N
circuit.setVis   TEAM        N         N      N      Y     Y     N        N        N           N
circuit.fork     TEAM        N         N      Y      Y     Y     N        -        -           -
label.view       TEAM        N         Y      Y      Y     Y     N        -        -           -
label.view       PUBLIC      Y         Y      Y      Y     Y     Y        -        -           -
label.vote       TEAM        N         N      Y      Y     Y     N        -        -           -
label.vote       PUBLIC      N         Y      Y      Y     Y     Y        -        -           -
label.edit       TEAM        N         N      Y      Y     Y     N        -        -           -
label.edit       PUBLIC      N         N      Y      Y     Y     N        -        -           -
label.comment    TEAM        N         N      Y      Y     Y     N        -        -           -
label.propose    TEAM        N         N      Y      Y     Y     N        -        -           -
team.view        -           N         Y      Y      Y     Y     N        -        -           -
team.members     -           N         Y      Y      Y     Y     N        -        -           -
team.addMember   -           N         N      N      Y     Y     N        -        -           -
team.addAdmin    -           N         N      N      N     Y     N        -        -           -
`;

type Actor =
  | 'anonymous'
  | 'viewer'
  | 'member'
  | 'admin'
  | 'owner'
  | 'outsider'
  | 'linkView'
  | 'linkComment'
  | 'linkEdit';
type Visibility = 'PRIVATE' | 'TEAM' | 'UNLISTED' | 'PUBLIC';

let db: TestDatabase;
let app: RunningApp;
const clients = {} as Record<Actor, TestClient>;
let teamId: string;
let outsiderTeamId: string;
const userIds: Record<string, string> = {};
const circuits = {} as Record<Visibility, { id: string; slug: string; tokens: Record<string, string> }>;
const labels = {} as Record<'TEAM' | 'PUBLIC', string>;
const savedRateLimit = process.env.WRITE_RATE_BURST;

const graph = { nodes: [{ id: 'n' }], edges: [] };

beforeAll(async () => {
  process.env.WRITE_RATE_BURST = '100000';
  db = await createTestDatabase();
  app = await startApp({ database: db.config, host: '127.0.0.1', port: 0, secureCookies: false });
  clients.anonymous = new TestClient(app.url);
  for (const actor of [
    'owner',
    'admin',
    'member',
    'viewer',
    'outsider',
    'linkView',
    'linkComment',
    'linkEdit',
  ] as const) {
    clients[actor] = await TestClient.signUp(app.url, `${actor.toLowerCase()}@matrix.org`);
    userIds[actor] = (await clients[actor].ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  }
  const owner = clients.owner;
  teamId = (await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "T" }) { id } }'))
    .createTeam.id;
  outsiderTeamId = (
    await clients.outsider.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "U" }) { id } }')
  ).createTeam.id;
  for (const [actor, role] of [
    ['admin', 'ADMIN'],
    ['member', 'MEMBER'],
    ['viewer', 'VIEWER'],
  ] as const) {
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: `${actor}@matrix.org`, role },
    });
  }
  for (const visibility of ['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC'] as const) {
    const { createCircuit } = await owner.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId, title: visibility, visibility, graph } },
    );
    const tokens: Record<string, string> = {};
    for (const [actor, permission] of [
      ['linkView', 'VIEW'],
      ['linkComment', 'COMMENT'],
      ['linkEdit', 'EDIT'],
    ] as const) {
      const { createShareLink } = await owner.ok<{ createShareLink: { token: string } }>(
        'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
        { i: { circuitId: createCircuit.id, permission } },
      );
      tokens[actor] = createShareLink.token;
    }
    circuits[visibility] = { ...createCircuit, tokens };
  }
  for (const visibility of ['TEAM', 'PUBLIC'] as const) {
    const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      { i: { teamId, modelId: 'demo', saeId: 'resid_1', featureIndex: 3, name: visibility, visibility } },
    );
    labels[visibility] = proposeLabel.id;
  }
});
afterAll(async () => {
  if (savedRateLimit === undefined) delete process.env.WRITE_RATE_BURST;
  else process.env.WRITE_RATE_BURST = savedRateLimit;
  await app?.stop();
  await db?.drop();
});

const DENIED = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);

async function attempt(actor: Actor, operation: string, visibility: string): Promise<boolean> {
  const client = clients[actor];
  const circuit = circuits[visibility as Visibility];
  client.shareToken = circuit && actor.startsWith('link') ? circuit.tokens[actor] : undefined;
  const latest = async () =>
    circuit
      ? (
          await clients.owner.ok<{ circuit: { latestVersion: number } }>(
            'query($s: String!) { circuit(slug: $s) { latestVersion } }',
            { s: circuit.slug },
          )
        ).circuit.latestVersion
      : 0;
  const label = labels[visibility as 'TEAM' | 'PUBLIC'];
  const calls: Record<string, () => Promise<{ errors?: { extensions?: { code?: string } }[] }>> = {
    'circuit.view': () =>
      client.request('query($s: String!) { circuit(slug: $s) { id version { number } } }', { s: circuit?.slug }),
    'circuit.comment': () =>
      client.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: { type: 'CIRCUIT', circuitId: circuit?.id }, body: 'hi' },
      }),
    'circuit.vote': () =>
      client.request('mutation($id: ID!) { voteCircuit(circuitId: $id, value: 1) { score } }', { id: circuit?.id }),
    'circuit.save': async () =>
      client.request('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
        i: { circuitId: circuit?.id, baseVersion: await latest(), graph },
      }),
    'circuit.review': () =>
      client.request('mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }', {
        i: { circuitId: circuit?.id, reviewerIds: [userIds.member] },
      }),
    'circuit.share': () =>
      client.request('mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }', {
        i: { circuitId: circuit?.id, permission: 'VIEW' },
      }),
    'circuit.links': () =>
      client.request('query($s: String!) { circuit(slug: $s) { shareLinks { id } } }', { s: circuit?.slug }),
    'circuit.setVis': () =>
      client.request('mutation($id: ID!) { setCircuitVisibility(circuitId: $id, visibility: TEAM) { id } }', {
        id: circuit?.id,
      }),
    'circuit.fork': () =>
      client.request('mutation($i: ForkCircuitInput!) { forkCircuit(input: $i) { id } }', {
        i: { circuitId: circuit?.id, teamId: actor === 'outsider' ? outsiderTeamId : teamId },
      }),
    'label.view': () => client.request('query($id: ID!) { label(id: $id) { id } }', { id: label }),
    'label.vote': () =>
      client.request('mutation($id: ID!) { voteLabel(labelId: $id, value: 1) { id } }', { id: label }),
    'label.edit': () =>
      client.request('mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }', {
        i: { labelId: label, name: `edited by ${actor}` },
      }),
    'label.comment': () =>
      client.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
        i: { target: { type: 'LABEL', labelId: label }, body: 'hi' },
      }),
    'label.propose': () =>
      client.request('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
        i: { teamId, modelId: 'demo', saeId: 'resid_1', featureIndex: 4, name: 'x' },
      }),
    'team.view': () => client.request('query($id: ID!) { team(id: $id) { id } }', { id: teamId }),
    'team.members': () => client.request('query($id: ID!) { team(id: $id) { members { role } } }', { id: teamId }),
    'team.addMember': () =>
      client.request('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId, email: 'linkview@matrix.org', role: 'VIEWER' },
      }),
    'team.addAdmin': () =>
      client.request('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId, email: 'admin@matrix.org', role: 'ADMIN' },
      }),
  };
  const call = calls[operation];
  if (!call) throw new Error(`the matrix names an unknown operation ${operation}`);
  const result = await call();
  const code = result.errors?.[0]?.extensions?.code;
  if (!code) return true;
  if (DENIED.has(code)) return false;
  throw new Error(`${actor} ${operation} ${visibility}: unexpected error ${JSON.stringify(result.errors)}`);
}

describe('authorization matrix', () => {
  it('allows exactly what the table says, for every operation, actor and visibility', async () => {
    const [header, ...rows] = MATRIX.trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
    const actors = header!.slice(2) as Actor[];
    const unexpectedAllow: string[] = [];
    const unexpectedDeny: string[] = [];
    let checked = 0;
    for (const [operation, visibility, ...cells] of rows) {
      for (const [i, expected] of cells.entries()) {
        if (expected === '-') continue;
        const actor = actors[i]!;
        const allowed = await attempt(actor, operation!, visibility!);
        checked++;
        const where = `${operation} ${visibility} as ${actor}`;
        if (allowed && expected === 'N') unexpectedAllow.push(where);
        if (!allowed && expected === 'Y') unexpectedDeny.push(where);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(unexpectedAllow).toEqual([]);
    expect(unexpectedDeny).toEqual([]);
  });

  it('tells the holder of an expired link that it expired and when; revoked and unknown links stay NOT_FOUND', async () => {
    const holder = await TestClient.signUp(app.url, 'late@matrix.org');
    const link = async (circuitId: string, permission: string) =>
      (
        await clients.owner.ok<{ createShareLink: { token: string; link: { id: string } } }>(
          'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token link { id } } }',
          { i: { circuitId, permission, expiresAt: new Date(Date.now() + 60_000).toISOString() } },
        )
      ).createShareLink;
    const expiring = await link(circuits.PRIVATE.id, 'VIEW');
    const revokedAndExpired = await link(circuits.PRIVATE.id, 'EDIT');
    const publicComment = await link(circuits.PUBLIC.id, 'COMMENT');
    const view = (client: TestClient, slug = circuits.PRIVATE.slug) =>
      client.request<{ circuit: { id: string } }>('query($s: String!) { circuit(slug: $s) { id } }', { s: slug });
    holder.shareToken = expiring.token;
    expect((await view(holder)).errors).toBeUndefined();

    // Past their expiry (moved back in the database rather than waited for); one is also revoked.
    const expiredAt = new Date('2026-03-04T05:06:07.890Z');
    await app.runtime.services.prisma.shareLink.updateMany({
      where: { id: { in: [expiring.link.id, revokedAndExpired.link.id, publicComment.link.id] } },
      data: { expiresAt: expiredAt },
    });
    await clients.owner.ok('mutation($id: ID!) { revokeShareLink(id: $id) { id } }', { id: revokedAndExpired.link.id });
    const expired = {
      code: 'SHARE_LINK_EXPIRED',
      expiredAt: expiredAt.toISOString(),
    };
    const message = 'This share link expired on 2026-03-04 05:06 UTC; whoever shared it with you can make a new one';

    // Signed in or out, the token's holder hears that it expired (the token is the secret), and sees nothing.
    const anonymousHolder = new TestClient(app.url);
    anonymousHolder.shareToken = expiring.token;
    for (const client of [holder, anonymousHolder]) {
      const refused = await view(client);
      expect(refused.errors?.[0]?.extensions).toMatchObject(expired);
      expect(refused.errors?.[0]?.message).toBe(message);
      expect(refused.data).toBeNull();
    }
    // Writes the link never allowed are refused as expired too: the circuit is hidden without it.
    const comment = await holder.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'CIRCUIT', circuitId: circuits.PRIVATE.id }, body: 'late' },
    });
    expect(comment.errors?.[0]?.extensions).toMatchObject(expired);

    // Revoked (revocation wins over expiry), unknown, none at all, or a link to another circuit: one answer,
    // naming no expiry.
    const notFound = [];
    for (const token of [revokedAndExpired.token, 'x'.repeat(43), undefined]) {
      holder.shareToken = token;
      notFound.push((await view(holder)).errors?.[0]);
    }
    holder.shareToken = expiring.token;
    notFound.push((await view(holder, circuits.TEAM.slug)).errors?.[0]);
    for (const [i, error] of notFound.entries()) {
      expect(error?.extensions?.code, `answer ${i}`).toBe('NOT_FOUND');
      expect(error?.extensions?.expiredAt, `answer ${i}`).toBeUndefined();
      expect(error?.message, `answer ${i}`).toMatch(/^No circuit /);
    }

    // A working link beside the expired one opens the circuit: the expiry of one is no refusal.
    const { createShareLink: working } = await clients.owner.ok<{ createShareLink: { token: string } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
      { i: { circuitId: circuits.PRIVATE.id, permission: 'VIEW' } },
    );
    holder.shareToken = `${expiring.token},${working.token}`;
    expect((await view(holder)).data?.circuit.id).toBe(circuits.PRIVATE.id);

    // A public circuit stays readable; what only the expired COMMENT link allowed says it expired, while what it
    // never allowed (visibility: MANAGE) stays FORBIDDEN.
    holder.shareToken = publicComment.token;
    expect((await view(holder, circuits.PUBLIC.slug)).data?.circuit.id).toBe(circuits.PUBLIC.id);
    const lateComment = await holder.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'CIRCUIT', circuitId: circuits.PUBLIC.id }, body: 'late' },
    });
    expect(lateComment.errors?.[0]?.extensions).toMatchObject(expired);
    const visibility = await holder.request(
      'mutation($id: ID!) { setCircuitVisibility(circuitId: $id, visibility: TEAM) { id } }',
      { id: circuits.PUBLIC.id },
    );
    expect(visibility.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Signed out, a write needs signing in whatever the link: UNAUTHENTICATED, as with a working link.
    anonymousHolder.shareToken = publicComment.token;
    const anonymousComment = await anonymousHolder.request(
      'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
      { i: { target: { type: 'CIRCUIT', circuitId: circuits.PUBLIC.id }, body: 'late' } },
    );
    expect(anonymousComment.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
