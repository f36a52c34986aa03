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
  dir = await mkdtemp(join(tmpdir(), 'methods-'));
  await writeTinyModelFixture(dir, 8, { circuitHooks: true });
  stack = await startStack({ apiEnv: { DEMO_DIR: dir } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('circuit form methods', () => {
  it('lists every method with its cost and agreement, and computes with fast integrated gradients and exact patching', async () => {
    const api = await Api.signUp(stack.webUrl, 'methods@lab.org', 'Mo Methods');
    await api.ok('mutation { createTeam(input: { name: "Lab" }) { id } }');
    await api.signInBrowser(browser.context);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${stack.webUrl}/circuits/new`);
    const method = page.getByLabel('Method');
    expect(await method.locator('option').allTextContents()).toEqual([
      'Integrated gradients (10 steps)',
      'Integrated gradients (4 steps, fast)',
      'Attribution patching (fastest)',
      'Exact patching (slow; small models)',
    ]);
    const note = page.locator('#method-note');
    await expect.poll(() => note.textContent()).toMatch(/exact patching on the residual stream/);
    const text = (await note.textContent()) ?? '';
    // bench:attribution's figures on the demo model (README, Benchmarks).
    for (const figure of ['0.84; 73% and 94%', '0.81; 75% and 95%', '0.98, yet 15% and 70%', '58% and 91%'])
      expect(text).toContain(figure);
    await expect.poll(() => page.getByRole('button', { name: 'Compute circuit' }).isEnabled()).toBe(true);
    await page.screenshot({ path: 'artifacts/circuit-methods/form.png', fullPage: true });

    const compute = async (choice: string, title: string) => {
      await page.goto(`${stack.webUrl}/circuits/new`);
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('My own pair').check();
      await page.getByLabel('Clean prompt').fill('The girl behind the tree');
      await page.getByLabel('Patched prompt').fill('The girls behind the tree');
      await page.getByLabel('Method').selectOption(choice);
      await page.getByLabel('Node threshold').fill('0');
      await page.getByRole('button', { name: 'Compute circuit' }).click();
      await page.waitForURL('**/c/*', { timeout: 120_000 });
      const slug = new URL(page.url()).pathname.split('/')[2]!;
      const { circuit } = await api.ok<{
        circuit: { title: string; version: { graph: { method: { kind: string; steps: number } } } };
      }>('query($s: String!) { circuit(slug: $s) { title version { graph } } }', { s: slug });
      expect(circuit.title).toBe(title);
      return circuit.version.graph.method;
    };
    expect(await compute('ig-fast', 'Fast IG')).toMatchObject({ kind: 'ig', steps: 4 });
    expect(await compute('exact', 'Exact')).toMatchObject({ kind: 'exact', steps: 1 });
    await page.locator('.react-flow__node').first().waitFor();
    await page.screenshot({ path: 'artifacts/circuit-methods/exact-circuit.png' });
    expect(errors).toEqual([]);
  }, 300_000);
});
