// The dashboards job on a GPT-2 whose output embedding is its own (tie_word_embeddings: false): the logit effects
// must come from lm_head.weight. Before, the job always read wte.weight, so such a model's "promoted tokens" were
// those of its input embedding.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSae } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { type TinyModelFixture, writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';

let dir: string;
let fixture: TinyModelFixture;
let stack: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-untied-'));
  fixture = await writeTinyModelFixture(dir, 8, { untied: true });
  stack = await startTestApp({
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The largest logit a feature's decoder direction writes, in float64 over the whole vocabulary of `unembedding`. */
function topLogit(direction: ArrayLike<number>, unembedding: Float32Array, dModel: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < unembedding.length / dModel; v++) {
    let sum = 0;
    for (let i = 0; i < dModel; i++) sum += direction[i]! * unembedding[v * dModel + i]!;
    best = Math.max(best, sum);
  }
  return best;
}

describe('dashboards of an untied GPT-2', () => {
  it('take their logit effects from lm_head.weight, not wte.weight', async () => {
    const user = await TestClient.signUp(stack.app.url, 'untied@lab.org');
    const sae = `demo/${fixture.saeHook}`;
    const { computeDashboards } = await user.ok<{ computeDashboards: { id: string } }>(
      'mutation($s: ID!) { computeDashboards(model: "demo", sae: $s, maxContexts: 8) { id } }',
      { s: sae },
    );
    expect(await user.waitForJob(computeDashboards.id)).toMatchObject({ status: 'SUCCEEDED' });

    const { weights } = await loadSae(fixture.saeDir);
    const dModel = fixture.config.dModel;
    const lmHead = fixture.weights.get('lm_head.weight')!;
    const wte = fixture.weights.get('wte.weight')!;
    expect(lmHead).toBeDefined();
    let discriminating = 0;
    for (let f = 0; f < 8; f++) {
      const { featureDashboard } = await user.ok<{ featureDashboard: { topLogits: { value: number }[] } }>(
        'query($s: ID!, $f: Int!) { featureDashboard(sae: $s, featureIndex: $f) { topLogits } }',
        { s: sae, f },
      );
      const direction = weights.W_dec.subarray(f * dModel, (f + 1) * dModel);
      const expected = topLogit(direction, lmHead, dModel);
      // Stored to three decimals.
      expect(featureDashboard.topLogits[0]!.value).toBeCloseTo(expected, 2);
      if (Math.abs(topLogit(direction, wte, dModel) - expected) > 1e-2) discriminating++;
    }
    // The two embeddings differ enough that reading the wrong one would have failed the check above.
    expect(discriminating).toBeGreaterThanOrEqual(6);
  });
});
