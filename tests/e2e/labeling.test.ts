import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Labeling a whole SAE (issue 16, items 1-3) in Chromium on the bundled demo model: the SAE page with its coverage
// and filters, the feature page's keyboard flow (j, l, typing a label, +, ?), and the header's label search.
const SAE = 'demo/blocks.1.hook_resid_post';
const SAE_PATH = '/models/demo/demo/blocks.1.hook_resid_post';
const SHOTS = 'artifacts/labeling';
const poll = { timeout: 15_000 };
let stack: Stack;
let browser: Browser;
let ada: Api;
let teamId: string;
let dSae: number;

async function propose(api: Api, team: string, featureIndex: number, name: string, description = '') {
  const { proposeLabel } = await api.ok<{ proposeLabel: { id: string } }>(
    'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
    { i: { teamId: team, modelId: 'demo', saeId: SAE, featureIndex, name, description } },
  );
  return proposeLabel.id;
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
  ada = await Api.signUp(stack.webUrl, 'ada@labeling.org', 'Ada Labeler');
  const bob = await Api.signUp(stack.webUrl, 'bob@labeling.org', 'Bob Reviewer');
  const carl = await Api.signUp(stack.webUrl, 'carl@labeling.org', 'Carl Elsewhere');
  ({
    createTeam: { id: teamId },
  } = await ada.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Labelers" }) { id } }'));
  await ada.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId, email: 'bob@labeling.org', role: 'MEMBER' },
  });
  await ada.ok('mutation($t: ID!) { setLabelAcceptVotes(teamId: $t, votes: 1) { id } }', { t: teamId });
  await propose(ada, teamId, 0, 'sentence start');
  const plural = await propose(ada, teamId, 2, 'plural subject', 'fires on plural nouns before their verb');
  await bob.ok('mutation($l: ID!) { voteLabel(labelId: $l, value: 1) { id } }', { l: plural });
  // Another team's label: Ada must never find it.
  const {
    createTeam: { id: otherTeam },
  } = await carl.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Elsewhere" }) { id } }');
  await propose(carl, otherTeam, 5, 'plural secret', 'a private plural label');
  const { model } = await ada.ok<{ model: { saes: { id: string; dSae: number }[] } }>(
    '{ model(id: "demo") { saes { id dSae } } }',
  );
  dSae = model.saes.find((s) => s.id === SAE)!.dSae;
  await ada.signInBrowser(browser.context);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('labeling a whole SAE', () => {
  it('the SAE page lists every feature with the team’s coverage, and filters to the unlabeled ones', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}${SAE_PATH}`);
    await expect
      .poll(() => page.getByTestId('sae-coverage').textContent(), poll)
      .toContain(`2 of ${dSae.toLocaleString('en-US')} labeled, 1 accepted`);
    await expect
      .poll(() => page.getByTestId('sae-count').textContent(), poll)
      .toBe(`${dSae.toLocaleString('en-US')} features`);
    const rows = page.getByRole('table', { name: 'Features' }).locator('tbody tr[data-feature]');
    await expect.poll(() => rows.first().getAttribute('data-feature'), poll).toBe('0');
    // Virtualised: far fewer rows in the document than features.
    expect(await rows.count()).toBeLessThan(Math.min(dSae, 80));
    const plural = page.locator('tr[data-feature="2"]');
    expect(await plural.textContent()).toContain('plural subject');
    expect(await plural.locator('[data-status]').getAttribute('data-status')).toBe('ACCEPTED');
    await page.screenshot({ path: `${SHOTS}/sae-page.png` });

    await page.getByRole('button', { name: 'Unlabeled', exact: true }).click();
    await page.waitForURL(/filter=unlabeled/);
    await expect
      .poll(() => page.getByTestId('sae-count').textContent(), poll)
      .toBe(`${(dSae - 2).toLocaleString('en-US')} features`);
    await expect.poll(() => rows.first().getAttribute('data-feature'), poll).toBe('1');
    expect(await rows.nth(1).getAttribute('data-feature')).toBe('3');
    await page.screenshot({ path: `${SHOTS}/sae-page-unlabeled.png` });

    // Scrolling far down loads the rows there.
    await page.locator('tbody').evaluate((body) => body.closest('div')!.scrollTo(0, 36 * 300));
    await expect.poll(() => page.locator('tr[data-feature="303"]').count(), poll).toBe(1);
    await page.close();
  });

  it('the keyboard flow: j to the next unlabeled feature, l to label, typing is not a shortcut, + votes, ? helps', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}${SAE_PATH}?team=${teamId}&filter=unlabeled`);
    await page.locator('tr[data-feature="1"]').getByRole('link', { name: '#1' }).click();
    await page.waitForURL(/\/blocks\.1\.hook_resid_post\/1\?.*filter=unlabeled/);
    await expect
      .poll(() => page.getByTestId('flow-position').textContent(), poll)
      .toContain(`1 of ${(dSae - 2).toLocaleString('en-US')}`);
    // The dashboard slot and the label form share the first screen.
    const form = page.getByRole('form', { name: 'Propose a label' });
    await form.waitFor();
    const viewport = page.viewportSize()!;
    const [dashboardBox, formBox] = [
      await page.locator('[data-slot="activation-dashboard"]').boundingBox(),
      await form.boundingBox(),
    ];
    expect(dashboardBox!.y).toBeLessThan(viewport.height);
    expect(formBox!.y + formBox!.height).toBeLessThan(viewport.height);

    await page.keyboard.press('j');
    await page.waitForURL(/\/blocks\.1\.hook_resid_post\/3\?/);
    await expect.poll(() => page.getByTestId('feature-title').textContent(), poll).toContain('Feature #3');
    await expect
      .poll(() => page.getByTestId('flow-position').textContent(), poll)
      .toContain(`2 of ${(dSae - 2).toLocaleString('en-US')}`);

    await page.keyboard.press('l');
    const name = page.getByLabel('Label name');
    await expect.poll(() => name.evaluate((el) => el === document.activeElement), poll).toBe(true);
    // Every key of this name is a shortcut outside the field: none may fire while typing.
    await page.keyboard.type('jk?+ nl-');
    expect(page.url()).toMatch(/\/blocks\.1\.hook_resid_post\/3\?/);
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(false);
    await name.fill('quote mark');
    await page.getByLabel('Label description').fill('fires inside quotation marks');
    // Enter in the name field submits the form, as a labeler would without the mouse.
    await name.press('Enter');
    const labels = page.getByRole('region', { name: 'Labels' });
    await expect.poll(() => labels.textContent(), poll).toContain('quote mark');
    await page.screenshot({ path: `${SHOTS}/feature-labeled.png` });

    // Leave the field, then + votes on the label just written.
    await page.locator('[data-testid="feature-title"]').click();
    await page.keyboard.press('+');
    await expect.poll(() => page.getByTestId('flow-message').textContent(), poll).toBe('Voted up “quote mark”.');
    const { featureLabels } = await ada.ok<{
      featureLabels: { edges: { node: { name: string; score: number; myVote: number } }[] };
    }>('query($f: FeatureKeyInput!) { featureLabels(feature: $f) { edges { node { name score myVote } } } }', {
      f: { modelId: 'demo', saeId: SAE, featureIndex: 3 },
    });
    expect(featureLabels.edges.map((e) => e.node)).toEqual([{ name: 'quote mark', score: 1, myVote: 1 }]);

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    expect(await help.textContent()).toContain('next unlabeled feature');
    await page.screenshot({ path: `${SHOTS}/shortcuts-help.png` });
    await page.keyboard.press('Escape');
    await expect.poll(() => help.isVisible(), poll).toBe(false);

    // Feature 3 is labeled now, so the unlabeled list has moved on: j goes to 4, its next one.
    await page.keyboard.press('j');
    await page.waitForURL(/\/blocks\.1\.hook_resid_post\/4\?/);
    await page.close();
  });

  it('the header search finds the team’s labels by words, ranked, with status and score, never another team’s', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/explore`);
    const search = page.getByRole('searchbox', { name: 'Search labels' });
    await search.fill('plural');
    const results = page.getByRole('list', { name: 'Label search results' });
    await expect.poll(() => results.locator('li').first().textContent(), poll).toContain('plural subject');
    expect(await results.locator('li').count()).toBe(1);
    const text = await results.textContent();
    expect(text).toContain('accepted');
    expect(text).toContain('score 1');
    expect(text).toContain(`${SAE} #2`);
    expect(text).not.toContain('secret');
    await page.screenshot({ path: `${SHOTS}/search.png` });
    await results.getByRole('link').first().click();
    await page.waitForURL(/\/models\/demo\/demo\/blocks\.1\.hook_resid_post\/2$/);
    await expect.poll(() => page.getByTestId('feature-title').textContent(), poll).toContain('Feature #2');
    await page.close();
  });
});
