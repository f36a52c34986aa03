import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, layeredGraph } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// The team page's circuit table with what a busy team has: a long title, a version approved while the next one
// waits on two reviewers, a circuit sent back, one never reviewed. Every cell must stay readable (nothing cut off,
// nothing pushed outside the card) at the default 1280x800 and at a narrow 900px. Screenshots in artifacts/.
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

interface Review {
  id: string;
}

describe('team page circuits table', () => {
  it('shows titles, statuses and reviews in full at 1280 and at 900 pixels wide', async () => {
    const ada = await Api.signUp(stack.webUrl, 'ada-team@lab.org', 'Ada Owner');
    const bob = await Api.signUp(stack.webUrl, 'bob-team@lab.org', 'Bob Reviewer');
    const cy = await Api.signUp(stack.webUrl, 'cy-team@lab.org', 'Cy Reviewer');
    const { createTeam } = await ada.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Reviews" }) { id } }',
    );
    const reviewerIds: string[] = [];
    for (const [api, email] of [
      [bob, 'bob-team@lab.org'],
      [cy, 'cy-team@lab.org'],
    ] as const) {
      await ada.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId: createTeam.id, email, role: 'MEMBER' },
      });
      reviewerIds.push((await api.ok<{ me: { id: string } }>('{ me { id } }')).me.id);
    }
    const graph = layeredGraph(1, 1, 3, 0);
    const create = async (title: string) =>
      (
        await ada.ok<{ createCircuit: { id: string } }>(
          'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
          { i: { teamId: createTeam.id, title, graph } },
        )
      ).createCircuit.id;
    const request = async (circuitId: string, ids: string[]) =>
      (
        await ada.ok<{ requestReview: Review[] }>(
          'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
          { i: { circuitId, reviewerIds: ids } },
        )
      ).requestReview;
    const decide = (api: Api, review: Review, decision: string) =>
      api.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { id } }', {
        i: { reviewId: review.id, decision },
      });

    // Approved at v1 by Bob; v2 then waits on Bob and Cy.
    const long = await create('Subject-verb agreement across a long prepositional phrase (nounpp, four prompt pairs)');
    await decide(bob, (await request(long, [reviewerIds[0]!]))[0]!, 'APPROVED');
    await ada.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
      i: { circuitId: long, baseVersion: 1, graph, message: 'v2' },
    });
    await request(long, reviewerIds);
    // Sent back by Cy, approved by Bob.
    const sentBack = await create('Induction heads');
    const [first, second] = await request(sentBack, reviewerIds);
    await decide(bob, first!, 'APPROVED');
    await decide(cy, second!, 'CHANGES_REQUESTED');
    await create('Greater-than');

    await ada.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    for (const width of [1280, 900]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${stack.webUrl}/teams/${createTeam.id}`);
      const list = page.getByTestId('circuit-list');
      await expect.poll(() => list.locator('tr').count()).toBe(3);
      const section = page.getByRole('region', { name: 'Circuits' });
      await section.screenshot({ path: `artifacts/team-circuits-${width}.png` });
      // Reviews in words, per circuit (newest first).
      expect(await list.locator('tr').locator('td:nth-child(3)').allTextContents()).toEqual([
        'none',
        '1 approved1 changes requested',
        '2 pending',
      ]);
      // Nothing wraps inside a pill, a vote button, the score or a review count, and the table stays inside its card.
      const wrapped = await list.evaluate((root) =>
        Array.from(root.querySelectorAll('.badge, button, [data-testid="circuit-score"], .review-counts li'))
          .filter((el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size > 1;
          })
          .map((el) => el.textContent),
      );
      expect(wrapped, `at ${width}px`).toEqual([]);
      const overflow = await section.evaluate((card) => {
        const inner = card.getBoundingClientRect().right - Number.parseFloat(getComputedStyle(card).paddingRight);
        return card.querySelector('table')!.getBoundingClientRect().right - inner;
      });
      expect(overflow, `table past the card's padding at ${width}px`).toBeLessThanOrEqual(0.5);
      // The title gets room for words, not a letter column.
      const title = await list.locator('td:first-child').last().boundingBox();
      expect(title!.width, `at ${width}px`).toBeGreaterThanOrEqual(150);
    }
  });
});
