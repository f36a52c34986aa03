// SAE pages and label search (issue 16, items 1-3) over the real API on a real database: paging, every sort and
// filter, coverage, neighbours for the keyboard flow, full-text search, and who sees which labels. Expected orders
// are written out by hand from the fixture below.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';

const SAE = 'demo/blocks.1.hook_resid_post';
const HOOK = 'blocks.1.hook_resid_post';
const D_SAE = 12;
/** Features 0-9 have dashboards (10 and 11 none); 0 and 1 never fired. */
const DENSITY = [0, 0, 0.05, 0.2, 0.01, 0.1, 0.3, 0.02, 0.15, 0.08];
const MAX_ACT = [0, 0, 2, 5, 1, 3, 9, 4, 6, 8];

let stack: TestApp;
let dir: string;
let teamA: string;
let teamB: string;
const people = {} as Record<'ann' | 'bob' | 'cat', TestClient>;
let anon: TestClient;
const labels = {} as Record<'plural' | 'paren' | 'verb' | 'noise' | 'secret' | 'publicB', string>;

async function propose(
  who: keyof typeof people,
  teamId: string,
  featureIndex: number,
  name: string,
  description: string,
  visibility = 'TEAM',
): Promise<string> {
  const { proposeLabel } = await people[who].ok<{ proposeLabel: { id: string } }>(
    'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
    { i: { teamId, modelId: 'demo', saeId: SAE, featureIndex, name, description, visibility } },
  );
  return proposeLabel.id;
}
const vote = (who: keyof typeof people, labelId: string, value: number) =>
  people[who].ok('mutation($l: ID!, $v: Int!) { voteLabel(labelId: $l, value: $v) { id } }', { l: labelId, v: value });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sae-page-'));
  await writeTinyModelFixture(dir, D_SAE);
  stack = await startTestApp({
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
    jobConcurrency: 0,
  });
  const url = stack.app.url;
  anon = new TestClient(url);
  for (const name of ['ann', 'bob', 'cat'] as const) people[name] = await TestClient.signUp(url, `${name}@sae.org`);
  ({
    createTeam: { id: teamA },
  } = await people.ann.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "A" }) { id } }'));
  ({
    createTeam: { id: teamB },
  } = await people.cat.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "B" }) { id } }'));
  await people.ann.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId: teamA, email: 'bob@sae.org', role: 'MEMBER' },
  });
  // One other person's vote decides, so one up vote accepts and one down vote disputes.
  await people.ann.ok('mutation($t: ID!) { setLabelAcceptVotes(teamId: $t, votes: 1) { id } }', { t: teamA });

  const prisma = stack.app.runtime.services.prisma;
  await prisma.featureDashboard.createMany({
    data: DENSITY.map((density, featureIndex) => ({
      saeId: SAE,
      featureIndex,
      density,
      maxActivation: MAX_ACT[featureIndex]!,
      histogram: { edges: [0, 1], counts: [1] },
      topContexts: [],
      quantiles: [],
      topLogits: [],
      bottomLogits: [],
      corpus: 'test',
    })),
  });

  labels.plural = await propose('ann', teamA, 3, 'plural subject', 'fires on plural nouns that are the subject');
  labels.paren = await propose('ann', teamA, 5, 'closing parenthesis', '');
  labels.verb = await propose('ann', teamA, 8, 'verb agreement', 'number agreement between subject and verb', 'PUBLIC');
  labels.noise = await propose('bob', teamA, 8, 'noise', 'fires on agreement sometimes');
  labels.secret = await propose('cat', teamB, 6, 'secret of team B', 'only B may read this agreement');
  labels.publicB = await propose('cat', teamB, 4, 'quotation marks', 'opening quotes', 'PUBLIC');
  // In this order, so the most recent activity is on 8, then 5, then 3.
  await vote('bob', labels.plural, 1);
  await vote('bob', labels.paren, -1);
  await vote('ann', labels.verb, 1);

  const create = (title: string, visibility: string, graph: unknown) =>
    people.ann.ok('mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }', {
      i: { teamId: teamA, title, visibility, graph },
    });
  // A circuit the workbench computed: SAEs by hook. The error node's index is not a feature.
  await create('computed', 'TEAM', {
    schema: 'workbench.circuit',
    model: { name: 'demo' },
    saes: [{ id: SAE, hook: HOOK }],
    nodes: [
      { id: 'f3', hook: HOOK, feature: 3 },
      { id: 'err', hook: HOOK, feature: 5, feature_type: 'error' },
      { id: 'other', hook: 'blocks.0.hook_resid_post', feature: 2 },
    ],
    edges: [],
  });
  // An imported graph: SAEs by layer in its metadata.
  await create('imported', 'TEAM', {
    metadata: { scan: 'demo', saeIds: { '1': SAE } },
    nodes: [
      { id: 'f7', layer: 1, feature: 7 },
      { id: 'l0', layer: 0, feature: 11 },
    ],
    edges: [],
  });
  // The owner's private circuit: members do not see it, so for them feature 9 is in no circuit.
  await create('private', 'PRIVATE', {
    schema: 'workbench.circuit',
    model: { name: 'demo' },
    saes: [{ id: SAE, hook: HOOK }],
    nodes: [{ id: 'f9', hook: HOOK, feature: 9 }],
    edges: [],
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const LIST = `query($sae: ID!, $team: ID, $sort: SaeFeatureSort, $filter: SaeFeatureFilter, $first: Int, $after: String, $offset: Int) {
  saeFeatures(model: "demo", sae: $sae, teamId: $team, sort: $sort, filter: $filter, first: $first, after: $after, offset: $offset) {
    totalCount offset pageInfo { hasNextPage endCursor }
    edges { node { featureIndex density maxActivation inCircuit lastActivityAt labelCount label { id name status score } } }
  }
}`;
interface Row {
  featureIndex: number;
  density: number | null;
  maxActivation: number | null;
  inCircuit: boolean;
  lastActivityAt: string | null;
  labelCount: number;
  label: { id: string; name: string; status: string; score: number } | null;
}
interface Page {
  totalCount: number;
  offset: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: Row }[];
}

async function list(who: TestClient, vars: Record<string, unknown>): Promise<Page> {
  return (await who.ok<{ saeFeatures: Page }>(LIST, { sae: SAE, first: 100, ...vars })).saeFeatures;
}
const indices = (page: Page) => page.edges.map((e) => e.node.featureIndex);

describe('saeFeatures', () => {
  it('lists every feature of the SAE with its dashboard numbers, shown label, circuits and activity', async () => {
    const page = await list(people.ann, { team: teamA });
    expect(indices(page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(page.totalCount).toBe(12);
    const row = (i: number) => page.edges[i]!.node;
    expect(row(3)).toMatchObject({
      density: 0.2,
      maxActivation: 5,
      inCircuit: true,
      labelCount: 1,
      label: { id: labels.plural, name: 'plural subject', status: 'ACCEPTED', score: 1 },
    });
    expect(row(5).label).toMatchObject({ status: 'DISPUTED', score: -1 });
    // Two labels: the better-scored one is shown.
    expect(row(8)).toMatchObject({ labelCount: 2, label: { id: labels.verb, status: 'PROPOSED', score: 1 } });
    expect(row(10)).toMatchObject({ density: null, maxActivation: null, label: null, lastActivityAt: null });
    // Team B's labels are not team A's coverage, even public ones.
    expect(row(4).label).toBeNull();
    expect(row(6).label).toBeNull();
    expect(page.edges.filter((e) => e.node.inCircuit).map((e) => e.node.featureIndex)).toEqual([3, 7, 9]);
  });

  it('sorts by density, max activation, label and recent activity, ties and missing values by index', async () => {
    const by = async (sort: string) => indices(await list(people.ann, { team: teamA, sort }));
    expect(await by('DENSEST')).toEqual([6, 3, 8, 5, 9, 2, 7, 4, 0, 1, 10, 11]);
    expect(await by('SPARSEST')).toEqual([0, 1, 4, 7, 2, 9, 5, 8, 3, 6, 10, 11]);
    expect(await by('MAX_ACTIVATION')).toEqual([6, 9, 8, 3, 7, 5, 2, 4, 0, 1, 10, 11]);
    expect(await by('LABEL')).toEqual([5, 3, 8, 0, 1, 2, 4, 6, 7, 9, 10, 11]);
    expect(await by('RECENT_ACTIVITY')).toEqual([8, 5, 3, 0, 1, 2, 4, 6, 7, 9, 10, 11]);
  });

  it('filters unlabeled, labeled, accepted, disputed, dead and in-circuit features', async () => {
    const by = async (filter: string, sort = 'INDEX') => {
      const page = await list(people.ann, { team: teamA, filter, sort });
      expect(page.totalCount).toBe(page.edges.length);
      return indices(page);
    };
    expect(await by('UNLABELED')).toEqual([0, 1, 2, 4, 6, 7, 9, 10, 11]);
    expect(await by('UNLABELED', 'DENSEST')).toEqual([6, 9, 2, 7, 4, 0, 1, 10, 11]);
    expect(await by('LABELED')).toEqual([3, 5, 8]);
    expect(await by('ACCEPTED')).toEqual([3]);
    expect(await by('DISPUTED')).toEqual([5]);
    expect(await by('DEAD')).toEqual([0, 1]);
    expect(await by('IN_CIRCUIT')).toEqual([3, 7, 9]);
  });

  it('pages by cursor and by offset, with the total the filter keeps', async () => {
    const first = await list(people.ann, { team: teamA, sort: 'DENSEST', first: 4 });
    expect(indices(first)).toEqual([6, 3, 8, 5]);
    expect(first).toMatchObject({ totalCount: 12, offset: 0, pageInfo: { hasNextPage: true } });
    const second = await list(people.ann, {
      team: teamA,
      sort: 'DENSEST',
      first: 4,
      after: first.pageInfo.endCursor,
    });
    expect(indices(second)).toEqual([9, 2, 7, 4]);
    expect(second.offset).toBe(4);
    const last = await list(people.ann, { team: teamA, sort: 'DENSEST', first: 4, offset: 8 });
    expect(indices(last)).toEqual([0, 1, 10, 11]);
    expect(last.pageInfo.hasNextPage).toBe(false);
    const beyond = await list(people.ann, { team: teamA, filter: 'UNLABELED', first: 4, offset: 50 });
    expect(beyond).toMatchObject({ edges: [], totalCount: 9, pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('shows a member only the circuits they may see', async () => {
    const page = await list(people.bob, { team: teamA, filter: 'IN_CIRCUIT' });
    expect(indices(page)).toEqual([3, 7]);
  });

  it('without a team, shows public labels of every team and no team label, to anyone', async () => {
    for (const who of [anon, people.ann, people.cat]) {
      const page = await list(who, {});
      const labeled = page.edges.filter((e) => e.node.label).map((e) => [e.node.featureIndex, e.node.label!.id]);
      expect(labeled).toEqual([
        [4, labels.publicB],
        [8, labels.verb],
      ]);
      expect(page.edges.some((e) => e.node.inCircuit)).toBe(false);
    }
  });

  it("refuses a team's rows to anyone outside it", async () => {
    const outsider = await people.cat.request(LIST, { sae: SAE, team: teamA });
    expect(outsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const signedOut = await anon.request(LIST, { sae: SAE, team: teamA });
    expect(signedOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers bad input with BAD_USER_INPUT naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sae: 'demo/blocks.9.hook_resid_post' }, 'sae'],
      [{ first: 101 }, 'first'],
      [{ first: 0 }, 'first'],
      [{ offset: -1 }, 'offset'],
      [{ after: 'not-a-cursor' }, 'after'],
      [{ team: 'not-a-uuid' }, 'teamId'],
    ];
    for (const [vars, field] of cases) {
      const result = await people.ann.request(LIST, { sae: SAE, ...vars });
      expect(result.errors?.[0]?.extensions, JSON.stringify(vars)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const model = await people.ann.request('{ saeFeatures(model: "nope", sae: "x") { totalCount } }');
    expect(model.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'model' });
  });
});

describe('saeCoverage', () => {
  const COVERAGE = `query($team: ID) { saeCoverage(model: "demo", sae: "${SAE}", teamId: $team) {
    features labeled accepted disputed dead withDashboards inCircuits } }`;

  it("counts the team's labeled, accepted and disputed features", async () => {
    const { saeCoverage } = await people.ann.ok<{ saeCoverage: unknown }>(COVERAGE, { team: teamA });
    expect(saeCoverage).toEqual({
      features: 12,
      labeled: 3,
      accepted: 1,
      disputed: 1,
      dead: 2,
      withDashboards: 10,
      inCircuits: 3,
    });
  });

  it('counts public labels without a team', async () => {
    const { saeCoverage } = await anon.ok<{ saeCoverage: unknown }>(COVERAGE, {});
    expect(saeCoverage).toMatchObject({ features: 12, labeled: 2, accepted: 0, disputed: 0, inCircuits: 0 });
  });

  it("is the team's members' only", async () => {
    const result = await people.cat.request(COVERAGE, { team: teamA });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('saeFeatureNeighbours', () => {
  const NEIGHBOURS = `query($i: Int!, $sort: SaeFeatureSort, $filter: SaeFeatureFilter, $team: ID) {
    saeFeatureNeighbours(model: "demo", sae: "${SAE}", featureIndex: $i, sort: $sort, filter: $filter, teamId: $team) {
      position total previous next nextUnlabeled } }`;
  const at = async (i: number, sort: string, filter: string) =>
    (await people.ann.ok<{ saeFeatureNeighbours: unknown }>(NEIGHBOURS, { i, sort, filter, team: teamA }))
      .saeFeatureNeighbours;

  it('gives the previous, next and next unlabeled feature in the order and filter', async () => {
    // Densest: 6, 3, 8, 5, 9, 2, 7, 4, 0, 1, 10, 11.
    expect(await at(3, 'DENSEST', 'ALL')).toEqual({ position: 2, total: 12, previous: 6, next: 8, nextUnlabeled: 9 });
    expect(await at(6, 'DENSEST', 'UNLABELED')).toEqual({
      position: 1,
      total: 9,
      previous: null,
      next: 9,
      nextUnlabeled: 9,
    });
    expect(await at(11, 'INDEX', 'ALL')).toEqual({
      position: 12,
      total: 12,
      previous: 10,
      next: null,
      nextUnlabeled: null,
    });
  });

  it('goes on from a feature the filter no longer keeps (just labeled) from its place in the order', async () => {
    expect(await at(3, 'DENSEST', 'UNLABELED')).toEqual({
      position: null,
      total: 9,
      previous: 6,
      next: 9,
      nextUnlabeled: 9,
    });
  });

  it('refuses an index beyond the SAE', async () => {
    const result = await people.ann.request(NEIGHBOURS, { i: D_SAE, sort: 'INDEX', filter: 'ALL', team: teamA });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'featureIndex' });
  });
});

describe('searchLabels', () => {
  const SEARCH = `query($q: String!) { searchLabels(query: $q) { rank label { id name status score featureIndex saeId } } }`;
  const search = async (who: TestClient, q: string) =>
    (await who.ok<{ searchLabels: { rank: number; label: { id: string } }[] }>(SEARCH, { q })).searchLabels;
  const ids = (hits: { label: { id: string } }[]) => hits.map((h) => h.label.id);

  it('finds labels by stemmed words in name and description, best match first', async () => {
    const hits = await search(people.ann, 'agreement');
    // "verb agreement" names it and its description says it again; "noise" mentions it once.
    expect(ids(hits)).toEqual([labels.verb, labels.noise]);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits[0]!.label).toMatchObject({ name: 'verb agreement', status: 'PROPOSED', score: 1, featureIndex: 8 });
    expect(ids(await search(people.ann, 'subjects'))).toEqual([labels.plural, labels.verb]);
    expect(ids(await search(people.ann, 'parenthesis closing'))).toEqual([labels.paren]);
  });

  it("never shows another team's private label", async () => {
    expect(ids(await search(people.ann, 'secret'))).toEqual([]);
    expect(ids(await search(people.cat, 'secret'))).toEqual([labels.secret]);
    expect(ids(await search(people.cat, 'agreement'))).toEqual([labels.verb, labels.secret]);
    expect(ids(await search(anon, 'agreement'))).toEqual([labels.verb]);
    expect(ids(await search(anon, 'quotes'))).toEqual([labels.publicB]);
  });

  it('finds nothing for stop words alone, and refuses an empty query', async () => {
    expect(await search(people.ann, 'the and of')).toEqual([]);
    const empty = await people.ann.request(SEARCH, { q: '   ' });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
  });
});
