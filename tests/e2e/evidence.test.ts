import { mkdir } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser, subscribed } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Evidence in real Chromium on the bundled demo model (issue 20, item 3): Ada saves a steering run on her label from
// the feature page and an ablation on her circuit's version from the editor; the label's history and the review
// panel Bea decides in list them with their numbers (checked against the API's own answers), and a re-run from the
// saved inputs shows the same numbers; what Ada saves reaches Bea's open pages live. Screenshots in
// artifacts/evidence/.
let stack: Stack;
let adaBrowser: Browser;
let beaBrowser: Browser;

beforeAll(async () => {
  await mkdir('artifacts/evidence', { recursive: true });
  stack = await startStack();
  [adaBrowser, beaBrowser] = [await launchBrowser(), await launchBrowser()];
});
afterAll(async () => {
  await adaBrowser?.close();
  await beaBrowser?.close();
  await stack?.stop();
});

const PAIRS = ['boy', 'dog', 'doctor', 'pilot'].map((noun) => ({
  clean_prefix: `The ${noun} near the car`,
  patch_prefix: `The ${noun}s near the car`,
  clean_answer: ' is',
  patch_answer: ' are',
}));

interface Node {
  id: string;
  kind: string;
  hook: string;
  feature: number | null;
  position: number | null;
  effect: number;
  activation?: number;
}

const numbersOf = (text: string | null) => (text ?? '').match(/-?\d+\.\d{3}/g)?.map(Number) ?? [];

