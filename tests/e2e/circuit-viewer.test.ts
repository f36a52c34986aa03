import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { seededRandom } from '../support/random.mjs';
import { type Stack, startStack } from '../support/stack.js';

// The viewer as a researcher meets it: circuits computed on the bundled demo model open as a readable figure.
let stack: Stack;
let browser: Browser;
let api: Api;
let teamId: string;
/** The nounpp circuit the first test computes; the later ones open it again. */
let nounpp: { slug: string; graph: CircuitGraph };

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
  hook: string;
  feature: number | null;
  effect: number;
}
interface CircuitGraph {
  nodes: CircuitNode[];
  saes: { hook: string; id: string }[];
  model: { name: string };
  dataset: { promptTokens: string[]; patchTokens?: string[] };
  method: Record<string, unknown>;
  metrics: Record<string, unknown> & { faithfulness: number | null };
  [key: string]: unknown;
}

const strongestFeature = (graph: CircuitGraph) =>
  graph.nodes.filter((n) => n.kind === 'feature').sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0]!;

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
    nounpp = { slug, graph };
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
    const strongest = strongestFeature(graph);
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

  it("shows a feature's evidence on hover, labels it from the inspector, and selects with Ctrl+A and Shift+click", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openCircuit(page, nounpp.slug);
    const strongest = strongestFeature(nounpp.graph);
    const node = page.locator(`.react-flow__node[data-id="${strongest.id}"]`);

    // An SAE without dashboards: its features' cards say so, and the inspector offers to compute them.
    const saeOf = (hook: string) => nounpp.graph.saes.find((sae) => sae.hook === hook)!.id;
    const shownIds = await page.locator('.react-flow__node').evaluateAll((nodes) => nodes.map((n) => n.dataset.id));
    const elsewhere = nounpp.graph.nodes.find(
      (n) => n.kind === 'feature' && n.hook !== strongest.hook && shownIds.includes(n.id),
    )!;
    const elsewhereNode = page.locator(`.react-flow__node[data-id="${elsewhere.id}"]`);
    await elsewhereNode.hover();
    const card = page.getByTestId('node-hover-card');
    await expect.poll(() => card.textContent()).toContain('No dashboard yet');
    await elsewhereNode.click();
    await page.getByTestId('node-inspector').getByRole('button', { name: 'Compute dashboards' }).waitFor();
    await page.mouse.move(5, 400);
    await expect.poll(() => card.count()).toBe(0);
    await page.keyboard.press('Escape');

    // With the strongest feature's dashboards computed, its card shows its name, place, effect and evidence.
    const { computeDashboards } = await api.ok<{ computeDashboards: { id: string } }>(
      'mutation($m: ID!, $s: ID!) { computeDashboards(model: $m, sae: $s, maxContexts: 40) { id } }',
      { m: 'demo', s: saeOf(strongest.hook) },
    );
    expect((await api.waitForJob(computeDashboards.id, 150_000)).status).toBe('SUCCEEDED');
    await node.hover();
    await card.waitFor();
    const name = `L${/blocks\.(\d+)/.exec(strongest.hook)![1]}`;
    expect(await card.textContent()).toContain(name);
    expect(await card.textContent()).toContain(`#${strongest.feature}`);
    expect(await card.textContent()).toMatch(/Effect/);
    await card.getByTestId('hover-dashboard').waitFor();
    expect(await card.getByTestId('hover-dashboard').textContent()).toMatch(/Top activations/);
    await page.screenshot({ path: 'artifacts/circuit-viewer/hover-card.png' });
    // The card goes when the pointer leaves node and card.
    await page.mouse.move(5, 400);
    await expect.poll(() => card.count()).toBe(0);

    // The inspector proposes a label for the feature, and the node shows it.
    await node.click();
    await page.getByLabel('Label name').fill('plural subject noun');
    await page.getByRole('form', { name: 'Propose a label' }).getByRole('button').first().click();
    await expect.poll(() => node.textContent(), { timeout: 15_000 }).toContain('plural subject noun');
    await page.screenshot({ path: 'artifacts/circuit-viewer/inspector-label.png' });

    // Shift+click adds to the selection; Ctrl+A selects every visible node.
    const other = page.locator(`.react-flow__node:not([data-id="${strongest.id}"])`).first();
    await other.click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(2);
    await page.locator('.react-flow__pane').click({ position: { x: 300, y: 60 } });
    await page.keyboard.press('Control+a');
    const shown = await page.getByTestId('circuit-node').count();
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(shown);
    expect(errors).toEqual([]);
  });

  it('puts quality on screen, and warns about a circuit whose nodes do not reproduce the behaviour', async () => {
    const page = await browser.context.newPage();
    await openCircuit(page, nounpp.slug);
    const quality = page.getByTestId('circuit-quality');
    const faithfulness = nounpp.graph.metrics.faithfulness!;
    expect(await page.getByTestId('quality-chip').textContent()).toContain(`faithfulness ${faithfulness.toFixed(2)}`);
    expect(await quality.getByTestId('quality-faithfulness').textContent()).toContain(faithfulness.toFixed(2));
    expect(await quality.getByTestId('quality-method').textContent()).toContain('integrated gradients, 4 steps');
    expect(await quality.getByTestId('quality-pairs').textContent()).toMatch(/^6 from nounpp/);

    // The same circuit as attribution patching with faithfulness 0.12 (a stored file, as an import would bring).
    const weak = {
      ...nounpp.graph,
      method: { ...nounpp.graph.method, kind: 'atp', steps: 1 },
      metrics: { ...nounpp.graph.metrics, faithfulness: 0.12, completeness: 0.8 },
    };
    const { createCircuit } = await api.ok<{ createCircuit: { slug: string } }>(
      'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
      { i: { teamId, title: 'A weak atp circuit', graph: weak } },
    );
    await openCircuit(page, createCircuit.slug);
    expect(await page.getByTestId('quality-chip').textContent()).toContain('faithfulness 0.12 ⚠ low');
    const warning = page.getByTestId('quality-warning');
    expect(await warning.textContent()).toContain('Low faithfulness (0.12)');
    expect(await warning.textContent()).toContain('recover 12%');
    expect(await warning.textContent()).toMatch(/integrated gradients/);
    expect(await warning.textContent()).toMatch(/more prompt pairs/);
    await page.screenshot({ path: 'artifacts/circuit-viewer/low-faithfulness.png' });
  });

  it('imports a Neuronpedia graph at its cap (7,500 nodes, 50,000 links), opens it pruned and saves it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'np-graph-'));
    try {
      const file = join(dir, 'neuronpedia-7500.json');
      await writeFile(file, JSON.stringify(neuronpediaGraph(7500, 50_000)));
      const { createCircuit } = await api.ok<{ createCircuit: { slug: string } }>(
        'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
        { i: { teamId, title: 'Imported attribution graph', graph: { nodes: [{ id: 'x' }], edges: [] } } },
      );
      const page = await browser.context.newPage();
      await openCircuit(page, createCircuit.slug);
      await page.getByTestId('import-version-file').setInputFiles(file);
      await expect
        .poll(() => page.getByTestId('graph-stats').textContent(), { timeout: 30_000 })
        .toMatch(/^showing \d+ of 7500 nodes · \d+ of 50000 edges/);
      const shown = Number(/showing (\d+)/.exec((await page.getByTestId('graph-stats').textContent())!)![1]);
      expect(shown).toBeLessThanOrEqual(70);
      // Layers head the rows; prompt tokens head the columns.
      // The headers follow the layout, which may land a frame after the stats line: poll, as for the stats.
      await expect.poll(() => page.getByTestId('row-label').allTextContents(), { timeout: 30_000 }).toContain('L3');
      await expect
        .poll(() => page.getByTestId('token-header').first().textContent(), { timeout: 30_000 })
        .toBe('·tok0');
      await page.screenshot({ path: 'artifacts/circuit-viewer/neuronpedia-7500.png' });
      await page.getByRole('button', { name: 'Save version' }).click();
      await page.getByLabel('Version message').fill('imported from Neuronpedia');
      await page.getByRole('dialog').getByRole('button', { name: 'Save version' }).click();
      await expect.poll(() => page.getByTestId('version-label').textContent(), { timeout: 60_000 }).toBe('v2');
      const { circuit } = await api.ok<{ circuit: { version: { graph: { nodes: unknown[]; edges: unknown[] } } } }>(
        'query($s: String!) { circuit(slug: $s) { version { graph } } }',
        { s: createCircuit.slug },
      );
      expect(circuit.version.graph.nodes).toHaveLength(7500);
      expect(circuit.version.graph.edges).toHaveLength(50_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('imports a circuit-tracer graph of a model this workbench lacks: read-only for analysis, types, pins, no feature links', async () => {
    // The fixture circuit-tracer wrote (gemma-3-1b, Gemma Scope 2 transcoders), with two nodes pinned in its qParams:
    // 3_234_1 has the smallest |influence| of its features, so only its pin draws it.
    const graph = JSON.parse(await readFile('tests/fixtures/graphs/123-gemma-3-1b-pt-gemmascope2-16k.json', 'utf8'));
    graph.qParams.pinnedIds = ['3_234_1', '4_42_1'];
    const dir = await mkdtemp(join(tmpdir(), 'ct-graph-'));
    try {
      const file = join(dir, 'gemma-3-1b-123.json');
      await writeFile(file, JSON.stringify(graph));
      const { createCircuit } = await api.ok<{ createCircuit: { slug: string } }>(
        'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
        { i: { teamId, title: 'circuit-tracer: 123 on gemma-3-1b', graph: { nodes: [{ id: 'x' }], edges: [] } } },
      );
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await openCircuit(page, createCircuit.slug);
      await page.getByTestId('import-version-file').setInputFiles(file);
      await expect.poll(() => page.getByTestId('graph-stats').textContent()).toMatch(/of 57 nodes · \d+ of 221 edges/);
      await page.waitForTimeout(600);

      // It says what this workbench lacks and what still works.
      expect(await page.getByTestId('analysis-notice').textContent()).toBe(
        'This graph was made with gemma-3-1b and the transcoders ' +
          'mwhanna/gemma-scope-2-1b-pt/transcoder_all/width_16k_l0_small_affine, which this workbench does not have: ' +
          'you can read, label, comment, review and vote; feature pages, dashboards and evaluation are unavailable ' +
          'for its 40 features.',
      );
      const evaluate = page.getByTestId('evaluate-selection').getByRole('button');
      expect(await evaluate.isDisabled()).toBe(true);
      expect(await evaluate.getAttribute('title')).toBe(
        'Evaluation needs gemma-3-1b, which this workbench does not have',
      );

      // Each node wears its type; the legend counts them.
      const badgeOf = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`).getByTestId('node-type-badge');
      expect(await badgeOf('4_42_1').textContent()).toBe('CLT');
      expect(await badgeOf('27_236812_3').textContent()).toBe('LOGIT');
      const legend = await page.getByTestId('type-legend').locator('li').allTextContents();
      expect(legend).toEqual(['EMB embedding 4', 'CLT cross-layer transcoder 40', 'ERR error 8', 'LOGIT logit 5']);

      // The file's pins are the editor's: drawn and marked, and in the URL.
      for (const id of ['3_234_1', '4_42_1'])
        await page.locator(`.react-flow__node[data-id="${id}"] .fnode.pinned`).waitFor();
      await expect.poll(() => new URL(page.url()).searchParams.get('pin')).toBe('3_234_1,4_42_1');
      await page.screenshot({ path: 'artifacts/circuit-viewer/circuit-tracer-import.png' });

      // A feature's card and inspector say what it is, and offer no feature page or dashboard.
      const feature = page.locator('.react-flow__node[data-id="4_42_1"]');
      await feature.hover();
      const card = page.getByTestId('node-hover-card');
      await card.waitFor();
      expect(await card.getByTestId('hover-node-type').textContent()).toBe('CLT cross-layer transcoder feature');
      expect(await card.getByTestId('hover-node-kind').textContent()).toMatch(/^No feature page or dashboard here/);
      expect(await card.getByTestId('hover-dashboard').count()).toBe(0);
      await page.screenshot({ path: 'artifacts/circuit-viewer/circuit-tracer-hover.png' });
      await feature.click();
      const inspector = page.getByTestId('node-inspector');
      await inspector.waitFor();
      expect(await inspector.getByTestId('inspector-node-type').textContent()).toBe(
        'CLT cross-layer transcoder feature',
      );
      expect(await inspector.getByTestId('no-feature-page').count()).toBe(1);
      expect(await page.getByTestId('feature-link').count()).toBe(0);
      expect(await page.locator('a[href^="/models/"]').count()).toBe(0);
      expect(await inspector.getByRole('button', { name: 'Compute dashboards' }).count()).toBe(0);
      // Error nodes (circuit-tracer's 'mlp reconstruction error', among the strongest here) wear theirs.
      expect(await page.getByTestId('node-type-badge').filter({ hasText: 'ERR' }).count()).toBeGreaterThan(0);

      // Analysis without the model stays: a label in the circuit, an unpin, a save.
      await inspector.getByLabel('Node label').fill('digit one, early');
      await inspector.getByRole('button', { name: 'Apply' }).click();
      // (● marks the pin.)
      await expect.poll(() => feature.locator('.fnode-title').textContent()).toBe('● digit one, early');
      await inspector.getByRole('button', { name: 'Unpin' }).click();
      await expect.poll(() => feature.locator('.fnode-title').textContent()).toBe('digit one, early');
      await page.screenshot({ path: 'artifacts/circuit-viewer/circuit-tracer-inspector.png' });
      await page.getByRole('button', { name: 'Save version' }).click();
      await page.getByLabel('Version message').fill('imported from circuit-tracer');
      await page.getByRole('dialog').getByRole('button', { name: 'Save version' }).click();
      await expect.poll(() => page.getByTestId('version-label').textContent(), { timeout: 30_000 }).toBe('v2');
      const { circuit } = await api.ok<{
        circuit: { version: { graph: { qParams: { pinnedIds: string[] }; nodes: unknown[] }; annotations: unknown } };
      }>('query($s: String!) { circuit(slug: $s) { version { graph annotations } } }', { s: createCircuit.slug });
      expect(circuit.version.graph.nodes).toHaveLength(57);
      expect(circuit.version.graph.qParams.pinnedIds).toEqual(['3_234_1']);
      expect(circuit.version.annotations).toEqual({ nodes: { '4_42_1': { label: 'digit one, early' } }, edges: {} });

      // Opened again without pins in the URL, the saved version's pin is back.
      await page.goto(`${stack.webUrl}/c/${createCircuit.slug}`);
      await page.locator('.react-flow__node[data-id="3_234_1"] .fnode.pinned').waitFor();
      expect(await page.locator('.fnode.pinned').count()).toBe(1);
      await page.getByTestId('analysis-notice').waitFor();
      await page.waitForTimeout(600);
      await page.screenshot({ path: 'artifacts/circuit-viewer/circuit-tracer-reopened.png' });
      // Close up (full detail), every drawn node wears its type's badge.
      for (let i = 0; i < 7; i++) await page.locator('.react-flow__controls-zoomin').click();
      await page.waitForTimeout(400);
      const drawn = await page.getByTestId('circuit-node').count();
      expect(drawn).toBeGreaterThan(0);
      expect(await page.getByTestId('circuit-node').getByTestId('node-type-badge').count()).toBe(drawn);
      await page.screenshot({ path: 'artifacts/circuit-viewer/circuit-tracer-badges.png' });
      expect(errors).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** An attribution graph in Neuronpedia's format: 12 layers x 8 positions of transcoder features, seeded. */
function neuronpediaGraph(nodeCount: number, linkCount: number) {
  const random = seededRandom(7);
  const layers = 12;
  const byLayer: string[][] = Array.from({ length: layers }, () => []);
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const layer = i % layers;
    const ctx = Math.floor(i / layers) % 8;
    const node_id = `${layer}_${1000 + i}_${ctx}`;
    byLayer[layer]!.push(node_id);
    return {
      node_id,
      feature: 1000 + i,
      layer: String(layer),
      ctx_idx: ctx,
      feature_type: 'cross layer transcoder',
      influence: Number(random().toFixed(4)),
      activation: Number((random() * 10).toFixed(3)),
      clerp: '',
    };
  });
  const links: { source: string; target: string; weight: number }[] = [];
  const seen = new Set<string>();
  while (links.length < linkCount) {
    const from = Math.floor(random() * (layers - 1));
    const source = byLayer[from]![Math.floor(random() * byLayer[from]!.length)]!;
    const target = byLayer[from + 1]![Math.floor(random() * byLayer[from + 1]!.length)]!;
    if (seen.has(`${source}->${target}`)) continue;
    seen.add(`${source}->${target}`);
    links.push({ source, target, weight: Number(((random() - 0.35) * 2).toFixed(4)) });
  }
  return {
    metadata: {
      slug: 'np-7500',
      scan: 'gpt2-small',
      prompt: 'a prompt of eight tokens',
      prompt_tokens: Array.from({ length: 8 }, (_, i) => ` tok${i}`),
    },
    qParams: { pinnedIds: [], supernodes: [] },
    nodes,
    links,
  };
}
