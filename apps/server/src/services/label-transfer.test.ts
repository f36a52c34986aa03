// Label import and export (issue 16, item 4) over the real API on a real database: Neuronpedia feature JSON and
// feature-circuits annotations mapped to our SAE ids, malformed files (each error names its line and field), the dry
// run writing nothing, a real import in one transaction, and a team's export (JSON and CSV) imported into another.
// Expected lines, fields and ids are read off the fixtures in tests/fixtures/labels by hand.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';

const FIXTURES = join(import.meta.dirname, '../../../../tests/fixtures/labels');
const fixture = (name: string) => readFile(join(FIXTURES, name), 'utf8');

let stack: TestApp;
let dir: string;
let teamA: string;
let teamB: string;
const people = {} as Record<'ann' | 'bob' | 'vic' | 'cat', TestClient>;
const ids = {} as Record<'ann' | 'bob' | 'vic' | 'cat', string>;
/** The label proposed, edited and voted on in the export tests. */
let edited: string;

const IMPORT = `mutation($i: ImportLabelsInput!) {
  importLabels(input: $i) {
    dryRun created skipped errorCount
    errors { line field message }
    skippedRows { line field message }
    preview { line modelId saeId featureIndex name description }
  }
}`;
interface Report {
  dryRun: boolean;
  created: number;
  skipped: number;
  errorCount: number;
  errors: { line: number; field: string; message: string }[];
  skippedRows: { line: number; field: string; message: string }[];
  preview: { line: number; modelId: string; saeId: string; featureIndex: number; name: string; description: string }[];
}
const importAs = (who: keyof typeof people, input: Record<string, unknown>) =>
  people[who].request<{ importLabels: Report }>(IMPORT, { i: input });
async function importOk(who: keyof typeof people, input: Record<string, unknown>): Promise<Report> {
  return (await people[who].ok<{ importLabels: Report }>(IMPORT, { i: input })).importLabels;
}
const exportAs = async (who: keyof typeof people, teamId: string, format: 'JSON' | 'CSV') =>
  (
    await people[who].ok<{ exportLabels: { filename: string; contentType: string; text: string } }>(
      'query($t: ID!, $f: LabelExportFormat!) { exportLabels(teamId: $t, format: $f) { filename contentType text } }',
      { t: teamId, f: format },
    )
  ).exportLabels;
