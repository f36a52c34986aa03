import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModelFixture } from '../../apps/server/src/testing/fixtures.js';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// A tiny random model with SAEs at every attn_out, mlp_out and resid_post stands in for the demo model.
let dir: string;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'builder-'));
  await writeTinyModelFixture(dir, 8, { circuitHooks: true });
  stack = await startStack({ apiEnv: { DEMO_DIR: dir } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('circuit builder', () => {
  it('computes a circuit for a prompt pair with live progress, lands in the editor and scores a selection', async () => {
    const api = await Api.signUp(stack.webUrl, 'builder@lab.org', 'Bea Builder');
    const { createTeam } = await api.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Agreement" }) { id } }',
    );
    await api.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${stack.webUrl}/circuits/new`);
    await page.getByLabel('My own pair').check();
    await page.getByLabel('Clean prompt').fill('The girl behind the tree');
    await page.getByLabel('Patched prompt').fill('The girls behind the tree');
    await page.getByLabel('Method').selectOption('atp');
    await page.getByLabel('Node threshold').fill('0');
    await page.getByRole('button', { name: 'Compute circuit' }).click();
    await page.waitForURL('**/c/*', { timeout: 120_000 });
    const slug = new URL(page.url()).pathname.split('/')[2]!;
    type CircuitNode = {
      id: string;
      kind: string;
      hook: string;
      layer: number | null;
      feature: number | null;
      position: number | null;
      effect: number;
    };
    const { circuit } = await api.ok<{
      circuit: {
        title: string;
        version: {
          graph: { model: { name: string }; saes: { hook: string; id?: string }[]; nodes: CircuitNode[] };
          message: string;
        };
      };
    }>('query($s: String!) { circuit(slug: $s) { title version { graph message } } }', { s: slug });
    expect(circuit.title).toBe('Subject-verb agreement');
    expect(circuit.version.message).toMatch(/custom, 1 pairs, atp/);
    const { graph } = circuit.version;
    expect(graph.nodes.length).toBeGreaterThan(0);
    // The file names SAEs by their workbench ids, never by the server's folders.
    expect(graph.saes.every((sae) => sae.id === `${graph.model.name}/${sae.hook}`)).toBe(true);
    expect(JSON.stringify(graph)).not.toContain(dir);

    // Score a hand-picked selection in the editor: two nodes, everything else mean-ablated.
    const nodes = page.locator('.react-flow__node');
    await nodes.first().waitFor();
    await nodes.nth(0).click();
    await nodes.nth(1).click({ modifiers: ['Control'] });
    await page.getByRole('button', { name: 'Evaluate selection' }).click();
    await expect
      .poll(() => page.getByTestId('evaluation-result').textContent(), { timeout: 60_000 })
      .toMatch(/^2 nodes: faithfulness -?\d+\.\d{3}, completeness -?\d+\.\d{3}$/);
    // What the page shows is the API's score for the same two nodes, not some other selection's.
    const selected = await Promise.all([0, 1].map((i) => nodes.nth(i).getAttribute('data-id')));
    const { circuit: ids } = await api.ok<{ circuit: { id: string } }>(
      'query($s: String!) { circuit(slug: $s) { id } }',
      {
        s: slug,
      },
    );
    const { evaluateSelection } = await api.ok<{ evaluateSelection: { id: string } }>(
      'mutation($c: ID!, $n: [String!]!) { evaluateSelection(circuitId: $c, version: 1, nodeIds: $n) { id } }',
      { c: ids.id, n: selected },
    );
    const scored = await api.waitForJob(evaluateSelection.id);
    const { faithfulness, completeness } = scored.result as { faithfulness: number; completeness: number };
    expect(await page.getByTestId('evaluation-result').textContent()).toBe(
      `2 nodes: faithfulness ${faithfulness.toFixed(3)}, completeness ${completeness.toFixed(3)}`,
    );

    // A label proposed for the strongest feature shows on its node, and the inspector links to the feature page.
    const strongest = graph.nodes
      .filter((n) => n.kind === 'feature')
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0]!;
    const saeId = graph.saes.find((sae) => sae.hook === strongest.hook)!.id!;
    await api.ok('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
      i: {
        teamId: createTeam.id,
        modelId: graph.model.name,
        saeId,
        featureIndex: strongest.feature,
        name: 'number of the subject',
      },
    });
    await page.reload();
    const strongestNode = page.locator(`.react-flow__node[data-id="${strongest.id}"]`);
    await expect.poll(() => strongestNode.textContent(), { timeout: 15_000 }).toContain('number of the subject');
    // Under the label: which feature it is and where ("L1 resid #12 · “ girl” @2").
    const sublayer = strongest.hook
      .split('.')
      .at(-1)!
      .replace(/^hook_/, '')
      .replace(/_(out|post)$/, '');
    const subtitle = await strongestNode.locator('.fnode-sub').textContent();
    expect(subtitle).toContain(`L${strongest.layer} ${sublayer} #${strongest.feature}`);
    expect(subtitle).toContain(`@${strongest.position}`);
    await page.goto(`${stack.webUrl}/c/${slug}?sel=${encodeURIComponent(strongest.id)}`);
    expect(await page.getByTestId('feature-link').getAttribute('href')).toBe(
      `/models/${graph.model.name}/${saeId}/${strongest.feature}`,
    );
    // With a node selected its edges stand out and the others fade; another node is still one Ctrl+click away.
    await expect.poll(() => page.locator('.react-flow__edge.edge-of-selection').count()).toBeGreaterThan(0);
    const other = page.locator(`.react-flow__node:not([data-id="${strongest.id}"])`).first();
    const otherId = (await other.getAttribute('data-id'))!;
    await other.click({ modifiers: ['Control'], timeout: 5000 });
    await expect
      .poll(() => new URL(page.url()).searchParams.get('sel')?.split(',').map(decodeURIComponent).sort())
      .toEqual([strongest.id, otherId].sort());
    expect(errors).toEqual([]);
  });
});
