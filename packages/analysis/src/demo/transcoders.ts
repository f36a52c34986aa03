#!/usr/bin/env node
/**
 * The demo bundle's transcoders: one TopK transcoder per layer's MLP of the bundled model, reading
 * blocks.L.ln2.hook_normalized (model/layer-norm.ts) and predicting blocks.L.hook_mlp_out, trained from a fixed seed
 * by train/transcoder.ts on the demo corpus, saved under assets/demo/transcoders/<input hook>/ (SAELens layout), and
 * evaluated per layer: variance of mlp_out explained, and the share of the LM loss recovered when that layer's MLP
 * output is replaced by the transcoder's (against zero-ablating it). Results go to manifest.json's `transcoders` key
 * (read-modify-write: every other key is kept).
 *
 * `npm run train:demo:transcoders [-- --dir DIR --steps N --threads N --eval-only]`; prints the metrics as the last
 * line (JSON).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from '../data/corpus.js';
import { corpusVocabulary } from '../data/tokenizer.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { layerNormNormalized } from '../model/layer-norm.js';
import { loadHookedGPT2 } from '../model/load.js';
import { nodeOrt } from '../runtime/node.js';
import type { OrtModule } from '../runtime/session.js';
import { SaeSession } from '../sae/graph.js';
import { loadSae, type Sae, saveSae } from '../sae/sae.js';
import { tokenizeCorpus } from '../train/gpt2.js';
import type { ReviveOptions } from '../train/sae.js';
import { trainTopKTranscoder } from '../train/transcoder.js';
import { crossEntropy } from './evaluate.js';
import { DEMO_ASSETS_DIR, type DemoConfig, FULL_CONFIG, lossEnds, sampleRows } from './pipeline.js';

export interface DemoTranscoderConfig {
  dSae: number;
  k: number;
  skip: boolean;
  steps: number;
  batch: number;
  maxLr: number;
  /** Corpus rows (of nCtx tokens) whose MLP inputs and outputs the transcoders are trained on. */
  activationRows: number;
  /** Layer L's transcoder trains from seed + seedOffset + L (seed: the demo config's). */
  seedOffset: number;
  /** Dead features revived through their encoder bias (train/sae.ts reviveDeadFeatures); absent or null: no. */
  revive?: ReviveOptions | null;
}

export const DEMO_TRANSCODER_CONFIG: DemoTranscoderConfig = {
  dSae: 1024,
  k: 16,
  skip: false,
  steps: 2000,
  batch: 512,
  maxLr: 2e-3,
  activationRows: 4000,
  seedOffset: 200,
  // pipeline.ts's REVIVE_SETTINGS for the SAEs, written out: pipeline.ts may import this module (an import cycle).
  // Without it 18-42% of the features never fired; with it 0-0.3% (manifest.json `transcoders`).
  revive: { deadSteps: 4, biasStep: 0.003 },
};

/** Where layer L's transcoder reads and what it predicts (TransformerLens hook names). */
export function transcoderHooks(layer: number): { input: string; output: string } {
  return { input: `blocks.${layer}.ln2.hook_normalized`, output: `blocks.${layer}.hook_mlp_out` };
}

export const TRANSCODERS_DIR = 'transcoders';

export interface TranscoderMetrics {
  layer: number;
  hook_in: string;
  hook_out: string;
  l0: number;
  /** Fraction of the variance of mlp_out the transcoder's prediction explains. */
  fve: number;
  /** (CE zero-ablated - CE replaced) / (CE zero-ablated - CE clean), this layer's MLP replaced. */
  ce_recovered: number;
  dead_fraction: number;
  ce_clean: number;
  ce_replaced: number;
  ce_zero_ablation: number;
}

export interface DemoTranscodersManifest {
  created: string;
  config: DemoTranscoderConfig;
  timings: Record<string, number>;
  losses: Record<string, { first: number; last: number }>;
  metrics: TranscoderMetrics[];
  /** sha256 of every transcoder file, by path relative to the bundle. */
  files: Record<string, { sha256: string; bytes: number }>;
  machine: string;
}