describe('evidence in real Chromium', () => {
  let ada: Api;
  let bea: Api;
  let slug: string;
  let subject: string[];
  let sae: string;
  let feature: number;
  let labelId: string;

  beforeAll(async () => {
    ada = await Api.signUp(stack.webUrl, 'ada-evidence@lab.org', 'Ada');
    bea = await Api.signUp(stack.webUrl, 'bea-evidence@lab.org', 'Bea');
    const { createTeam } = await ada.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Evidence" }) { id } }',
    );
    await ada.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId: createTeam.id, email: 'bea-evidence@lab.org', role: 'MEMBER' },
    });
    const { startCircuitJob } = await ada.ok<{ startCircuitJob: { id: string } }>(
      'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
      { i: { teamId: createTeam.id, title: 'is / are', model: 'demo', pairs: PAIRS, nodeThreshold: 0.05 } },
    );
    const job = await ada.waitForJob(startCircuitJob.id, 120_000);
    expect(job.error).toBeNull();
    slug = job.result!.slug as string;
    const { circuit } = await ada.ok<{
      circuit: { version: { graph: { nodes: Node[]; saes: { hook: string; id: string }[] } } };
    }>('query($s: String!) { circuit(slug: $s) { version { graph } } }', { s: slug });
    const nodes = circuit.version.graph.nodes;
    subject = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2)
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, 4)
      .map((n) => n.id);
    // Silent on singular subjects, pushing logit(" are") - logit(" is") up: a plural-number feature.
    const plural = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2 && (n.activation ?? 0) < 0.05)
      .sort((a, b) => b.effect - a.effect)[0]!;
    sae = circuit.version.graph.saes.find((s) => s.hook === plural.hook)!.id;
    feature = plural.feature!;
    labelId = (
      await ada.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId: createTeam.id, modelId: 'demo', saeId: sae, featureIndex: feature, name: 'plural subject' } },
      )
    ).proposeLabel.id;
    await ada.signInBrowser(adaBrowser.context);
    await bea.signInBrowser(beaBrowser.context);
  }, 180_000);

  it('saves a steering run on the label from the feature page; its history shows it and a re-run gives the same numbers', async () => {
    const page = await adaBrowser.context.newPage();
    const onFeature = subscribed(page, 'featureChanged');
    // The label's evidence list is open while Ada saves, and one save fetches it once. The save's answer is held
    // back until its live event has surely come: the event fetches the list (the answer is not in yet), and the
    // answer, written into the list, must not fetch it a second time (it did: refetchQueries beside the event's).
    let evidenceFetches = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.postDataJSON()?.operationName === 'LabelEvidence') evidenceFetches++;
    });
    await page.route('**/graphql', async (route) => {
      if (route.request().postDataJSON()?.operationName !== 'SaveSteeringEvidence') return route.continue();
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.fulfill({ response });
    });
    await page.goto(`${stack.webUrl}/models/demo/${sae}/${feature}`);
    const label = page.locator(`#label-${labelId}`);
    await label.getByRole('button', { name: /^History/ }).click();
    await label.getByTestId('label-evidence').getByText('No evidence saved yet.').waitFor();
    await onFeature;
    const panel = page.getByTestId('steer-panel');
    await panel.getByLabel('Steering text').fill('The teacher behind the car');
    await panel.getByLabel('Strength').fill('8');
    await panel.getByRole('button', { name: 'Steer', exact: true }).click();
    await panel.getByTestId('steer-steered').getByTestId('logit-diff').waitFor({ timeout: 30_000 });
    const save = panel.getByTestId('save-steering-evidence');
    expect(await save.getByLabel('Label for the evidence').locator('option').allTextContents()).toEqual([
      'plural subject',
    ]);
    const fetchesBeforeSave = evidenceFetches;
    await save.getByRole('button', { name: 'Save as evidence' }).click();
    await expect.poll(() => save.getByRole('status').textContent()).toBe('Saved on “plural subject”, in its history.');
    const evidence = label.getByTestId('label-evidence').getByTestId('evidence');
    await expect.poll(() => evidence.count()).toBe(1);
    await page.waitForTimeout(1000); // time for a second fetch, were one sent after the answer
    expect(evidenceFetches - fetchesBeforeSave).toBe(1);
    await page.unrouteAll();
    await panel.screenshot({ path: 'artifacts/evidence/1-steer-saved.png' });

    // What was saved is the server's own run of those inputs.
    const { steerFeature: expected } = await ada.ok<{
      steerFeature: { unsteered: { logitDiff: number }; steered: { logitDiff: number } };
    }>(
      `query($s: ID!, $f: Int!) { steerFeature(model: "demo", sae: $s, feature: $f, text: "The teacher behind the car", strength: 8, compareTokens: [" are", " is"], continuation: 10) {
        unsteered { logitDiff } steered { logitDiff } } }`,
      { s: sae, f: feature },
    );
    expect(await evidence.textContent()).toContain('Steering');
    const shown = numbersOf(await evidence.getByTestId('evidence-numbers').textContent());
    expect(shown[0]).toBeCloseTo(expected.unsteered.logitDiff, 3);
    expect(shown[1]).toBeCloseTo(expected.steered.logitDiff, 3);
    expect(shown[1]! - shown[0]!).toBeGreaterThan(1); // toward " are"
    await evidence.getByRole('button', { name: 'Re-run' }).click();
    await expect
      .poll(() => evidence.getByTestId('evidence-rerun').textContent(), { timeout: 30_000 })
      .toMatch(/\(the same numbers\)$/);
    expect(numbersOf(await evidence.getByTestId('evidence-rerun').textContent())).toEqual(shown);
    await label.screenshot({ path: 'artifacts/evidence/2-label-history.png' });
    await page.close();
  });

  it('saves an ablation on the circuit version; Bea sees it in the review panel when deciding, and re-runs it', async () => {
    const page = await adaBrowser.context.newPage();
    await page.goto(`${stack.webUrl}/c/${slug}?sel=${subject.map(encodeURIComponent).join(',')}`);
    await page.getByTestId('ablate-selection').getByRole('button', { name: 'Run on pairs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Intervention on the prompt pairs' });
    await dialog.getByTestId('ablation-result').waitFor({ timeout: 60_000 });
    const mean = (await dialog.getByTestId('ablation-mean').locator('th').allTextContents()).map(Number);
    await dialog.getByRole('button', { name: 'Save as evidence' }).click();
    await expect
      .poll(() => dialog.getByTestId('save-ablation-evidence').getByRole('status').textContent())
      .toBe('On v1: reviewers see it in the review panel.');
    await page.screenshot({ path: 'artifacts/evidence/3-ablation-saved.png' });
    await page.close();

    // Ada asks Bea to review v1.
    const { circuit } = await ada.ok<{
      circuit: { id: string; evidence: { result: { meanBefore: number; meanAfter: number } }[] };
    }>('query($s: String!) { circuit(slug: $s) { id evidence(version: 1) { result } } }', { s: slug });
    expect(circuit.evidence).toHaveLength(1);
    const saved = circuit.evidence[0]!.result;
    expect(saved.meanBefore).toBeCloseTo(mean[2]!, 3);
    expect(saved.meanAfter).toBeCloseTo(mean[3]!, 3);
    const { me: beaMe } = await bea.ok<{ me: { id: string } }>('{ me { id } }');
    await ada.ok('mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }', {
      i: { circuitId: circuit.id, reviewerIds: [beaMe.id] },
    });

    const review = await beaBrowser.context.newPage();
    await review.goto(`${stack.webUrl}/c/${slug}`);
    await review.getByRole('tab', { name: /Reviews/ }).click();
    const panel = review.getByTestId('review-panel');
    const evidence = panel.getByTestId('circuit-evidence').getByTestId('evidence');
    await expect.poll(() => evidence.count()).toBe(1);
    expect(await evidence.textContent()).toContain(
      `Ablating (mean) ${subject.length} nodes of v1 on ${PAIRS.length} prompt pairs`,
    );
    expect(await evidence.textContent()).toContain('saved by Ada');
    const shown = numbersOf(await evidence.getByTestId('evidence-numbers').textContent());
    expect(shown[0]).toBeCloseTo(saved.meanBefore, 3);
    expect(shown[1]).toBeCloseTo(saved.meanAfter, 3);
    // Bea's decision form is in the same panel.
    await expect.poll(() => panel.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    await evidence.getByRole('button', { name: 'Re-run' }).click();
    await expect
      .poll(() => evidence.getByTestId('evidence-rerun').textContent(), { timeout: 60_000 })
      .toMatch(/\(the same numbers\)$/);
    expect(numbersOf(await evidence.getByTestId('evidence-rerun').textContent())).toEqual(shown);
    await review.screenshot({ path: 'artifacts/evidence/4-review-panel.png', fullPage: true });

    // Both saves are in the team's activity.
    const { circuit: withTeam } = await bea.ok<{ circuit: { teamId: string } }>(
      'query($s: String!) { circuit(slug: $s) { teamId } }',
      { s: slug },
    );
    await review.goto(`${stack.webUrl}/teams/${withTeam.teamId}`);
    const activity = review.getByText(/saved an intervention as evidence on/);
    await expect.poll(() => activity.count(), { timeout: 15_000 }).toBe(2);
    await review.screenshot({ path: 'artifacts/evidence/5-activity.png', fullPage: true });
    await review.close();
  });

  it('offers a signed-out visitor sign-in instead of a save that can only fail, and a viewer of a share link no save', async () => {
    const visitor = await launchBrowser();
    try {
      // Anyone may steer a feature; saving the run needs an account: a link to sign in that comes back here.
      const page = await visitor.context.newPage();
      const featurePath = `/models/demo/${sae}/${feature}`;
      await page.goto(`${stack.webUrl}${featurePath}`);
      const panel = page.getByTestId('steer-panel');
      await panel.getByRole('button', { name: 'Steer', exact: true }).click();
      await panel.getByTestId('steer-steered').getByTestId('logit-diff').waitFor({ timeout: 30_000 });
      const save = panel.getByTestId('save-steering-evidence');
      const signIn = save.getByRole('link', { name: 'Sign in to save this run as evidence' });
      await expect.poll(() => signIn.getAttribute('href')).toBe(`/signin?next=${encodeURIComponent(featurePath)}`);
      expect(await panel.getByRole('button', { name: 'Save as evidence' }).count()).toBe(0);
      await panel.screenshot({ path: 'artifacts/evidence/6-signed-out-steer.png' });

      // Cyd, outside the team, views the circuit through a VIEW share link: she may ablate but not save evidence.
      const { circuit } = await ada.ok<{ circuit: { id: string } }>('query($s: String!) { circuit(slug: $s) { id } }', {
        s: slug,
      });
      const { createShareLink } = await ada.ok<{ createShareLink: { path: string } }>(
        'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { path } }',
        { i: { circuitId: circuit.id, permission: 'VIEW' } },
      );
      const cyd = await Api.signUp(stack.webUrl, 'cyd-evidence@elsewhere.org', 'Cyd');
      await cyd.signInBrowser(visitor.context);
      const share = new URL(createShareLink.path, stack.webUrl);
      share.searchParams.set('sel', subject.join(','));
      await page.goto(share.href);
      await page.getByTestId('ablate-selection').getByRole('button', { name: 'Run on pairs' }).click();
      const dialog = page.getByRole('dialog', { name: 'Intervention on the prompt pairs' });
      await dialog.getByTestId('ablation-result').waitFor({ timeout: 60_000 });
      expect(await dialog.getByTestId('save-ablation-evidence').count()).toBe(0);
      await page.screenshot({ path: 'artifacts/evidence/7-view-share-ablation.png' });
    } finally {
      await visitor.close();
    }
  });

  it('shows Bea the evidence Ada saves while Bea has the label’s history and the review panel open, without a reload', async () => {
    /** How many entries an evidence list shows once it has loaded. */
    const shownCount = async (list: Locator) => {
      await expect.poll(() => list.getByText('Loading…').count()).toBe(0);
      return list.getByTestId('evidence').count();
    };
    const page = await beaBrowser.context.newPage();
    const onFeature = subscribed(page, 'featureChanged');
    await page.goto(`${stack.webUrl}/models/demo/${sae}/${feature}`);
    const label = page.locator(`#label-${labelId}`);
    await label.getByRole('button', { name: /^History/ }).click();
    const steering = label.getByTestId('label-evidence').getByTestId('evidence');
    const before = await shownCount(label.getByTestId('label-evidence'));
    await onFeature;
    await ada.ok(
      'mutation($l: ID!) { saveSteeringEvidence(labelId: $l, text: "The pilot behind the car", strength: 4) { id } }',
      { l: labelId },
    );
    await expect.poll(() => steering.count(), { timeout: 10_000 }).toBe(before + 1);
    expect(await steering.last().textContent()).toContain('on “The pilot behind the car”');
    // Saved without compare tokens: it shows its top next token before and after steering, not an empty logit
    // difference ("logit difference: – → –"); a re-run compares the same.
    const saved = steering.last();
    const numbers = await saved.getByTestId('evidence-numbers').textContent();
    expect(numbers).toMatch(/^no comparison tokens; top next token: “.+” → “.+”/);
    expect(numbers).not.toContain('–');
    await saved.getByRole('button', { name: 'Re-run' }).click();
    await expect.poll(() => saved.getByTestId('evidence-rerun').textContent()).toContain('(the same numbers)');
    await label.screenshot({ path: 'artifacts/evidence/8-live-label-evidence.png' });

    const onCircuit = subscribed(page, 'circuitChanged');
    await page.goto(`${stack.webUrl}/c/${slug}`);
    await page.getByRole('tab', { name: /Reviews/ }).click();
    const ablations = page.getByTestId('review-panel').getByTestId('circuit-evidence').getByTestId('evidence');
    const ablationsBefore = await shownCount(page.getByTestId('review-panel').getByTestId('circuit-evidence'));
    await onCircuit;
    const { circuit } = await ada.ok<{ circuit: { id: string } }>('query($s: String!) { circuit(slug: $s) { id } }', {
      s: slug,
    });
    const { ablateSelection } = await ada.ok<{ ablateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { ablateSelection(circuitId: $c, version: 1, nodeIds: $n, mode: "zero") { id } }',
      { c: circuit.id, n: subject.slice(0, 1) },
    );
    expect((await ada.waitForJob(ablateSelection.id, 60_000)).error).toBeNull();
    await ada.ok('mutation($c: ID!, $j: ID!) { saveAblationEvidence(circuitId: $c, version: 1, jobId: $j) { id } }', {
      c: circuit.id,
      j: ablateSelection.id,
    });
    await expect.poll(() => ablations.count(), { timeout: 10_000 }).toBe(ablationsBefore + 1);
    expect(await ablations.last().textContent()).toContain('Ablating (zero) 1 node of v1');
    await page.getByTestId('review-panel').screenshot({ path: 'artifacts/evidence/9-live-review-evidence.png' });
    await page.close();
  });
});
