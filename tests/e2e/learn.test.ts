import { mkdir } from 'node:fs/promises';
import { defaultToy } from '@workbench/analysis';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, holdOperation, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// The walkthrough at /learn on a fresh install, signed out: every step shows its live result, the toy circuit's
// drawn edges are activation x weight as computed here by hand, and the demo circuit opens in the editor; signed
// in, it is saved to a team and opens in the team's editor.
const SHOTS = 'artifacts/learn';
const poll = { timeout: 20_000 };
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  await mkdir('artifacts/labeling-small', { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Drags the canvas's empty background a little, which changes the viewport the editor writes into the URL. */
async function panCanvas(page: Page) {
  const pane = await page.locator('.react-flow__pane').boundingBox();
  if (!pane) throw new Error('no canvas to pan');
  const [x, y] = [pane.x + 12, pane.y + pane.height - 12];
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 40, y - 20, { steps: 4 });
  await page.mouse.up();
}

/** Pairs of drawn nodes whose boxes on screen share some area, by their titles: a circuit must read at first sight. */
function overlappingNodes(page: Page): Promise<string[]> {
  return page.locator('.react-flow__node').evaluateAll((elements) => {
    const boxes = elements.map((element) => ({
      title: element.querySelector('.fnode-title')?.textContent ?? element.id,
      box: element.getBoundingClientRect(),
    }));
    const pairs: string[] = [];
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart =
          a.box.right <= b.box.left ||
          b.box.right <= a.box.left ||
          a.box.bottom <= b.box.top ||
          b.box.bottom <= a.box.top;
        if (!apart) pairs.push(`${a.title} × ${b.title}`);
      }
    }
    return pairs;
  });
}

/**
 * The toy's edges written out here from its weights (the page trains the same network from the same seeds):
 * input i -> hidden h: x_i W1[i,h] (active h); hidden h -> feature j: h_h W_enc[h,j] (both active); feature j -> output o:
 * f_j (W_dec[j] . W2[:,o]); and each output's logit minus what the edges leave out, b2_o + b_dec . W2[:,o].
 */
function expectedToy(x: [number, number]) {
  const { net, sae } = defaultToy();
  const S = sae.dSae;
  const hidden = [0, 1, 2, 3].map((h) => Math.max(0, net.b1[h]! + x[0] * net.W1[h]! + x[1] * net.W1[4 + h]!));
  const features = Array.from({ length: S }, (_, j) => {
    let s = sae.b_enc[j]!;
    for (let h = 0; h < 4; h++) s += hidden[h]! * sae.W_enc[h * S + j]!;
    return Math.max(0, s);
  });
  const edges = new Map<string, number>();
  for (let i = 0; i < 2; i++)
    for (let h = 0; h < 4; h++)
      if (hidden[h]! > 0) edges.set(`toy.input:${i}:0->toy.hidden:${h}:0`, x[i]! * net.W1[i * 4 + h]!);
  for (let h = 0; h < 4; h++)
    for (let j = 0; j < S; j++)
      if (hidden[h]! > 0 && features[j]! > 0)
        edges.set(`toy.hidden:${h}:0->toy.sae:${j}:0`, hidden[h]! * sae.W_enc[h * S + j]!);
  for (let j = 0; j < S; j++)
    for (let o = 0; o < 2; o++) {
      let w = 0;
      for (let h = 0; h < 4; h++) w += sae.W_dec[j * 4 + h]! * net.W2[h * 2 + o]!;
      if (features[j]! > 0) edges.set(`toy.sae:${j}:0->toy.output:${o}:0`, features[j]! * w);
    }
  const logitMinusBias = [0, 1].map((o) => {
    let s = 0;
    for (let h = 0; h < 4; h++) s += (hidden[h]! - sae.b_dec[h]!) * net.W2[h * 2 + o]!;
    return s;
  });
  return { edges, features, logitMinusBias };
}

/** The figure's drawn edges: id (source->target) and exact weight, as React Flow put them in the page. */
async function drawnEdges(page: Page): Promise<Map<string, number>> {
  const figure = page.getByTestId('circuit-figure');
  await figure.locator('.react-flow__edge').first().waitFor();
  const rows = await figure
    .locator('.react-flow__edge')
    .evaluateAll((els) => els.map((el) => [el.getAttribute('data-id'), el.getAttribute('data-weight')]));
  return new Map(rows.map(([id, weight]) => [String(id), Number(weight)]));
}

function expectEdges(drawn: Map<string, number>, x: [number, number]) {
  const { edges, logitMinusBias } = expectedToy(x);
  for (const [id, weight] of edges) {
    expect(drawn.has(id), `edge ${id} drawn`).toBe(true);
    expect(drawn.get(id)).toBeCloseTo(weight, 6);
  }
  // Into each output: the features' edges and the error node's, adding up to the logit minus its bias.
  for (let o = 0; o < 2; o++) {
    const into = [...drawn].filter(([id]) => id.endsWith(`->toy.output:${o}:0`));
    expect(into.some(([id]) => id.startsWith('toy.sae:error'))).toBe(true);
    expect(into.reduce((s, [, w]) => s + w, 0)).toBeCloseTo(logitMinusBias[o]!, 6);
  }
}