const labelsOf = (teamId: string) =>
  stack.app.runtime.services.prisma.featureLabel.findMany({
    where: { teamId },
    orderBy: [{ saeId: 'asc' }, { featureIndex: 'asc' }, { name: 'asc' }],
    include: { revisions: true },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'label-transfer-'));
  // SAEs on blocks.0-1 attn_out, mlp_out and resid_post of model demo, 8 features each.
  await writeTinyModelFixture(dir, 8, { circuitHooks: true });
  stack = await startTestApp({
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
    jobConcurrency: 0,
  });
  const url = stack.app.url;
  for (const name of ['ann', 'bob', 'vic', 'cat'] as const) {
    people[name] = await TestClient.signUp(url, `${name}@transfer.org`);
    const { me } = await people[name].ok<{ me: { id: string } }>('query { me { id } }');
    ids[name] = me.id;
  }
  ({
    createTeam: { id: teamA },
  } = await people.ann.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Alpha" }) { id } }'));
  ({
    createTeam: { id: teamB },
  } = await people.cat.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Beta" }) { id } }'));
  for (const [email, role] of [
    ['bob@transfer.org', 'MEMBER'],
    ['vic@transfer.org', 'VIEWER'],
  ]) {
    await people.ann.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: teamA, email, role },
    });
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Neuronpedia feature JSON', () => {
  it('a dry run maps gpt2-small 6-res-jb to our res-jb SAE, reports the featureless feature, and writes nothing', async () => {
    const report = await importOk('bob', {
      teamId: teamA,
      format: 'NEURONPEDIA',
      text: await fixture('neuronpedia-gpt2-small-6-res-jb.json'),
    });
    expect(report.dryRun).toBe(true);
    expect(report.created).toBe(3);
    expect(report.errors).toEqual([]);
    expect(report.skippedRows).toEqual([
      { line: 42, field: 'explanations', message: 'the feature has no explanations' },
    ]);
    expect(report.preview.map((r) => [r.line, r.modelId, r.saeId, r.featureIndex, r.name])).toEqual([
      [2, 'gpt2-small', 'gpt2-small-res-jb/blocks.6.hook_resid_pre', 1207, 'plural animal nouns'],
      [2, 'gpt2-small', 'gpt2-small-res-jb/blocks.6.hook_resid_pre', 1207, 'nouns for pets in the plural'],
      // Neuronpedia's layer 12 of res-jb is the residual stream after the last block.
      [
        50,
        'gpt2-small',
        'gpt2-small-res-jb/blocks.11.hook_resid_post',
        24575,
        'the final token before a closing parenthesis',
      ],
    ]);
    expect(await labelsOf(teamA)).toEqual([]);
  });

  it('a real import creates proposed labels by the importer with their source, once', async () => {
    const text = await fixture('neuronpedia-gpt2-small-6-res-jb.json');
    const report = await importOk('bob', { teamId: teamA, format: 'NEURONPEDIA', text, dryRun: false });
    expect([report.dryRun, report.created, report.skipped]).toEqual([false, 3, 1]);
    const labels = await labelsOf(teamA);
    expect(labels.map((l) => [l.saeId, l.featureIndex, l.name, l.status, l.authorId, l.visibility])).toEqual([
      [
        'gpt2-small-res-jb/blocks.11.hook_resid_post',
        24575,
        'the final token before a closing parenthesis',
        'PROPOSED',
        ids.bob,
        'TEAM',
      ],
      ['gpt2-small-res-jb/blocks.6.hook_resid_pre', 1207, 'nouns for pets in the plural', 'PROPOSED', ids.bob, 'TEAM'],
      ['gpt2-small-res-jb/blocks.6.hook_resid_pre', 1207, 'plural animal nouns', 'PROPOSED', ids.bob, 'TEAM'],
    ]);
    const plural = labels[2]!;
    expect(plural.source).toMatchObject({
      format: 'NEURONPEDIA',
      line: 2,
      neuronpedia: { modelId: 'gpt2-small', layer: '6-res-jb', index: '1207' },
      explanationId: 'fixture-expl-1207-a',
      typeName: 'oai_token-act-pair',
      explanationModelName: 'gpt-3.5-turbo',
      importedBy: ids.bob,
    });
    expect(plural.revisions.map((r) => [r.revision, r.name, r.authorId])).toEqual([
      [1, 'plural animal nouns', ids.bob],
    ]);
    const activity = await stack.app.runtime.services.prisma.activityEvent.findMany({
      where: { teamId: teamA, action: 'labels.imported' },
    });
    expect(activity.map((a) => [a.actorId, a.data])).toEqual([
      [ids.bob, { format: 'NEURONPEDIA', created: 3, skipped: 1 }],
    ]);

    // The API shows where it came from.
    const { label } = await people.vic.ok<{ label: { source: string } }>(
      'query($id: ID!) { label(id: $id) { source } }',
      {
        id: plural.id,
      },
    );
    expect(JSON.parse(label.source).format).toBe('NEURONPEDIA');

    // The same file again adds nothing: each explanation is already the team's label on that feature.
    const again = await importOk('bob', { teamId: teamA, format: 'NEURONPEDIA', text, dryRun: false });
    expect([again.created, again.skipped]).toEqual([0, 4]);
    expect(again.skippedRows.map((s) => [s.line, s.field])).toEqual([
      [2, 'name'],
      [2, 'name'],
      [42, 'explanations'],
      [50, 'name'],
    ]);
    expect(await labelsOf(teamA)).toHaveLength(3);
  });

  it('a malformed file names each bad line and field, and a real import of it writes nothing', async () => {
    const text = await fixture('neuronpedia-malformed.json');
    const report = await importOk('bob', { teamId: teamA, format: 'NEURONPEDIA', text });
    expect(report.errors.map((e) => [e.line, e.field])).toEqual([
      [8, 'modelId'],
      [13, 'index'],
      [19, 'layer'],
      [25, 'layer'],
      [31, 'explanations[1].description'],
    ]);
    expect(report.errors[1]!.message).toBe('must be a non-negative integer, not "-4"');
    expect(report.errors[2]!.message).toBe('"res-jb" is not a Neuronpedia source id such as 6-res-jb');
    expect(report.errors[3]!.message).toContain('res-jb has no layer 30');
    expect(report.errorCount).toBe(5);
    expect(report.preview.map((r) => [r.line, r.featureIndex, r.name])).toEqual([
      [2, 12, 'a fine explanation'],
      [31, 16, 'kept'],
    ]);

    const before = await labelsOf(teamA);
    const real = await importAs('bob', { teamId: teamA, format: 'NEURONPEDIA', text, dryRun: false });
    expect(real.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(real.errors?.[0]?.message).toContain('5 line(s) cannot be imported, nothing was; line 8, modelId');
    expect(await labelsOf(teamA)).toEqual(before);
  });

  it('broken JSON is reported at its line', async () => {
    const report = await importOk('bob', {
      teamId: teamA,
      format: 'NEURONPEDIA',
      text: '[\n  {"modelId": "gpt2-small",\n   "layer": }\n]\n',
    });
    expect(report.errors).toEqual([
      { line: 3, field: 'json', message: "not valid JSON at column 13: Unexpected token '}'" },
    ]);
    expect(report.created).toBe(0);
    // Nesting deeper than a recursive scan's stack: still an answer about line 1, not a server error.
    const deep = await importOk('bob', { teamId: teamA, format: 'NEURONPEDIA', text: '['.repeat(200_000) });
    expect(deep.errors.map((e) => [e.line, e.field])).toEqual([[1, 'json']]);
  });

  it('a model this server does not run keeps Neuronpedia’s source id as the SAE id', async () => {
    const text = JSON.stringify({
      modelId: 'gemma-2-2b',
      layer: '12-gemmascope-res-16k',
      index: '4077',
      explanations: [{ description: 'legal terms' }],
    });
    const report = await importOk('bob', { teamId: teamA, format: 'NEURONPEDIA', text });
    expect(report.preview.map((r) => [r.line, r.modelId, r.saeId, r.featureIndex])).toEqual([
      [1, 'gemma-2-2b', '12-gemmascope-res-16k', 4077],
    ]);
  });
});

