// GraphQL over WebSocket is guarded as HTTP is. Before: graphql-ws ran operations with graphql's rules only (no
// depth, alias, token or cost limit), accepted 100 MB messages, sent internal errors unmasked, accepted an upgrade
// from any page's Origin (with the user's cookie), and took a non-string share token into the context.
import { connect } from 'node:net';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningApp } from '../app.js';
import { MAX_ALIASES, MAX_DEPTH } from '../graphql/limits.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';
import { type Change, follow, heardUntil, untilAllListen } from '../testing/subscriptions.js';

let testApp: TestApp | undefined;
let app: RunningApp;
let wsUrl: string;
const FRIEND = 'https://friend.example';
/** Subscriptions check their access again this often here (SUBSCRIPTION_RECHECK_MS; 5 s by default). */
const RECHECK_MS = 200;

beforeAll(async () => {
  testApp = await startTestApp({ allowedOrigins: [FRIEND], subscriptionRecheckMs: RECHECK_MS });
  app = testApp.app;
  wsUrl = app.url.replace('http', 'ws');
});
afterAll(async () => {
  await testApp?.stop();
});

type Errors = { message: string; extensions?: { code?: string } }[];

/** Runs one operation over graphql-ws; resolves with the errors it ended with (or of its first result). */
async function errorsOver(query: string, variables: Record<string, unknown> = {}, cookie?: string): Promise<Errors> {
  const client = createClient({
    url: wsUrl,
    retryAttempts: 0,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: cookie ? { cookie } : {} });
      }
    },
  });
  try {
    return await new Promise<Errors>((resolve, reject) => {
      client.subscribe(
        { query, variables },
        {
          next: (result: FormattedExecutionResult) => resolve((result.errors ?? []) as Errors),
          error: (error) => (Array.isArray(error) ? resolve(error as Errors) : reject(error)),
          complete: () => resolve([]),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** Opens a raw socket with these headers; resolves with the HTTP status of a refused upgrade, or 101. */
function upgrade(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => {});
  });
}

/** Sends `messages` on a raw graphql-ws socket; resolves with the close code and reason. */
function closeAfter(messages: (string | Buffer)[]): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.on('open', () => {
      for (const message of messages) socket.send(message);
    });
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', () => {});
  });
}

