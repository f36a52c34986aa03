import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GPT2Config, loadSae, referenceEncode, referenceForward } from '@workbench/analysis';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';
import { ENCODER_ROWS } from './encoders.js';

let dir: string;
let db: TestDatabase;
let app: RunningApp;
let client: TestClient;
let config: GPT2Config;
let weights: Map<string, Float32Array>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-'));
  ({ config, weights } = await writeTinyModelFixture(dir));
  db = await createTestDatabase();
  app = await startApp({
    database: db.config,
    host: '127.0.0.1',
    port: 0,
    secureCookies: false,
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
  });
  client = new TestClient(app.url);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('models and activations over GraphQL', () => {
  it('lists the bundled model and its SAEs with their conventions and file hashes', async () => {
    const { models } = await client.ok<{
      models: { id: string; nLayers: number; dModel: number; fileHash: string; saes: unknown[] }[];
    }>(
      '{ models { id nLayers dModel fileHash saes { id hook dIn dSae architecture prependBos centerResidual normalize fileHash } } }',
    );
    expect(models).toEqual([
      {
        id: 'demo',
        nLayers: 2,
        dModel: 16,
        fileHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        saes: [
          {
            id: 'demo/blocks.1.hook_resid_post',
            hook: 'blocks.1.hook_resid_post',
            dIn: 16,
            dSae: 8,
            architecture: 'standard',
            prependBos: true,
            centerResidual: true,
            normalize: 'none',
            fileHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ],
      },
    ]);
  });

  it('returns base64 float32 activations that match the float64 reference GPT-2', async () => {
    const text = 'The boys near the car';
    const { activations } = await client.ok<{
      activations: { tokenIds: number[]; tokens: string[]; shape: number[]; dtype: string; data: string };
    }>(
      `query($t: String!) { activations(model: "demo", hook: "blocks.1.hook_resid_post", text: $t) {
        tokenIds tokens shape dtype data } }`,
      { t: text },
    );
    expect(activations.tokens).toEqual(['<|endoftext|>', 'The', ' boys', ' near', ' the', ' car']);
    expect(activations.shape).toEqual([6, 16]);
    expect(activations.dtype).toBe('float32');
    const bytes = Buffer.from(activations.data, 'base64');
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const reference = referenceForward(config, weights, [activations.tokenIds]).hooks.get('blocks.1.hook_resid_post')!;
    expect(values.length).toBe(reference.length);
    let maxDiff = 0;
    for (let i = 0; i < values.length; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i]! - reference[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('applies the SAE’s conventions (centred residual) when an SAE is named', async () => {
    const { activations } = await client.ok<{
      activations: { data: string; centerResidual: boolean; shape: number[] };
    }>(
      `{ activations(model: "demo", hook: "blocks.1.hook_resid_post", text: "The cat", sae: "demo/blocks.1.hook_resid_post") {
        data centerResidual shape } }`,
    );
    expect(activations.centerResidual).toBe(true);
    const bytes = Buffer.from(activations.data, 'base64');
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let row = 0; row < activations.shape[0]!; row++) {
      const mean = values.subarray(row * 16, row * 16 + 16).reduce((a, b) => a + b, 0) / 16;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
    }
  });

  it('names the bad input: unknown model, unknown hook, too many tokens, empty text', async () => {
    const ask = (model: string, hook: string, text: string) =>
      client.request(
        'query($m: ID!, $h: String!, $t: String!) { activations(model: $m, hook: $h, text: $t) { shape } }',
        {
          m: model,
          h: hook,
          t: text,
        },
      );
    const unknownModel = await ask('gpt-9', 'blocks.0.hook_resid_post', 'hi');
    expect(unknownModel.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknownModel.errors?.[0]?.message).toContain('No model "gpt-9" (available: demo)');
    const badHook = await ask('demo', 'blocks.7.hook_resid_post', 'The cat');
    expect(badHook.errors?.[0]?.message).toMatch(/blocks.7.hook_resid_post is beyond the 2 blocks/);
    const unknownHook = await ask('demo', 'blocks.0.hook_nonsense', 'The cat');
    expect(unknownHook.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'hook' });
    const long = await ask('demo', 'blocks.0.hook_resid_post', Array.from({ length: 40 }, () => 'the').join(' '));
    expect(long.errors?.[0]?.message).toMatch(/text: 41 tokens, more than the limit of 32/);
    const empty = await ask('demo', 'blocks.0.hook_resid_post', '  ');
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
  });

  it('serves the SAE encoder as cacheable ONNX that encodes like the float64 reference', async () => {
    const { models } = await client.ok<{ models: { saes: { id: string; encoderUrl: string; fp16: string }[] }[] }>(
      '{ models { saes { id encoderUrl fp16: encoderUrl(dtype: "fp16") } } }',
    );
    const sae = models[0]!.saes[0]!;
    const origin = new URL(app.url).origin;
    const response = await fetch(origin + sae.encoderUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const again = await fetch(origin + sae.encoderUrl, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const half = await fetch(origin + sae.fp16);
    expect((await half.arrayBuffer()).byteLength).toBeLessThan(bytes.byteLength);
    expect((await fetch(`${origin}/api/sae-encoder/nope?dtype=fp32`)).status).toBe(404);

    // Encode the server's activations with the served graph and compare with the float64 reference.
    const { activations } = await client.ok<{ activations: { data: string; shape: number[] } }>(
      `{ activations(model: "demo", hook: "blocks.1.hook_resid_post", text: "The boys near the car", sae: "${sae.id}") { data shape } }`,
    );
    const raw = Buffer.from(activations.data, 'base64');
    const x = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const rows = activations.shape[0]!;
    const padded = new Float32Array(ENCODER_ROWS * 16);
    padded.set(x);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', padded, [ENCODER_ROWS, 16]) });
    const features = out.features!.data as Float32Array;
    const reference = referenceEncode(await loadSae(join(dir, 'saes', 'blocks.1.hook_resid_post')), x, rows).features;
    let maxDiff = 0;
    for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(features[i]! - reference[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(reference.some((v) => v > 0)).toBe(true);
    await session.release();
  });

  it('computes feature dashboards as a job and serves them per feature', async () => {
    const anonymous = await client.request(
      'mutation { computeDashboards(model: "demo", sae: "demo/blocks.1.hook_resid_post") { id } }',
    );
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const user = await TestClient.signUp(app.url, 'dash@lab.org');
    const sneaky = await user.request(
      'mutation { computeDashboards(model: "demo", sae: "demo/blocks.1.hook_resid_post", corpus: "../../etc/passwd") { id } }',
    );
    expect(sneaky.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });

    const { computeDashboards } = await user.ok<{ computeDashboards: { id: string } }>(
      'mutation { computeDashboards(model: "demo", sae: "demo/blocks.1.hook_resid_post", maxContexts: 24) { id } }',
    );
    const job = await user.waitForJob(computeDashboards.id);
    expect(job).toMatchObject({ status: 'SUCCEEDED', result: { features: 8, contexts: 24 } });
    const { featureDashboard } = await client.ok<{
      featureDashboard: {
        maxActivation: number;
        density: number;
        topContexts: { tokens: string[]; values: number[]; max: number }[];
      };
    }>(
      '{ featureDashboard(sae: "demo/blocks.1.hook_resid_post", featureIndex: 0) { maxActivation density topContexts corpus } }',
    );
    expect(featureDashboard.density).toBeGreaterThanOrEqual(0);
    if (featureDashboard.density > 0) {
      expect(featureDashboard.topContexts[0]!.max).toBe(featureDashboard.maxActivation);
      expect(featureDashboard.topContexts[0]!.tokens[0]).toBe('<|endoftext|>');
    }
    const none = await client.ok<{ featureDashboard: null }>(
      '{ featureDashboard(sae: "demo/blocks.1.hook_resid_post", featureIndex: 999) { density } }',
    );
    expect(none.featureDashboard).toBeNull();
  });

  it('limits model runs per client: a burst of anonymous activations gets RATE_LIMITED with a wait', async () => {
    const anonymous = new TestClient(app.url);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        anonymous.request(
          '{ activations(model: "demo", hook: "blocks.0.hook_resid_post", text: "The cat") { shape } }',
        ),
      ),
    );
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    expect(results.length - limited.length).toBeGreaterThanOrEqual(10);

    // A made-up X-Forwarded-For first hop does not buy a fresh bucket: only the last hop (the proxy's) counts.
    const spoofed = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7, 127.0.0.1' },
      body: JSON.stringify({
        query: '{ activations(model: "demo", hook: "blocks.0.hook_resid_post", text: "The cat") { shape } }',
      }),
    });
    const body = (await spoofed.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