describe('feature-circuits annotations', () => {
  it('maps Component and Layer to the model’s SAE on that hook, Annotation and Notes to name and description', async () => {
    const text = await fixture('feature-circuits-demo.jsonl');
    const report = await importOk('bob', { teamId: teamA, format: 'FEATURE_CIRCUITS', modelId: 'demo', text });
    expect(report.errors).toEqual([]);
    expect(report.preview.map((r) => [r.line, r.saeId, r.featureIndex, r.name, r.description])).toEqual([
      [1, 'demo/blocks.1.hook_resid_post', 3, 'promotes plural verb forms', 'Active on "are" and "were"'],
      [2, 'demo/blocks.0.hook_attn_out', 5, 'plural nouns', ''],
      [3, 'demo/blocks.1.hook_mlp_out', 2, 'singular animate nouns', ''],
    ]);
    // Line 4 is blank; line 5 repeats line 1's label up to case and spacing.
    expect(report.skippedRows.map((s) => [s.line, s.field])).toEqual([[5, 'name']]);
    const done = await importOk('bob', {
      teamId: teamA,
      format: 'FEATURE_CIRCUITS',
      modelId: 'demo',
      text,
      dryRun: false,
    });
    expect(done.created).toBe(3);
    const label = (await labelsOf(teamA)).find((l) => l.saeId === 'demo/blocks.0.hook_attn_out')!;
    expect(label.source).toMatchObject({
      format: 'FEATURE_CIRCUITS',
      line: 2,
      featureCircuits: { Component: 'attn', Layer: '0', Feature: '5', Name: 'attn_0/5' },
    });
  });

  it('a malformed file names each bad line and field', async () => {
    const text = await fixture('feature-circuits-malformed.jsonl');
    const report = await importOk('bob', { teamId: teamA, format: 'FEATURE_CIRCUITS', modelId: 'demo', text });
    expect(report.errors.map((e) => [e.line, e.field, e.message])).toEqual([
      [2, 'Component', 'must be one of resid, attn, mlp, embed, not "Component"'],
      [3, 'Layer', 'model demo has no SAE on blocks.5.hook_resid_post'],
      [4, 'Component', 'model demo has no SAE on hook_embed'],
      [5, 'Feature', 'demo/blocks.0.hook_mlp_out has 8 features (0 to 7), not 40'],
      [6, 'Feature', 'must be a non-negative integer, not "x"'],
      [7, 'Annotation', 'must be a non-empty string'],
      [8, 'json', "not valid JSON at column 100: Expected ',' or '}' after property value"],
    ]);
    expect(report.preview.map((r) => [r.line, r.saeId, r.featureIndex])).toEqual([
      [1, 'demo/blocks.1.hook_resid_post', 4],
    ]);
  });

  it('needs the model id; a model this server does not run gets the hook under feature-circuits/', async () => {
    const text = await fixture('feature-circuits-demo.jsonl');
    const missing = await importAs('bob', { teamId: teamA, format: 'FEATURE_CIRCUITS', text });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'modelId' });
    const report = await importOk('bob', {
      teamId: teamA,
      format: 'FEATURE_CIRCUITS',
      modelId: 'pythia-70m-deduped',
      text,
    });
    expect(report.preview.map((r) => [r.modelId, r.saeId, r.featureIndex])).toEqual([
      ['pythia-70m-deduped', 'feature-circuits/blocks.1.hook_resid_post', 3],
      ['pythia-70m-deduped', 'feature-circuits/blocks.0.hook_attn_out', 5],
      ['pythia-70m-deduped', 'feature-circuits/blocks.1.hook_mlp_out', 2],
    ]);
  });
});

