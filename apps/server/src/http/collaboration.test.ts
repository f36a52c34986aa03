import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

let db: TestDatabase;
let app: RunningApp;
let queries = 0;
let owner: TestClient;
let member: TestClient;
let reviewer: TestClient;
let teamId: string;
const ids: Record<string, string> = {};

const graph = (nodes: string[], edges: [string, string, number][]) => ({
  nodes: nodes.map((id) => ({ id })),
  edges: edges.map(([source, target, weight]) => ({ source, target, weight })),
});

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({
    database: { ...db.config, onQuery: () => void queries++ },
    host: '127.0.0.1',
    port: 0,
    secureCookies: false,
  });
  owner = await TestClient.signUp(app.url, 'owner@lab.org', 'Olive Owner');
  member = await TestClient.signUp(app.url, 'member@lab.org', 'Max Member');
  reviewer = await TestClient.signUp(app.url, 'reviewer@lab.org', 'Rae Reviewer');
  const team = await owner.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Lab" }) { id } }');
  teamId = team.createTeam.id;
  for (const email of ['member@lab.org', 'reviewer@lab.org']) {
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email, role: 'MEMBER' },
    });
    const me = await (email === 'member@lab.org' ? member : reviewer).ok<{ me: { id: string } }>('{ me { id } }');
    ids[email] = me.me.id;
  }
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const FEATURE = { modelId: 'demo', saeId: 'blocks.1.hook_resid_post', featureIndex: 7 };
const LABEL_FIELDS = 'id name description status score revision myVote agreement { up down agreement }';