/** Upgrades by hand, writes `frame` as is and resolves with the code of the server's close frame. */
function closeCodeAfterRawFrame(frame: Buffer): Promise<number | undefined> {
  const { port } = new URL(wsUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      const head = received.indexOf('\r\n\r\n');
      if (head < 0) return;
      if (received.length === head + 4) socket.write(frame);
      // The server's close frame: 0x88, a length under 126, the code.
      const close = received.indexOf(0x88, head + 4);
      if (close >= 0 && received.length >= close + 4) {
        socket.destroy();
        resolve(received.readUInt16BE(close + 2));
      }
    });
    socket.on('close', () => resolve(undefined));
    socket.on('error', () => {});
    socket.write(
      `GET ${new URL(wsUrl).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
    );
  });
}

const nested = (levels: number) => {
  const path = ['reviewQueue', 'edges', 'node'];
  while (path.length < levels) path.push(path.length % 2 ? 'circuit' : 'reviews');
  return `{ ${path.map((field) => `${field} {`).join(' ')} id ${'}'.repeat(path.length)} }`;
};

describe('operations over WebSocket', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    [`${MAX_DEPTH + 1} levels deep`, nested(MAX_DEPTH + 1), {}, 'GRAPHQL_VALIDATION_FAILED'],
    [
      `${MAX_ALIASES + 1} aliases`,
      `{ ${Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
      {},
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a fragment cycle',
      '{ me { ...A } } fragment A on User { ...B } fragment B on User { ...A }',
      {},
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['over the token limit', `{ ${'me { id } '.repeat(3000)}}`, {}, 'GRAPHQL_PARSE_FAILED'],
    [
      'over the cost limit',
      'query($n: Int) { reviewQueue(first: $n) { edges { cursor } } }',
      { n: 1e9 },
      'BAD_USER_INPUT',
    ],
    ['a wrong-typed variable', 'query($id: ID!) { job(id: $id) { id } }', { id: { a: 1 } }, 'BAD_USER_INPUT'],
    ['an unknown field', 'subscription { nope }', {}, 'GRAPHQL_VALIDATION_FAILED'],
    // Fuzz test (fuzz.test.ts): the id reached a uuid column, an INTERNAL_SERVER_ERROR.
    ['a circuit id that is not a uuid', 'subscription { circuitChanged(circuitId: "demo") { kind } }', {}, 'NOT_FOUND'],
    // Fuzz test: the key was checked with a bare zod parse, an INTERNAL_SERVER_ERROR.
    [
      'a feature key over its limits',
      'subscription($f: FeatureKeyInput!) { featureChanged(feature: $f) { kind } }',
      { f: { modelId: 'x'.repeat(300), saeId: 'resid_1', featureIndex: 1 } },
      'BAD_USER_INPUT',
    ],
    // Fuzz test: Postgres keeps no U+0000 in text, an INTERNAL_SERVER_ERROR.
    [
      'a NUL character in a variable',
      'subscription($id: ID!) { circuitChanged(circuitId: $id) { kind } }',
      { id: 'a\u0000' },
      'BAD_USER_INPUT',
    ],
    // Fuzz test: graphql 16 threw a TypeError for a subscription whose one root field is skipped (closed with 4500).
    ['a skipped root field', 'subscription { myInbox @skip(if: true) { kind } }', {}, 'GRAPHQL_VALIDATION_FAILED'],
    // Fuzz test: graphql's own validation of a subscription threw on these directives (closed with 4500).
    [
      'a root field included by a variable',
      'subscription($v: Boolean!) { myInbox @include(if: $v) { kind } }',
      { v: true },
      'GRAPHQL_VALIDATION_FAILED',
    ],
    [
      'a root field with @include of a wrong value',
      'subscription { myInbox @include(if: "yes") { kind } }',
      {},
      'GRAPHQL_VALIDATION_FAILED',
    ],
  ];
  it.each(cases)('refuses an operation %s, as HTTP does', async (_what, query, variables, code) => {
    const errors = await errorsOver(query, variables);
    expect(errors[0]?.extensions?.code, JSON.stringify(errors).slice(0, 300)).toBe(code);
  });

  // Fuzz test: the id reached a uuid column, an INTERNAL_SERVER_ERROR.
  it('answers NOT_FOUND for a team id that is not a uuid', async () => {
    const { sessionCookie } = await TestClient.signUp(app.url, 'team-id@ws.test');
    const errors = await errorsOver('subscription { teamChanged(teamId: "demo") { kind } }', {}, sessionCookie);
    expect(errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('still runs a good operation', async () => {
    expect(await errorsOver('{ __typename }')).toEqual([]);
  });

  it('closes the socket on a message over the size limit (1009)', async () => {
    const big = JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(17 * 1024 * 1024) } });
    expect((await closeAfter([big])).code).toBe(1009);
  });

  // Fuzz test: graphql-ws's own adapter closed these with 4500 (internal error) and logged a server fault.
  it('closes with 4400 when a client sends a message only the server may send', async () => {
    for (const type of ['connection_ack', 'next', 'error']) {
      const message = JSON.stringify({ type, id: '1', payload: {} });
      const { code } = await closeAfter([JSON.stringify({ type: 'connection_init' }), message]);
      expect(code, type).toBe(4400);
    }
  });

  it('closes a frame that breaks the WebSocket protocol (1002) without logging a server fault', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      // Unmasked (clients must mask), then a reserved opcode.
      for (const frame of [Buffer.from([0x81, 0x01, 0x78]), Buffer.from([0x83, 0x80, 0, 0, 0, 0])]) {
        expect(await closeCodeAfterRawFrame(frame)).toBe(1002);
      }
    } finally {
      console.error = original;
    }
    expect(logged).toEqual([]);
  });

  it('refuses a share token that is not a string with a clear close reason', async () => {
    const init = JSON.stringify({ type: 'connection_init', payload: { shareToken: { $gt: '' } } });
    expect(await closeAfter([init])).toEqual({ code: 4400, reason: 'connectionParams.shareToken must be a string' });
  });
});

