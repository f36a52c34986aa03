/**
 * The bundled demo model, end to end: corpus -> GPT-2 (Hugging Face layout) -> activations -> one TopK SAE per hook
 * (SAELens layout) -> evaluation -> manifest.json with sha256 of every file, the configuration, metrics and timings.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from '../data/corpus.js';
import { mulberry32 } from '../data/prng.js';
import { generateSvaDatasets, parseSvaJsonl, SVA_TEMPLATES, type SvaPair, type SvaTemplate } from '../data/sva.js';
import { corpusVocabulary, writeDemoTokenizer } from '../data/tokenizer.js';
import type { GPT2Config } from '../model/config.js';
import { HookedGPT2 } from '../model/hooked.js';
import { loadGPT2Checkpoint } from '../model/loader.js';
import { writeGPT2Checkpoint } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import type { OrtModule } from '../runtime/session.js';
import { loadSae, type Sae, saveSae } from '../sae/sae.js';
import { loadTokenizer } from '../tokenizer/load.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { batchRows, type TokenStream, tokenizeCorpus, trainGPT2 } from '../train/gpt2.js';
import { type AuxKOptions, type ReviveOptions, trainTopKSae } from '../train/sae.js';
import { type SaeMetrics, saeMetrics, svaAccuracy } from './evaluate.js';

export interface DemoConfig {
  seed: number;
  /** Corpus documents (generateCorpus). */
  documents: number;
  model: { nLayers: number; dModel: number; nHeads: number; nCtx: number };
  train: {
    steps: number;
    batch: number;
    maxLr: number;
    minLr: number;
    warmupSteps: number;
    weightDecay: number;
    /** Label smoothing of the next-token targets (absent: 0). */
    labelSmoothing?: number;
  };
  sae: {
    dSae: number;
    k: number;
    steps: number;
    batch: number;
    maxLr: number;
    /** Corpus rows (of nCtx tokens) whose activations the SAEs are trained on. */
    activationRows: number;
    /** AuxK loss against dead features (train/sae.ts auxKLoss); absent: none (the bundle's first SAEs). */
    auxK?: AuxKOptions;
    /** Raise dead features' encoder biases (train/sae.ts reviveDeadFeatures); absent: no. */
    revive?: ReviveOptions;
    /** Resample features dead this many steps (absent: every 250 steps, the first SAEs' setting; 0: never). */
    resampleEvery?: number;
  };
  eval: {
    /** Held-out corpus rows for the SAE metrics. */
    rows: number;
    /** SVA test pairs per template (our own held-out split). */
    pairs: number;
  };
}

/**
 * Bias revival as measured on the demo (README, "The demo model"): a feature is dead after 4 steps (2,048 inputs at
 * batch 512) without firing, and its bias then rises by 0.003 per step, against top-16 pre-activations of a few
 * units. With it every demo SAE had under 3% dead features (16 steps and 0.01 left blocks.3.hook_mlp_out at 18%).
 */
export const REVIVE_SETTINGS: ReviveOptions = { deadSteps: 4, biasStep: 0.003 };

export const FULL_CONFIG: DemoConfig = {
  seed: 0,
  documents: 20000,
  model: { nLayers: 4, dModel: 128, nHeads: 4, nCtx: 32 },
  train: { steps: 6000, batch: 32, maxLr: 2e-3, minLr: 1e-4, warmupSteps: 200, weightDecay: 0.1 },
  // Revival instead of resampling: the bundled SAEs' setting (under 3% dead features; resampling left 12-74%).
  sae: {
    dSae: 1024,
    k: 16,
    steps: 2000,
    batch: 512,
    maxLr: 2e-3,
    activationRows: 4000,
    revive: REVIVE_SETTINGS,
    resampleEvery: 0,
  },
  eval: { rows: 256, pairs: 500 },
};

/**
 * AuxK as Gao et al. 2024 set it (k_aux = d_in / 2, coefficient 1/32); a feature counts as dead after 16 steps
 * without firing (8,192 inputs at batch 512: as many tokens as the evaluation's dead count looks at).
 */
export const auxKSettings = (dIn: number): AuxKOptions => ({
  k: Math.max(1, dIn / 2),
  coefficient: 1 / 32,
  deadSteps: 16,
});

