import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corpusContexts,
  type GPT2Config,
  generateCorpus,
  loadSae,
  loadTokenizer,
  referenceForward,
  saveSae,
} from '@workbench/analysis';
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

type SaeWeights = { W_enc: ArrayLike<number>; b_enc: ArrayLike<number>; b_dec: ArrayLike<number> };

/** A standard SAE's pre-activations W_encᵀ(x - b_dec) + b_enc in float64, row by row (W_enc is [dIn, dSae]). */
function plainPreActivations(w: SaeWeights, x: ArrayLike<number>, dIn: number, dSae: number): Float64Array {
  const rows = x.length / dIn;
  const pre = new Float64Array(rows * dSae);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < dSae; j++) {
      let sum = w.b_enc[j]!;
      for (let i = 0; i < dIn; i++) sum += (x[r * dIn + i]! - w.b_dec[i]!) * w.W_enc[i * dSae + j]!;
      pre[r * dSae + j] = sum;
    }
  return pre;
}

/** The nearest float16 value of each number (ties to even; normal range, as SAE weights are), in float64. */
function roundToHalf(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (v) => {
    if (v === 0) return 0;
    const exponent = Math.max(-14, Math.floor(Math.log2(Math.abs(v))));
    const ulp = 2 ** (exponent - 10);
    const scaled = v / ulp;
    const floor = Math.floor(scaled);
    const rest = scaled - floor;
    const rounded = rest > 0.5 || (rest === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
    return rounded * ulp;
  });
}

const relu = (pre: Float64Array) => pre.map((v) => Math.max(0, v));

/** A TopK(3) skip transcoder of layer 0's MLP, 12 features, beside the bundled SAEs (transcoders/<input hook>/). */
async function writeTranscoder(folder: string): Promise<void> {
  const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
  await saveSae(folder, {
    config: {
      architecture: 'topk',
      dIn: 16,
      dSae: 12,
      hookName: 'blocks.0.ln2.hook_normalized',
      hookLayer: 0,
      k: 3,
      applyBDecToInput: false,
      normalization: 'none',
      prependBos: true,
      extra: { model_name: 'demo' },
      transcoder: { hookName: 'blocks.0.hook_mlp_out', hookLayer: 0, dOut: 16, skip: true },
    },
    weights: {
      W_enc: filled(16 * 12, Math.sin),
      b_enc: new Float32Array(12),
      W_dec: filled(12 * 16, Math.cos),
      b_dec: new Float32Array(16),
      W_skip: filled(16 * 16, (i) => (i % 17 === 0 ? 0.5 : 0)),
    },
  });
}

// The default burst of model runs (20), refilled so slowly that the count of runs allowed is exact.
const savedRefill = process.env.COMPUTE_RATE_PER_SECOND;

