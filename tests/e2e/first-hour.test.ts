import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, layeredGraph } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// A newcomer's first hour on a fresh install with the bundled demo model: no step may leave them stuck.
const SAE = 'demo/blocks.1.hook_resid_post';
const SHOTS = 'artifacts/first-hour';
const poll = { timeout: 15_000 };
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh, signed-out tab (its own cookie jar would cost a browser launch: cookies are cleared instead). */
async function signedOutPage(): Promise<Page> {
  await browser.context.clearCookies();
  return browser.context.newPage();
}

async function createAccount(page: Page, email: string, name: string) {
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Display name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).last().click();
}

describe('no dead ends in the first hour', () => {
  it('signed out, the home page says what this is and links to the explorer and to creating an account', async () => {
    const page = await signedOutPage();
    await page.goto(`${stack.webUrl}/`);
    const welcome = page.getByTestId('welcome');
    await welcome.waitFor();
    expect(page.url()).toBe(`${stack.webUrl}/`);
    expect(await welcome.textContent()).toContain('sparse autoencoders');
    expect(await welcome.getByRole('link', { name: 'Open the feature explorer' }).getAttribute('href')).toBe(
      '/explore',
    );
    await page.screenshot({ path: `${SHOTS}/welcome.png` });
    await welcome.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/signin\?mode=signup$/);
    // The account form is open at once: a display name is asked for.
    await page.getByLabel('Display name').waitFor();
    await page.close();
  });

  it('sign-up from a share link returns to it; a hostile next= lands on the home page instead', async () => {
    const owner = await Api.signUp(stack.webUrl, 'owner@lab.org', 'Olga Owner');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Agreement" }) { id } }',
    );
    const { createCircuit } = await owner.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId: createTeam.id, title: 'Shared nounpp', graph: layeredGraph(1, 1, 3, 0) } },
    );
    const { createShareLink } = await owner.ok<{ createShareLink: { path: string } }>(
      'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { path } }',
      { i: { circuitId: createCircuit.id, permission: 'COMMENT' } },
    );
    const page = await signedOutPage();
    await page.goto(`${stack.webUrl}${createShareLink.path}`);
    const signIn = page.getByRole('banner').getByRole('link', { name: 'Sign in' });
    await expect
      .poll(() => signIn.getAttribute('href'), poll)
      .toBe(`/signin?next=${encodeURIComponent(createShareLink.path)}`);
    await signIn.click();
    await page.waitForURL(/\/signin\?next=/);
    await createAccount(page, 'sharee@lab.org', 'Sam Sharee');
    await page.waitForURL(`${stack.webUrl}${createShareLink.path}`);
    await expect.poll(() => page.getByTestId('whoami').textContent(), poll).toBe('Sam Sharee');

    // Open redirects: whatever next= says, sign-in only ever goes to a path on this site.
    for (const hostile of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/x']) {
      await browser.context.clearCookies();
      await page.goto(`${stack.webUrl}/signin?next=${encodeURIComponent(hostile)}`);
      await page.getByLabel('Email').fill('sharee@lab.org');
      await page.getByLabel('Password').fill('a long passphrase');
      await page.getByRole('button', { name: 'Sign in' }).last().click();
      await page.waitForURL(`${stack.webUrl}/`);
    }
    await page.close();
  });

  it('an expired share link says so, when and what to do, and leads on to sign-in or your teams; a revoked one does not say it expired', async () => {
    await mkdir('artifacts/share-links', { recursive: true });
    const owner = await Api.signUp(stack.webUrl, 'lapsed-owner@lab.org', 'Lena Owner');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Lapsed" }) { id } }',
    );
    const { createCircuit } = await owner.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId: createTeam.id, title: 'Lapsed circuit', graph: layeredGraph(1, 1, 3, 0) } },
    );
    const share = async (expiresAt?: Date) =>
      (
        await owner.ok<{ createShareLink: { path: string; link: { id: string } } }>(
          'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { path link { id } } }',
          { i: { circuitId: createCircuit.id, permission: 'VIEW', expiresAt: expiresAt?.toISOString() } },
        )
      ).createShareLink;
    // Links must expire in the future: this one does within seconds. Opened before then, the circuit shows; once
    // the link has expired, the live updates stop (the server checks again every few seconds) and the editor says
    // why instead of going quietly stale.
    const expiresAt = new Date(Date.now() + 5000);
    const expiring = await share(expiresAt);
    const revoked = await share();
    await owner.ok('mutation($id: ID!) { revokeShareLink(id: $id) { id } }', { id: revoked.link.id });
    const page = await signedOutPage();
    await page.goto(`${stack.webUrl}${expiring.path}`);
    await page.locator('.react-flow__node').first().waitFor();
    const stopped = page.getByTestId('live-updates-stopped');
    await expect.poll(() => stopped.count(), { timeout: 30_000 }).toBe(1);
    expect(await stopped.textContent()).toBe(
      `Live updates stopped: This share link expired on ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; whoever shared it with you can make a new one. What is shown may be out of date; reload the page to check.`,
    );
    expect(Date.now()).toBeGreaterThan(expiresAt.getTime());
    await page.screenshot({ path: 'artifacts/share-links/expired-while-open.png' });

    await page.goto(`${stack.webUrl}${expiring.path}`);
    await page.getByRole('heading', { name: 'This share link has expired' }).waitFor();
    expect(await page.getByTestId('circuit-problem').textContent()).toBe(
      `This share link expired on ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; whoever shared it with you can make a new one`,
    );
    // Signed out: sign in (coming back to this link) or the home page.
    const next = page.getByTestId('circuit-next');
    await expect.poll(() => next.textContent(), poll).toContain('or go to the home page');
    expect(await next.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(
      `/signin?next=${encodeURIComponent(expiring.path)}`,
    );
    expect(await next.getByRole('link', { name: 'home page' }).getAttribute('href')).toBe('/');
    await page.screenshot({ path: 'artifacts/share-links/expired-signed-out.png' });

    // Signing in as the circuit's owner from there comes back to the link, and the team's circuit opens.
    await next.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel('Email').fill('lapsed-owner@lab.org');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.waitForURL(`${stack.webUrl}${expiring.path}`);
    await expect.poll(() => page.getByTestId('whoami').textContent(), poll).toBe('Lena Owner');
    await page.locator('.react-flow__node').first().waitFor();

    // Signed in but not in the team: the same notice, and the way to one's own teams.
    await browser.context.clearCookies();
    const outsider = await Api.signUp(stack.webUrl, 'lapsed-visitor@lab.org', 'Vic Visitor');
    await outsider.signInBrowser(browser.context);
    await page.goto(`${stack.webUrl}${expiring.path}`);
    await page.getByRole('heading', { name: 'This share link has expired' }).waitFor();
    await expect.poll(() => page.getByTestId('circuit-next').textContent(), poll).toBe('Go to your teams.');
    await page.screenshot({ path: 'artifacts/share-links/expired-signed-in.png' });

    // A revoked link tells nothing more than a wrong one: unavailable, no word of expiry.
    await page.goto(`${stack.webUrl}${revoked.path}`);
    await page.getByRole('heading', { name: 'Circuit unavailable' }).waitFor();
    const problem = await page.getByTestId('circuit-problem').textContent();
    expect(problem).toBe(
      'This circuit does not exist, or you have no access to it (a share link may have been revoked).',
    );
    await page.screenshot({ path: 'artifacts/share-links/revoked.png' });
    await page.close();
  });

  it('creating a team opens it; an empty name gets a message', async () => {
    const api = await Api.signUp(stack.webUrl, 'founder@lab.org', 'Fay Founder');
    await browser.context.clearCookies();
    await api.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/`);
    await page.getByRole('button', { name: 'Create team' }).click();
    await expect.poll(() => page.locator('p.error').textContent(), poll).toBe('Give the team a name first.');
    await page.screenshot({ path: `${SHOTS}/team-empty-name.png` });
    await page.getByLabel('New team name').fill('   ');
    await page.getByRole('button', { name: 'Create team' }).click();
    expect(await page.locator('p.error').textContent()).toBe('Give the team a name first.');
    await page.getByLabel('New team name').fill('Sparse Club');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.waitForURL(/\/teams\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('team-name').textContent(), poll).toBe('Sparse Club');
    await page.close();
  });

  it('activity names and links what it is about; reviews I requested are listed, never "approved" beside an open one', async () => {
    const ada = await Api.signUp(stack.webUrl, 'ada@lab.org', 'Ada Author');
    const bob = await Api.signUp(stack.webUrl, 'bob@lab.org', 'Bob Reviewer');
    const { createTeam } = await ada.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Labellers" }) { id } }',
    );
    const teamId = createTeam.id;
    const { me: bobMe } = await bob.ok<{ me: { id: string } }>('{ me { id } }');
    await ada.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: 'bob@lab.org', role: 'MEMBER' },
    });
    const { proposeLabel } = await ada.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      { i: { teamId, modelId: 'demo', saeId: SAE, featureIndex: 370, name: 'plural subject' } },
    );
    await bob.ok('mutation($id: ID!) { voteLabel(labelId: $id, value: 1) { id } }', { id: proposeLabel.id });
    const { createCircuit: circuit } = await ada.ok<{ createCircuit: { id: string; slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
      { i: { teamId, title: 'Agreement circuit', graph: layeredGraph(1, 1, 3, 0) } },
    );
    // Review of v1 requested; then v2 is saved, reviewed and approved: the circuit (its latest version) is approved
    // while the v1 request is still open.
    const review = 'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }';
    await ada.ok(review, { i: { circuitId: circuit.id, version: 1, reviewerIds: [bobMe.id] } });
    await ada.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
      i: { circuitId: circuit.id, baseVersion: 1, graph: layeredGraph(1, 1, 3, 0), message: 'tidied' },
    });
    const { requestReview } = await ada.ok<{ requestReview: { id: string }[] }>(review, {
      i: { circuitId: circuit.id, version: 2, reviewerIds: [bobMe.id] },
    });
    await bob.ok('mutation($i: DecideReviewInput!) { decideReview(input: $i) { id } }', {
      i: { reviewId: requestReview[0]!.id, decision: 'APPROVED' },
    });

    await browser.context.clearCookies();
    await ada.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/teams/${teamId}`);
    const feed = page.getByTestId('activity-feed');
    await expect
      .poll(() => feed.textContent(), poll)
      .toContain(`Bob Reviewer voted up label “plural subject” of ${SAE} #370`);
    const text = await feed.textContent();
    expect(text).toContain(`Ada Author proposed label “plural subject” of ${SAE} #370`);
    expect(text).toContain('Ada Author created circuit “Agreement circuit”');
    expect(text).toContain('Ada Author saved circuit “Agreement circuit” v2');
    expect(text).toContain('Bob Reviewer approved circuit “Agreement circuit” v2');
    expect(text).toContain('Ada Author set the role of Bob Reviewer to member');
    const links = await feed.getByTestId('activity-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    // A feature page opened from the team page opens on this team (not the viewer's first one).
    expect(links).toContain(`/models/demo/demo/blocks.1.hook_resid_post/370?team=${teamId}`);
    expect(links).toContain(`/c/${circuit.slug}/v/2`);
    expect(links).toContain(`/c/${circuit.slug}`);
    await feed.screenshot({ path: `${SHOTS}/activity.png` });

    await page.goto(`${stack.webUrl}/reviews`);
    const requested = page.getByTestId('review-requests').getByTestId('review-card');
    await expect.poll(() => requested.count(), poll).toBe(2);
    const open = page.getByTestId('review-requests').locator('[data-testid="review-card"][data-state="PENDING"]');
    expect(await open.textContent()).toContain('Agreement circuit · v1');
    expect(await open.textContent()).toContain('Bob Reviewer’s review pending');
    expect(await open.textContent()).toContain('circuit now at v2');
    expect((await open.textContent())!.toLowerCase()).not.toContain('approved');
    const decided = page.getByTestId('review-requests').locator('[data-state="APPROVED"]');
    expect(await decided.getByTestId('review-state').textContent()).toBe('Bob Reviewer’s review approved');
    expect(await page.getByTestId('review-queue').textContent()).toContain('Nothing to review.');
    await page.screenshot({ path: `${SHOTS}/reviews.png`, fullPage: true });
    await page.close();
  });

  it('a feature of an SAE or index that does not exist is a 404, and no label can be proposed for it', async () => {
    const status = async (path: string) => (await fetch(`${stack.webUrl}${path}`)).status;
    expect(await status(`/models/demo/demo/blocks.1.hook_resid_post/1023`)).toBe(200);
    expect(await status(`/models/demo/demo/blocks.1.hook_resid_post/1024`)).toBe(404);
    expect(await status(`/models/demo/demo/no-such-sae/3`)).toBe(404);
    expect(await status(`/models/demo/demo/blocks.1.hook_resid_post/x`)).toBe(404);
    // A model this server does not run (an imported graph's): its features keep pages for labels and comments.
    expect(await status(`/models/gpt2-small/6-res-jb/3`)).toBe(200);

    const page = await signedOutPage();
    await page.goto(`${stack.webUrl}/models/demo/demo/blocks.1.hook_resid_post/5000`);
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByRole('link', { name: 'Open the feature explorer' }).count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/feature-404.png` });
    await page.close();

    const api = await Api.signUp(stack.webUrl, 'labeller@lab.org');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Typos" }) { id } }',
    );
    const propose = (key: { saeId: string; featureIndex: number }) =>
      api.request('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
        i: { teamId: createTeam.id, modelId: 'demo', name: 'x', ...key },
      });
    const beyond = await propose({ saeId: SAE, featureIndex: 1024 });
    expect(beyond.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'featureIndex' });
    expect(beyond.errors?.[0]?.message).toBe(`featureIndex: ${SAE} has 1024 features (0 to 1023), not 1024`);
    const unknown = await propose({ saeId: 'demo/blocks.9.hook_resid_post', featureIndex: 3 });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'saeId' });
    expect((await propose({ saeId: SAE, featureIndex: 1023 })).errors).toBeUndefined();
  });

  it('the explorer lists the words it knows, counts unknown words, states the context length; bars keep their width', async () => {
    const page = await signedOutPage();
    await page.goto(`${stack.webUrl}/explore`);
    await page.getByLabel('SAE').selectOption(SAE);
    const facts = page.getByTestId('model-facts');
    // The demo model: a context of 32 tokens; a word-level vocabulary of 446 tokens, 2 of them special, spelling
    // 434 distinct words (" Anna" and "Anna" are one word; the newline is none).
    await expect
      .poll(() => facts.textContent(), poll)
      .toBe(
        'demo reads at most 32 tokens at a time (its context length), and knows 434 words: any other word becomes one unknown token.',
      );
    await page.getByTestId('vocabulary').getByText('Words the model knows').click();
    await page.getByLabel('Find a word').fill('girl');
    expect(await page.getByTestId('vocabulary-words').textContent()).toBe('girl · girls');
    // Two unknown words side by side are one [UNK] token; they are still two words, and a double space is none.
    await page.getByLabel('Text').fill('The zyxwv qqq girls  are');
    await expect
      .poll(() => page.getByTestId('unknown-tokens').textContent(), poll)
      .toBe("2 words are not in demo's vocabulary (“zyxwv”, “qqq”): the model reads them as [UNK].");
    await page.screenshot({ path: `${SHOTS}/explorer-vocabulary.png`, fullPage: true });

    await page.getByLabel('Text').fill('The girls behind the tree');
    await expect.poll(() => page.getByTestId('unknown-tokens').count()).toBe(0);
    await page.getByRole('button', { name: 'Show features' }).click();
    await page.getByTestId('explorer-result').waitFor();
    const bars = page.getByTestId('top-features').getByTestId('feature-bar');
    const widths = () => bars.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
    const before = await widths();
    expect(before[0]).toBeCloseTo(160, 0); // the strongest feature fills its track
    await page.getByTestId('token').nth(2).click();
    await page.getByTestId('token-features').waitFor();
    expect(await widths()).toEqual(before);
    await page.screenshot({ path: `${SHOTS}/explorer-token.png`, fullPage: true });
    await page.close();
  });
});