describe('export', () => {
  beforeAll(async () => {
    const { proposeLabel } = await people.ann.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      {
        i: {
          teamId: teamA,
          modelId: 'demo',
          saeId: 'demo/blocks.0.hook_resid_post',
          featureIndex: 1,
          name: 'first try',
          description: 'one line',
        },
      },
    );
    edited = proposeLabel.id;
    await people.ann.ok('mutation($i: EditLabelInput!) { editLabel(input: $i) { id } }', {
      i: { labelId: edited, name: 'plural "nouns", mostly', description: 'line one\nline two' },
    });
    await people.bob.ok('mutation($id: ID!) { voteLabel(labelId: $id, value: 1) { id } }', { id: edited });
  });

  it('JSON holds every label of the team with its revisions and votes (viewers may export)', async () => {
    const file = await exportAs('vic', teamA, 'JSON');
    expect(file.contentType).toBe('application/json');
    expect(file.filename).toMatch(/^alpha.*-labels-\d{4}-\d{2}-\d{2}\.json$/);
    const doc = JSON.parse(file.text);
    expect([doc.format, doc.version, doc.team.name]).toEqual(['workbench-labels', 1, 'Alpha']);
    // 3 from Neuronpedia, 3 from feature-circuits, the one proposed above.
    expect(doc.labels).toHaveLength(7);
    const label = doc.labels.find((l: { id: string }) => l.id === edited);
    expect(label).toMatchObject({
      modelId: 'demo',
      saeId: 'demo/blocks.0.hook_resid_post',
      featureIndex: 1,
      name: 'plural "nouns", mostly',
      description: 'line one\nline two',
      revision: 2,
      score: 1,
      source: null,
      author: { id: ids.ann },
    });
    expect(label.revisions.map((r: { revision: number; name: string }) => [r.revision, r.name])).toEqual([
      [1, 'first try'],
      [2, 'plural "nouns", mostly'],
    ]);
    expect(label.votes.map((v: { user: { id: string }; value: number }) => [v.user.id, v.value])).toEqual([
      [ids.bob, 1],
    ]);
  });

  it('CSV has one quoted row per label', async () => {
    const file = await exportAs('bob', teamA, 'CSV');
    expect(file.contentType).toBe('text/csv');
    const [header, ...rest] = file.text.split('\r\n');
    expect(header).toBe(
      'id,model_id,sae_id,feature_index,name,description,visibility,status,score,up_votes,down_votes,revision,author,created_at,updated_at,source,revisions,votes',
    );
    expect(rest.at(-1)).toBe('');
    const row = rest.find((r) => r.startsWith(edited))!;
    // The name's quotes doubled and the field quoted; the description's line break kept inside quotes.
    expect(
      row.startsWith(
        `${edited},demo,demo/blocks.0.hook_resid_post,1,"plural ""nouns"", mostly","line one\nline two",TEAM,PROPOSED,1,1,0,2,`,
      ),
    ).toBe(true);
  });

  it('outsiders and signed-out callers cannot export; viewers cannot import', async () => {
    const outsider = await people.cat.request('query($t: ID!) { exportLabels(teamId: $t, format: CSV) { text } }', {
      t: teamA,
    });
    expect(outsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const viewer = await importAs('vic', { teamId: teamA, format: 'NEURONPEDIA', text: '[]' });
    expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('round trip', () => {
  it('a team’s JSON export imported into another team gives it the same labels, by the importer', async () => {
    const exported = await exportAs('ann', teamA, 'JSON');
    const dry = await importOk('cat', { teamId: teamB, format: 'WORKBENCH', text: exported.text });
    expect([dry.created, dry.skipped, dry.errorCount]).toEqual([7, 0, 0]);
    expect(await labelsOf(teamB)).toEqual([]);
    await importOk('cat', { teamId: teamB, format: 'WORKBENCH', text: exported.text, dryRun: false });

    const key = (l: { modelId: string; saeId: string; featureIndex: number; name: string; description: string }) =>
      [l.modelId, l.saeId, l.featureIndex, l.name, l.description].join(' | ');
    const a = JSON.parse(exported.text).labels;
    const b = JSON.parse((await exportAs('cat', teamB, 'JSON')).text).labels;
    expect(b.map(key).sort()).toEqual(a.map(key).sort());
    expect(new Set(b.map((l: { author: { id: string } }) => l.author.id))).toEqual(new Set([ids.cat]));
    const copy = b.find((l: { name: string }) => l.name === 'plural "nouns", mostly');
    expect(copy.source).toMatchObject({ format: 'WORKBENCH', labelId: edited });
    expect([copy.revision, copy.votes]).toEqual([1, []]);

    // Back into the team it came from: every label is already there.
    const back = await importOk('ann', { teamId: teamA, format: 'WORKBENCH', text: exported.text });
    expect([back.created, back.skipped]).toEqual([0, 7]);
  });

  it('a NUL character, which Postgres text cannot hold, is an error of its line, not a failed import', async () => {
    const text = JSON.stringify({
      labels: [
        { modelId: 'demo', saeId: 'demo/blocks.1.hook_resid_post', featureIndex: 1, name: 'fine' },
        { modelId: 'demo', saeId: 'demo/blocks.1.hook_resid_post', featureIndex: 2, name: 'nul \u0000 here' },
      ],
    });
    const report = await importOk('bob', { teamId: teamA, format: 'WORKBENCH', text });
    expect(report.errors).toEqual([{ line: 1, field: 'name', message: 'must not contain the character U+0000' }]);
    const real = await importAs('bob', { teamId: teamA, format: 'WORKBENCH', text, dryRun: false });
    expect(real.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('counts against the per-user write rate limit, dry runs too', async () => {
    const rita = await TestClient.signUp(stack.app.url, 'rita@transfer.org');
    const { createTeam } = await rita.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Rita" }) { id } }',
    );
    // 100 dry runs in one request, run one after another: the burst of 60 runs out well before the end.
    const fields = Array.from(
      { length: 100 },
      (_, i) => `a${i}: importLabels(input: { teamId: $t, format: NEURONPEDIA, text: "[]" }) { created }`,
    );
    const result = await rita.request(`mutation($t: ID!) { ${fields.join(' ')} }`, { t: createTeam.id });
    expect(result.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('refuses a file over the size limit', async () => {
    const result = await importAs('bob', { teamId: teamA, format: 'WORKBENCH', text: ' '.repeat(5_000_001) });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(result.errors?.[0]?.message).toBe('text: must be at most 5000000 characters');
  });
});

describe('CSV', () => {
  const CSV_PREVIEW = `mutation($i: ImportLabelsInput!) {
    importLabels(input: $i) { created skipped errorCount errors { line field message } preview { line modelId saeId featureIndex name description } }
  }`;

  it('a team’s CSV export imported into another team gives it the same labels, by the importer', async () => {
    const { createTeam } = await people.cat.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Gamma" }) { id } }',
    );
    const teamC = createTeam.id;
    const exported = await exportAs('ann', teamA, 'CSV');
    const dry = await importOk('cat', { teamId: teamC, format: 'CSV', text: exported.text });
    expect([dry.created, dry.skipped, dry.errorCount]).toEqual([7, 0, 0]);
    expect(await labelsOf(teamC)).toEqual([]);
    // Its row's first line, as an editor counts (a two-line description is two lines).
    const editedLine = exported.text.slice(0, exported.text.indexOf(`\r\n${edited},`)).split('\n').length + 1;
    expect(dry.preview.find((r) => r.name === 'plural "nouns", mostly')).toMatchObject({
      line: editedLine,
      description: 'line one\nline two',
    });
    await importOk('cat', { teamId: teamC, format: 'CSV', text: exported.text, dryRun: false });

    const key = (l: { modelId: string; saeId: string; featureIndex: number; name: string; description: string }) =>
      [l.modelId, l.saeId, l.featureIndex, l.name, l.description].join(' | ');
    const a = JSON.parse((await exportAs('ann', teamA, 'JSON')).text).labels;
    const c = JSON.parse((await exportAs('cat', teamC, 'JSON')).text).labels;
    expect(c.map(key).sort()).toEqual(a.map(key).sort());
    expect(new Set(c.map((l: { author: { id: string } }) => l.author.id))).toEqual(new Set([ids.cat]));
    const copy = c.find((l: { name: string }) => l.name === 'plural "nouns", mostly');
    expect(copy.source).toMatchObject({ format: 'CSV', line: editedLine, labelId: edited });
    const fromNeuronpedia = c.find((l: { name: string }) => l.name === 'plural animal nouns');
    expect(fromNeuronpedia.source.originalSource).toMatchObject({ format: 'NEURONPEDIA', line: 2 });

    // Back into the team it came from: every label is already there.
    const back = await importOk('ann', { teamId: teamA, format: 'CSV', text: exported.text });
    expect([back.created, back.skipped]).toEqual([0, 7]);
  });

  it('reads a spreadsheet: BOM, CRLF, any-case headers, quoted commas, quotes and line breaks, extra columns', async () => {
    const text =
      '\uFEFFSAE,Feature Index,Label,Reviewer,Description\r\n' +
      'demo/blocks.0.hook_resid_post,2,"commas, in a name",me,\r\n' +
      '\r\n' +
      'demo/blocks.1.hook_resid_post,07,"the ""quoted"" token",,"first line\r\nsecond line"\r\n' +
      'demo/blocks.0.hook_mlp_out,3,short row\r\n';
    const report = await importOk('bob', { teamId: teamA, format: 'CSV', text });
    expect(report.errors).toEqual([]);
    expect(report.preview.map((r) => [r.line, r.modelId, r.saeId, r.featureIndex, r.name, r.description])).toEqual([
      [2, 'demo', 'demo/blocks.0.hook_resid_post', 2, 'commas, in a name', ''],
      [4, 'demo', 'demo/blocks.1.hook_resid_post', 7, 'the "quoted" token', 'first line\nsecond line'],
      [6, 'demo', 'demo/blocks.0.hook_mlp_out', 3, 'short row', ''],
    ]);
    // A model given for rows without one; a model this server does not run takes the file's SAE ids as given.
    const other = await importOk('bob', {
      teamId: teamA,
      format: 'CSV',
      modelId: 'gemma-2-2b',
      text: 'sae_id,index,name\ngemmascope-res-16k/12,4077,legal terms\n',
    });
    expect(other.preview.map((r) => [r.modelId, r.saeId, r.featureIndex])).toEqual([
      ['gemma-2-2b', 'gemmascope-res-16k/12', 4077],
    ]);
  });

  it('names each bad line and field as the header spells it, and a real import of it writes nothing', async () => {
    const text = [
      'Model_ID,SAE_ID,Feature,Name',
      'demo,demo/blocks.0.hook_resid_post,x,bad index',
      'demo,demo/blocks.0.hook_resid_post,8,past the end',
      'demo,demo/blocks.9.hook_resid_post,1,no such SAE',
      'demo,demo/blocks.0.hook_resid_post,1,',
      'demo,demo/blocks.0.hook_resid_post,1,a, comma,unquoted',
      ',unknown/sae,1,which model',
      `demo,demo/blocks.0.hook_resid_post,1,${'n'.repeat(121)}`,
      'demo,demo/blocks.0.hook_resid_post,4,fine',
    ].join('\n');
    const report = await importOk('bob', { teamId: teamA, format: 'CSV', text });
    expect(report.errors).toEqual([
      { line: 2, field: 'Feature', message: 'must be a non-negative integer, not "x"' },
      { line: 3, field: 'Feature', message: 'demo/blocks.0.hook_resid_post has 8 features (0 to 7), not 8' },
      { line: 4, field: 'SAE_ID', message: "this server's demo has no SAE demo/blocks.9.hook_resid_post" },
      { line: 5, field: 'Name', message: 'must not be empty' },
      { line: 6, field: 'row', message: 'has 6 cells, the header 4 (a comma outside quotes?)' },
      { line: 7, field: 'Model_ID', message: 'no model here has SAE unknown/sae: give the model id' },
      { line: 8, field: 'Name', message: 'must be at most 120 characters, not 121' },
    ]);
    expect(report.preview.map((r) => [r.line, r.featureIndex])).toEqual([[9, 4]]);
    const before = await labelsOf(teamA);
    const real = await importAs('bob', { teamId: teamA, format: 'CSV', text, dryRun: false });
    expect(real.errors?.[0]?.message).toContain('7 line(s) cannot be imported, nothing was; line 2, Feature');
    expect(await labelsOf(teamA)).toEqual(before);
  });

  it('a header without the needed columns, an unclosed quote and an empty file are errors of their line', async () => {
    const check = async (text: string) =>
      (await people.bob.ok<{ importLabels: Report }>(CSV_PREVIEW, { i: { teamId: teamA, format: 'CSV', text } }))
        .importLabels.errors;
    expect(await check('\n\nfeature,label,notes\n1,x,y\n')).toEqual([
      {
        line: 3,
        field: 'header',
        message: 'needs a column sae_id or sae (found "feature", "label", "notes")',
      },
    ]);
    // The row that opens the quote, not the file's end where the parser notices.
    expect(await check('sae,index,name\nsae,1,"fine"\n\nsae,2,"never closed\nsae,3,x\n')).toEqual([
      { line: 4, field: 'csv', message: 'a quote opened in this row is never closed' },
    ]);
    expect(await check('sae,index,name\nsae,1,"a"b\n')).toEqual([
      {
        line: 2,
        field: 'csv',
        message: expect.stringContaining('Invalid Closing Quote'),
      },
    ]);
    expect(await check('\uFEFF\r\n  \r\n')).toEqual([{ line: 1, field: 'file', message: 'the file is empty' }]);
    expect(await check('SAE,Index,Label,sae_id\n')).toEqual([
      { line: 1, field: 'sae_id', message: 'names the same column as "SAE" (accepted: sae_id, sae)' },
    ]);
  });

  it('holds to the row limit of the other formats', async () => {
    const rows = Array.from({ length: 20_001 }, (_, i) => `demo/blocks.0.hook_resid_post,${i % 8},label ${i}`);
    const result = await importAs('bob', {
      teamId: teamA,
      format: 'CSV',
      text: `sae_id,feature_index,name\n${rows.join('\n')}\n`,
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(result.errors?.[0]?.message).toBe(
      'text: at most 20000 labels per import, the file has more than 20000 rows',
    );
    // As many rows as the size limit allows: refused after reading the rows allowed (a whole read took minutes).
    const started = Date.now();
    const huge = await importAs('bob', { teamId: teamA, format: 'CSV', text: `s,i,n\n${'1\n'.repeat(2_499_000)}` });
    expect(huge.errors?.[0]?.message).toBe('text: at most 20000 labels per import, the file has more than 20000 rows');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