describe('the WebSocket upgrade', () => {
  it("refuses another site's pages and accepts the app's own, listed ones and non-browsers", async () => {
    const own = new URL(app.url).origin;
    expect(await upgrade({ origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade({ origin: 'null' })).toBe(403);
    expect(await upgrade({ origin: own })).toBe(101);
    expect(await upgrade({ origin: FRIEND })).toBe(101);
    expect(await upgrade({})).toBe(101);
  });
});

describe('subscriptions end when what they depended on goes', () => {
  let owner: TestClient;
  let member: TestClient;
  let memberId: string;
  let circuitId: string;
  let version = 1;

  beforeAll(async () => {
    owner = await TestClient.signUp(app.url, 'owner@ws.test');
    member = await TestClient.signUp(app.url, 'member@ws.test');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "WS" }) { id } }',
    );
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: createTeam.id, email: 'member@ws.test', role: 'MEMBER' },
    });
    memberId = (await member.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
    const { createCircuit } = await owner.ok<{ createCircuit: { id: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
      { i: { teamId: createTeam.id, title: 'watched', graph: { nodes: [{ id: 'a' }], edges: [] } } },
    );
    circuitId = createCircuit.id;
  });

  let saving = false;
  /** A new version: a circuitChanged event. One at a time, so each names the latest version as its base. */
  const saveVersion = async () => {
    if (saving) return;
    saving = true;
    try {
      const { saveCircuitVersion } = await owner.ok<{ saveCircuitVersion: { number: number } }>(
        'mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }',
        { i: { circuitId, baseVersion: version, graph: { nodes: [{ id: 'a' }], edges: [] }, message: 'tick' } },
      );
      version = saveCircuitVersion.number;
    } finally {
      saving = false;
    }
  };

  /**
   * Subscribes to the circuit with this cookie or share token and waits until an event arrives (the subscription
   * is live); `ended` resolves with the errors it ended with and when.
   */
  async function liveCircuitSubscription(auth: { cookie?: string; shareToken?: string }) {
    const client = createClient({
      url: wsUrl,
      retryAttempts: 0,
      connectionParams: auth.shareToken ? { shareToken: auth.shareToken } : {},
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: auth.cookie ? { cookie: auth.cookie } : {} });
        }
      },
    });
    let first!: () => void;
    const live = new Promise<void>((resolve) => (first = resolve));
    const ended = new Promise<{ errors: Errors; at: number }>((resolve) => {
      client.subscribe(
        { query: 'subscription($id: ID!) { circuitChanged(circuitId: $id) { kind } }', variables: { id: circuitId } },
        {
          next: (result) => (result.errors ? resolve({ errors: result.errors as Errors, at: Date.now() }) : first()),
          error: (error) => resolve({ errors: (Array.isArray(error) ? error : [error]) as Errors, at: Date.now() }),
          complete: () => resolve({ errors: [], at: Date.now() }),
        },
      );
    });
    // Events until one arrives: the first may be published before the subscription is registered.
    const ticker = setInterval(() => saveVersion().catch((error) => console.error(error)), 300);
    void saveVersion().catch((error) => console.error(error));
    try {
      await Promise.race([live, ended]);
    } finally {
      clearInterval(ticker);
    }
    return { ended, dispose: () => client.dispose() };
  }

  /** The subscription ends with `code` within a few re-check intervals of `revoke` returning. */
  async function expectEnds(sub: Awaited<ReturnType<typeof liveCircuitSubscription>>, code: string, at: number) {
    try {
      const { errors, at: endedAt } = await sub.ended;
      expect(errors[0]?.extensions?.code, JSON.stringify(errors)).toBe(code);
      expect(endedAt - at).toBeLessThan(RECHECK_MS * 5 + 1000);
    } finally {
      await sub.dispose();
    }
  }

  it('a removed member’s circuit subscription ends', async () => {
    const sub = await liveCircuitSubscription({ cookie: member.sessionCookie });
    await owner.ok('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
      t: (await owner.ok<{ myTeams: { id: string }[] }>('{ myTeams { id } }')).myTeams[0]!.id,
      u: memberId,
    });
    await expectEnds(sub, 'FORBIDDEN', Date.now());
  });

  it('a revoked share link’s subscription ends', async () => {
    const { createShareLink } = await owner.ok<{ createShareLink: { token: string; link: { id: string } } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token link { id } } }',
      { i: { circuitId, permission: 'VIEW' } },
    );
    const sub = await liveCircuitSubscription({ shareToken: createShareLink.token });
    await owner.ok('mutation($id: ID!) { revokeShareLink(id: $id) { revokedAt } }', { id: createShareLink.link.id });
    await expectEnds(sub, 'FORBIDDEN', Date.now());
  });

  it('an expiring share link’s subscription ends saying it expired', async () => {
    const { createShareLink } = await owner.ok<{ createShareLink: { token: string; link: { id: string } } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token link { id } } }',
      { i: { circuitId, permission: 'VIEW', expiresAt: new Date(Date.now() + 60_000).toISOString() } },
    );
    const sub = await liveCircuitSubscription({ shareToken: createShareLink.token });
    // Its expiry moved to now in the database rather than waited for.
    await app.runtime.services.prisma.shareLink.update({
      where: { id: createShareLink.link.id },
      data: { expiresAt: new Date() },
    });
    await expectEnds(sub, 'SHARE_LINK_EXPIRED', Date.now());
  });

  it('signing out ends a circuit subscription', async () => {
    const sub = await liveCircuitSubscription({ cookie: owner.sessionCookie });
    await owner.ok('mutation { signOut }');
    await expectEnds(sub, 'UNAUTHENTICATED', Date.now());
  });
});

