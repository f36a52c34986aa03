// bench:web: how fast a 2,000-node / 10,000-edge circuit opens and pans in the built web app, in headless Chromium.
// Assumes `npm run build` ran. Starts the built API (embedded PGlite in a temporary folder) and web server on free
// ports, creates a user, a team and the circuit over GraphQL, then measures:
//   open_2000_ms  navigation to a fully drawn circuit (nodes on screen, layout done, two frames painted), median of 5
//   pan_fps       frames per second (requestAnimationFrame count) during a scripted drag-pan of about 2 seconds
// The last line printed is one JSON object: {"open_2000_ms": ..., "pan_fps": ...}. Targets: <= 3000 and >= 30.
// Also printed, for information: pan fps with the whole graph in view. BENCH_VERBOSE=1 prints the phases of each
// open, BENCH_PROFILE=1 a CPU profile of one open, BENCH_SCREENSHOTS=1 saves artifacts/editor-2000*.png.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../support/chromium.mjs';
import { startProcess, stopProcesses } from '../support/processes.mjs';

const NODES = 2000;
const EDGES = 10_000;
const RUNS = 5;

/** 12 layers x 8 token positions, features spread over the cells; edges go up one or two layers. */
function bigGraph() {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const layers = 12;
  const positions = 8;
  const nodes = [];
  const byLayer = Array.from({ length: layers }, () => []);
  for (let i = 0; i < NODES; i++) {
    const layer = i % layers;
    const ctx = Math.floor(i / layers) % positions;
    const feature = 100 + i;
    const id = `${layer}_${feature}_${ctx}`;
    byLayer[layer].push(id);
    nodes.push({
      id,
      layer,
      ctx_idx: ctx,
      feature,
      feature_type: 'cross layer transcoder',
      activation: Number((random() * 10).toFixed(3)),
      influence: Number(random().toFixed(4)),
    });
  }
  const edges = [];
  const seen = new Set();
  while (edges.length < EDGES) {
    const from = Math.floor(random() * (layers - 1));
    const to = Math.min(layers - 1, from + 1 + Math.floor(random() * 2));
    const source = byLayer[from][Math.floor(random() * byLayer[from].length)];
    const target = byLayer[to][Math.floor(random() * byLayer[to].length)];
    const key = `${source}->${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ source, target, weight: Number(((random() - 0.35) * 2).toFixed(4)) });
  }
  return { nodes, edges, metadata: { modelId: 'demo', saeId: 'blocks.{layer}.hook_resid_post' } };
}

async function gql(webUrl, cookie, query, variables = {}) {
  const response = await fetch(`${webUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const setCookie = response.headers.getSetCookie()[0];
  const body = await response.json();
  if (body.errors?.length) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return { data: body.data, cookie: setCookie ? setCookie.split(';')[0] : cookie };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const dataDir = await mkdtemp(join(tmpdir(), 'wb-bench-web-'));
const env = { ...process.env, HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' };
delete env.DATABASE_URL;
const children = [];
let browser;
try {
  const api = await startProcess(
    'apps/server/dist/main.js',
    { ...env, API_PORT: '0', DATA_DIR: dataDir },
    'API ready at',
  );
  children.push(api.child);
  const web = await startProcess(
    'apps/web/server.mjs',
    { ...env, WEB_PORT: '0', API_URL: api.url },
    'Web app ready at',
  );
  children.push(web.child);

  const signUp = await gql(web.url, '', 'mutation($i: SignUpInput!) { signUp(input: $i) { id } }', {
    i: { email: 'bench@lab.org', displayName: 'Bench', password: 'a long enough password' },
  });
  const cookie = signUp.cookie;
  const team = await gql(web.url, cookie, 'mutation { createTeam(input: { name: "Bench" }) { id } }');
  const circuit = await gql(
    web.url,
    cookie,
    'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { slug } }',
    { i: { teamId: team.data.createTeam.id, title: 'Bench 2000', graph: bigGraph() } },
  );
  const slug = circuit.data.createCircuit.slug;
  console.log(`circuit /c/${slug}: ${NODES} nodes, ${EDGES} edges`);

  browser = await chromium.launch(chromiumLaunchOptions);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const [name, ...value] = cookie.split('=');
  await context.addCookies([{ name, value: value.join('='), url: web.url }]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));

  const drawn = () =>
    page.waitForFunction(
      () =>
        document.querySelectorAll('.react-flow__node').length > 0 &&
        !document.querySelector('[data-testid="layout-pending"]') &&
        document.querySelector('.react-flow__viewport')?.style.transform !== '' &&
        new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))),
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
  // One untimed visit warms the server's and browser's caches of the app's code.
  await page.goto(`${web.url}/c/${slug}`);
  await drawn();
  const opens = [];
  const phases = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto('about:blank');
    let circuitAt = 0;
    const onResponse = async (response) => {
      if (response.url().endsWith('/graphql') && response.request().postData()?.includes('"Circuit"')) {
        await response.finished();
        circuitAt = Date.now();
      }
    };
    page.on('response', onResponse);
    const started = Date.now();
    await page.goto(`${web.url}/c/${slug}`);
    const loadedAt = Date.now();
    await drawn();
    opens.push(Date.now() - started);
    page.off('response', onResponse);
    phases.push(`page ${loadedAt - started} / circuit data ${circuitAt - started} / drawn ${Date.now() - started}`);
  }
  if (process.env.BENCH_VERBOSE) console.log(phases.join('\n'));
  if (process.env.BENCH_PROFILE) {
    await page.goto('about:blank');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
    await page.goto(`${web.url}/c/${slug}`);
    await drawn();
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const n = byId.get(id);
      const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
      self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    console.log(
      [...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([k, v]) => `${v.toFixed(0)}ms ${k}`)
        .join('\n'),
    );
  }
  const shown = await page.locator('.react-flow__node').count();
  console.log(`open runs (ms): ${opens.join(', ')}; ${shown} nodes in the DOM`);

  if (process.env.BENCH_SCREENSHOTS) await page.screenshot({ path: 'artifacts/editor-2000-open.png' });
  // Drag the pane around for about two seconds at the zoom the circuit opened with (detailed nodes). The drag
  // starts on empty pane above the top layer (the circuit opens with its top layer 40 px below the canvas top).
  const box = await page.locator('.react-flow__pane').boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + 15;
  await page.mouse.move(cx, cy);
  await page.waitForTimeout(300);
  const measurePan = async () => {
    await page.mouse.move(cx, cy);
    await page.evaluate(() => {
      window.__frames = 0;
      window.__counting = true;
      const tick = () => {
        if (!window.__counting) return;
        window.__frames++;
        requestAnimationFrame(tick);
      };
      window.__panStart = performance.now();
      requestAnimationFrame(tick);
    });
    await page.mouse.down();
    const steps = 120;
    for (let i = 0; i < steps; i++) {
      const t = i / steps;
      await page.mouse.move(cx + Math.sin(t * Math.PI * 2) * 350, cy + (1 - Math.cos(t * Math.PI * 2)) * 250);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    return page.evaluate(() => {
      window.__counting = false;
      return (window.__frames * 1000) / (performance.now() - window.__panStart);
    });
  };
  const panFps = await measurePan();
  if (process.env.BENCH_SCREENSHOTS) await page.screenshot({ path: 'artifacts/editor-2000.png' });
  // For information: the whole graph in view (zoomed out: simple nodes, every node drawn).
  await page.keyboard.press('f');
  await page.waitForTimeout(1500);
  const overviewFps = await measurePan();
  if (process.env.BENCH_SCREENSHOTS) await page.screenshot({ path: 'artifacts/editor-2000-overview.png' });
  console.log(
    `overview (fit to view, ${await page.locator('.react-flow__node').count()} nodes drawn) pan fps: ${overviewFps.toFixed(1)}`,
  );
  const zoom = await page.evaluate(() => document.querySelector('.react-flow__viewport')?.style.transform);
  console.log(`pan at ${zoom}; page errors: ${errors.length ? errors.join(' | ') : 'none'}`);
  console.log(JSON.stringify({ open_2000_ms: median(opens), pan_fps: Math.round(panFps * 10) / 10 }));
} finally {
  await browser?.close();
  await stopProcesses(children.reverse());
  await rm(dataDir, { recursive: true, force: true });
}
