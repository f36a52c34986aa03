import { mkdir } from 'node:fs/promises';
import { computePromptGraph } from '@workbench/analysis';
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
});