/** One batch of token rows through the model: each layer's transcoder input and MLP output, [rows*T, d]. */
async function mlpActivations(model: HookedGPT2, tokens: number[][], layers: number[]) {
  const hooks = layers.flatMap((l) => [`blocks.${l}.hook_resid_mid`, `blocks.${l}.hook_mlp_out`]);
  const out = await model.run(tokens, { hooks, logits: false });
  const { dModel, lnEps } = model.config;
  return layers.map((l) => ({
    input: layerNormNormalized(out.hooks.get(`blocks.${l}.hook_resid_mid`)!.data, dModel, lnEps),
    output: out.hooks.get(`blocks.${l}.hook_mlp_out`)!.data,
  }));
}

const tokensOf = (rows: Int32Array, start: number, count: number, T: number) =>
  Array.from({ length: count }, (_, b) =>
    Array.from(rows.subarray((start + b) * (T + 1), (start + b) * (T + 1) + T), (v) => Math.max(0, v)),
  );

/** Every layer's MLP input (hook_normalized) and output on `rows` token rows [n, T + 1]. */
export async function collectMlpData(model: HookedGPT2, rows: Int32Array) {
  const T = model.config.nCtx;
  const D = model.config.dModel;
  const n = rows.length / (T + 1);
  const layers = Array.from({ length: model.config.nLayers }, (_, l) => l);
  const data = layers.map(() => ({ inputs: new Float32Array(n * T * D), targets: new Float32Array(n * T * D) }));
  const batch = 32;
  for (let start = 0; start < n; start += batch) {
    const count = Math.min(batch, n - start);
    const acts = await mlpActivations(model, tokensOf(rows, start, count, T), layers);
    acts.forEach((a, l) => {
      data[l]!.inputs.set(a.input, start * T * D);
      data[l]!.targets.set(a.output, start * T * D);
    });
  }
  return data;
}

/**
 * Per layer: L0, FVE of mlp_out and the LM loss recovered with that layer's MLP output replaced by the
 * transcoder's prediction (each layer alone; every position scored).
 */