describe('feature labels', () => {
  it('keeps every edit as a revision and derives status from one changeable vote per user', async () => {
    const proposed = await member.ok<{ proposeLabel: { id: string; status: string; revision: number } }>(
      `mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { ${LABEL_FIELDS} } }`,
      { i: { teamId, ...FEATURE, name: 'plural subject', description: 'fires on plural nouns' } },
    );
    const labelId = proposed.proposeLabel.id;
    expect(proposed.proposeLabel).toMatchObject({ status: 'PROPOSED', revision: 1 });

    await owner.ok(`mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }`, {
      i: { labelId, name: 'plural subject noun', description: 'plural nouns in subject position' },
    });
    const history = await member.ok<{
      label: { revision: number; revisions: { revision: number; name: string; author: { displayName: string } }[] };
    }>(`query($id: ID!) { label(id: $id) { revision revisions { revision name author { displayName } } } }`, {
      id: labelId,
    });
    expect(history.label.revision).toBe(2);
    expect(history.label.revisions).toEqual([
      { revision: 2, name: 'plural subject noun', author: { displayName: 'Olive Owner' } },
      { revision: 1, name: 'plural subject', author: { displayName: 'Max Member' } },
    ]);

    const vote = (client: TestClient, value: number) =>
      client.ok<{
        voteLabel: { status: string; score: number; myVote: number; agreement: { up: number; down: number } };
      }>(`mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { ${LABEL_FIELDS} } }`, {
        id: labelId,
        v: value,
      });
    expect((await vote(owner, 1)).voteLabel).toMatchObject({ status: 'PROPOSED', score: 1, myVote: 1 });
    // Idempotent: the same vote twice counts once.
    expect((await vote(owner, 1)).voteLabel.score).toBe(1);
    // The author's own vote counts in the score, not toward acceptance (two others must agree).
    expect((await vote(member, 1)).voteLabel).toMatchObject({ status: 'PROPOSED', score: 2 });
    expect((await vote(reviewer, -1)).voteLabel).toMatchObject({ status: 'DISPUTED', score: 1 });
    // Changeable: the down vote becomes an up vote.
    const changed = await vote(reviewer, 1);
    expect(changed.voteLabel).toMatchObject({ status: 'ACCEPTED', score: 3, agreement: { up: 3, down: 0 } });
    const invalid = await owner.request(`mutation($id: ID!) { voteLabel(labelId: $id, value: 5) { id } }`, {
      id: labelId,
    });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'value' });
  });

  it('pages through a feature’s labels with Relay cursors', async () => {
    for (const name of ['a', 'b', 'c']) {
      await member.ok(`mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }`, {
        i: { teamId, ...FEATURE, featureIndex: 99, name },
      });
    }
    const page = (after: string | null) =>
      member.ok<{
        featureLabels: {
          edges: { cursor: string; node: { name: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      }>(
        `query($f: FeatureKeyInput!, $after: String) { featureLabels(feature: $f, first: 2, after: $after) {
          edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`,
        { f: { ...FEATURE, featureIndex: 99 }, after },
      );
    const first = await page(null);
    expect(first.featureLabels.edges).toHaveLength(2);
    expect(first.featureLabels.pageInfo.hasNextPage).toBe(true);
    const second = await page(first.featureLabels.pageInfo.endCursor);
    expect(second.featureLabels.edges).toHaveLength(1);
    expect(second.featureLabels.pageInfo.hasNextPage).toBe(false);
    const names = [...first.featureLabels.edges, ...second.featureLabels.edges].map((e) => e.node.name).sort();
    expect(names).toEqual(['a', 'b', 'c']);
  });

  it('batches authors, revisions and votes with DataLoader: the query count does not grow with the number of labels', async () => {
    const listing = `query($f: FeatureKeyInput!) { featureLabels(feature: $f, first: 50) { edges { node { id author { displayName }
      revisions { revision author { displayName } } agreement { up down } myVote } } } }`;
    const count = async (featureIndex: number) => {
      const before = queries;
      await member.ok(listing, { f: { ...FEATURE, featureIndex } });
      return queries - before;
    };
    for (let i = 0; i < 2; i++) {
      await owner.ok(`mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }`, {
        i: { teamId, ...FEATURE, featureIndex: 500, name: `few ${i}` },
      });
    }
    for (let i = 0; i < 12; i++) {
      await (i % 2 ? owner : member).ok(`mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }`, {
        i: { teamId, ...FEATURE, featureIndex: 501, name: `many ${i}` },
      });
    }
    const few = await count(500);
    const many = await count(501);
    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(6);
  });

  it('lists a team’s labels, most recently changed first, page by page', async () => {
    type Page = {
      team: {
        labels: {
          edges: { node: { id: string; updatedAt: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    };
    const LIST = `query($id: ID!, $after: String) { team(id: $id) { labels(first: 5, after: $after) {
      edges { node { id updatedAt } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await member.ok<Page>(LIST, { id: teamId });
    const times = first.team.labels.edges.map((e) => e.node.updatedAt);
    expect(times).toHaveLength(5);
    expect(times).toEqual([...times].sort().reverse());
    expect(first.team.labels.pageInfo.hasNextPage).toBe(true);
    const second = await member.ok<Page>(LIST, { id: teamId, after: first.team.labels.pageInfo.endCursor });
    const firstIds = new Set(first.team.labels.edges.map((e) => e.node.id));
    expect(second.team.labels.edges.length).toBeGreaterThan(0);
    expect(second.team.labels.edges.some((e) => firstIds.has(e.node.id))).toBe(false);
    expect(second.team.labels.edges[0]!.node.updatedAt <= times.at(-1)!).toBe(true);
  });

  it('picks the label each graph node shows, for thousands of features in a constant number of queries', async () => {
    const other = await member.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Other" }) { id } }',
    );
    const otherTeam = other.createTeam.id;
    const propose = async (client: TestClient, team: string, featureIndex: number, name: string, visibility = 'TEAM') =>
      (
        await client.ok<{ proposeLabel: { id: string } }>(
          'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
          { i: { teamId: team, ...FEATURE, featureIndex, name, visibility } },
        )
      ).proposeLabel.id;
    const vote = (client: TestClient, labelId: string, value: number) =>
      client.ok('mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { status } }', {
        id: labelId,
        v: value,
      });
    // 600: the lab's proposed label loses to another team's accepted public one.
    await propose(owner, teamId, 600, 'lab proposed');
    const accepted = await propose(member, otherTeam, 600, 'other accepted', 'PUBLIC');
    await vote(owner, accepted, 1);
    await vote(reviewer, accepted, 1);
    // 601: another team's team-only label, which the lab's owner may not see.
    await propose(member, otherTeam, 601, 'other private');
    // 602: disputed labels are never shown.
    const disputed = await propose(owner, teamId, 602, 'disputed');
    await vote(owner, disputed, 1);
    await vote(member, disputed, -1);
    await vote(reviewer, disputed, 1);
    // 603: two proposed labels: the circuit's own team wins.
    await propose(owner, teamId, 603, 'mine');
    await propose(member, otherTeam, 603, 'theirs', 'PUBLIC');

    const SHOWN = 'query($f: [FeatureKeyInput!]!, $t: ID) { shownLabels(features: $f, teamId: $t) { name status } }';
    const features = [600, 601, 602, 603, 604].map((featureIndex) => ({ ...FEATURE, featureIndex }));
    const shown = async (client: TestClient, team: string | null, keys = features) =>
      (await client.ok<{ shownLabels: ({ name: string } | null)[] }>(SHOWN, { f: keys, t: team })).shownLabels.map(
        (label) => label?.name ?? null,
      );
    expect(await shown(owner, teamId)).toEqual(['other accepted', null, null, 'mine', null]);
    expect(await shown(member, otherTeam)).toEqual(['other accepted', 'other private', null, 'theirs', null]);
    expect(await shown(new TestClient(app.url), null)).toEqual(['other accepted', null, null, 'theirs', null]);

    const before = queries;
    const many = Array.from({ length: 3000 }, (_, i) => ({ ...FEATURE, saeId: `sae-${i % 12}`, featureIndex: i }));
    expect(await shown(owner, teamId, [...many, features[0]!])).toHaveLength(3001);
    expect(queries - before).toBeLessThanOrEqual(3);

    const tooMany = Array.from({ length: 5001 }, (_, featureIndex) => ({ ...FEATURE, featureIndex }));
    const refused = await owner.request(SHOWN, { f: tooMany, t: teamId });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'features: at most 5000 features per request',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('counts every vote when people vote on one label at the same moment', async () => {
    // Before: each vote recounted the others' votes as of its own start, so on Postgres two votes at once each
    // missed the other and the stored score and status kept only one of them (found by durability.test.ts).
    const labelIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId, ...FEATURE, featureIndex: 700 + i, name: `raced ${i}` } },
      );
      labelIds.push(proposeLabel.id);
    }
    const VOTE = 'mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { id } }';
    await Promise.all(
      labelIds.flatMap((id) => [owner, member, reviewer].map((client) => client.ok(VOTE, { id, v: 1 }))),
    );
    for (const id of labelIds) {
      const { label } = await owner.ok<{ label: unknown }>(
        'query($id: ID!) { label(id: $id) { score status agreement { up down } } }',
        { id },
      );
      expect(label).toEqual({ score: 3, status: 'ACCEPTED', agreement: { up: 3, down: 0 } });
    }
  });
});

describe('circuits', () => {
  const CREATE = `mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug latestVersion status } }`;
  const SAVE = `mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number parent message author { displayName } } }`;

  it('saves immutable versions, refuses a stale save naming the newer version, diffs and forks', async () => {
    const created = await member.ok<{
      createCircuit: { id: string; slug: string; latestVersion: number; status: string };
    }>(CREATE, { i: { teamId, title: 'nounpp agreement', graph: graph(['a', 'b'], [['a', 'b', 0.5]]) } });
    const circuit = created.createCircuit;
    expect(circuit).toMatchObject({ latestVersion: 1, status: 'DRAFT' });
    expect(circuit.slug).toMatch(/^[\w-]{8}$/);

    const v2 = await member.ok<{ saveCircuitVersion: { number: number; parent: number } }>(SAVE, {
      i: {
        circuitId: circuit.id,
        baseVersion: 1,
        graph: graph(
          ['a', 'b', 'c'],
          [
            ['a', 'b', 0.7],
            ['b', 'c', -0.2],
          ],
        ),
        annotations: { nodes: { b: { label: 'subject number' } }, edges: {} },
        message: 'add c',
      },
    });
    expect(v2.saveCircuitVersion).toMatchObject({ number: 2, parent: 1 });

    // The owner edited from version 1 too, unaware of version 2: a conflict, not an overwrite.
    const stale = await owner.request(SAVE, {
      i: { circuitId: circuit.id, baseVersion: 1, graph: graph(['a'], []), message: 'stale' },
    });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', latestVersion: 2 });
    expect(stale.errors?.[0]?.message).toContain('Version 2 was saved after version 1');

    const view = await owner.ok<{
      circuit: { latestVersion: number; version: { message: string }; diff: unknown; versions: { number: number }[] };
    }>(
      `query($s: String!) { circuit(slug: $s) { latestVersion version(number: 1) { message }
        versions { number } diff(from: 1, to: 2) { nodes { added removed changed } edges { added removed changed } annotations { added removed changed } } } }`,
      { s: circuit.slug },
    );
    expect(view.circuit.latestVersion).toBe(2);
    expect(view.circuit.versions.map((v) => v.number)).toEqual([2, 1]);
    expect(view.circuit.diff).toEqual({
      nodes: { added: ['c'], removed: [], changed: [] },
      edges: { added: ['b->c'], removed: [], changed: ['a->b'] },
      annotations: { added: ['node:b'], removed: [], changed: [] },
    });

    const fork = await reviewer.ok<{
      forkCircuit: { id: string; slug: string; latestVersion: number; forkedFromVersion: number };
    }>(`mutation($i: ForkCircuitInput!) { forkCircuit(input: $i) { id slug latestVersion forkedFromVersion } }`, {
      i: { circuitId: circuit.id, version: 1, teamId },
    });
    expect(fork.forkCircuit).toMatchObject({ latestVersion: 1, forkedFromVersion: 1 });
    const forked = await reviewer.ok<{ circuit: { version: { graph: { nodes: unknown[] } } } }>(
      `query($s: String!) { circuit(slug: $s) { version { graph } } }`,
      { s: fork.forkCircuit.slug },
    );
    expect(forked.circuit.version.graph.nodes).toHaveLength(2);

    const bad = await member.request(SAVE, {
      i: { circuitId: circuit.id, baseVersion: 2, graph: { nodes: [{ name: 'no id' }], edges: [] } },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'graph.nodes.0.id' });
    ids.circuit = circuit.id;
    ids.slug = circuit.slug;
  });

  it('lists circuits with the faithfulness their shown graph records, null without, in a fixed number of queries', async () => {
    const withMetrics = (faithfulness: number, completeness: number) => ({
      ...graph(['a'], []),
      metrics: { nodes: 1, faithfulness, completeness },
    });
    const create = (title: string, g: unknown) =>
      member.ok<{ createCircuit: { id: string; slug: string } }>(CREATE, { i: { teamId, title, graph: g } });
    const LIST = `query($id: ID!) { team(id: $id) { circuits(first: 50) { edges { node { id faithfulness completeness } } } } }`;
    const list = async () => {
      const before = queries;
      const { team } = await member.ok<{
        team: {
          circuits: { edges: { node: { id: string; faithfulness: number | null; completeness: number | null } }[] };
        };
      }>(LIST, { id: teamId });
      return { queries: queries - before, byId: new Map(team.circuits.edges.map((e) => [e.node.id, e.node])) };
    };

    const computed = (await create('computed', withMetrics(0.5, 0.25))).createCircuit;
    const imported = (await create('imported', graph(['a'], []))).createCircuit;
    // The latest version's numbers, not the first's.
    await member.ok(SAVE, { i: { circuitId: computed.id, baseVersion: 1, graph: withMetrics(0.86, 0.12) } });
    const few = await list();
    expect(few.byId.get(computed.id)).toMatchObject({ faithfulness: 0.86, completeness: 0.12 });
    expect(few.byId.get(imported.id)).toMatchObject({ faithfulness: null, completeness: null });

    for (let i = 0; i < 3; i++) await create(`more ${i}`, withMetrics(0.1 * i, 0));
    const many = await list();
    expect(many.byId.size).toBe(few.byId.size + 3);
    expect(many.queries).toBe(few.queries);

    // A link to version 1 shows version 1's numbers: the grant decides which version's are read.
    const { createShareLink } = await member.ok<{ createShareLink: { token: string } }>(
      `mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }`,
      { i: { circuitId: computed.id, permission: 'VIEW', version: 1 } },
    );
    const linked = new TestClient(app.url);
    linked.shareToken = createShareLink.token;
    const { circuit } = await linked.ok<{ circuit: { faithfulness: number } }>(
      'query($s: String!) { circuit(slug: $s) { faithfulness } }',
      { s: computed.slug },
    );
    expect(circuit.faithfulness).toBe(0.5);
  });

  it('shares by unguessable, expiring, revocable links scoped to a circuit or one version', async () => {
    await owner.ok(`mutation($id: ID!) { setCircuitVisibility(circuitId: $id, visibility: PRIVATE) { id } }`, {
      id: ids.circuit,
    });
    const outsider = await TestClient.signUp(app.url, 'outsider@elsewhere.org');
    const CIRCUIT = `query($s: String!) { circuit(slug: $s) { myAccess onlyVersion version { number } } }`;
    expect((await outsider.request(CIRCUIT, { s: ids.slug })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const share = (input: Record<string, unknown>) =>
      owner.ok<{ createShareLink: { token: string; path: string; link: { id: string } } }>(
        `mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token path link { id permission version } } }`,
        { i: { circuitId: ids.circuit, ...input } },
      );
    const comment = await share({ permission: 'COMMENT' });
    // 32 random bytes in base64url: 256 bits.
    expect(comment.createShareLink.token).toMatch(/^[\w-]{43}$/);
    expect(comment.createShareLink.path).toBe(`/c/${ids.slug}?share=${comment.createShareLink.token}`);

    outsider.shareToken = comment.createShareLink.token;
    expect((await outsider.ok<{ circuit: { myAccess: string } }>(CIRCUIT, { s: ids.slug })).circuit.myAccess).toBe(
      'COMMENT',
    );
    const save = await outsider.request(
      `mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }`,
      { i: { circuitId: ids.circuit, baseVersion: 2, graph: graph(['x'], []) } },
    );
    expect(save.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    await owner.ok(`mutation($id: ID!) { revokeShareLink(id: $id) { revokedAt } }`, {
      id: comment.createShareLink.link.id,
    });
    expect((await outsider.request(CIRCUIT, { s: ids.slug })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const versionOnly = await share({ permission: 'VIEW', version: 1 });
    outsider.shareToken = versionOnly.createShareLink.token;
    expect(versionOnly.createShareLink.path).toBe(`/c/${ids.slug}/v/1?share=${versionOnly.createShareLink.token}`);
    const scoped = await outsider.ok<{ circuit: { onlyVersion: number; version: { number: number } } }>(CIRCUIT, {
      s: ids.slug,
    });
    expect(scoped.circuit).toMatchObject({ onlyVersion: 1, version: { number: 1 } });
    const other = await outsider.request(`query($s: String!) { circuit(slug: $s) { version(number: 2) { number } } }`, {
      s: ids.slug,
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const past = await owner.request(`mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }`, {
      i: { circuitId: ids.circuit, permission: 'VIEW', expiresAt: '2000-01-01T00:00:00Z' },
    });
    expect(past.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt' });
    // DateTime: text that is no ISO-8601 date-time is refused by the scalar, naming the field; a good one comes
    // back as UTC ISO text with milliseconds, whatever offset it was sent with.
    for (const bad of ['next tuesday', '2030-02-30T00:00:00Z', '2030-01-01']) {
      const refused = await owner.request(
        `mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }`,
        {
          i: { circuitId: ids.circuit, permission: 'VIEW', expiresAt: bad },
        },
      );
      expect(refused.errors?.[0]?.extensions?.code, bad).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message, bad).toContain('at "i.expiresAt"');
    }
    const dated = await owner.ok<{ createShareLink: { link: { expiresAt: string; createdAt: string } } }>(
      `mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { link { expiresAt createdAt } } }`,
      { i: { circuitId: ids.circuit, permission: 'VIEW', expiresAt: '2030-06-01T12:30:00+02:00' } },
    );
    expect(dated.createShareLink.link.expiresAt).toBe('2030-06-01T10:30:00.000Z');
    expect(dated.createShareLink.link.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await owner.ok(`mutation($id: ID!) { setCircuitVisibility(circuitId: $id, visibility: TEAM) { id } }`, {
      id: ids.circuit,
    });
  });
});

describe('comments and reviews', () => {
  it('threads comments on a node, notifies mentioned teammates, resolves and reopens', async () => {
    const target = { type: 'NODE', circuitId: ids.circuit, nodeId: 'b' };
    const root = await member.ok<{ addComment: { id: string } }>(
      `mutation($i: AddCommentInput!) { addComment(input: $i) { id } }`,
      { i: { target, body: 'Is this really subject number? @reviewer@lab.org please check' } },
    );
    await reviewer.ok(`mutation($i: AddCommentInput!) { addComment(input: $i) { id } }`, {
      i: { target, body: 'Yes: ablating it flips the verb.', parentId: root.addComment.id },
    });
    const inbox = await reviewer.ok<{ notifications: { kind: string; commentId: string; data: { by: string } }[] }>(
      '{ notifications { kind commentId data } }',
    );
    expect(inbox.notifications).toEqual([
      expect.objectContaining({
        kind: 'mention',
        commentId: root.addComment.id,
        data: expect.objectContaining({ by: 'Max Member' }),
      }),
    ]);
    const resolved = await owner.ok<{ setCommentResolved: { resolved: boolean; resolvedBy: { displayName: string } } }>(
      `mutation($id: ID!) { setCommentResolved(id: $id, resolved: true) { resolved resolvedBy { displayName } } }`,
      { id: root.addComment.id },
    );
    expect(resolved.setCommentResolved).toEqual({ resolved: true, resolvedBy: { displayName: 'Olive Owner' } });
    await owner.ok(`mutation($id: ID!) { setCommentResolved(id: $id, resolved: false) { resolved } }`, {
      id: root.addComment.id,
    });
    const thread = await owner.ok<{
      comments: { edges: { node: { body: string; parentId: string | null; resolved: boolean } }[] };
    }>(`query($t: CommentTargetInput!) { comments(target: $t) { edges { node { body parentId resolved } } } }`, {
      t: target,
    });
    expect(thread.comments.edges.map((e) => e.node)).toEqual([
      { body: expect.stringContaining('subject number'), parentId: null, resolved: false },
      { body: 'Yes: ablating it flips the verb.', parentId: root.addComment.id, resolved: false },
    ]);
  });

  it('requests reviews, fills the queue, and derives status and agreement from decisions', async () => {
    const requested = await member.ok<{ requestReview: { id: string; state: string }[] }>(
      `mutation($i: RequestReviewInput!) { requestReview(input: $i) { id state } }`,
      { i: { circuitId: ids.circuit, reviewerIds: [ids['reviewer@lab.org']] } },
    );
    expect(requested.requestReview).toEqual([{ id: expect.any(String), state: 'PENDING' }]);
    const queue = await reviewer.ok<{
      reviewQueue: { edges: { node: { id: string; version: number; circuit: { slug: string } } }[] };
    }>('{ reviewQueue(pendingOnly: true) { edges { node { id version circuit { slug } } } } }');
    expect(queue.reviewQueue.edges.map((e) => e.node)).toEqual([
      { id: requested.requestReview[0]!.id, version: 2, circuit: { slug: ids.slug } },
    ]);
    const STATUS = `query($s: String!) { circuit(slug: $s) { status reviewAgreement { approved changesRequested pending agreement } } }`;
    expect((await member.ok<{ circuit: { status: string } }>(STATUS, { s: ids.slug })).circuit.status).toBe(
      'IN_REVIEW',
    );

    const stranger = await member.request(`mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }`, {
      i: { reviewId: requested.requestReview[0]!.id, decision: 'APPROVED' },
    });
    expect(stranger.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    await reviewer.ok(`mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }`, {
      i: { reviewId: requested.requestReview[0]!.id, decision: 'APPROVED', comment: 'Faithful enough.' },
    });
    expect((await member.ok<{ circuit: unknown }>(STATUS, { s: ids.slug })).circuit).toEqual({
      status: 'APPROVED',
      reviewAgreement: { approved: 1, changesRequested: 0, pending: 0, agreement: 1 },
    });
    const outsiderReview = await member.request(
      `mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }`,
      { i: { circuitId: ids.circuit, reviewerIds: ['00000000-0000-4000-8000-000000000000'] } },
    );
    expect(outsiderReview.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewerIds' });
  });

  it('pushes new versions to another client over graphql-ws within a second', async () => {
    const ws = createClient({
      url: app.url.replace('http', 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: reviewer.sessionCookie } });
        }
      },
    });
    try {
      const events = ws.iterate<{ circuitChanged: { kind: string; data: { version?: number } } }>({
        query: 'subscription($id: ID!) { circuitChanged(circuitId: $id) { kind id data } }',
        variables: { id: ids.circuit },
      });
      const next = events.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sentAt = Date.now();
      await member.ok(`mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }`, {
        i: { circuitId: ids.circuit, baseVersion: 2, graph: graph(['a'], []), message: 'live' },
      });
      const event = await next;
      expect(Date.now() - sentAt).toBeLessThan(1000);
      expect(event.value?.data?.circuitChanged).toMatchObject({ kind: 'version', data: { version: 3 } });
      await events.return?.();
    } finally {
      await ws.dispose();
    }
  });

  it('tells team members live about what lands in the team’s activity, and no one else', async () => {
    const connect = (client: TestClient) =>
      createClient({
        url: app.url.replace('http', 'ws'),
        webSocketImpl: class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers: { cookie: client.sessionCookie } });
          }
        },
      });
    const TEAM_CHANGED = 'subscription($t: ID!) { teamChanged(teamId: $t) { kind id data } }';
    const ws = connect(reviewer);
    const outsider = await TestClient.signUp(app.url, 'stranger@lab.org');
    const strangerWs = connect(outsider);
    try {
      const events = ws.iterate<{ teamChanged: { kind: string; id: string; data: { action: string } } }>({
        query: TEAM_CHANGED,
        variables: { t: teamId },
      });
      const next = events.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sentAt = Date.now();
      const { proposeLabel } = await member.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId, ...FEATURE, featureIndex: 900, name: 'live one' } },
      );
      const event = await next;
      expect(Date.now() - sentAt).toBeLessThan(1000);
      expect(event.value?.data?.teamChanged).toMatchObject({
        kind: 'activity',
        id: proposeLabel.id,
        data: { action: 'label.proposed', subjectType: 'label' },
      });
      await events.return?.();

      const refused = strangerWs.iterate({ query: TEAM_CHANGED, variables: { t: teamId } });
      expect((await refused.next()).value).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    } finally {
      await ws.dispose();
      await strangerWs.dispose();
    }
  });

  it('logs every change in the team’s activity feed', async () => {
    const feed = await owner.ok<{ team: { activity: { action: string; actor: { displayName: string } }[] } }>(
      `query($id: ID!) { team(id: $id) { activity(first: 200) { action actor { displayName } } } }`,
      { id: teamId },
    );
    const actions = new Set(feed.team.activity.map((a) => a.action));
    for (const action of [
      'team.member_set',
      'label.proposed',
      'label.edited',
      'label.voted',
      'circuit.created',
      'circuit.version_saved',
      'circuit.forked',
      'circuit.visibility_changed',
      'share_link.created',
      'share_link.revoked',
      'comment.added',
      'comment.resolved',
      'comment.reopened',
      'review.requested',
      'review.approved',
    ]) {
      expect(actions, action).toContain(action);
    }
  });
});

describe('API limits', () => {
  it('refuses too-deep and too-costly queries before running them', async () => {
    const deep = await owner.request(
      `{ reviewQueue { edges { node { circuit { reviews { circuit { reviews { circuit { reviews { circuit { reviews { circuit { slug } } } } } } } } } } } } }`,
    );
    expect(deep.errors?.[0]?.message).toMatch(/nested more than 10 levels deep/);
    const COSTLY = `query($f: FeatureKeyInput!) { ${['a', 'b', 'c', 'd']
      .map(
        (alias) =>
          `${alias}: featureLabels(feature: $f, first: 100) { edges { node { revisions { name author { id email displayName } } agreement { up down agreement } author { id email } } } }`,
      )
      .join(' ')} }`;
    const costly = await owner.request(COSTLY, { f: FEATURE });
    expect(costly.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(costly.errors?.[0]?.message).toMatch(/more than the limit/);
    expect(costly.errors?.[0]?.extensions?.http).toBeUndefined();
    // A refusal of the request, not a server failure.
    const raw = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: owner.sessionCookie },
      body: JSON.stringify({ query: COSTLY, variables: { f: FEATURE } }),
    });
    expect(raw.status).toBe(400);
  });
});
