import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CircuitFile, computePromptGraph, validateNeuronpediaGraph } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// A one-prompt attribution graph of the demo model (its bundled transcoders), stored as a circuit through the API and
// opened in the viewer as a researcher would: token columns, the kept features, the logits with their labels.
let stack: Stack;
let browser: Browser;
let api: Api;
let teamId: string;

beforeAll(async () => {
  await mkdir('artifacts/prompt-graph', { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
  api = await Api.signUp(stack.webUrl, 'graphs@lab.org', 'Gita Graph');
  teamId = (await api.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Graphs" }) { id } }'))
    .createTeam.id;
  await api.signInBrowser(browser.context);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('a one-prompt attribution graph', () => {
  it('is stored as a circuit and opens in the viewer with its tokens, features and logits', async () => {
    const { circuit } = await computePromptGraph({
      model: 'demo',
      transcoders: 'demo',
      prompt: 'The cats near the tree',
    });
    const { createCircuit } = await api.ok<{ createCircuit: { slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
      { i: { teamId, title: 'The cats near the tree (attribution graph)', graph: circuit } },
    );
    const { circuit: stored } = await api.ok<{ circuit: { version: { graph: typeof circuit } } }>(
      'query($s: String!) { circuit(slug: $s) { version { graph } } }',
      { s: createCircuit.slug },
    );
    expect(stored.version.graph.method.kind).toBe('graph');
    expect(stored.version.graph.nodes).toHaveLength(circuit.nodes.length);

    const page = await browser.context.newPage();
    await page.goto(`${stack.webUrl}/c/${createCircuit.slug}`);
    await page.locator('.react-flow__node').first().waitFor();
    await page.waitForTimeout(600);
    expect(await page.locator('.react-flow__node').count()).toBeGreaterThanOrEqual(circuit.nodes.length / 2);
    const text = await page.locator('.react-flow').textContent();
    // the prompt's tokens and the most probable next token (a logit node) are on screen
    expect(text).toContain('cats');
    const top = circuit.nodes.filter((n) => n.kind === 'output').sort((a, b) => b.probability! - a.probability!)[0]!;
    expect(text).toContain(top.label!.trim());
    // The quality panel speaks of the graph's own scores, targets and pruning, not of prompt pairs.
    const quality = page.getByTestId('circuit-quality');
    const replacement = circuit.metrics.replacementScore!;
    expect(await quality.getByTestId('quality-replacement').textContent()).toContain(replacement.toFixed(2));
    expect(await quality.getByTestId('quality-method').textContent()).toContain('attribution graph of one prompt');
    expect(await quality.getByTestId('quality-logits').textContent()).toContain(
      `“${top.label}” ${top.probability!.toFixed(2)}`,
    );
    expect(await quality.getByTestId('quality-prompt').textContent()).toBe('“The cats near the tree”');
    expect(await quality.textContent()).not.toContain('Prompt pairs');
    await page.screenshot({ path: 'artifacts/prompt-graph/demo-graph.png' });
  });

  it('is started from the circuit form, followed to the viewer and drawn with its tokens, transcoder features and logits', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.webUrl}/circuits/new`);
    await page.getByLabel('One prompt (attribution graph)').check();
    const fields = page.getByTestId('graph-fields');
    await fields.waitFor();
    // The demo model's transcoder set is offered by default, with circuit-tracer's pruning defaults explained.
    expect(
      await page
        .getByRole('combobox', { name: /^Model/ })
        .locator('option:checked')
        .textContent(),
    ).toBe('demo (4 transcoders)');
    expect(await page.getByRole('combobox', { name: /^Transcoders/ }).inputValue()).toBe('demo');
    expect(await page.getByRole('combobox', { name: /^Transcoders/ }).textContent()).toContain(
      '4 layers, TopK k=16, 1,024 features each',
    );
    expect(await page.getByLabel('Node threshold').inputValue()).toBe('0.8');
    expect(await page.getByLabel('Edge threshold').inputValue()).toBe('0.98');
    expect(await page.getByLabel('Feature nodes at most').inputValue()).toBe('7500');
    expect(await fields.textContent()).toContain('80% of the influence on the logits');
    await page.getByLabel('Prompt', { exact: true }).fill('The dogs behind the house');
    await page.getByLabel('Title').fill('Dogs, one prompt');
    await page.screenshot({ path: 'artifacts/prompt-graph/form.png', fullPage: true });
    await page.getByRole('button', { name: 'Compute graph' }).click();
    await page.waitForURL('**/c/*', { timeout: 120_000 });
    const slug = new URL(page.url()).pathname.split('/')[2]!;
    const { circuit } = await api.ok<{
      circuit: { title: string; version: { message: string; graph: CircuitFile } };
    }>('query($s: String!) { circuit(slug: $s) { title version { message graph } } }', { s: slug });
    expect(circuit.title).toBe('Dogs, one prompt');
    const { graph } = circuit.version;
    expect(graph.method.kind).toBe('graph');
    expect(graph.dataset.prompt).toBe('The dogs behind the house');
    await page.locator('.react-flow__node').first().waitFor();
    await page.waitForTimeout(800);

    // One prompt: its tokens head the columns, none marked as differing from a patched prompt.
    const headers = page.getByTestId('token-header');
    expect(await headers.count()).toBe(graph.dataset.promptTokens!.length);
    expect(await page.locator('[data-testid="token-header"].differs').count()).toBe(0);
    expect(await page.getByTestId('token-headers').textContent()).not.toContain('→');
    // Rows: the logits on top, then the MLP rows of the transcoders, the token embeddings at the bottom.
    const rows = await page.getByTestId('row-label').allTextContents();
    expect(rows[0]).toBe('outputs');
    expect(rows).toContain('L3 mlp');
    expect(rows.at(-1)).toBe('inputs');
    // Nodes and edges are drawn; the features wear the transcoder badge, the logits and embeddings theirs.
    expect(await page.locator('.react-flow__node').count()).toBeGreaterThan(5);
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(5);
    const badges = await page.getByTestId('node-type-badge').allTextContents();
    for (const badge of ['TC', 'LOGIT', 'EMB']) expect(badges).toContain(badge);
    expect(badges).not.toContain('SAE');
    expect(badges).not.toContain('METRIC');
    const top = graph.nodes.filter((n) => n.kind === 'output').sort((a, b) => b.probability! - a.probability!)[0]!;
    expect(await page.getByTestId('quality-logits').textContent()).toContain(
      `“${top.label}” ${top.probability!.toFixed(2)}`,
    );
    expect(await page.getByTestId('quality-replacement').textContent()).toContain(
      graph.metrics.replacementScore!.toFixed(2),
    );
    expect(await page.getByTestId('quality-graph-completeness').textContent()).toContain(
      graph.metrics.completenessScore!.toFixed(2),
    );
    // Nothing is missing (no read-only notice); evaluation by ablation says why it does not apply.
    expect(await page.getByTestId('evaluate-selection').getAttribute('title')).toMatch(/no prompt pairs/);
    expect(await page.locator('.notice', { hasText: 'does not have' }).count()).toBe(0);
    await page.mouse.move(5, 400);
    await expect.poll(() => page.getByTestId('node-hover-card').count()).toBe(0);
    await page.screenshot({ path: 'artifacts/prompt-graph/form-graph.png' });

    // Logits and embeddings read as their tokens, the logits with their probabilities.
    const titles = await page.locator('.fnode-title').allTextContents();
    expect(titles).toContain(`logit “${top.label}”`);
    expect(titles).toContain('embed “ dogs”');

    // A transcoder feature's hover card says why it has no feature page.
    await page.mouse.move(5, 400);
    await expect.poll(() => page.getByTestId('node-hover-card').count()).toBe(0);
    const feature = graph.nodes
      .filter((n) => n.kind === 'feature')
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0]!;
    const node = page.locator(`.react-flow__node[data-id="${feature.id}"]`);
    await node.hover();
    const card = page.getByTestId('node-hover-card');
    await card.waitFor();
    expect(await card.getByTestId('hover-node-kind').textContent()).toMatch(
      /^Transcoder features have no feature pages/,
    );
    await page.screenshot({ path: 'artifacts/prompt-graph/hover-transcoder.png' });
    await page.mouse.move(5, 400);

    // The inspector says the same, and the team labels the feature as it would an SAE's: the node shows the label.
    await node.click();
    expect(await page.getByTestId('no-feature-page').textContent()).toMatch(
      /^Transcoder features have no feature pages/,
    );
    await page.getByLabel('Label name').fill('plural subject (dogs)');
    await page.getByRole('form', { name: 'Propose a label' }).getByRole('button').first().click();
    await expect.poll(() => node.textContent(), { timeout: 15_000 }).toContain('plural subject (dogs)');
    await page.screenshot({ path: 'artifacts/prompt-graph/inspector-label.png' });
    await page.keyboard.press('Escape');

    // Export as circuit-tracer / Neuronpedia JSON: valid against the bundled schema, and it imports as a circuit again.
    await page.locator('summary', { hasText: 'Export' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Neuronpedia / circuit-tracer JSON' }).click(),
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'prompt-graph-'));
    try {
      const file = join(dir, 'dogs.attribution-graph.json');
      await download.saveAs(file);
      const exported = JSON.parse(await readFile(file, 'utf8'));
      validateNeuronpediaGraph(exported, 'the editor export');
      expect(exported.nodes).toHaveLength(graph.nodes.length);
      const { createCircuit } = await api.ok<{ createCircuit: { slug: string } }>(
        'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
        { i: { teamId, title: 'Dogs, imported', graph: { nodes: [{ id: 'x' }], edges: [] } } },
      );
      await page.goto(`${stack.webUrl}/c/${createCircuit.slug}`);
      await page.locator('.react-flow__node').first().waitFor();
      await page.getByTestId('import-version-file').setInputFiles(file);
      await expect
        .poll(() => page.getByTestId('graph-stats').textContent())
        .toMatch(new RegExp(`of ${graph.nodes.length} nodes · \\d+ of ${graph.edges.length} edges`));
      expect(await page.getByTestId('quality-replacement').textContent()).toContain(
        graph.metrics.replacementScore!.toFixed(2),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(errors).toEqual([]);
  });
});
