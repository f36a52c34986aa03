import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let owner: Browser;
let guest: Browser;

beforeAll(async () => {
  stack = await startStack();
  owner = await launchBrowser();
  guest = await launchBrowser();
});
afterAll(async () => {
  await owner?.close();
  await guest?.close();
  await stack?.stop();
});

describe('invitations by link', () => {
  it('an owner creates a link on the team page; a new user opens it, signs up and joins', async () => {
    const api = await Api.signUp(stack.webUrl, 'inviter@lab.org', 'Ivy Inviter');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Sparse Club" }) { id } }',
    );
    await api.signInBrowser(owner.context);
    const page = await owner.context.newPage();
    await page.goto(`${stack.webUrl}/teams/${createTeam.id}`);
    await page.getByLabel('Invitation role').selectOption('VIEWER');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await page.getByTestId('invitation-link').inputValue();
    expect(link).toMatch(new RegExp(`^${stack.webUrl}/invite/[\\w-]{43}$`));

    const visitor = await guest.context.newPage();
    await visitor.goto(link);
    await expect.poll(() => visitor.getByTestId('invite-team').textContent()).toBe('Sparse Club');
    await visitor.getByRole('link', { name: 'Sign in or create an account' }).click();
    await visitor.getByRole('tab', { name: 'Create account' }).click();
    await visitor.getByLabel('Display name').fill('Gus Guest');
    await visitor.getByLabel('Email').fill('guest@lab.org');
    await visitor.getByLabel('Password').fill('a long passphrase');
    await visitor.getByRole('button', { name: 'Create account' }).last().click();
    await visitor.waitForURL('**/invite/**');
    await visitor.getByRole('button', { name: 'Join Sparse Club' }).click();
    await visitor.waitForURL(`**/teams/${createTeam.id}`);
    await expect.poll(() => visitor.getByTestId('team-name').textContent()).toBe('Sparse Club');

    // The owner's team page shows the new member without a reload (teamChanged), well before any poll would.
    await expect.poll(() => page.getByTestId('member-list').textContent(), { timeout: 5000 }).toContain('Gus Guest');
    expect(await page.getByTestId('member-list').textContent()).toContain('viewer');
  });
});
