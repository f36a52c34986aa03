/**
 * The programmatic entry point (used by the CLI and the server's job runner): load a model and its SAEs, read a
 * dataset of prompt pairs, discover the circuit, evaluate it and return the circuit file.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateSvaDataset, parseSvaJsonl, SVA_TEMPLATES, type SvaPair, type SvaTemplate } from '../data/sva.js';
import { singleToken } from '../demo/evaluate.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { loadHookedGPT2 } from '../model/load.js';
import { loadSae } from '../sae/sae.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import {
  type DiscoverOptions,
  type DiscoverResult,
  discoverCircuit,
  type PromptPair,
  type RunControl,
  type SaeSource,
  toSaeSource,
} from './discover.js';
import { CircuitEvaluator, type EvaluationScores } from './evaluate.js';
import { type CircuitFile, parseCircuitFile } from './format.js';
import { METRIC_NODE_ID } from './nodes.js';

export interface ComputeCircuitOptions extends DiscoverOptions {
  /** Hugging Face folder, or 'demo' for the bundled demo model. */
  model: string;
  /** Folder of SAELens SAE folders (or one with saes/ inside), or 'demo'. */
  saes: string;
  /** nounpp | simple | rc | within_rc (generated, held-out split), a JSONL file, or pairs. */
  dataset: string | SvaPair[];
  /** Pairs used (default 100). */
  n?: number;
  seed?: number;
  /** Prepend BOS (default: as the SAEs' cfg.json says). */
  prependBos?: boolean;
  /** Faithfulness and completeness of the result (default true). */
  evaluate?: boolean;
  cacheDir?: string;
}

/** Resolves 'demo' to the bundled demo folder's model/ or saes/. */
export function resolveDemoPath(value: string, part: 'model' | 'saes'): string {
  return value === 'demo' ? join(DEMO_ASSETS_DIR, part) : resolve(value);
}

/** SAE folders under `dir` (or `dir/saes`), loaded lazily: weights are read when the circuit code needs them. */
export async function saeSourcesFromDir(dir: string): Promise<SaeSource[]> {
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  const root = (await exists(join(dir, 'saes'))) ? join(dir, 'saes') : dir;
  const out: SaeSource[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    if (!e.isDirectory() || !(await exists(join(root, e.name, 'cfg.json')))) continue;
    const path = join(root, e.name);
    const first = await loadSae(path);
    out.push({
      hook: first.config.hookName,
      config: first.config,
      path,
      load: async () => (await loadSae(path)).weights,
    });
  }
  if (out.length === 0) throw new Error(`${dir}: no SAE folders (cfg.json + sae_weights.safetensors) found`);
  return out;
}

