import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, layeredGraph } from '../support/api.js';
import { type Browser, launchBrowser, subscribed } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Two people in two browsers: Ada mentions Bea in a comment on a node, completing her name in the comment box;
// Bea's header badge goes to 1 without a reload, her inbox names who, what and where, and its link opens that very
// node with its thread; reading empties the badge. Then an approval that belongs to a version: after a save, the
// circuit page and the team list say "approved v1; v2 not reviewed".
let stack: Stack;
let adaBrowser: Browser;
let beaBrowser: Browser;
let ada: Page;
let bea: Page;
let adaApi: Api;
let beaApi: Api;
const consoleErrors: string[] = [];
const state = {} as { teamId: string; circuitId: string; slug: string; beaId: string };
const NODE = '1_1000_0';
const SHOTS = 'artifacts/inbox';

const poll = { timeout: 15_000, interval: 100 };

function watch(page: Page, who: string) {
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${who}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${who}: ${error.message}`));
}

const badge = (page: Page) => page.getByTestId('inbox-badge');

const inboxSubscribed = (page: Page) => subscribed(page, 'myInbox');

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startStack();
  [adaBrowser, beaBrowser] = await Promise.all([launchBrowser(), launchBrowser()]);
  adaApi = await Api.signUp(stack.webUrl, 'ada@lab.org', 'Ada Owner');
  beaApi = await Api.signUp(stack.webUrl, 'bea@lab.org', 'Bea Member');
  // Someone outside the team, whom the comment box must not offer.
  await Api.signUp(stack.webUrl, 'beatrix@elsewhere.org', 'Beatrix Outsider');
  state.beaId = (await beaApi.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  state.teamId = (
    await adaApi.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Agreement Lab" }) { id } }')
  ).createTeam.id;
  await adaApi.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId: state.teamId, email: 'bea@lab.org', role: 'MEMBER' },
  });
  const created = await adaApi.ok<{ createCircuit: { id: string; slug: string } }>(
    'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
    { i: { teamId: state.teamId, title: 'Agreement', graph: layeredGraph(3, 2, 2, 2) } },
  );
  state.circuitId = created.createCircuit.id;
  state.slug = created.createCircuit.slug;
  await adaApi.signInBrowser(adaBrowser.context);
  await beaApi.signInBrowser(beaBrowser.context);
  ada = await adaBrowser.context.newPage();
  bea = await beaBrowser.context.newPage();
  for (const [page, who] of [
    [ada, 'ada'],
    [bea, 'bea'],
  ] as const) {
    watch(page, who);
    page.setDefaultTimeout(15_000);
  }
});
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  const name = context.task.name.replace(/\W+/g, '-').slice(0, 40);
  await ada.screenshot({ path: `artifacts/e2e-failure-${name}-ada.png` }).catch(() => {});
  await bea.screenshot({ path: `artifacts/e2e-failure-${name}-bea.png` }).catch(() => {});
});
afterAll(async () => {
  await adaBrowser?.close();
  await beaBrowser?.close();
  await stack?.stop();
});

describe('the inbox', () => {
  it('Ada mentions Bea on a node; Bea’s badge goes to 1 live, and her inbox opens that node’s thread', async () => {
    const subscribed = inboxSubscribed(bea);
    await bea.goto(`${stack.webUrl}/teams/${state.teamId}`);
    await expect.poll(() => bea.getByTestId('inbox-link').count(), poll).toBe(1);
    expect(await badge(bea).count()).toBe(0);
    await subscribed;

    await ada.goto(`${stack.webUrl}/c/${state.slug}?sel=${NODE}`);
    const box = ada.getByLabel(/New comment \(Comments on/);
    await box.click();
    await box.pressSequentially('Is this verb number? @be');
    // The completion offers teammates who may read the circuit, by name or email; not someone outside the team.
    const options = ada.getByRole('listbox', { name: 'Mention a teammate' }).getByRole('option');
    await expect.poll(() => options.allTextContents(), poll).toEqual(['Bea Member bea@lab.org']);
    await options.first().scrollIntoViewIfNeeded();
    await ada.screenshot({ path: `${SHOTS}/1-ada-completes-mention.png` });
    await ada.keyboard.press('Enter');
    expect(await box.inputValue()).toBe('Is this verb number? @bea@lab.org ');
    await box.pressSequentially('please check');
    await ada.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect.poll(() => ada.getByTestId('comment-thread').last().textContent(), poll).toContain('please check');
    expect(await ada.getByTestId('comment-thread').last().locator('.mention').allTextContents()).toEqual([
      '@bea@lab.org',
    ]);

    // Bea's open page hears of it: no reload.
    await expect.poll(() => badge(bea).textContent(), poll).toBe('1');
    expect(await bea.getByTestId('inbox-link').getAttribute('aria-label')).toBe('Inbox, 1 unread');
    await bea.screenshot({ path: `${SHOTS}/2-bea-badge.png` });

    await bea.getByTestId('inbox-link').click();
    await bea.waitForURL('**/inbox');
    const item = bea.getByTestId('inbox-item');
    await expect.poll(() => item.count(), poll).toBe(1);
    expect(await item.getAttribute('data-read')).toBe('false');
    expect((await item.textContent())?.replace(/\s+/g, ' ')).toContain(
      `Ada Owner mentioned you on node ${NODE} of “Agreement”`,
    );
    expect(await item.textContent()).toContain('Is this verb number? @bea@lab.org please check');
    await bea.screenshot({ path: `${SHOTS}/3-bea-inbox.png` });

    // The link opens the exact node: selected, its inspector showing the thread with Ada's comment.
    await item.getByRole('link', { name: `node ${NODE} of “Agreement”` }).click();
    await bea.waitForURL(`**/c/${state.slug}?sel=${NODE}`);
    await expect
      .poll(() => bea.locator(`.react-flow__node[data-id="${NODE}"]`).getAttribute('class'), poll)
      .toContain('selected');
    await expect
      .poll(() => bea.getByTestId('comment-thread').last().textContent(), poll)
      .toContain('Is this verb number?');
    expect(await bea.getByTestId('comment-thread').last().getAttribute('aria-label')).toMatch(/^Comments on /);
    // Following it read it.
    await expect.poll(() => badge(bea).count(), poll).toBe(0);
    await bea.getByTestId('comment-thread').last().scrollIntoViewIfNeeded();
    await bea.screenshot({ path: `${SHOTS}/4-bea-at-the-node.png` });
  });

  it('a mention on a team label opens its feature page with that label marked', async () => {
    const { proposeLabel } = await adaApi.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      {
        i: {
          teamId: state.teamId,
          modelId: 'demo',
          saeId: 'demo/blocks.1.hook_resid_post',
          featureIndex: 370,
          name: 'plural subject',
        },
      },
    );
    await adaApi.ok('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
      i: { target: { type: 'LABEL', labelId: proposeLabel.id }, body: 'Too broad? @bea@lab.org' },
    });
    await bea.goto(`${stack.webUrl}/inbox`);
    const link = bea.getByRole('link', { name: 'label “plural subject” of demo/blocks.1.hook_resid_post #370' });
    await link.click();
    await bea.waitForURL(`**/models/demo/demo/blocks.1.hook_resid_post/370?team=${state.teamId}#label-*`);
    const label = bea.locator(`[id="label-${proposeLabel.id}"]`);
    await expect.poll(() => label.getAttribute('class'), poll).toContain('linked');
    expect(await label.getAttribute('data-label-name')).toBe('plural subject');
    // Its discussion is open, with the comment that mentioned her.
    await expect
      .poll(() => label.getByTestId('comment-thread').textContent(), poll)
      .toContain('Too broad? @bea@lab.org');
    await bea.screenshot({ path: `${SHOTS}/4b-bea-at-the-label.png` });
  });

  it('a review request reaches Bea live; Mark all read empties the badge on every page', async () => {
    const pages = [inboxSubscribed(bea)];
    await bea.goto(`${stack.webUrl}/inbox`);
    const second = await beaBrowser.context.newPage();
    watch(second, 'bea (second tab)');
    pages.push(inboxSubscribed(second));
    await second.goto(`${stack.webUrl}/teams/${state.teamId}`);
    await expect.poll(() => second.getByTestId('inbox-link').count(), poll).toBe(1);
    await Promise.all(pages);
    await adaApi.ok('mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }', {
      i: { circuitId: state.circuitId, reviewerIds: [state.beaId] },
    });
    await expect.poll(() => badge(second).textContent(), poll).toBe('1');
    const unread = bea.locator('[data-testid="inbox-item"][data-read="false"]');
    await expect.poll(() => unread.count(), poll).toBe(1);
    expect((await unread.textContent())?.replace(/\s+/g, ' ')).toContain(
      'Ada Owner asked you to review v1 of “Agreement”',
    );
    await bea.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => unread.count(), poll).toBe(0);
    await expect.poll(() => badge(bea).count(), poll).toBe(0);
    await expect.poll(() => badge(second).count(), poll).toBe(0);
    await second.close();
  });
});

