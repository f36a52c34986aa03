import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Label import and export (issue 16, item 4) in Chromium on the bundled demo model: the team page's Import dialog
// with a malformed feature-circuits file (each error by line and field, Import disabled), then a good file's dry run,
// the import, the labels in the team's list, and the JSON export downloaded with them; then a spreadsheet's CSV.
const SHOTS = 'artifacts/label-import';
const FIXTURES = join(import.meta.dirname, '../fixtures/labels');
const poll = { timeout: 15_000 };
let stack: Stack;
let browser: Browser;
let ada: Api;
let teamId: string;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
  ada = await Api.signUp(stack.webUrl, 'ada@import.org', 'Ada Importer');
  ({
    createTeam: { id: teamId },
  } = await ada.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Importers" }) { id } }'));
  await ada.signInBrowser(browser.context);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('importing labels on the team page', () => {
  it('a dry run of a malformed file names its bad lines; a good file’s dry run, then Import, adds the labels', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/teams/${teamId}`);
    await page.getByRole('button', { name: 'Import labels…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import labels' });
    await dialog.getByLabel('Import format').selectOption('FEATURE_CIRCUITS');
    await dialog.getByLabel('Model id').fill('demo');

    // The demo model has 4 layers: resid_5 has no SAE; line 2 is the header-like row real files contain.
    await dialog.getByLabel('Label file').setInputFiles(join(FIXTURES, 'feature-circuits-malformed.jsonl'));
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    const summary = dialog.getByTestId('import-summary');
    await expect.poll(() => summary.textContent(), poll).toContain('errors');
    const errors = dialog.getByRole('table', { name: 'Errors (fix these lines first)' }).locator('tbody tr');
    const errorRows = await errors.allTextContents();
    expect(errorRows[0]).toBe('2Componentmust be one of resid, attn, mlp, embed, not "Component"');
    expect(errorRows[1]).toBe('3Layermodel demo has no SAE on blocks.5.hook_resid_post');
    expect(errorRows.at(-1)).toMatch(/^8json/);
    expect(await dialog.getByRole('button', { name: /^Import \d+ label/ }).isDisabled()).toBe(true);
    await dialog.screenshot({ path: `${SHOTS}/1-malformed-dry-run.png` });

    await dialog.getByLabel('Label file').setInputFiles(join(FIXTURES, 'feature-circuits-demo.jsonl'));
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => summary.textContent(), poll).toContain('Would create 3 labels, skip 1, 0 errors');
    const preview = dialog.getByRole('table', { name: 'Labels that would be created' }).locator('tbody tr');
    expect(await preview.allTextContents()).toEqual([
      '1demo · demo/blocks.1.hook_resid_post #3promotes plural verb forms',
      '2demo · demo/blocks.0.hook_attn_out #5plural nouns',
      '3demo · demo/blocks.1.hook_mlp_out #2singular animate nouns',
    ]);
    const skipped = await dialog.getByRole('table', { name: 'Skipped' }).locator('tbody tr').allTextContents();
    expect(skipped).toEqual([
      '5namean earlier line proposes "Promotes plural verb forms" on demo demo/blocks.1.hook_resid_post #3',
    ]);
    // Nothing written by the dry run.
    expect(await page.getByTestId('label-table').textContent()).toContain('No labels yet');
    await dialog.screenshot({ path: `${SHOTS}/2-dry-run.png` });

    await dialog.getByRole('button', { name: 'Import 3 labels' }).click();
    await expect.poll(() => summary.textContent(), poll).toContain('Created 3 labels');
    await dialog.screenshot({ path: `${SHOTS}/3-imported.png` });
    await dialog.getByRole('button', { name: 'Close' }).click();

    const table = page.getByTestId('label-table');
    await expect.poll(() => table.locator('tr').count(), poll).toBe(3);
    const text = await table.textContent();
    for (const name of ['promotes plural verb forms', 'plural nouns', 'singular animate nouns'])
      expect(text).toContain(name);
    await expect
      .poll(() => page.getByTestId('activity-feed').textContent(), poll)
      .toContain('imported 3 labels from feature-circuits annotations');
    await page.screenshot({ path: `${SHOTS}/4-team-labels.png`, fullPage: true });

    // The export has them, proposed by Ada, with the file's line as their source.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/-labels-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    const attn = exported.labels.find((l: { saeId: string }) => l.saeId === 'demo/blocks.0.hook_attn_out');
    expect(attn).toMatchObject({
      featureIndex: 5,
      name: 'plural nouns',
      status: 'PROPOSED',
      author: { name: 'Ada Importer' },
      source: { format: 'FEATURE_CIRCUITS', line: 2 },
    });

    // The feature page says where the label came from.
    await page.getByRole('link', { name: 'demo · demo/blocks.0.hook_attn_out #5' }).click();
    await expect
      .poll(() => page.getByTestId('label-source').first().textContent(), poll)
      .toBe(' · imported from feature-circuits annotations, line 2');
    await page.screenshot({ path: `${SHOTS}/5-feature-page-source.png` });
    await page.close();
  });

  it('a .csv file switches the format to CSV; its dry run names bad lines and columns, then Import adds the rest', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/teams/${teamId}`);
    await page.getByRole('button', { name: 'Import labels…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import labels' });
    // A spreadsheet as Excel saves one: a BOM, CRLF, its own header names, a quoted cell with a comma and a line break.
    const spreadsheet = [
      '\uFEFFSAE,Feature Index,Label,Description,Reviewer',
      'demo/blocks.1.hook_resid_post,6,"numbers, mostly years","first line\r\nsecond line",ada',
      'demo/blocks.1.hook_resid_post,x,bad index,,ada',
      'demo/blocks.7.hook_resid_post,1,no such SAE,,ada',
      'demo/blocks.0.hook_attn_out,4,"closing ""quotes""",,ada',
      '',
    ].join('\r\n');
    const file = (text: string) => ({ name: 'reviewed.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await dialog.getByLabel('Label file').setInputFiles(file(spreadsheet));
    await expect.poll(() => dialog.getByLabel('Import format').inputValue(), poll).toBe('CSV');
    expect(await dialog.getByTestId('csv-columns').textContent()).toContain('sae_id');
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    const summary = dialog.getByTestId('import-summary');
    await expect.poll(() => summary.textContent(), poll).toContain('2 errors');
    const errors = dialog.getByRole('table', { name: 'Errors (fix these lines first)' }).locator('tbody tr');
    // Line 2's cell spans two lines, so the next row starts on line 4.
    expect(await errors.allTextContents()).toEqual([
      '4Feature Indexmust be a non-negative integer, not "x"',
      // No model column: the model is the one that has the SAE, and none has this one.
      '5SAEno model here has SAE demo/blocks.7.hook_resid_post: give a model_id column or the import’s model id',
    ]);
    expect(await dialog.getByRole('button', { name: /^Import \d+ label/ }).isDisabled()).toBe(true);
    await dialog.screenshot({ path: `${SHOTS}/6-csv-malformed-dry-run.png` });

    const fixed = spreadsheet
      .split('\r\n')
      .filter((line) => !line.includes('bad index') && !line.includes('no such SAE'))
      .join('\r\n');
    await dialog.getByLabel('Label file').setInputFiles(file(fixed));
    await dialog.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => summary.textContent(), poll).toContain('Would create 2 labels, skip 0, 0 errors');
    const preview = dialog.getByRole('table', { name: 'Labels that would be created' }).locator('tbody tr');
    expect(await preview.allTextContents()).toEqual([
      '2demo · demo/blocks.1.hook_resid_post #6numbers, mostly years',
      '4demo · demo/blocks.0.hook_attn_out #4closing "quotes"',
    ]);
    await dialog.screenshot({ path: `${SHOTS}/7-csv-dry-run.png` });
    await dialog.getByRole('button', { name: 'Import 2 labels' }).click();
    await expect.poll(() => summary.textContent(), poll).toContain('Created 2 labels');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const table = page.getByTestId('label-table');
    await expect.poll(() => table.textContent(), poll).toContain('numbers, mostly years');
    await expect
      .poll(() => page.getByTestId('activity-feed').textContent(), poll)
      .toContain('imported 2 labels from a CSV file');
    await page.screenshot({ path: `${SHOTS}/8-csv-team-labels.png`, fullPage: true });
    await page.close();
  });
});