describe('the walkthrough (/learn)', () => {
  it('signed out: from the home page through every step, the toy circuit drawn, the demo circuit in the editor', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stack.webUrl}/`);
    await page.getByTestId('welcome').getByRole('link', { name: 'Follow the walkthrough' }).click();
    await page.waitForURL(`${stack.webUrl}/learn`);

    // 1. the network, trained in the page: right on the held-out examples and on both inputs
    const network = page.getByTestId('network-result');
    await network.waitFor(poll);
    expect(await page.getByTestId('toy-accuracy').textContent()).toBe('100%');
    expect(await page.getByTestId('toy-pass-singular').textContent()).toMatch(/runs$/);
    expect(await page.getByTestId('toy-pass-plural').textContent()).toMatch(/run$/);

    // 2. its SAE: the features that fire on each input, as computed here
    await page.getByTestId('sae-result').waitFor();
    const singular = expectedToy([1, 0.1]);
    const plural = expectedToy([0.1, 1]);
    for (let j = 0; j < singular.features.length; j++) {
      const cells = await page.getByTestId(`toy-feature-${j}`).locator('td').allTextContents();
      expect(cells.slice(1, 3)).toEqual(
        [singular.features[j]!, plural.features[j]!].map((a) => (a > 0 ? a.toFixed(2) : 'off')),
      );
    }
    // The SAE separates the two: some feature fires on one input and not the other.
    expect(singular.features.some((a, j) => a > 0 !== plural.features[j]! > 0)).toBe(true);
    await page.getByTestId('step-sae').screenshot({ path: `${SHOTS}/2-sae.png` });

    // 3. the toy circuit in the circuit viewer: edges = activation x weight, for the singular input, then the plural
    const step3 = page.getByTestId('step-toy-circuit');
    expectEdges(await drawnEdges(page), [1, 0.1]);
    expect(await step3.locator('[data-testid="circuit-node"]').count()).toBe(15);
    await step3.screenshot({ path: `${SHOTS}/3-toy-circuit-singular.png` });
    await step3.getByRole('button', { name: /The cats/ }).click();
    await expect
      .poll(async () => {
        const drawn = await drawnEdges(page);
        return [...plural.edges.keys()].every((id) => drawn.has(id)) && drawn.size > plural.edges.size;
      }, poll)
      .toBe(true);
    expectEdges(await drawnEdges(page), [0.1, 1]);
    await step3.screenshot({ path: `${SHOTS}/3-toy-circuit-plural.png` });

    // 4. the demo model's circuit, computed by the server: its strongest features link to their pages
    const demo = page.getByTestId('demo-result');
    await demo.waitFor(poll);
    expect(Number(await page.getByTestId('demo-node-count').textContent())).toBeGreaterThan(10);
    expect(await page.getByTestId('demo-faithfulness').textContent()).toMatch(/^\d+%$/);
    const featureLinks = page.getByTestId('demo-top-features').getByRole('link');
    expect(await featureLinks.count()).toBe(8);
    expect(await featureLinks.first().getAttribute('href')).toMatch(
      /^\/models\/demo\/demo\/(hook_embed|blocks\.\d\.hook_\w+)\/\d+$/,
    );
    // Saving needs an account: said, with a sign-in link that comes back here.
    const needs = page.getByTestId('step-demo').getByTestId('save-needs-account');
    expect(await needs.getByRole('link').getAttribute('href')).toBe(`/signin?next=${encodeURIComponent('/learn')}`);
    await page.getByTestId('step-demo').screenshot({ path: `${SHOTS}/4-demo.png` });
    await page.getByTestId('step-cli').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('cli-toy').textContent()).toContain('npm run circuit -- --toy');
    await page.screenshot({ path: `${SHOTS}/learn-page.png`, fullPage: true });

    // ... opened in the editor: drawn, pruned to its strongest nodes, a feature inspected with a link to label it
    await page.getByTestId('open-demo-editor').click();
    await page.waitForURL(/\/learn\/circuit\?c=demo/);
    await expect.poll(() => page.getByTestId('circuit-title').textContent(), poll).toBe('The cat runs / The cats run');
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing \d+ of \d+ nodes/);
    expect(await page.getByTestId('version-label').textContent()).toBe('not saved');
    const notice = page.getByTestId('standalone-notice');
    expect(await notice.getByRole('link', { name: 'sign in or create one' }).getAttribute('href')).toBe(
      `/signin?next=${encodeURIComponent('/learn/circuit?c=demo')}`,
    );
    const featureNode = page.locator('.react-flow__node', { hasText: /resid #|mlp #|attn #/ }).first();
    await featureNode.click();
    const inspector = page.getByTestId('node-inspector');
    await inspector.waitFor();
    expect(await inspector.getByTestId('feature-link').getAttribute('href')).toMatch(/^\/models\/demo\/demo\//);
    expect(await inspector.getByTestId('label-feature-link').getByRole('link').getAttribute('href')).toMatch(
      /^\/models\/demo\/demo\/.+\/\d+$/,
    );
    await page.screenshot({ path: `${SHOTS}/5-demo-in-editor.png` });
    await page.close();
  });

  it('the toy circuit opens in the editor too, with the same nodes', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${stack.webUrl}/learn/circuit?c=toy-plural`);
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing 15 of 15 nodes/);
    expect(await page.getByTestId('circuit-title').textContent()).toBe('Toy circuit: “The cats”');
    // Its Quality panel names the method the toy records: activation x weight, exact, no patching.
    const method = await page.getByTestId('circuit-quality').getByTestId('quality-method').textContent();
    expect(method).toMatch(
      /^exact linear decomposition of one input, no patching: each edge is its source's activation × the weight/,
    );
    await page.getByTestId('circuit-quality').screenshot({ path: `${SHOTS}/6-toy-quality.png` });
    await page.screenshot({ path: `${SHOTS}/6-toy-in-editor.png` });
    await page.close();
  });

  it('signed out: edits survive the trip to sign in, are saved to a team with it, and are then forgotten', async () => {
    const grace = await Api.signUp(stack.webUrl, 'grace-learn@lab.org', 'Grace Learner');
    await grace.ok('mutation { createTeam(input: { name: "Toy lab" }) { id } }');
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    const stats = () => page.getByTestId('graph-stats').textContent();
    const nodeNamed = (name: string) => page.locator('.react-flow__node', { hasText: name });
    await page.goto(`${stack.webUrl}/learn/circuit?c=toy-singular`);
    await expect.poll(stats, poll).toMatch(/^showing 15 of 15 nodes/);
    // Three edits signed out: the error node hidden, two hidden units grouped into a supernode, a feature named.
    await nodeNamed('SAE error').click();
    await page.getByRole('toolbar').getByRole('button', { name: 'Hide', exact: true }).click();
    await expect.poll(stats, poll).toMatch(/^showing 14 of 15 nodes/);
    await nodeNamed('hidden 0').click();
    await nodeNamed('hidden 1').click({ modifiers: ['Control'] });
    await page.getByRole('toolbar').getByRole('button', { name: 'Group', exact: true }).click();
    const grouping = page.getByRole('dialog', { name: 'Group into a supernode' });
    await grouping.getByLabel('Supernode name').fill('first two units');
    await grouping.getByRole('button', { name: 'Group', exact: true }).click();
    await expect.poll(() => page.getByTestId('circuit-supernode').textContent(), poll).toContain('first two units');
    // The card stands in its own slot of the hidden units' row: it covers no node (it once sat on 'hidden 3').
    await expect.poll(() => page.locator('.react-flow__node').count(), poll).toBe(13);
    await expect.poll(() => overlappingNodes(page), poll).toEqual([]);
    // Its activation is its members' sum: both are off (ReLU at 0) on "The cat".
    expect(await page.getByTestId('circuit-supernode').locator('.fnode-act').textContent()).toBe('act 0.0');
    await page.screenshot({ path: `${SHOTS}/toy-grouped.png` });
    await nodeNamed('feature 1').click();
    await page.getByTestId('node-inspector').getByLabel('Node label').fill('singular verb feature');
    await page.getByTestId('node-inspector').getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => nodeNamed('singular verb feature').count(), poll).toBe(1);
    const edited = await stats();

    // Sign in through the page's own link: the sign-in page sends us back, and the edits are there again.
    await page.getByTestId('standalone-notice').getByRole('link', { name: 'sign in or create one' }).click();
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel('Email').fill('grace-learn@lab.org');
    await page.getByLabel('Password').fill('a long enough password');
    await page.locator('form').getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.webUrl}/learn/circuit?c=toy-singular`, poll);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Restored your unsaved edits' }).count(), poll)
      .toBe(1);
    await expect.poll(stats, poll).toBe(edited);
    expect(await page.getByTestId('circuit-supernode').textContent()).toContain('first two units');
    expect(await nodeNamed('singular verb feature').count()).toBe(1);
    await expect.poll(() => page.getByLabel('Team to save to').textContent(), poll).toBe('Toy lab');
    await page.screenshot({ path: `${SHOTS}/8-edits-restored.png` });

    // Saved to the team with the edits; a reload shows them stored. The saved circuit's page is held back for a
    // moment and the canvas is panned while it loads: the editor's write of the new viewport into the URL must not
    // cancel the navigation (Next discards a loading navigation for a replaceState), as it once did in CI.
    await page.route(
      (url) => url.pathname.startsWith('/c/'),
      async (route) => {
        if (route.request().headers().rsc) await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      },
    );
    await page.getByTestId('standalone-notice').getByRole('button', { name: 'Save to team' }).click(poll);
    await page.waitForRequest((request) => new URL(request.url()).pathname.startsWith('/c/'), poll);
    await panCanvas(page);
    await page.waitForURL(/\/c\/[^/?]+$/, poll);
    await page.unrouteAll();
    await expect.poll(stats, poll).toMatch(/ of 14 nodes/);
    const saved = await stats();
    await page.reload();
    await expect.poll(stats, poll).toBe(saved);
    expect(await page.getByTestId('circuit-supernode').textContent()).toContain('first two units');
    expect(await nodeNamed('SAE error').count()).toBe(0);
    expect(await nodeNamed('singular verb feature').count()).toBe(1);
    expect(await overlappingNodes(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/9-edits-saved.png` });

    // Saved, they are no longer kept: the walkthrough's circuit opens as computed.
    await page.goto(`${stack.webUrl}/learn/circuit?c=toy-singular`);
    await expect.poll(stats, poll).toMatch(/^showing 15 of 15 nodes/);
    expect(await page.getByText('Restored your unsaved edits').count()).toBe(0);
    await page.close();
  });

  it('signed in without a team of one’s own: a link to create one instead of a team to choose', async () => {
    const lone = await Api.signUp(stack.webUrl, 'lone-learn@lab.org', 'Lone Learner');
    await browser.context.clearCookies();
    await lone.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/learn`);
    const save = page.getByTestId('step-demo').getByTestId('save-to-team');
    await expect.poll(() => save.textContent(), poll).toMatch(/needs a team you are a member of/);
    const create = save.getByRole('link', { name: 'create a team' });
    expect(await create.getAttribute('href')).toBe('/');
    expect(await save.getByLabel('Team to save to').count()).toBe(0);
    await save.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'artifacts/labeling-small/3-save-to-team-no-team.png' });
    await page.close();
  });

  it('signed in: the demo circuit is saved to a team and opens in its editor', async () => {
    const ada = await Api.signUp(stack.webUrl, 'ada-learn@lab.org', 'Ada Learner');
    await ada.ok('mutation { createTeam(input: { name: "Agreement lab" }) { id } }');
    await browser.context.clearCookies();
    await ada.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    // Ada's teams are held back a moment: meanwhile the team control says it is loading, not an empty list.
    const releaseTeams = await holdOperation(page, 'MyTeams');
    await page.goto(`${stack.webUrl}/learn`);
    const step = page.getByTestId('step-demo');
    const teamControl = step.getByLabel('Team to save to');
    await teamControl.waitFor(poll);
    expect(await teamControl.isDisabled()).toBe(true);
    expect(await teamControl.textContent()).toBe('loading teams…');
    expect(await step.getByRole('button', { name: 'Save to team' }).isDisabled()).toBe(true);
    await step.getByTestId('save-to-team').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'artifacts/labeling-small/2-save-to-team-loading.png' });
    releaseTeams();
    await expect.poll(() => teamControl.textContent(), poll).toBe('Agreement lab');
    expect(await teamControl.isDisabled()).toBe(false);
    await page.unrouteAll();
    await step.getByRole('button', { name: 'Save to team' }).click(poll);
    await page.waitForURL(/\/c\/[^/?]+$/, poll);
    await expect.poll(() => page.getByTestId('circuit-title').textContent(), poll).toBe('The cat runs / The cats run');
    await expect.poll(() => page.getByTestId('version-label').textContent(), poll).toMatch(/^v1/);
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing \d+ of \d+ nodes/);
    await page.screenshot({ path: `${SHOTS}/7-saved-to-team.png` });

    // From the editor, the edits go with it: the toy with its error node hidden, its nodes named as on /learn.
    await page.goto(`${stack.webUrl}/learn/circuit?c=toy-singular`);
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing 15 of 15 nodes/);
    await page.locator('.react-flow__node', { hasText: 'SAE error' }).click();
    await page.getByRole('toolbar').getByRole('button', { name: 'Hide', exact: true }).click();
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing 14 of 15 nodes/);
    await page.getByTestId('standalone-notice').getByRole('button', { name: 'Save to team' }).click();
    await page.waitForURL(/\/c\/[^/?]+$/, poll);
    await expect.poll(() => page.getByTestId('graph-stats').textContent(), poll).toMatch(/^showing 14 of 14 nodes/);
    expect(await page.locator('.react-flow__node', { hasText: 'x₀ singular cue' }).count()).toBe(1);
    await page.close();
  });
});
