import { join } from 'node:path';
import { loadSae, referenceEncode } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../apps/server/src/testing/graphql-client.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { type Stack, startStack } from '../support/stack.js';

// The bundled demo model and its SAE at blocks.1.hook_resid_post, as a user on a fresh install sees them.
const DEMO = new URL('../../packages/analysis/assets/demo/', import.meta.url).pathname;
const fixture = { saeHook: 'blocks.1.hook_resid_post', saeDir: join(DEMO, 'saes', 'blocks.1.hook_resid_post') };
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('feature explorer in real Chromium', () => {
  it('encodes the server’s activations with onnxruntime-web (2 threads), matching the float64 reference', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${stack.webUrl}/explore`);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    const text = 'The girls behind the tree';
    await page.getByLabel('SAE').selectOption(`demo/${fixture.saeHook}`);
    await page.getByLabel('Text').fill(text);
    await page.getByRole('button', { name: 'Show features' }).click();
    await page.getByTestId('explorer-result').waitFor();
    const tokens = await page.getByTestId('token').allTextContents();
    expect(tokens.map((t) => t.replace(/\u00a0/g, ' '))).toEqual([
      '<|endoftext|>',
      'The',
      ' girls',
      ' behind',
      ' the',
      ' tree',
    ]);

    // The reference: the same activations from the API, encoded in float64 here.
    const data = await new TestClient(stack.apiUrl).ok<{ activations: { data: string; shape: number[] } }>(
      'query($h: String!, $t: String!, $s: ID) { activations(model: "demo", hook: $h, text: $t, sae: $s) { data shape } }',
      { h: fixture.saeHook, t: text, s: `demo/${fixture.saeHook}` },
    );
    const raw = Buffer.from(data.activations.data, 'base64');
    const x = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const rows = data.activations.shape[0]!;
    const sae = await loadSae(fixture.saeDir);
    const reference = referenceEncode(sae, x, rows).features;
    const maxPerFeature = Array.from({ length: sae.config.dSae }, (_, f) =>
      Math.max(...Array.from({ length: rows }, (_, t) => reference[t * sae.config.dSae + f]!)),
    );

    const shown = await page
      .getByTestId('top-features')
      .getByTestId('feature-row')
      .evaluateAll((rowsEls) => rowsEls.map((r) => [Number(r.dataset.feature), Number(r.dataset.value)] as const));
    expect(shown.length).toBeGreaterThan(3);
    const expectedOrder = maxPerFeature
      .map((v, f) => [f, v] as const)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, shown.length);
    expect(shown.map(([f]) => f)).toEqual(expectedOrder.map(([f]) => f));
    for (const [feature, value] of shown) expect(Math.abs(value - maxPerFeature[feature]!)).toBeLessThan(1e-4);

    // Two threads: the page is cross-origin isolated, so ORT may use SharedArrayBuffer workers.
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');

    // A reload encodes from Cache Storage: the encoder is not downloaded again.
    const encoderRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/sae-encoder/')) encoderRequests.push(r.url());
    });
    await page.reload();
    await page.getByRole('button', { name: 'Show features' }).click();
    await page.getByTestId('explorer-result').waitFor();
    expect(encoderRequests).toEqual([]);

    // Dashboards computed by a job (as a signed-in user would start it), shown on the feature page.
    const user = await TestClient.signUp(stack.apiUrl, 'explorer@lab.org');
    const { computeDashboards } = await user.ok<{ computeDashboards: { id: string } }>(
      `mutation { computeDashboards(model: "demo", sae: "demo/${fixture.saeHook}", maxContexts: 40) { id } }`,
    );
    expect((await user.waitForJob(computeDashboards.id)).status).toBe('SUCCEEDED');

    // A public label on the top feature shows beside it when the text runs again (signed out: public labels only).
    const { createTeam } = await user.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Explorers" }) { id } }',
    );
    await user.ok('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
      i: {
        teamId: createTeam.id,
        modelId: 'demo',
        saeId: `demo/${fixture.saeHook}`,
        featureIndex: shown[0]![0],
        name: 'plural subject',
        visibility: 'PUBLIC',
      },
    });
    await page.getByRole('button', { name: 'Show features' }).click();
    const firstRow = page.getByTestId('top-features').getByTestId('feature-row').first();
    await expect.poll(() => firstRow.getByTestId('feature-label').textContent()).toBe('plural subject proposed');

    // A token's own top features, and click-through to the feature page.
    await page.getByTestId('token').nth(2).click();
    await page.getByTestId('token-features').waitFor();
    await page.screenshot({ path: 'artifacts/explorer.png' });
    const first = shown[0]![0];
    await page
      .getByTestId('top-features')
      .getByRole('link', { name: `#${first}` })
      .click();
    await page.waitForURL(`**/models/demo/demo/${encodeURIComponent(fixture.saeHook)}/${first}`);
    await page.getByTestId('feature-dashboard').waitFor();
    expect(await page.getByTestId('dashboard-context').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'artifacts/explorer-feature.png' });

    // Words outside a word-level vocabulary are pointed out.
    await page.goto(
      `${stack.webUrl}/explore?${new URLSearchParams({ sae: `demo/${fixture.saeHook}`, text: 'The zyxwv' })}`,
    );
    await page.getByRole('button', { name: 'Show features' }).click();
    await expect
      .poll(() => page.getByTestId('unknown-tokens').textContent())
      .toContain("1 word is not in demo's vocabulary");
    expect(errors).toEqual([]);
  });
});
