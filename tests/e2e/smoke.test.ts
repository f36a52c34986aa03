import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

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

describe('smoke: a new user in real Chromium', () => {
  it('signs up, signs out, signs in, creates a team and sees it live in a second tab', async () => {
    const consoleErrors: string[] = [];
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    // Signed out: the home page says what this is and leads to sign-in; it is cross-origin isolated for threaded wasm.
    const response = await page.goto(`${stack.webUrl}/`);
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    await page.getByTestId('welcome').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL('**/signin');
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Display name').fill('Ada Researcher');
    await page.getByLabel('Email').fill('ada@lab.org');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).last().click();
    await expect.poll(() => page.locator('p.error').textContent()).toContain('at least 10 characters');

    await page.getByLabel('Password').fill('a long passphrase');
    await page.getByRole('button', { name: 'Create account' }).last().click();
    await page.waitForURL(`${stack.webUrl}/`);
    await expect.poll(() => page.getByTestId('whoami').textContent()).toBe('Ada Researcher');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.getByLabel('Email').fill('ada@lab.org');
    await page.getByLabel('Password').fill('wrong password!');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await expect.poll(() => page.locator('p.error').textContent()).toContain('Wrong email or password');
    await page.getByLabel('Password').fill('a long passphrase');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.waitForURL(`${stack.webUrl}/`);

    // A second tab of the same user listens on the WebSocket (through the web app's proxy) for new teams.
    const second = await browser.context.newPage();
    await second.goto(`${stack.webUrl}/`);
    await expect.poll(() => second.getByText('No teams yet').count()).toBe(1);

    await page.bringToFront();
    await page.getByLabel('New team name').fill('Agreement Circuits');
    await page.getByRole('button', { name: 'Create team' }).click();
    // The new team opens; the second tab's list gains it live.
    await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('team-name').textContent()).toBe('Agreement Circuits');
    await expect.poll(() => second.getByTestId('team-list').textContent(), { timeout: 10_000 }).toContain('owner');

    // The data went through GraphQL and Prisma: the API answers the same with this browser's session cookie.
    const cookies = await browser.context.cookies(stack.webUrl);
    const session = cookies.find((c) => c.name === 'wb_session');
    expect(session?.httpOnly).toBe(true);
    const api = await fetch(stack.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `wb_session=${session?.value}` },
      body: JSON.stringify({ query: '{ me { email } myTeams { name myRole } }' }),
    });
    expect(await api.json()).toEqual({
      data: { me: { email: 'ada@lab.org' }, myTeams: [{ name: 'Agreement Circuits', myRole: 'OWNER' }] },
    });

    await page.screenshot({ path: 'artifacts/smoke-home.png' });
    // No console error at all: an expected 401 (the wrong password) is answered in GraphQL, not as an HTTP error.
    expect(consoleErrors).toEqual([]);
  });
});