export async function transcoderMetrics(
  model: HookedGPT2,
  transcoders: readonly Sae[],
  rows: Int32Array,
  options: { ort: OrtModule; batch?: number; threads?: number },
): Promise<TranscoderMetrics[]> {
  const T = model.config.nCtx;
  const V = model.config.vocabSize;
  const D = model.config.dModel;
  const n = rows.length / (T + 1);
  const batch = options.batch ?? 16;
  const layers = transcoders.map((t) => t.config.hookLayer ?? 0);
  const acc = transcoders.map((t) => ({
    active: 0,
    se: 0,
    sum: new Float64Array(D),
    sumSq: 0,
    tokens: 0,
    fired: new Uint8Array(t.config.dSae),
    ce: { clean: 0, replaced: 0, zero: 0 },
    batches: 0,
  }));
  const sessions = await Promise.all(
    transcoders.map((t) =>
      SaeSession.create(options.ort, t, { rows: batch * T, reconstruction: true, threads: options.threads }),
    ),
  );
  try {
    for (let start = 0; start + batch <= n; start += batch) {
      const chunk = rows.subarray(start * (T + 1), (start + batch) * (T + 1));
      const tokens = tokensOf(rows, start, batch, T);
      const clean = await model.run(tokens);
      const ceClean = crossEntropy(clean.logits!.data, chunk, batch, T, V);
      const acts = await mlpActivations(model, tokens, layers);
      for (let h = 0; h < transcoders.length; h++) {
        const t = transcoders[h]!;
        const a = acc[h]!;
        const { input, output } = acts[h]!;
        const { features, reconstruction } = await sessions[h]!.encode(input, batch * T);
        for (let j = 0; j < features.length; j++) {
          if (features[j]! > 0) {
            a.active++;
            a.fired[j % t.config.dSae] = 1;
          }
        }
        for (let i = 0; i < output.length; i++) {
          a.se += (output[i]! - reconstruction![i]!) ** 2;
          a.sum[i % D]! += output[i]!;
          a.sumSq += output[i]! ** 2;
        }
        a.tokens += batch * T;
        const hook = t.config.transcoder!.hookName;
        const replaced = await model.run(tokens, {
          interventions: [{ hook, mode: 'replace', value: reconstruction! }],
        });
        const zero = await model.run(tokens, {
          interventions: [{ hook, mode: 'replace', value: new Float32Array(output.length) }],
        });
        a.ce.clean += ceClean;
        a.ce.replaced += crossEntropy(replaced.logits!.data, chunk, batch, T, V);
        a.ce.zero += crossEntropy(zero.logits!.data, chunk, batch, T, V);
        a.batches++;
      }
    }
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  return transcoders.map((t, h) => {
    const a = acc[h]!;
    let meanSq = 0;
    for (const s of a.sum) meanSq += (s / a.tokens) ** 2;
    const variance = a.sumSq / a.tokens - meanSq;
    const [clean, replaced, zero] = [a.ce.clean, a.ce.replaced, a.ce.zero].map((v) => v / a.batches) as [
      number,
      number,
      number,
    ];
    return {
      layer: layers[h]!,
      hook_in: t.config.hookName,
      hook_out: t.config.transcoder!.hookName,
      l0: a.active / a.tokens,
      fve: 1 - a.se / a.tokens / variance,
      ce_recovered: (zero - replaced) / (zero - clean),
      dead_fraction: a.fired.filter((f) => !f).length / t.config.dSae,
      ce_clean: clean,
      ce_replaced: replaced,
      ce_zero_ablation: zero,
    };
  });
}

/** The demo's transcoders, layer order (an absent folder: none). */
export async function loadDemoTranscoders(dir: string = DEMO_ASSETS_DIR): Promise<Sae[]> {
  const root = join(dir, TRANSCODERS_DIR);
  const names = await readdir(root, { withFileTypes: true }).catch(() => []);
  const folders = names.filter((e) => e.isDirectory()).map((e) => e.name);
  const loaded = await Promise.all(folders.map((f) => loadSae(join(root, f))));
  return loaded.sort((a, b) => (a.config.hookLayer ?? 0) - (b.config.hookLayer ?? 0));
}

/** Held-out rows for the metrics, as evaluateDemo picks them (a corpus from another seed). */
export function evalRows(config: Pick<DemoConfig, 'seed' | 'eval'>, model: HookedGPT2): Int32Array {
  const text = generateCorpus({ seed: config.seed + 1000, documents: Math.max(200, config.eval.rows) });
  const stream = tokenizeCorpus(text, corpusVocabulary(), model.config.bosTokenId);
  return sampleRows(stream, config.eval.rows, model.config.nCtx, config.seed + 7);
}

async function readManifest(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => '{}'));
}