/** Pairs of a named template (generated test split) or a JSONL file. */
export async function loadPairs(
  dataset: string | SvaPair[],
  n: number,
  seed = 0,
): Promise<{ name: string; pairs: SvaPair[] }> {
  if (Array.isArray(dataset)) return { name: 'custom', pairs: dataset.slice(0, n) };
  if ((SVA_TEMPLATES as readonly string[]).includes(dataset)) {
    const ds = generateSvaDataset(dataset as SvaTemplate, { seed, trainSize: 0, testSize: n });
    return { name: dataset, pairs: ds.test.slice(0, n) };
  }
  const text = await readFile(dataset, 'utf8').catch((e: Error) => {
    throw new Error(
      `dataset "${dataset}": not a template (${SVA_TEMPLATES.join(', ')}) nor a readable file (${e.message})`,
    );
  });
  return { name: dataset.replace(/^.*\//, ''), pairs: parseSvaJsonl(text).slice(0, n) };
}

/** Tokenizes prompt pairs; answers must be single tokens, clean and patch prompts the same length. */
export function tokenizePairs(tokenizer: TextTokenizer, pairs: readonly SvaPair[], bos?: number): PromptPair[] {
  return pairs.map((p, i) => {
    const clean = tokenizer.encode(p.clean_prefix, { bos });
    const patch = tokenizer.encode(p.patch_prefix, { bos });
    if (clean.length !== patch.length)
      throw new Error(`pair ${i} ("${p.clean_prefix}" / "${p.patch_prefix}"): prompts tokenize to different lengths`);
    return {
      clean,
      patch,
      cleanAnswer: singleToken(tokenizer, p.clean_answer),
      patchAnswer: singleToken(tokenizer, p.patch_answer),
    };
  });
}

export interface CircuitFileMeta {
  modelName: string;
  modelSource?: string;
  datasetName: string;
  examples?: SvaPair[];
  promptTokens?: string[];
  patchTokens?: string[];
  /** By hook: where each SAE was read from. */
  saeSources?: Record<string, string>;
  /** By hook: the workbench's SAE ids (set by the server, so the app can link features and show their labels). */
  saeIds?: Record<string, string>;
}

/**
 * The pairs a circuit file keeps as text: every pair of a custom dataset (at most 1000 are accepted), so a node set
 * can be scored again on exactly those pairs; five of a template dataset, which regenerates the same pairs.
 */
function recordedExamples(datasetName: string, pairs: readonly SvaPair[]) {
  const kept = (SVA_TEMPLATES as readonly string[]).includes(datasetName) ? pairs.slice(0, 5) : pairs;
  return kept.map(({ case: _case, ...text }) => text);
}

/** Assembles the circuit file from a discovery result (and its evaluation). */
export function buildCircuitFile(
  model: HookedGPT2,
  saes: readonly SaeSource[],
  result: DiscoverResult,
  options: DiscoverOptions,
  pairsCount: number,
  meta: CircuitFileMeta,
  scores: EvaluationScores | null,
): CircuitFile {
  const c = model.config;
  const hookOrder = (hook: string) => {
    const index = result.layout.hooks.indexOf(hook);
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  };
  const features = result.nodes.filter((n) => n.id !== METRIC_NODE_ID).length;
  return parseCircuitFile(
    {
      schema: 'workbench.circuit',
      version: 1,
      created: new Date().toISOString(),
      model: {
        name: meta.modelName,
        ...(meta.modelSource ? { source: meta.modelSource } : {}),
        nLayers: c.nLayers,
        dModel: c.dModel,
        vocabSize: c.vocabSize,
      },
      // In forward order, as the circuit's hooks are, whatever order the sources came in.
      saes: [...saes]
        .sort((a, b) => hookOrder(a.hook) - hookOrder(b.hook))
        .map((s) => ({
          hook: s.hook,
          dSae: s.config.dSae,
          architecture: s.config.architecture,
          ...(meta.saeSources?.[s.hook] ? { source: meta.saeSources[s.hook] } : {}),
          ...(meta.saeIds?.[s.hook] ? { id: meta.saeIds[s.hook] } : {}),
        })),
      hooks: result.layout.hooks,
      dataset: {
        name: meta.datasetName,
        pairs: pairsCount,
        ...(meta.examples ? { examples: recordedExamples(meta.datasetName, meta.examples) } : {}),
        ...(meta.promptTokens ? { promptTokens: meta.promptTokens } : {}),
        ...(meta.patchTokens ? { patchTokens: meta.patchTokens } : {}),
      },
      method: {
        kind: options.method ?? 'ig',
        steps: (options.method ?? 'ig') === 'ig' ? (options.steps ?? 10) : 1,
        aggregation: options.aggregation ?? 'position',
        nodeThreshold: options.nodeThreshold ?? 0.1,
        edgeThreshold: options.edgeThreshold ?? 0.01,
        maxNodes: options.maxNodes ?? null,
        metric: options.metric
          ? options.metric.kind === 'direction'
            ? { kind: 'direction', vector: Array.from(options.metric.vector) }
            : options.metric
          : { kind: 'pair' },
        centerResid: options.centerResid ?? false,
      },
      nodes: result.nodes,
      edges: result.edges,
      metrics: {
        nodes: features,
        edges: result.edges.length,
        totalNodes: result.totalNodes,
        cleanMetric: result.cleanMetric,
        patchMetric: result.patchMetric,
        faithfulness: scores?.faithfulness ?? null,
        completeness: scores?.completeness ?? null,
        fCircuit: scores?.fCircuit ?? null,
        fComplement: scores?.fComplement ?? null,
        fFull: scores?.fFull ?? null,
        fEmpty: scores?.fEmpty ?? null,
        timings: result.timings,
      },
    },
    'buildCircuitFile',
  );
}

/**
 * Discovers (and evaluates) a circuit on an already loaded model: the server's job runner can keep models loaded.
 * Progress: (stage, percent of the whole job).
 */
export async function computeCircuitWith(
  model: HookedGPT2,
  saeList: readonly SaeSource[],
  pairs: readonly PromptPair[],
  options: DiscoverOptions & { evaluate?: boolean },
  meta: CircuitFileMeta,
  control: RunControl = {},
): Promise<CircuitFile> {
  const report = control.onProgress ?? (() => undefined);
  const evaluate = options.evaluate ?? true;
  const share = evaluate ? 0.85 : 1;
  const result = await discoverCircuit(model, saeList, pairs, options, {
    signal: control.signal,
    onProgress: (stage, pct) => {
      const [offset, weight] = stageWeight[stage] ?? [0, 1];
      report(stage, share * (offset * 100 + weight * Math.min(100, pct)));
    },
  });
  let scores: EvaluationScores | null = null;
  if (evaluate) {
    report('evaluation', 85);
    const t0 = performance.now();
    const ev = await CircuitEvaluator.create(
      model,
      saeList,
      pairs,
      { metric: options.metric, centerResid: options.centerResid, stats: result.stats, threads: options.threads },
      control,
    );
    try {
      scores = await ev.score(
        result.nodes.map((n) => n.id),
        control.signal,
      );
    } finally {
      await ev.release();
    }
    result.timings.evaluation_s = (performance.now() - t0) / 1000;
  }
  report('done', 100);
  return buildCircuitFile(model, saeList, result, options, pairs.length, meta, scores);
}

/** [offset, share] of each discovery stage within the discovery part of the job. */
const stageWeight: Record<string, [number, number]> = {
  activations: [0, 0.05],
  'integrated gradients': [0.05, 0.5],
  'exact patching': [0.05, 0.65],
  'node effects': [0.55, 0.15],
  edges: [0.7, 0.3],
};

/** Loads model, SAEs and dataset, then discovers and evaluates the circuit. */
export async function computeCircuit(options: ComputeCircuitOptions, control: RunControl = {}): Promise<CircuitFile> {
  control.onProgress?.('loading', 0);
  const modelDir = resolveDemoPath(options.model, 'model');
  const saeDir = options.saes === 'demo' ? DEMO_ASSETS_DIR : resolve(options.saes);
  // Integrated gradients compiles a graph per hook: weights shared by all of them, not a copy in each session.
  const { model, tokenizer } = await loadHookedGPT2(modelDir, {
    maxGraphs: 64,
    cacheDir: options.cacheDir,
    weightSharing: 'shared',
  });
  try {
    if (!tokenizer) throw new Error(`${modelDir}: no tokenizer (tokenizer.json or vocab.json + merges.txt)`);
    const saes = await saeSourcesFromDir(saeDir);
    const { name, pairs } = await loadPairs(options.dataset, options.n ?? 100, options.seed ?? 0);
    if (pairs.length === 0) throw new Error('the dataset has no pairs');
    const bos = (options.prependBos ?? saes[0]!.config.prependBos) ? model.config.bosTokenId : undefined;
    const tokenized = tokenizePairs(tokenizer, pairs, bos);
    control.signal?.throwIfAborted();
    return await computeCircuitWith(
      model,
      saes,
      tokenized,
      options,
      {
        modelName: options.model === 'demo' ? 'workbench-demo-gpt2' : modelDir.replace(/^.*\//, ''),
        modelSource: modelDir,
        datasetName: name,
        examples: pairs,
        promptTokens: tokenizer.tokenTexts(tokenized[0]!.clean),
        patchTokens: tokenizer.tokenTexts(tokenized[0]!.patch),
        saeSources: Object.fromEntries(saes.map((s) => [s.hook, s.path ?? saeDir])),
      },
      control,
    );
  } finally {
    await model.dispose();
  }
}

export { toSaeSource };
