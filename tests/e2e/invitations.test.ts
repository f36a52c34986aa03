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
    expect(await visitor.locator('main').textContent()).toMatch(/The link works until .+\./);
    await visitor.screenshot({ path: 'artifacts/invitations/valid.png' });
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

  it('a link past its expiry says it expired, when, and who can send a new one; a wrong link says it is not valid', async () => {
    const api = await Api.signUp(stack.webUrl, 'expirer@lab.org', 'Eve Expirer');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Stale Links" }) { id } }',
    );
    const { createInvitation } = await api.ok<{ createInvitation: { path: string; invitation: { id: string } } }>(
      'mutation($t: ID!) { createInvitation(teamId: $t, days: 1) { path invitation { id } } }',
      { t: createTeam.id },
    );
    // Links last at least a day, so this one is moved into the past in the database, to the minute three days ago.
    const expiredAt = new Date(Math.floor((Date.now() - 3 * 24 * 60 * 60 * 1000) / 60_000) * 60_000);
    await stack.sql('UPDATE team_invitations SET expires_at = $1 WHERE id = $2', [
      expiredAt.toISOString(),
      createInvitation.invitation.id,
    ]);

    const stranger = await launchBrowser();
    try {
      const visitor = await stranger.context.newPage();
      await visitor.goto(`${stack.webUrl}${createInvitation.path}`);
      const problem = visitor.getByTestId('invite-problem');
      await expect.poll(() => problem.textContent()).toContain('expired');
      expect(await problem.textContent()).toBe(
        `This invitation link expired on ${expiredAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; an admin of the team can send you a new one`,
      );
      expect(await visitor.getByRole('heading', { name: 'This invitation has expired' }).isVisible()).toBe(true);
      // Nothing of the team it was for, and no join button.
      expect(await visitor.locator('main').textContent()).not.toContain('Stale Links');
      expect(await visitor.getByRole('button', { name: /Join/ }).count()).toBe(0);
      await expect.poll(() => visitor.getByTestId('invite-next').textContent()).toContain('Sign in');
      await visitor.screenshot({ path: 'artifacts/invitations/expired.png' });

      // A link that names no invitation (or a revoked one) says only that it is not valid.
      await visitor.goto(`${stack.webUrl}/invite/${'x'.repeat(43)}`);
      await expect.poll(() => problem.textContent()).toMatch(/^This invitation link is not valid/);
      expect(await visitor.getByRole('heading', { name: 'This invitation has expired' }).count()).toBe(0);
      await visitor.screenshot({ path: 'artifacts/invitations/not-valid.png' });

      // No dead end: the page leads on to signing in.
      await visitor.getByTestId('invite-next').getByRole('link', { name: 'Sign in' }).click();
      await visitor.waitForURL('**/signin');

      // Signed in, the expired link leads back to one's teams.
      await api.signInBrowser(stranger.context);
      await visitor.goto(`${stack.webUrl}${createInvitation.path}`);
      await expect.poll(() => visitor.getByTestId('invite-next').textContent()).toBe('Go to your teams.');
      await visitor.screenshot({ path: 'artifacts/invitations/expired-signed-in.png' });
    } finally {
      await stranger.close();
    }
  });
});