/** Replaces only the manifest's `transcoders` key, read right before writing (other helpers rewrite the rest). */
async function writeTranscodersKey(dir: string, value: DemoTranscodersManifest): Promise<void> {
  const manifest = await readManifest(dir);
  manifest.transcoders = value;
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

async function transcoderFiles(dir: string): Promise<DemoTranscodersManifest['files']> {
  const files: DemoTranscodersManifest['files'] = {};
  const root = join(dir, TRANSCODERS_DIR);
  for (const sub of (await readdir(root)).sort()) {
    for (const name of ['cfg.json', 'sae_weights.safetensors']) {
      const path = join(root, sub, name);
      const data = await readFile(path);
      files[relative(dir, path)] = { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.byteLength };
    }
  }
  return files;
}

const machineLine = () =>
  `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average at end ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')} (shared machine)`;

export interface TrainDemoTranscodersOptions {
  config?: DemoTranscoderConfig;
  ort?: OrtModule;
  threads?: number;
  progress?: boolean;
  log?: (line: string) => void;
}

/** Trains, saves and evaluates one transcoder per layer of the bundle in `dir`; updates manifest.transcoders. */
export async function trainDemoTranscoders(
  dir: string,
  options: TrainDemoTranscodersOptions = {},
): Promise<DemoTranscodersManifest> {
  const tc = options.config ?? DEMO_TRANSCODER_CONFIG;
  const ort = options.ort ?? nodeOrt;
  const log = options.log ?? (() => undefined);
  const demo = ((await readManifest(dir)).config as DemoConfig | undefined) ?? FULL_CONFIG;
  const { model } = await loadHookedGPT2(join(dir, 'model'), { maxGraphs: 64, threads: options.threads });
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = Math.round((performance.now() - since) / 100) / 10;
  };
  try {
    let t = performance.now();
    const stream = tokenizeCorpus(
      generateCorpus({ seed: demo.seed, documents: demo.documents }),
      corpusVocabulary(),
      0,
    );
    const rows = sampleRows(stream, tc.activationRows, model.config.nCtx, demo.seed + 3);
    const data = await collectMlpData(model, rows);
    lap('activations_s', t);
    t = performance.now();
    const transcoders: Sae[] = [];
    const losses: DemoTranscodersManifest['losses'] = {};
    for (let layer = 0; layer < data.length; layer++) {
      const hooks = transcoderHooks(layer);
      const r = await trainTopKTranscoder({
        hookIn: hooks.input,
        hookOut: hooks.output,
        inputs: data[layer]!.inputs,
        targets: data[layer]!.targets,
        dIn: model.config.dModel,
        dOut: model.config.dModel,
        dSae: tc.dSae,
        k: tc.k,
        skip: tc.skip,
        steps: tc.steps,
        batch: tc.batch,
        maxLr: tc.maxLr,
        revive: tc.revive,
        seed: demo.seed + tc.seedOffset + layer,
        ort,
        threads: options.threads,
        logPath: null,
        progress: options.progress,
        extra: {
          model_name: 'workbench-demo-gpt2',
          context_size: model.config.nCtx,
          dataset_path: 'workbench demo corpus',
        },
      });
      losses[hooks.input] = lossEnds(r.losses);
      log(
        `transcoder ${hooks.input}: 1-FVE ${losses[hooks.input]!.first.toFixed(3)} -> ${losses[hooks.input]!.last.toFixed(3)}`,
      );
      await saveSae(join(dir, TRANSCODERS_DIR, hooks.input), r.transcoder);
      transcoders.push(r.transcoder);
    }
    lap('train_s', t);
    t = performance.now();
    const metrics = await transcoderMetrics(model, transcoders, evalRows(demo, model), {
      ort,
      threads: options.threads,
    });
    lap('eval_s', t);
    const manifest: DemoTranscodersManifest = {
      created: new Date().toISOString(),
      config: tc,
      timings,
      losses,
      metrics,
      files: await transcoderFiles(dir),
      machine: machineLine(),
    };
    await writeTranscodersKey(dir, manifest);
    return manifest;
  } finally {
    await model.dispose();
  }
}

/** Evaluates the transcoders already in `dir` (the figures `eval:demo` can print). */
export async function evaluateDemoTranscoders(dir: string = DEMO_ASSETS_DIR, threads?: number) {
  const demo = ((await readManifest(dir)).config as DemoConfig | undefined) ?? FULL_CONFIG;
  const { model } = await loadHookedGPT2(join(dir, 'model'), { maxGraphs: 64, threads });
  try {
    const transcoders = await loadDemoTranscoders(dir);
    return await transcoderMetrics(model, transcoders, evalRows(demo, model), { ort: nodeOrt, threads });
  } finally {
    await model.dispose();
  }
}

const round = (v: number) => Math.round(v * 10000) / 10000;

export function transcoderMetricsLine(metrics: readonly TranscoderMetrics[]): string {
  return JSON.stringify({
    transcoders: metrics.map((m) => ({
      layer: m.layer,
      l0: round(m.l0),
      fve: round(m.fve),
      ce_recovered: round(m.ce_recovered),
      dead_fraction: round(m.dead_fraction),
    })),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      skip: { type: 'boolean' },
      'eval-only': { type: 'boolean' },
    },
  });
  const dir = values.dir ? resolve(values.dir) : DEMO_ASSETS_DIR;
  const threads = values.threads ? Number(values.threads) : undefined;
  if (values['eval-only']) {
    console.log(transcoderMetricsLine(await evaluateDemoTranscoders(dir, threads)));
    return;
  }
  const config: DemoTranscoderConfig = {
    ...DEMO_TRANSCODER_CONFIG,
    ...(values.steps ? { steps: Number(values.steps) } : {}),
    ...(values.skip ? { skip: true } : {}),
  };
  const manifest = await trainDemoTranscoders(dir, { config, threads, progress: true, log: console.log });
  console.log(`timings (s): ${JSON.stringify(manifest.timings)}`);
  console.log(transcoderMetricsLine(manifest.metrics));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
