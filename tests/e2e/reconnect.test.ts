import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../../apps/server/src/testing/services.js';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Something changes while the page's API server is away (through a second server on the same Postgres); when the
// server is back, the open page catches up without a reload. PGlite allows one server process, so Postgres only.
const enabled = hasPostgres();

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!enabled) return;
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!enabled)('live pages across an API restart', () => {
  it('a team page shows what happened while its API server was down, once the server is back', async () => {
    const api = await Api.signUp(stack.webUrl, 'away@lab.org', 'Al Away');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Restarts" }) { id } }',
    );
    await api.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/teams/${createTeam.id}`);
    const labels = page.getByRole('region', { name: 'Labels' });
    await expect.poll(() => labels.textContent()).toContain('No labels yet');

    await stack.restartApi(async () => {
      const other = await stack.startExtraApi();
      try {
        await api.at(other.apiUrl).ok('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
          i: {
            teamId: createTeam.id,
            modelId: 'demo',
            saeId: 'demo/blocks.1.hook_resid_post',
            featureIndex: 3,
            name: 'made while away',
          },
        });
      } finally {
        await other.stop();
      }
    });
    // The socket reconnects within a few seconds and the page refetches what it shows.
    await expect.poll(() => labels.textContent(), { timeout: 15_000 }).toContain('made while away');
  });
});