/**
 * A team (owner and member) with a circuit of `versions` versions and a VIEW link to its v1, and circuitChanged
 * followed by the member and by the link; `comment` comments on the whole circuit (both hear it).
 */
async function versionLinkWatch(tag: string, versions: number) {
  const owner = await TestClient.signUp(app.url, `owner@${tag}.test`);
  const member = await TestClient.signUp(app.url, `member@${tag}.test`);
  const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
    'mutation($n: String!) { createTeam(input: { name: $n }) { id } }',
    { n: tag },
  );
  await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId: createTeam.id, email: `member@${tag}.test`, role: 'MEMBER' },
  });
  const graph = { nodes: [{ id: 'a' }], edges: [] };
  const { createCircuit } = await owner.ok<{ createCircuit: { id: string } }>(
    'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
    { i: { teamId: createTeam.id, title: tag, graph } },
  );
  const circuitId = createCircuit.id;
  for (let base = 1; base < versions; base++) {
    await owner.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
      i: { circuitId, baseVersion: base, graph, message: `v${base + 1}` },
    });
  }
  const { createShareLink } = await owner.ok<{ createShareLink: { token: string } }>(
    'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }',
    { i: { circuitId, permission: 'VIEW', version: 1 } },
  );
  const comment = async () =>
    (
      await owner.ok<{ addComment: { id: string } }>(
        'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
        {
          i: { target: { type: 'CIRCUIT', circuitId }, body: 'marker' },
        },
      )
    ).addComment.id;
  const CIRCUIT_CHANGED = 'subscription($c: ID!) { circuitChanged(circuitId: $c) { kind id data } }';
  const memberSub = follow(app.url, { cookie: member.sessionCookie }, CIRCUIT_CHANGED, { c: circuitId });
  const linkSub = follow(app.url, { shareToken: createShareLink.token }, CIRCUIT_CHANGED, { c: circuitId });
  return { owner, member, circuitId, graph, comment, memberSub, linkSub, subs: [memberSub, linkSub] };
}

describe('a version link hears of its own version only', () => {
  it('hears no other version saved; a team member hears every one', async () => {
    const { owner, circuitId, graph, comment, memberSub, linkSub, subs } = await versionLinkWatch('versions', 1);
    try {
      // Comments on the whole circuit (both hear them) until both are registered.
      await untilAllListen(subs, comment);

      let base = 1;
      for (let i = 0; i < 2; i++) {
        const { saveCircuitVersion } = await owner.ok<{ saveCircuitVersion: { number: number } }>(
          'mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }',
          { i: { circuitId, baseVersion: base, graph, message: `v${base + 1}` } },
        );
        base = saveCircuitVersion.number;
      }
      const marker = await comment();
      const versions = (heard: { kind: string; data: Record<string, unknown> }[]) =>
        heard.filter((e) => e.kind === 'version').map((e) => e.data.version);
      expect(versions(await heardUntil(memberSub, marker))).toEqual([2, 3]);
      const linkHeard = await heardUntil(linkSub, marker);
      expect(linkHeard.filter((e) => e.kind === 'comment').map((e) => e.id)).toContain(marker);
      expect(versions(linkHeard)).toEqual([]);
      expect(linkSub.errors).toBeNull();
    } finally {
      await Promise.all(subs.map((s) => s.dispose()));
    }
  });
});

