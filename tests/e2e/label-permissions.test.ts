import { mkdir } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, holdOperation, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Controls say what the viewer may do, in real Chromium on the bundled demo model: a VIEWER of Ada's team reads its
// team label without vote, edit or comment controls, which the API would refuse, and takes part in its public one
// as anyone outside the team may; Cyd, outside the team, gets the votes, comments and evidence a public label allows her, not its edit; a
// signed-out visitor on Ada's public circuit gets a sign-in link where evaluation and ablation (jobs the API runs only
// for someone signed in) would be, and Vic, signed in, the buttons. Screenshots in artifacts/label-permissions/.
let stack: Stack;
let vic: Browser;
let cyd: Browser;
let visitor: Browser;
let ada: Api;
let teamId: string;
let slug: string;
let subject: string[];

const SAE = 'demo/blocks.0.hook_resid_post';
const FEATURE = 616;
const FEATURE_PATH = `/models/demo/${SAE}/${FEATURE}`;
const PAIRS = ['boy', 'dog'].map((noun) => ({
  clean_prefix: `The ${noun} near the car`,
  patch_prefix: `The ${noun}s near the car`,
  clean_answer: ' is',
  patch_answer: ' are',
}));

beforeAll(async () => {
  await mkdir('artifacts/label-permissions', { recursive: true });
  await mkdir('artifacts/labeling-small', { recursive: true });
  stack = await startStack();
  [vic, cyd, visitor] = [await launchBrowser(), await launchBrowser(), await launchBrowser()];
  ada = await Api.signUp(stack.webUrl, 'ada-perm@lab.org', 'Ada');
  const vicApi = await Api.signUp(stack.webUrl, 'vic-perm@lab.org', 'Vic');
  const cydApi = await Api.signUp(stack.webUrl, 'cyd-perm@elsewhere.org', 'Cyd');
  ({
    createTeam: { id: teamId },
  } = await ada.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Permissions" }) { id } }'));
  await ada.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId, email: 'vic-perm@lab.org', role: 'VIEWER' },
  });
  for (const [name, visibility] of [
    ['plural subject', 'TEAM'],
    ['noun number', 'PUBLIC'],
  ]) {
    await ada.ok('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
      i: { teamId, modelId: 'demo', saeId: SAE, featureIndex: FEATURE, name, visibility },
    });
  }
  const { startCircuitJob } = await ada.ok<{ startCircuitJob: { id: string } }>(
    'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
    { i: { teamId, title: 'is / are', model: 'demo', pairs: PAIRS, nodeThreshold: 0.05 } },
  );
  const job = await ada.waitForJob(startCircuitJob.id, 120_000);
  expect(job.error).toBeNull();
  slug = job.result!.slug as string;
  const { circuit } = await ada.ok<{
    circuit: { id: string; version: { graph: { nodes: { id: string; kind: string; effect: number }[] } } };
  }>('query($s: String!) { circuit(slug: $s) { id version { graph } } }', { s: slug });
  subject = circuit.version.graph.nodes
    .filter((n) => n.kind === 'feature')
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
    .slice(0, 3)
    .map((n) => n.id);
  expect(subject.length).toBeGreaterThan(0);
  await ada.ok('mutation($c: ID!) { setCircuitVisibility(circuitId: $c, visibility: PUBLIC) { id } }', {
    c: circuit.id,
  });
  await vicApi.signInBrowser(vic.context);
  await cydApi.signInBrowser(cyd.context);
}, 240_000);

afterAll(async () => {
  for (const browser of [vic, cyd, visitor]) await browser?.close();
  await stack?.stop();
});

/** The feature page with its labels listed, and each label's item by name. */
async function openFeature(
  browser: Browser,
  labels: string[],
): Promise<{ page: Page; item: (name: string) => Locator }> {
  const page = await browser.context.newPage();
  await page.goto(`${stack.webUrl}${FEATURE_PATH}`);
  const items = page.getByTestId('label-item');
  await expect
    .poll(() => items.evaluateAll((els) => els.map((e) => e.getAttribute('data-label-name')).sort()))
    .toEqual([...labels].sort());
  return { page, item: (name) => page.locator(`[data-testid="label-item"][data-label-name="${name}"]`) };
}

