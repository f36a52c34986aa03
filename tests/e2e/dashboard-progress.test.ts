import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// A dashboards job started from a feature page, as a signed-in user on a fresh install starts it: its progress says
// tokens done, rate and time left while the bundled demo corpus is encoded (issue 19, item 2).
const HOOK = 'blocks.0.hook_mlp_out';
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('dashboard job progress in real Chromium', () => {
  it('shows tokens done of the corpus, tokens per second and the time left, then the dashboard', async () => {
    const api = await Api.signUp(stack.webUrl, 'progress@lab.org');
    await api.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/models/demo/demo/${encodeURIComponent(HOOK)}/3`);
    await page.getByRole('button', { name: 'Compute dashboards for this SAE' }).click();

    const status = page.getByLabel('Dashboard progress').locator('xpath=following-sibling::span');
    const progress = /^encoding the corpus: [\d,]+ of [\d,]+ tokens, [\d,.]+ tok\/s · \d+% · about \d+ (s|min) left$/;
    await expect.poll(() => status.textContent(), { timeout: 60_000, interval: 50 }).toMatch(progress);
    await page.screenshot({ path: 'artifacts/dashboard-progress.png' });
    const [, done, total] = /: ([\d,]+) of ([\d,]+) tokens/.exec((await status.textContent())!)!;
    expect(Number(done!.replaceAll(',', ''))).toBeLessThan(Number(total!.replaceAll(',', '')));

    await page.getByTestId('feature-dashboard').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: 'artifacts/dashboard-progress-done.png' });
  });
});