describe('a version link hears of reviews of its own version only', () => {
  it('hears nothing of a review requested or decided on v2; a team member hears each', async () => {
    const { owner, member, circuitId, comment, memberSub, linkSub, subs } = await versionLinkWatch('reviews', 2);
    const memberId = (await member.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
    const requestReview = async (version: number) =>
      (
        await owner.ok<{ requestReview: { id: string }[] }>(
          'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
          { i: { circuitId, version, reviewerIds: [memberId] } },
        )
      ).requestReview[0]!.id;
    try {
      await untilAllListen(subs, comment);

      const onV2 = await requestReview(2);
      await member.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }', {
        i: { reviewId: onV2, decision: 'APPROVED' },
      });
      // A review of v1, the link's own version: it hears that one.
      await requestReview(1);
      const marker = await comment();
      const reviewed = (heard: Change[]) => heard.filter((e) => e.kind === 'review').map((e) => e.data.version);
      expect(reviewed(await heardUntil(memberSub, marker))).toEqual([2, 2, 1]);
      expect(reviewed(await heardUntil(linkSub, marker))).toEqual([1]);
      expect(linkSub.errors).toBeNull();
    } finally {
      await Promise.all(subs.map((s) => s.dispose()));
    }
  });
});

describe("comments on a label's thread", () => {
  it('reach featureChanged of those who may see the label, and no one else', async () => {
    const owner = await TestClient.signUp(app.url, 'owner@threads.test');
    const viewer = await TestClient.signUp(app.url, 'viewer@threads.test');
    const outsider = await TestClient.signUp(app.url, 'outsider@threads.test');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Threads" }) { id } }',
    );
    const teamId = createTeam.id;
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: 'viewer@threads.test', role: 'VIEWER' },
    });
    const feature = { modelId: 'demo', saeId: 'blocks.1.hook_resid_post', featureIndex: 31 };
    const propose = async (name: string, visibility: string) =>
      (
        await owner.ok<{ proposeLabel: { id: string } }>(
          'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
          { i: { teamId, ...feature, name, visibility } },
        )
      ).proposeLabel.id;
    const teamLabel = await propose('team only', 'TEAM');
    const publicLabel = await propose('for everyone', 'PUBLIC');
    const comment = async (target: Record<string, unknown>) =>
      (
        await owner.ok<{ addComment: { id: string } }>(
          'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
          { i: { target, body: 'marker' } },
        )
      ).addComment.id;
    const publicThread = { type: 'FEATURE', ...feature };
    const FEATURE_CHANGED = 'subscription($f: FeatureKeyInput!) { featureChanged(feature: $f) { kind id data } }';
    const viewerSub = follow(app.url, { cookie: viewer.sessionCookie }, FEATURE_CHANGED, { f: feature });
    const outsiderSub = follow(app.url, { cookie: outsider.sessionCookie }, FEATURE_CHANGED, { f: feature });
    const subs = [viewerSub, outsiderSub];
    try {
      // Comments in the feature's public thread (both hear them) until both are registered.
      await untilAllListen(subs, () => comment(publicThread));

      const onTeamLabel = await comment({ type: 'LABEL', labelId: teamLabel });
      const onPublicLabel = await comment({ type: 'LABEL', labelId: publicLabel });
      const marker = await comment(publicThread);
      const labelComments = (heard: Change[]) => heard.filter((e) => e.data.targetType === 'LABEL');
      expect(labelComments(await heardUntil(viewerSub, marker))).toEqual([
        { kind: 'comment', id: onTeamLabel, data: { teamId, targetType: 'LABEL', targetKey: teamLabel } },
        { kind: 'comment', id: onPublicLabel, data: { teamId: null, targetType: 'LABEL', targetKey: publicLabel } },
      ]);
      // The outsider sees the public label, not the team's.
      expect(labelComments(await heardUntil(outsiderSub, marker)).map((e) => e.id)).toEqual([onPublicLabel]);

      // Removed from the team, the viewer (whose subscription goes on: the feature page is anyone's) stops hearing
      // of the team's label at once, as it can no longer open it; the public label it still hears.
      const viewerId = (await viewer.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
      await owner.ok('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) }', {
        t: teamId,
        u: viewerId,
      });
      await comment({ type: 'LABEL', labelId: teamLabel });
      const afterRemoval = await comment({ type: 'LABEL', labelId: publicLabel });
      const lastMarker = await comment(publicThread);
      expect(labelComments(await heardUntil(viewerSub, lastMarker)).map((e) => e.id)).toEqual([afterRemoval]);
      expect(viewerSub.errors).toBeNull();
    } finally {
      await Promise.all(subs.map((s) => s.dispose()));
    }
  });
});