/** The reduced run of `--check` (a minute or two). */
export const CHECK_CONFIG: DemoConfig = {
  seed: 0,
  documents: 1000,
  model: { nLayers: 2, dModel: 48, nHeads: 2, nCtx: 32 },
  train: { steps: 300, batch: 16, maxLr: 3e-3, minLr: 3e-4, warmupSteps: 20, weightDecay: 0.1 },
  sae: { dSae: 96, k: 8, steps: 80, batch: 128, maxLr: 3e-3, activationRows: 64 },
  eval: { rows: 16, pairs: 60 },
};

/** Hooks with an SAE: the embedding, then attn_out, mlp_out and resid_post of every layer. */
export function demoSaeHooks(nLayers: number): string[] {
  const hooks = ['hook_embed'];
  for (let l = 0; l < nLayers; l++)
    hooks.push(`blocks.${l}.hook_attn_out`, `blocks.${l}.hook_mlp_out`, `blocks.${l}.hook_resid_post`);
  return hooks;
}

/** SAE folder name of a hook (the hook name itself: it has no path separators). */
export const saeDirName = (hook: string) => hook;

export interface DemoMetrics {
  accuracy: Record<SvaTemplate, number>;
  external: Partial<Record<'simple' | 'nounpp' | 'within_rc', number>>;
  saes: SaeMetrics[];
}

export interface DemoManifest {
  name: string;
  created: string;
  config: DemoConfig;
  model: GPT2Config;
  timings: Record<string, number>;
  losses: { model_first: number; model_last: number; saes: Record<string, { first: number; last: number }> };
  metrics: DemoMetrics;
  files: Record<string, { sha256: string; bytes: number }>;
  machine: string;
  notes?: string[];
}

export interface TrainDemoOptions {
  ort?: OrtModule;
  threads?: number;
  progress?: boolean;
  /** Folder of the outside SVA test files (simple_test.json, ...); skipped when absent. */
  externalDir?: string | null;
  log?: (line: string) => void;
  /** Skip model training: take the model from this Hugging Face folder (e.g. a previous run's model/). */
  modelFrom?: string;
}

/** Mean of the first / last tenth of a loss curve. */
export function lossEnds(losses: readonly number[]): { first: number; last: number } {
  const n = Math.max(1, Math.floor(losses.length / 10));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(losses.slice(0, n)), last: mean(losses.slice(-n)) };
}

/** `count` random sentence-start rows of seq + 1 tokens. */
export function sampleRows(stream: TokenStream, count: number, seq: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  const picks = Array.from({ length: count }, () => stream.starts[Math.floor(rng() * stream.starts.length)]!);
  return batchRows(stream, picks, seq);
}

/** Reads SVA JSONL files `<template>_test.json` (or .jsonl) from a folder; missing ones are skipped. */
export async function readExternalSva(dir: string): Promise<Partial<Record<SvaTemplate, SvaPair[]>>> {
  const out: Partial<Record<SvaTemplate, SvaPair[]>> = {};
  for (const t of SVA_TEMPLATES) {
    for (const ext of ['json', 'jsonl']) {
      const text = await readFile(join(dir, `${t}_test.${ext}`), 'utf8').catch(() => null);
      if (text !== null) {
        out[t] = parseSvaJsonl(text);
        break;
      }
    }
  }
  return out;
}

/** Evaluates a trained model (+ SAEs): accuracy on our SVA test split and the outside files, SAE metrics. */
export async function evaluateDemo(
  model: HookedGPT2,
  tokenizer: TextTokenizer,
  saes: readonly Sae[],
  config: DemoConfig,
  options: { ort?: OrtModule; threads?: number; externalDir?: string | null } = {},
): Promise<DemoMetrics> {
  const datasets = generateSvaDatasets({ seed: config.seed, testSize: config.eval.pairs });
  const accuracy = {} as Record<SvaTemplate, number>;
  for (const ds of datasets) accuracy[ds.template] = await svaAccuracy(model, tokenizer, ds.test);
  const external: DemoMetrics['external'] = {};
  if (options.externalDir) {
    const ext = await readExternalSva(options.externalDir);
    for (const t of ['simple', 'nounpp', 'within_rc'] as const) {
      const pairs = ext[t];
      if (pairs) external[t] = await svaAccuracy(model, tokenizer, pairs);
    }
  }
  // Held-out text: a corpus from another seed.
  const evalText = generateCorpus({ seed: config.seed + 1000, documents: Math.max(200, config.eval.rows) });
  const stream = tokenizeCorpus(evalText, corpusVocabulary(), model.config.bosTokenId);
  const rows = sampleRows(stream, config.eval.rows, model.config.nCtx, config.seed + 7);
  const metrics = saes.length
    ? await saeMetrics(model, saes, rows, { ort: options.ort ?? nodeOrt, threads: options.threads })
    : [];
  return { accuracy, external, saes: metrics };
}