const voteButtons = (item: Locator) => item.getByRole('button', { name: /^Vote (up|down) / });

/** Runs the steering panel's default text and returns its save-as-evidence row. */
async function steer(page: Page): Promise<Locator> {
  const panel = page.getByTestId('steer-panel');
  await panel.getByRole('button', { name: 'Steer', exact: true }).click();
  await panel.getByTestId('steer-steered').getByTestId('logit-diff').waitFor({ timeout: 60_000 });
  return panel.getByTestId('save-steering-evidence');
}

describe('label controls follow FeatureLabel.can', () => {
  it('shows a viewer of the team its team label without vote, edit or comment controls, its public one as an outsider gets it', async () => {
    const { page, item } = await openFeature(vic, ['plural subject', 'noun number']);
    const team = item('plural subject');
    expect(await voteButtons(team).count()).toBe(0);
    expect(await team.getByTestId('label-votes').textContent()).toBe('▲ 0 ▼ 0');
    // On the public label a viewer may do what anyone outside the team may: vote, comment; not revise.
    expect(await voteButtons(item('noun number')).count()).toBe(2);
    for (const name of ['plural subject', 'noun number']) {
      expect(await item(name).getByRole('button', { name: 'Edit' }).count(), name).toBe(0);
    }
    // The team label's discussion reads, without a comment box; so does the team's feature thread.
    await team.getByRole('button', { name: 'Discussion' }).click();
    const thread = team.getByTestId('comment-thread');
    await expect.poll(() => thread.getByText('You can read but not add comments here.').count()).toBe(1);
    expect(await thread.getByLabel(/^New comment/).count()).toBe(0);
    await item('noun number').getByRole('button', { name: 'Discussion' }).click();
    await item('noun number')
      .getByTestId('comment-thread')
      .getByLabel(/^New comment/)
      .waitFor();
    const teamThread = page.getByRole('region', { name: 'Discussion in Permissions' });
    await expect.poll(() => teamThread.getByText('You can read but not add comments here.').count()).toBe(1);
    // In a team, the proposal note says what keeps a viewer from proposing, and the l key says the same.
    const viewerNote = 'Viewers can’t propose labels; ask an admin of the team for the member role.';
    await page.getByText(viewerNote).waitFor();
    await page.keyboard.press('l');
    await expect.poll(() => page.getByTestId('flow-message').textContent()).toBe(viewerNote);
    await page.screenshot({ path: 'artifacts/labeling-small/1-viewer-l-key.png' });
    // Evidence goes only to the label that takes it: the public one.
    const save = await steer(page);
    expect(await save.getByLabel('Label for the evidence').locator('option').allTextContents()).toEqual([
      'noun number',
    ]);
    await page.screenshot({ path: 'artifacts/label-permissions/1-viewer-feature.png', fullPage: true });
    await page.close();
  });

  it('tells a viewer it is checking their teams while they load, never to join one; the vote key says viewers do not vote', async () => {
    // A feature with only a team label, so the vote key's label is that one.
    const featureIndex = FEATURE + 1;
    await ada.ok('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
      i: { teamId, modelId: 'demo', saeId: SAE, featureIndex, name: 'team-only subject', visibility: 'TEAM' },
    });
    const page = await vic.context.newPage();
    // The viewer's teams are held back: until they arrive the page cannot know Vic is in a team.
    const releaseTeams = await holdOperation(page, 'MyTeams');
    await page.goto(`${stack.webUrl}/models/demo/${SAE}/${featureIndex}`);
    const label = page.locator('[data-testid="label-item"][data-label-name="team-only subject"]');
    await label.waitFor();
    const note = page.getByTestId('propose-note');
    await expect.poll(() => note.textContent()).toBe('Checking your teams…');
    expect(await page.getByText(/Join a team/).count()).toBe(0);
    // Nor the public thread's comment box, which would take a comment meant for the team.
    const discussion = page.getByTestId('feature-discussion');
    expect(await discussion.textContent()).toBe('Checking your teams…');
    await page.keyboard.press('l');
    await expect.poll(() => page.getByTestId('flow-message').textContent()).toBe('Checking your teams…');
    await page.screenshot({ path: 'artifacts/labeling-small/5-viewer-teams-loading.png' });
    releaseTeams();
    await expect
      .poll(() => note.textContent())
      .toBe('Viewers can’t propose labels; ask an admin of the team for the member role.');
    expect(await page.getByText(/Join a team/).count()).toBe(0);
    await discussion.getByRole('heading', { name: 'Discussion in Permissions' }).waitFor();
    await page.unrouteAll();

    // + (vote up) on the team label: the key says why not, and no vote is cast.
    await page.keyboard.press('+');
    await expect
      .poll(() => page.getByTestId('flow-message').textContent())
      .toBe('Only members of its team (not viewers) vote on “team-only subject”.');
    expect(await label.getByTestId('label-votes').textContent()).toBe('▲ 0 ▼ 0');
    await page.screenshot({ path: 'artifacts/labeling-small/6-viewer-vote-key.png' });
    await page.close();
  });

  it('offers someone outside the team votes, comments and evidence on the public label, not its edit', async () => {
    const { page, item } = await openFeature(cyd, ['noun number']);
    const label = item('noun number');
    expect(await voteButtons(label).count()).toBe(2);
    expect(await label.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await label.getByRole('button', { name: 'Discussion' }).click();
    await label
      .getByTestId('comment-thread')
      .getByLabel(/^New comment/)
      .waitFor();
    await label.getByRole('button', { name: 'Vote up noun number' }).click();
    await expect.poll(() => label.getByRole('button', { name: 'Vote up noun number' }).textContent()).toBe('▲ 1');
    const save = await steer(page);
    expect(await save.getByLabel('Label for the evidence').locator('option').allTextContents()).toEqual([
      'noun number',
    ]);
    await page.screenshot({ path: 'artifacts/label-permissions/2-outsider-feature.png', fullPage: true });
    await page.close();
  });

  it('gives a signed-out visitor of a public circuit a sign-in link instead of evaluation and ablation', async () => {
    const path = `/c/${slug}?sel=${encodeURIComponent(subject.join(','))}`;
    const open = async (browser: Browser) => {
      const page = await browser.context.newPage();
      await page.goto(`${stack.webUrl}${path}`);
      await expect.poll(() => page.getByTestId('graph-stats').textContent()).toMatch(/^showing \d+ of/);
      return page;
    };
    const page = await open(visitor);
    const controls = page.getByTestId('evaluate-selection');
    const signIn = controls.getByRole('link', { name: 'Sign in to evaluate or ablate the selection' });
    await signIn.waitFor();
    // Back to the circuit afterwards (the editor may rewrite its query, so only the path is compared).
    const href = (await signIn.getAttribute('href')) ?? '';
    expect(href.startsWith(`/signin?next=${encodeURIComponent(`/c/${slug}`)}`), href).toBe(true);
    expect(await page.getByRole('button', { name: 'Evaluate selection' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run on pairs' }).count()).toBe(0);
    await page.screenshot({ path: 'artifacts/label-permissions/3-signed-out-circuit.png' });
    await page.close();

    // Signed in, a viewer of the team may run both on the circuit it views.
    const viewer = await open(vic);
    await viewer.getByRole('button', { name: 'Evaluate selection' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Run on pairs' }).isEnabled()).toBe(true);
    expect(await viewer.getByTestId('evaluate-selection').getByRole('link').count()).toBe(0);
    await viewer.screenshot({ path: 'artifacts/label-permissions/4-viewer-circuit.png' });
    await viewer.close();
  });
});