beforeAll(async () => {
  process.env.COMPUTE_RATE_PER_SECOND = '0.0001';
  dir = await mkdtemp(join(tmpdir(), 'models-'));
  ({ config, weights } = await writeTinyModelFixture(dir));
  await writeTranscoder(join(dir, 'transcoders', 'blocks.0.ln2.hook_normalized'));
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
  if (savedRefill === undefined) delete process.env.COMPUTE_RATE_PER_SECOND;
  else process.env.COMPUTE_RATE_PER_SECOND = savedRefill;
  await app?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('models and activations over GraphQL', () => {
  it('lists the bundled model, its SAEs with their conventions and file hashes, and its transcoders apart', async () => {
    const { models } = await client.ok<{
      models: {
        id: string;
        nLayers: number;
        dModel: number;
        fileHash: string;
        saes: unknown[];
        transcoders: unknown[];
      }[];
    }>(
      `{ models { id nLayers dModel fileHash saes { id hook dIn dSae architecture prependBos centerResidual normalize fileHash }
        transcoders { id modelId hookIn hookOut dIn dOut dSae architecture k skip fileHash } } }`,
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
        // not among the SAEs: it reads one hook and predicts another
        transcoders: [
          {
            id: 'demo/blocks.0.ln2.hook_normalized',
            modelId: 'demo',
            hookIn: 'blocks.0.ln2.hook_normalized',
            hookOut: 'blocks.0.hook_mlp_out',
            dIn: 16,
            dOut: 16,
            dSae: 12,
            architecture: 'topk',
            k: 3,
            skip: true,
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
    const halfBytes = new Uint8Array(await (await fetch(origin + sae.fp16)).arrayBuffer());
    expect(halfBytes.byteLength).toBeLessThan(bytes.byteLength);
    expect((await fetch(`${origin}/api/sae-encoder/nope?dtype=fp32`)).status).toBe(404);

    // Encode the server's activations with the served graphs: fp32 as a plain float64 encode of the SAE's weights,
    // fp16 as the same encode of the weights rounded to float16 (its only loss: it computes in float32).
    const { activations } = await client.ok<{ activations: { data: string; shape: number[] } }>(
      `{ activations(model: "demo", hook: "blocks.1.hook_resid_post", text: "The boys near the car", sae: "${sae.id}") { data shape } }`,
    );
    const raw = Buffer.from(activations.data, 'base64');
    const x = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const rows = activations.shape[0]!;
    expect(rows).toBe(6);
    const padded = new Float32Array(ENCODER_ROWS * 16);
    padded.set(x);
    const encodeWith = async (model: Uint8Array) => {
      const session = await ort.InferenceSession.create(model);
      try {
        const out = await session.run({ x: new ort.Tensor('float32', padded, [ENCODER_ROWS, 16]) });
        expect(out.features!.dims).toEqual([ENCODER_ROWS, 8]);
        return (out.features!.data as Float32Array).slice(0, rows * 8);
      } finally {
        await session.release();
      }
    };
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      expect(a.length).toBe(b.length);
      let m = 0;
      for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
      return m;
    };
    const { weights: w } = await loadSae(join(dir, 'saes', 'blocks.1.hook_resid_post'));
    const reference = relu(plainPreActivations(w, x, 16, 8));
    const halfWeights = { W_enc: roundToHalf(w.W_enc), b_enc: roundToHalf(w.b_enc), b_dec: roundToHalf(w.b_dec) };
    const halfReference = relu(plainPreActivations(halfWeights, x, 16, 8));
    expect(reference.filter((v) => v > 0.01).length).toBeGreaterThan(6);
    expect(maxDiff(await encodeWith(bytes), reference)).toBeLessThan(1e-5);
    const fp16 = await encodeWith(halfBytes);
    expect(maxDiff(fp16, halfReference)).toBeLessThan(1e-5);
    // float16's rounding moves the features by far more than that: the fp16 graph holds rounded weights.
    expect(maxDiff(fp16, reference)).toBeGreaterThan(1e-4);
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

    // The same 24 contexts through the float64 reference GPT-2 and a plain ReLU encode: what each feature's density
    // and maximum must be. Pre-activations within 1e-4 of zero may fire in the engine's float32 or not.
    const tokenizer = await loadTokenizer(join(dir, 'model'));
    const contexts = corpusContexts(
      tokenizer,
      generateCorpus({ seed: 0, documents: 2000 }),
      32,
      config.bosTokenId,
    ).slice(0, 24);
    expect(contexts.every((c) => c.length === 32 && c[0] === config.bosTokenId)).toBe(true);
    const resid = referenceForward(config, weights, contexts, { centerResid: true }).hooks.get(
      'blocks.1.hook_resid_post',
    )!;
    const sae = await loadSae(join(dir, 'saes', 'blocks.1.hook_resid_post'));
    const pre = plainPreActivations(sae.weights, resid, 16, 8);
    const tokens = 24 * 32;
    let featuresThatFire = 0;
    for (let f = 0; f < 8; f++) {
      const column = Array.from({ length: tokens }, (_, r) => pre[r * 8 + f]!);
      const surelyFires = column.filter((v) => v > 1e-4).length;
      const mayFire = column.filter((v) => v > -1e-4).length;
      const max = Math.max(0, ...column);
      if (surelyFires > 0) featuresThatFire++;
      const { featureDashboard: d } = await client.ok<{
        featureDashboard: {
          maxActivation: number;
          density: number;
          topContexts: { tokens: string[]; values: number[]; max: number }[];
        };
      }>(
        `{ featureDashboard(sae: "demo/blocks.1.hook_resid_post", featureIndex: ${f}) { maxActivation density topContexts } }`,
      );
      expect(d.density * tokens, `feature ${f} fires`).toBeGreaterThanOrEqual(surelyFires - 1e-9);
      expect(d.density * tokens, `feature ${f} fires`).toBeLessThanOrEqual(mayFire + 1e-9);
      // Stored rounded to 4 significant digits.
      expect(Math.abs(d.maxActivation - max), `feature ${f} max`).toBeLessThanOrEqual(Math.max(1e-4, max * 1e-3));
      if (surelyFires === 0) continue;
      const strongest = d.topContexts[0]!;
      expect(strongest.max).toBe(d.maxActivation);
      expect(Math.max(...strongest.values)).toBe(d.maxActivation);
      expect(strongest.tokens).toHaveLength(32);
      expect(strongest.tokens[0]).toBe('<|endoftext|>');
    }
    // The fixture's SAE is random: most of its features fire somewhere, so the checks above ran on them.
    expect(featuresThatFire).toBeGreaterThanOrEqual(4);
    const none = await client.ok<{ featureDashboard: null }>(
      '{ featureDashboard(sae: "demo/blocks.1.hook_resid_post", featureIndex: 999) { density } }',
    );
    expect(none.featureDashboard).toBeNull();
  });

  it('limits model runs per user to the burst of 20, then RATE_LIMITED with a wait; signed out, per address', async () => {
    const ACTIVATIONS = '{ activations(model: "demo", hook: "blocks.0.hook_resid_post", text: "The cat") { shape } }';
    const user = await TestClient.signUp(app.url, 'burst@lab.org');
    const codes: string[] = [];
    for (let i = 0; i < 24; i++) {
      const result = await user.request(ACTIVATIONS);
      codes.push((result.errors?.[0]?.extensions?.code as string | undefined) ?? 'ok');
      if (i === 20) expect(result.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    }
    expect(codes).toEqual([...Array(20).fill('ok'), ...Array(4).fill('RATE_LIMITED')]);

    // Signed out, the client's address has its own bucket (the tests above spent a few of it): spend the rest.
    const anonymous = new TestClient(app.url);
    let allowed = 0;
    while (allowed <= 20 && (await anonymous.request(ACTIVATIONS)).errors?.[0]?.extensions?.code !== 'RATE_LIMITED')
      allowed++;
    expect(allowed).toBeGreaterThan(10);
    expect(allowed).toBeLessThanOrEqual(20);

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
