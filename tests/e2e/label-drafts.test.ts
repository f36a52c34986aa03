import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiStub, topTokenLabeler } from '../../apps/server/src/testing/openai-stub.js';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Label drafts (issue 16, item 5) in Chromium on the bundled demo model, with the API configured for a local stub
// that speaks the OpenAI chat API: a member opens a feature page, starts "Explain with …", follows the job, and
// sees the machine-written label with the detection score the API stored; then a token-pattern draft, which says
// why it has no score.
const SHOTS = 'artifacts/label-drafts';
const SAE = 'demo/blocks.1.hook_resid_post';
const LLM_MODEL = 'stub-explainer-7b';
const poll = { timeout: 60_000, interval: 200 };
let stub: OpenAiStub;
let stack: Stack;
let browser: Browser;
let ada: Api;
let teamId: string;
let feature: number;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  stub = await OpenAiStub.start(topTokenLabeler());
  stack = await startStack({
    apiEnv: { LLM_BASE_URL: stub.baseUrl, LLM_API_KEY: 'sk-e2e-stub', LLM_MODEL, LLM_TIMEOUT_MS: '5000' },
  });
  browser = await launchBrowser();
  ada = await Api.signUp(stack.webUrl, 'ada@drafts.org', 'Ada Drafter');
  ({
    createTeam: { id: teamId },
  } = await ada.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Drafters" }) { id } }'));
  // Real dashboards of the SAE (a short corpus): what a draft is written from.
  const { computeDashboards } = await ada.ok<{ computeDashboards: { id: string } }>(
    'mutation($s: ID!) { computeDashboards(model: "demo", sae: $s, maxContexts: 300) { id } }',
    { s: SAE },
  );
  expect((await ada.waitForJob(computeDashboards.id, 120_000)).status).toBe('SUCCEEDED');
  // A feature that fires now and then: the detection test needs corpus contexts where it is quiet.
  const { saeFeatures } = await ada.ok<{
    saeFeatures: { edges: { node: { featureIndex: number; density: number } }[] };
  }>(
    'query($s: ID!) { saeFeatures(model: "demo", sae: $s, sort: INDEX, first: 100) { edges { node { featureIndex density } } } }',
    { s: SAE },
  );
  feature = saeFeatures.edges.map((e) => e.node).find((n) => n.density > 0.005 && n.density < 0.03)!.featureIndex;
  await ada.signInBrowser(browser.context);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await stub?.stop();
});

describe('drafting a label on a feature page', () => {
  it('explains the feature with the configured LLM and shows the machine-written label with its detection score', async () => {
    const page = await browser.context.newPage();
    await page.bringToFront();
    await page.goto(`${stack.webUrl}/models/demo/${SAE}/${feature}?team=${teamId}`);
    const drafts = page.getByTestId('label-drafts');
    await drafts.getByRole('button', { name: `Explain with ${LLM_MODEL}` }).click();
    await expect
      .poll(
        () =>
          drafts
            .getByTestId('draft-outcome')
            .textContent()
            .catch(() => ''),
        poll,
      )
      .toBe('1 of 1 feature drafted.');
    // The API's record of the draft: the score the page must show.
    const { featureLabels } = await ada.ok<{
      featureLabels: { edges: { node: { id: string; name: string; detectionScore: number | null; source: string } }[] };
    }>(
      'query($f: FeatureKeyInput!) { featureLabels(feature: $f) { edges { node { id name detectionScore source } } } }',
      {
        f: { modelId: 'demo', saeId: SAE, featureIndex: feature },
      },
    );
    const [draft] = featureLabels.edges.map((e) => e.node);
    expect(draft!.detectionScore).not.toBeNull();
    expect(JSON.parse(draft!.source)).toMatchObject({ format: 'LLM', model: LLM_MODEL });
    expect(stub.requests.length).toBe(2);
    expect(stub.requests[0]!.authorization).toBe('Bearer sk-e2e-stub');

    const item = page.locator(`#label-${draft!.id}`);
    await expect.poll(() => item.isVisible(), poll).toBe(true);
    expect(await item.textContent()).toContain('machine draft');
    expect(await item.getByTestId('label-source').textContent()).toBe(` · machine-written by ${LLM_MODEL} (a draft)`);
    const detection = await item.getByTestId('label-detection').textContent();
    expect(detection).toContain(`detection ${draft!.detectionScore!.toFixed(2)}`);
    expect(detection).toContain('0.5 is chance');
    await page.getByRole('region', { name: 'Labels' }).screenshot({ path: `${SHOTS}/1-llm-draft.png` });

    // Without the LLM: the token pattern, with the reason it has no score.
    await drafts.getByRole('button', { name: 'Draft from token pattern' }).click();
    const pattern = page.locator('[data-testid="label-item"]', { hasText: 'token pattern' });
    await expect.poll(() => pattern.count(), poll).toBe(1);
    expect(await pattern.getByTestId('label-detection').textContent()).toContain('no detection score');
    expect(await pattern.locator('strong').first().textContent()).toMatch(/^fires on "/);
    expect(stub.requests.length).toBe(2);
    await page.getByRole('region', { name: 'Labels' }).screenshot({ path: `${SHOTS}/2-pattern-draft.png` });
    await page.close();
  });

  it('drafts a whole SAE from its page up to a request cap, with progress, and the table shows the scores', async () => {
    const page = await browser.context.newPage();
    await page.bringToFront();
    await page.goto(`${stack.webUrl}/models/demo/${SAE}?team=${teamId}`);
    const drafts = page.getByTestId('sae-drafts');
    await drafts.getByLabel('Most requests').fill('4');
    const before = stub.requests.length;
    await drafts.getByRole('button', { name: `Draft labels with ${LLM_MODEL}` }).click();
    const outcome = drafts.getByTestId('sae-draft-outcome');
    await expect.poll(() => outcome.textContent().catch(() => ''), poll).toMatch(/^Stopped at the request cap/);
    // 2 requests a feature: 2 drafted in 4; the feature explained above is skipped (it has this model's draft).
    expect(await outcome.textContent()).toMatch(
      /^Stopped at the request cap \(4 requests\): 2 of [\d,]+ features drafted \(1 drafted before\), [\d,]+ left\. Start/,
    );
    expect(stub.requests.length - before).toBe(4);
    await drafts.screenshot({ path: `${SHOTS}/3-sae-drafts.png` });

    // The page follows without a reload: the coverage counts the 2 new drafts beside the first feature's.
    await expect.poll(() => page.getByTestId('sae-coverage').textContent(), poll).toContain('3 of 1,024 labeled');
    await page.getByRole('button', { name: 'Labeled', exact: true }).click();
    const rows = page.getByRole('table', { name: 'Features' }).locator('tbody tr[data-feature]');
    await expect.poll(() => rows.count(), poll).toBe(3);
    // The two features the job drafted show their draft's score; the first feature's shown label may be either of
    // its two drafts (the token-pattern one has no score).
    const drafted = page.locator(
      `table[aria-label="Features"] tbody tr[data-feature]:not([data-feature="${feature}"])`,
    );
    expect(await drafted.count()).toBe(2);
    const badges = await drafted.locator('.badge', { hasText: 'detection' }).allTextContents();
    expect(badges.length).toBe(2);
    for (const badge of badges) expect(badge).toMatch(/^detection [01]\.\d\d$/);
    await page.screenshot({ path: `${SHOTS}/4-sae-table.png` });
    await page.close();
  });
});
