import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// The viewer as a researcher meets it: circuits computed on the bundled demo model open as a readable figure.
let stack: Stack;
let browser: Browser;
let api: Api;
let teamId: string;

beforeAll(async () => {
  await mkdir('artifacts/circuit-viewer', { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
  api = await Api.signUp(stack.webUrl, 'viewer@lab.org', 'Vera Viewer');
  teamId = (
    await api.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Agreement" }) { id } }')
  ).createTeam.id;
  await api.signInBrowser(browser.context);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface CircuitNode {
  id: string;
  kind: string;
  effect: number;
}
interface CircuitGraph {
  nodes: CircuitNode[];
  dataset: { promptTokens: string[]; patchTokens?: string[] };
  metrics: { faithfulness: number | null };
}

/** Computes a circuit on the demo model through the API and returns its slug and graph. */
async function computeCircuit(input: Record<string, unknown>): Promise<{ slug: string; graph: CircuitGraph }> {
  const { startCircuitJob } = await api.ok<{ startCircuitJob: { id: string } }>(
    'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
    { i: { teamId, model: 'demo', ...input } },
  );
  const job = await api.waitForJob(startCircuitJob.id, 150_000);
  expect(job.error ?? null).toBeNull();
  const slug = job.result!.slug as string;
  const { circuit } = await api.ok<{ circuit: { version: { graph: CircuitGraph } } }>(
    'query($s: String!) { circuit(slug: $s) { version { graph } } }',
    { s: slug },
  );
  return { slug, graph: circuit.version.graph };
}

async function openCircuit(page: Page, slug: string) {
  await page.goto(`${stack.webUrl}/c/${slug}`);
  await page.locator('.react-flow__node').first().waitFor();
  // The fit animation after layout settles.
  await page.waitForTimeout(600);
}

describe('circuit viewer', () => {
  it('opens a nounpp circuit as a figure: token columns, layer rows, the strongest nodes, names readable', async () => {
    const { slug, graph } = await computeCircuit({
      title: 'nounpp on the demo model',
      dataset: 'nounpp',
      n: 6,
      method: 'ig',
      steps: 4,
      nodeThreshold: 0.005,
      edgeThreshold: 0.005,
    });
    const total = graph.nodes.length;
    expect(total).toBeGreaterThan(60);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openCircuit(page, slug);
    await page.screenshot({ path: 'artifacts/circuit-viewer/opens.png' });

    // Columns are headed by the prompt's tokens, the differing one marked "boy→boys".
    const headers = page.getByTestId('token-header');
    expect(await headers.count()).toBe(graph.dataset.promptTokens.length);
    const differs = page.locator('[data-testid="token-header"].differs');
    expect(await differs.count()).toBeGreaterThanOrEqual(1);
    expect(await differs.first().textContent()).toMatch(/→/);
    // Rows are named on the left, the metric on top.
    const rows = await page.getByTestId('row-label').allTextContents();
    expect(rows[0]).toBe('metric');
    expect(rows.some((r) => /^L\d (attn|mlp|resid)$/.test(r))).toBe(true);

    // Default pruning: the strongest nodes only, and it says so.
    const stats = (await page.getByTestId('graph-stats').textContent())!;
    const [shown, of] = /showing (\d+) of (\d+) nodes/.exec(stats)!.slice(1).map(Number) as [number, number];
    expect(of).toBe(total);
    expect(shown).toBeLessThanOrEqual(62);
    expect(shown).toBeLessThan(total);
    expect(await page.getByTestId('circuit-node').count()).toBe(shown);
    // The strongest feature is among them.
    const strongest = graph.nodes
      .filter((n) => n.kind === 'feature')
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0]!;
    await page.locator(`.react-flow__node[data-id="${strongest.id}"]`).waitFor();

    // Every node's name is readable at the fit zoom: at least 8 px on screen, not hidden, not cut to nothing.
    const legibility = await page.evaluate(() => {
      const viewport = document.querySelector<HTMLElement>('.react-flow__viewport')!;
      const zoom = new DOMMatrixReadOnly(getComputedStyle(viewport).transform).a;
      return Array.from(document.querySelectorAll<HTMLElement>('.fnode-title')).map((title) => {
        const style = getComputedStyle(title);
        return {
          px: Number.parseFloat(style.fontSize) * zoom,
          transparent: style.color === 'rgba(0, 0, 0, 0)',
          text: title.textContent ?? '',
          visible: title.getBoundingClientRect().width > 20,
        };
      });
    });
    expect(legibility.length).toBe(shown);
    for (const title of legibility) {
      expect(title.px).toBeGreaterThanOrEqual(8);
      expect(title.transparent).toBe(false);
      expect(title.visible).toBe(true);
      expect(title.text).toMatch(/^(metric|L\d \w+ (#\d+|error)|embed (#\d+|error))$/);
    }

    // One control shows more, re-laid out and refitted.
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect
      .poll(async () => Number(/showing (\d+)/.exec((await page.getByTestId('graph-stats').textContent())!)![1]))
      .toBeGreaterThan(shown);
    await page.waitForTimeout(600);
    await page.screenshot({ path: 'artifacts/circuit-viewer/show-more.png' });
    expect(errors).toEqual([]);
  });
});