function machineLine(): string {
  const load = loadavg().map((v) => v.toFixed(1));
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average at end ${load.join(' ')} (shared machine)`;
}

async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const data = await readFile(path);
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.byteLength };
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out.sort();
}

/** Activations at every SAE hook on `activationRows` corpus rows (all positions, BOS included, as circuits see). */
export async function collectActivations(
  model: HookedGPT2,
  stream: TokenStream,
  hooks: readonly string[],
  config: DemoConfig,
): Promise<Map<string, Float32Array>> {
  const T = model.config.nCtx;
  const D = model.config.dModel;
  const nRows = config.sae.activationRows;
  const rows = sampleRows(stream, nRows, T, config.seed + 3);
  const acts = new Map(hooks.map((h) => [h, new Float32Array(nRows * T * D)]));
  const actBatch = 32;
  for (let start = 0; start < nRows; start += actBatch) {
    const count = Math.min(actBatch, nRows - start);
    const tokens = Array.from({ length: count }, (_, b) =>
      Array.from(rows.subarray((start + b) * (T + 1), (start + b) * (T + 1) + T), (v) => Math.max(0, v)),
    );
    const out = await model.run(tokens, { hooks: [...hooks], logits: false });
    for (const h of hooks) acts.get(h)!.set(out.hooks.get(h)!.data, start * T * D);
  }
  return acts;
}

/**
 * One TopK SAE per hook of `acts` (in the map's order; hook i of demoSaeHooks gets seed + 100 + i), saved under
 * `<outDir>/saes/<hook>/`. The activations of each hook are dropped once its SAE is trained.
 */
export async function trainDemoSaes(
  outDir: string,
  acts: Map<string, Float32Array>,
  config: DemoConfig,
  options: Pick<TrainDemoOptions, 'ort' | 'threads' | 'progress' | 'log'> & { logPath: string | null },
): Promise<{ saes: Sae[]; losses: Record<string, { first: number; last: number }> }> {
  const saes: Sae[] = [];
  const losses: Record<string, { first: number; last: number }> = {};
  const allHooks = demoSaeHooks(config.model.nLayers);
  for (const [hook, activations] of [...acts]) {
    const r = await trainTopKSae({
      hookName: hook,
      activations,
      dIn: config.model.dModel,
      dSae: config.sae.dSae,
      k: config.sae.k,
      steps: config.sae.steps,
      batch: config.sae.batch,
      maxLr: config.sae.maxLr,
      auxK: config.sae.auxK,
      resampleEvery: config.sae.resampleEvery,
      revive: config.sae.revive,
      seed: config.seed + 100 + allHooks.indexOf(hook),
      ort: options.ort ?? nodeOrt,
      threads: options.threads,
      logPath: options.logPath,
      progress: options.progress,
      logEvery: 10,
      extra: {
        model_name: 'workbench-demo-gpt2',
        context_size: config.model.nCtx,
        dataset_path: 'workbench demo corpus',
      },
    });
    acts.delete(hook);
    losses[hook] = lossEnds(r.losses);
    options.log?.(`sae ${hook}: 1-FVE ${losses[hook].first.toFixed(3)} -> ${losses[hook].last.toFixed(3)}`);
    await saveSae(join(outDir, 'saes', saeDirName(hook)), r.sae);
    saes.push(r.sae);
  }
  return { saes, losses };
}

/** Trains everything into `outDir` (model/, saes/<hook>/, train_log.jsonl, manifest.json); returns the manifest. */
export async function trainDemo(
  outDir: string,
  config: DemoConfig,
  options: TrainDemoOptions = {},
): Promise<DemoManifest> {
  const ort = options.ort ?? nodeOrt;
  const log = options.log ?? (() => undefined);
  const threads = options.threads;
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = Math.round((performance.now() - since) / 100) / 10;
  };
  // A reused model is read before the output folder is cleared (it may live there).
  const reused = options.modelFrom
    ? {
        ckpt: await loadGPT2Checkpoint(options.modelFrom),
        previous: JSON.parse(
          await readFile(join(options.modelFrom, '..', 'manifest.json'), 'utf8').catch(() => '{}'),
        ) as Partial<DemoManifest>,
      }
    : null;
  await mkdir(outDir, { recursive: true });
  for (const sub of ['model', 'saes', 'train_log.jsonl', 'manifest.json'])
    await rm(join(outDir, sub), { recursive: true, force: true });
  const logPath = join(outDir, 'train_log.jsonl');

  let t = performance.now();
  const vocabulary = corpusVocabulary();
  const stream = tokenizeCorpus(generateCorpus({ seed: config.seed, documents: config.documents }), vocabulary, 0);
  lap('data_s', t);
  log(`corpus: ${stream.tokens.length} tokens, ${stream.starts.length} sentences, vocabulary ${vocabulary.length}`);

  const modelConfig: GPT2Config = { ...config.model, vocabSize: vocabulary.length, lnEps: 1e-5, bosTokenId: 0 };
  t = performance.now();
  let weights: Map<string, Float32Array>;
  let modelEnds: { first: number; last: number };
  if (options.modelFrom) {
    const { ckpt, previous } = reused!;
    if (JSON.stringify(ckpt.config) !== JSON.stringify(modelConfig))
      throw new Error(`${options.modelFrom}: model config differs from the demo config`);
    weights = ckpt.weights;
    modelEnds = previous.losses
      ? { first: previous.losses.model_first, last: previous.losses.model_last }
      : { first: Number.NaN, last: Number.NaN };
    if (previous.timings?.model_s !== undefined) timings.model_reused_from_previous_run_s = previous.timings.model_s;
    log(`model: reused from ${options.modelFrom}`);
  } else {
    const trained = await trainGPT2({
      config: modelConfig,
      stream,
      steps: config.train.steps,
      batch: config.train.batch,
      seq: config.model.nCtx,
      maxLr: config.train.maxLr,
      minLr: config.train.minLr,
      warmupSteps: config.train.warmupSteps,
      weightDecay: config.train.weightDecay,
      labelSmoothing: config.train.labelSmoothing,
      seed: config.seed,
      ort,
      threads,
      logPath,
      progress: options.progress,
    });
    lap('model_s', t);
    weights = trained.weights;
    modelEnds = lossEnds(trained.losses);
    log(`model: loss ${modelEnds.first.toFixed(3)} -> ${modelEnds.last.toFixed(3)} in ${timings.model_s} s`);
  }
  const modelDir = join(outDir, 'model');
  await writeGPT2Checkpoint(modelDir, modelConfig, weights);
  await writeDemoTokenizer(modelDir, vocabulary);

  t = performance.now();
  const model = new HookedGPT2(modelConfig, weights, ort, { threads, maxGraphs: 64 });
  const hooks = demoSaeHooks(modelConfig.nLayers);
  const acts = await collectActivations(model, stream, hooks, config);
  lap('activations_s', t);

  t = performance.now();
  const { saes, losses: saeLosses } = await trainDemoSaes(outDir, acts, config, { ...options, logPath });
  lap('saes_s', t);

  t = performance.now();
  const tokenizer = await loadTokenizer(modelDir);
  const metrics = await evaluateDemo(model, tokenizer, saes, config, {
    ort,
    threads,
    externalDir: options.externalDir,
  });
  await model.dispose();
  lap('eval_s', t);
  timings.total_s = Math.round((performance.now() - t0) / 100) / 10;

  const files: DemoManifest['files'] = {};
  for (const f of await listFiles(outDir)) {
    const rel = relative(outDir, f);
    if (rel === 'manifest.json' || rel === 'train_log.jsonl') continue;
    files[rel] = await sha256File(f);
  }
  const manifest: DemoManifest = {
    name: 'workbench-demo-gpt2',
    created: new Date().toISOString(),
    config,
    model: modelConfig,
    timings,
    losses: { model_first: modelEnds.first, model_last: modelEnds.last, saes: saeLosses },
    metrics,
    files,
    machine: machineLine(),
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * `train:demo --saes-only`: retrains the SAEs of `hooks` (default all) on the model already in `dir` (left
 * byte-identical), evaluates them and updates `dir/manifest.json` in place: the SAE configuration, losses, metrics,
 * timings and file hashes change; every other key (those of other bundle parts too) is kept as it was.
 */
export async function retrainDemoSaes(
  dir: string,
  config: DemoConfig,
  options: TrainDemoOptions & { hooks?: readonly string[] } = {},
): Promise<DemoManifest> {
  const ort = options.ort ?? nodeOrt;
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as DemoManifest;
  const modelDir = join(dir, 'model');
  for (const [rel, want] of Object.entries(manifest.files).filter(([f]) => f.startsWith('model/')))
    if ((await sha256File(join(dir, rel))).sha256 !== want.sha256) throw new Error(`${rel} differs from manifest.json`);
  const { config: modelConfig, weights } = await loadGPT2Checkpoint(modelDir);
  if (modelConfig.nLayers !== config.model.nLayers || modelConfig.dModel !== config.model.dModel)
    throw new Error(`${modelDir}: not the model of this configuration`);
  const hooks = options.hooks ?? demoSaeHooks(modelConfig.nLayers);
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => {
    timings[name] = Math.round((performance.now() - since) / 100) / 10;
  };

  let t = performance.now();
  const stream = tokenizeCorpus(
    generateCorpus({ seed: config.seed, documents: config.documents }),
    corpusVocabulary(),
    0,
  );
  const model = new HookedGPT2(modelConfig, weights, ort, { threads: options.threads, maxGraphs: 64 });
  const acts = await collectActivations(model, stream, hooks, config);
  lap('activations_s', t);

  // The log keeps the model's lines and the SAE lines of hooks not retrained.
  const logPath = join(dir, 'train_log.jsonl');
  const retrained = new Set(hooks);
  const kept = (await readFile(logPath, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line && !retrained.has((JSON.parse(line) as { hook?: string }).hook ?? ''));
  await writeFile(logPath, kept.map((line) => `${line}\n`).join(''));
  for (const hook of hooks) await rm(join(dir, 'saes', saeDirName(hook)), { recursive: true, force: true });
  t = performance.now();
  const { saes, losses } = await trainDemoSaes(dir, acts, config, { ...options, logPath });
  lap('saes_s', t);

  t = performance.now();
  const tokenizer = await loadTokenizer(modelDir);
  const metrics = await evaluateDemo(model, tokenizer, saes, config, { ...options, ort });
  await model.dispose();
  lap('eval_s', t);

  const order = demoSaeHooks(modelConfig.nLayers);
  const byHook = new Map([...manifest.metrics.saes, ...metrics.saes].map((m) => [m.hook, m]));
  manifest.config = { ...manifest.config, sae: config.sae };
  manifest.losses.saes = { ...manifest.losses.saes, ...losses };
  // The model is unchanged, so accuracies on outside files not given this time stay as they were measured.
  const external = { ...manifest.metrics.external, ...metrics.external };
  manifest.metrics = { ...manifest.metrics, ...metrics, external, saes: order.flatMap((h) => byHook.get(h) ?? []) };
  manifest.timings = { ...manifest.timings, ...timings };
  for (const f of await listFiles(join(dir, 'saes'))) manifest.files[relative(dir, f)] = await sha256File(f);
  manifest.machine = machineLine();
  manifest.notes = [
    ...(manifest.notes ?? []),
    `${new Date().toISOString()}: SAEs of ${hooks.length === order.length ? 'every hook' : hooks.join(', ')} retrained on the bundled model by \`train:demo --saes-only\` (timings activations_s, saes_s and eval_s are from that run).`,
  ];
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Loads every SAE under `<dir>/saes/`, in demoSaeHooks order where possible. */
export async function loadDemoSaes(dir: string): Promise<Sae[]> {
  const root = join(dir, 'saes');
  const names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const saes = await Promise.all(names.map((n) => loadSae(join(root, n))));
  const order = (h: string) => (h === 'hook_embed' ? -1 : Number(/^blocks\.(\d+)\./.exec(h)?.[1] ?? 1e9));
  const kind = (h: string) => ['attn_out', 'mlp_out', 'resid_post'].findIndex((k) => h.endsWith(k));
  return saes.sort(
    (a, b) => order(a.config.hookName) - order(b.config.hookName) || kind(a.config.hookName) - kind(b.config.hookName),
  );
}

/** Where the committed demo artifacts live. */
export const DEMO_ASSETS_DIR = fileURLToPath(new URL('../../assets/demo', import.meta.url));

/** Outside SVA test files: `<repo root>/../shared/data/sva`. */
export function defaultExternalSvaDir(): string {
  const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
  return resolve(repoRoot, '..', 'shared', 'data', 'sva');
}
