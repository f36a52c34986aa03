import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// Interventions in real Chromium on the bundled demo model (issue 20, items 1 and 2): steering a plural-subject
// feature from its feature page, and ablating or patching a circuit's subject features from the circuit editor. What
// the pages show is checked against the API's own answer for the same inputs. Screenshots in artifacts/interventions/.
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  await mkdir('artifacts/interventions', { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const PAIRS = ['boy', 'girl', 'dog', 'cat', 'doctor', 'pilot'].flatMap((noun) =>
  ['near the car', 'behind the tree'].map((place) => ({
    clean_prefix: `The ${noun} ${place}`,
    patch_prefix: `The ${noun}s ${place}`,
    clean_answer: ' is',
    patch_answer: ' are',
  })),
);

interface Node {
  id: string;
  kind: string;
  hook: string;
  feature: number | null;
  position: number | null;
  effect: number;
  activation?: number;
}

describe('interventions in real Chromium', () => {
  let api: Api;
  let slug: string;
  let circuitId: string;
  let nodes: Node[];
  let saeOf: Record<string, string>;

  beforeAll(async () => {
    api = await Api.signUp(stack.webUrl, 'interventions@lab.org', 'Ivy Intervenes');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Interventions" }) { id } }',
    );
    const { startCircuitJob } = await api.ok<{ startCircuitJob: { id: string } }>(
      'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
      { i: { teamId: createTeam.id, title: 'is / are', model: 'demo', pairs: PAIRS, nodeThreshold: 0.05 } },
    );
    const job = await api.waitForJob(startCircuitJob.id, 120_000);
    expect(job.error).toBeNull();
    slug = job.result!.slug as string;
    const { circuit } = await api.ok<{
      circuit: { id: string; version: { graph: { nodes: Node[]; saes: { hook: string; id: string }[] } } };
    }>('query($s: String!) { circuit(slug: $s) { id version { graph } } }', { s: slug });
    circuitId = circuit.id;
    nodes = circuit.version.graph.nodes;
    saeOf = Object.fromEntries(circuit.version.graph.saes.map((s) => [s.hook, s.id]));
    await api.signInBrowser(browser.context);
  }, 180_000);

  it('steers a plural-subject feature from its feature page: the steered run moves toward " are"', async () => {
    // Silent on singular subjects, pushing logit(" are") - logit(" is") up from singular to plural: plural number.
    const plural = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2 && (n.activation ?? 0) < 0.05)
      .sort((a, b) => b.effect - a.effect)[0]!;
    const sae = saeOf[plural.hook]!;
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/models/demo/${sae}/${plural.feature}`);
    const panel = page.getByTestId('steer-panel');
    await panel.getByLabel('Steering text').fill('The teacher behind the car');
    await panel.getByLabel('Strength').fill('8');
    await panel.getByRole('button', { name: 'Steer', exact: true }).click();
    const unsteered = panel.getByTestId('steer-unsteered');
    const steered = panel.getByTestId('steer-steered');
    await steered.getByTestId('logit-diff').waitFor({ timeout: 30_000 });
    // No dashboard computed here: the panel says the strength is in activation units.
    await expect.poll(() => panel.getByTestId('steer-scale').textContent()).toMatch(/^No dashboard for this feature/);

    const { steerFeature: expected } = await api.ok<{
      steerFeature: {
        unsteered: { logitDiff: number; continuationText: string; topTokens: { token: string; probability: number }[] };
        steered: { logitDiff: number; continuationText: string; topTokens: { token: string; probability: number }[] };
      };
    }>(
      `query($s: ID!, $f: Int!) { steerFeature(model: "demo", sae: $s, feature: $f, text: "The teacher behind the car", strength: 8, compareTokens: [" are", " is"], continuation: 10) {
        unsteered { logitDiff continuationText topTokens { token probability } }
        steered { logitDiff continuationText topTokens { token probability } } } }`,
      { s: sae, f: plural.feature },
    );
    expect(expected.steered.logitDiff).toBeGreaterThan(expected.unsteered.logitDiff + 1);
    const diffOf = async (column: typeof steered) =>
      Number(/= (-?\d+\.\d\d)/.exec((await column.getByTestId('logit-diff').textContent())!)![1]);
    expect(await diffOf(unsteered)).toBeCloseTo(expected.unsteered.logitDiff, 2);
    expect(await diffOf(steered)).toBeCloseTo(expected.steered.logitDiff, 2);
    expect(await steered.getByTestId('continuation').textContent()).toBe(
      `The teacher behind the car${expected.steered.continuationText}`,
    );
    // Each column lists its own run's next tokens, most probable first (the same token in both runs is two answers).
    for (const [column, run] of [
      [unsteered, expected.unsteered],
      [steered, expected.steered],
    ] as const) {
      const rows = await column
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
      expect(rows).toEqual(
        run.topTokens.map((t) => [JSON.stringify(t.token), '', `${(100 * t.probability).toFixed(1)}%`]),
      );
    }
    await page.screenshot({ path: 'artifacts/interventions/steer.png', fullPage: true });

    // Steering only at the subject (BOS, The, teacher: token 2), chosen by clicking it.
    await panel.getByTestId('steer-tokens').getByRole('button').nth(2).click();
    await panel.getByRole('button', { name: 'Steer', exact: true }).click();
    await expect.poll(() => panel.getByTestId('steer-scale').textContent()).toContain('at position 2');
    expect(await diffOf(steered)).toBeGreaterThan(await diffOf(unsteered));
    await panel.screenshot({ path: 'artifacts/interventions/steer-at-subject.png' });

    // Also with attention frozen: a third column, its logit difference the API's for the same inputs.
    await panel.getByTestId('steer-tokens').getByRole('button').nth(2).click(); // back to every position
    await panel.getByLabel('also with attention frozen').check();
    await panel.getByRole('button', { name: 'Steer', exact: true }).click();
    const frozen = panel.getByTestId('steer-frozen');
    await frozen.getByTestId('logit-diff').waitFor({ timeout: 30_000 });
    const { steerFeature: withFrozen } = await api.ok<{ steerFeature: { frozen: { logitDiff: number } } }>(
      `query($s: ID!, $f: Int!) { steerFeature(model: "demo", sae: $s, feature: $f, text: "The teacher behind the car", strength: 8, compareTokens: [" are", " is"], continuation: 10, freezeAttention: true) {
        frozen { logitDiff } } }`,
      { s: sae, f: plural.feature },
    );
    expect(await diffOf(frozen)).toBeCloseTo(withFrozen.frozen.logitDiff, 2);
    expect(await diffOf(steered)).toBeCloseTo(expected.steered.logitDiff, 2);
    await panel.screenshot({ path: 'artifacts/interventions/steer-frozen.png' });

    // A compared "token" of two tokens is refused with the field's reason.
    await panel.getByLabel('First compared token').fill(' is are');
    await panel.getByRole('button', { name: 'Steer', exact: true }).click();
    await expect
      .poll(() => panel.getByRole('alert').textContent())
      .toBe('compareTokens: " is are" is 2 tokens for demo, not one');
    await page.close();
  });

  it('ablates and patches the subject features from the circuit editor, per pair and on average', async () => {
    const subject = nodes
      .filter((n) => n.kind === 'feature' && n.position === 2)
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
      .slice(0, 4)
      .map((n) => n.id);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/c/${slug}?sel=${subject.map(encodeURIComponent).join(',')}`);
    const controls = page.getByTestId('ablate-selection');
    await controls.getByRole('button', { name: 'Run on pairs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Intervention on the prompt pairs' });
    await dialog.getByTestId('ablation-result').waitFor({ timeout: 60_000 });

    // The same nodes through the API: the circuit's own evaluation's complement metric, and the ablation job.
    const { evaluateSelection } = await api.ok<{ evaluateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
      { c: circuitId, n: subject },
    );
    const scores = (await api.waitForJob(evaluateSelection.id)).result as { fFull: number; fComplement: number };
    const mean = await dialog.getByTestId('ablation-mean').locator('th').allTextContents();
    expect(mean[0]).toBe(`mean of ${PAIRS.length} pairs`);
    expect(Number(mean[2])).toBeCloseTo(scores.fFull, 3);
    expect(Number(mean[3])).toBeCloseTo(scores.fComplement, 3);
    expect(await dialog.locator('tbody tr').count()).toBe(PAIRS.length);
    expect(await dialog.locator('tbody tr').first().locator('td').first().textContent()).toBe(PAIRS[0]!.clean_prefix);
    await page.screenshot({ path: 'artifacts/interventions/ablate-mean.png' });
    await page.keyboard.press('Escape');

    // Patching the same nodes to the plural prompts' values moves the metric toward " are" (up).
    await controls.getByLabel('Intervention', { exact: true }).selectOption('patch');
    await controls.getByRole('button', { name: 'Run on pairs' }).click();
    await expect.poll(() => dialog.locator('p').first().textContent(), { timeout: 60_000 }).toMatch(/^patch: 4 nodes/);
    const patched = await dialog.getByTestId('ablation-mean').locator('th').allTextContents();
    expect(Number(patched[3])).toBeGreaterThan(Number(patched[2]));
    await page.screenshot({ path: 'artifacts/interventions/patch.png' });
    await page.keyboard.press('Escape');

    // The same four nodes as a supernode (selected once grouped): ablating it ablates its members.
    await page.getByRole('button', { name: 'Group', exact: true }).click();
    const grouping = page.getByRole('dialog', { name: 'Group into a supernode' });
    await grouping.getByLabel('Supernode name').fill('subject number');
    await grouping.getByRole('button', { name: 'Group', exact: true }).click();
    await controls.getByLabel('Intervention', { exact: true }).selectOption('mean');
    await controls.getByRole('button', { name: 'Run on pairs' }).click();
    await expect
      .poll(() => dialog.locator('p').first().textContent(), { timeout: 60_000 })
      .toMatch(/^ablate \(mean\): 4 nodes/);
    const grouped = await dialog.getByTestId('ablation-mean').locator('th').allTextContents();
    expect(Number(grouped[3])).toBeCloseTo(scores.fComplement, 3);
    await page.screenshot({ path: 'artifacts/interventions/ablate-supernode.png' });
    await page.close();
  });
});
