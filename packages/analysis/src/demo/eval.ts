#!/usr/bin/env node
/**
 * `npm run eval:demo [-- --dir DIR]`: evaluates the committed demo model and SAEs (default
 * packages/analysis/assets/demo) and prints, as the last line, one JSON object: accuracy per SVA template,
 * accuracy on the outside test files (../shared/data/sva from the repository root), per-SAE metrics and, when the
 * bundle has transcoders, per-layer transcoder metrics (demo/transcoders.ts).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHookedGPT2 } from '../model/load.js';
import { nodeOrt } from '../runtime/node.js';
import {
  DEMO_ASSETS_DIR,
  type DemoConfig,
  defaultExternalSvaDir,
  evaluateDemo,
  FULL_CONFIG,
  loadDemoSaes,
} from './pipeline.js';
import { metricsLine } from './train.js';
import { evalRows, loadDemoTranscoders, transcoderMetrics, transcoderMetricsLine } from './transcoders.js';

/** Loads the demo model (+ tokenizer), SAEs and transcoders (none when absent) from a folder laid out as trainDemo writes it. */
export async function loadDemo(dir: string = DEMO_ASSETS_DIR, options: { threads?: number; cacheDir?: string } = {}) {
  const { model, tokenizer, config } = await loadHookedGPT2(join(dir, 'model'), { maxGraphs: 64, ...options });
  if (!tokenizer) throw new Error(`${dir}/model: no tokenizer`);
  const saes = await loadDemoSaes(dir);
  const transcoders = await loadDemoTranscoders(dir);
  return { model, tokenizer, config, saes, transcoders };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, external: { type: 'string' } } });
  const dir = values.dir ? resolve(values.dir) : DEMO_ASSETS_DIR;
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => '{}'));
  const config: DemoConfig = manifest.config ?? FULL_CONFIG;
  const { model, tokenizer, saes, transcoders } = await loadDemo(dir);
  const metrics = await evaluateDemo(model, tokenizer, saes, config, {
    ort: nodeOrt,
    externalDir: values.external ?? defaultExternalSvaDir(),
  });
  const tc = transcoders.length
    ? await transcoderMetrics(model, transcoders, evalRows(config, model), { ort: nodeOrt })
    : [];
  await model.dispose();
  const line = JSON.parse(metricsLine({ metrics }));
  console.log(JSON.stringify(tc.length ? { ...line, ...JSON.parse(transcoderMetricsLine(tc)) } : line));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