describe('an approval belongs to a version', () => {
  it('after a save, the circuit page and the team list say "approved v1; v2 not reviewed"', async () => {
    const review = await beaApi.ok<{ reviewQueue: { edges: { node: { id: string } }[] } }>(
      '{ reviewQueue(pendingOnly: true) { edges { node { id } } } }',
    );
    await beaApi.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { state } }', {
      i: { reviewId: review.reviewQueue.edges[0]!.node.id, decision: 'APPROVED' },
    });
    await ada.goto(`${stack.webUrl}/c/${state.slug}`);
    await expect.poll(() => ada.getByTestId('circuit-title').count(), poll).toBe(1);
    const status = ada.locator('header [data-status]').first();
    await expect.poll(() => status.textContent(), poll).toBe('approved');
    await beaApi.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
      i: { circuitId: state.circuitId, baseVersion: 1, graph: layeredGraph(3, 2, 2, 2), message: 'v2' },
    });
    await ada.goto(`${stack.webUrl}/c/${state.slug}`);
    // The inspector says it whole; the crowded header shows the badge, with the sentence as its tooltip.
    await expect
      .poll(() => ada.getByRole('complementary', { name: 'Details' }).getByTestId('circuit-status').textContent(), poll)
      .toBe('approved v1; v2 not reviewed');
    const header = ada.locator('header').getByTestId('circuit-status');
    expect(await header.textContent()).toBe('approved v1');
    expect(await header.getAttribute('title')).toBe('approved v1; v2 not reviewed');
    await expect.poll(() => ada.getByTestId('circuit-node').count(), poll).toBe(12);
    await ada.screenshot({ path: `${SHOTS}/5-circuit-approved-v1.png` });
    await ada.goto(`${stack.webUrl}/teams/${state.teamId}`);
    await expect
      .poll(() => ada.getByTestId('circuit-list').getByTestId('circuit-status').textContent(), poll)
      .toBe('approved v1; v2 not reviewed');
    await ada.screenshot({ path: `${SHOTS}/6-team-list-approved-v1.png` });
    expect(consoleErrors).toEqual([]);
  });
});
