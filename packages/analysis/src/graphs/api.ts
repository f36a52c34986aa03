/**
 * The programmatic entry point of attribution graphs (used by the CLI, and by a server job later): load a model and
 * its transcoders, tokenize the prompt, compute the graph, prune it, score it and return it as a circuit file.
 */
import { access } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { saeSourcesFromDir } from '../circuits/api.js';
import type { CircuitFile } from '../circuits/format.js';
import { readModelWeights } from '../circuits/graphs.js';
import { singleToken } from '../demo/evaluate.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { gpt2WeightShapes } from '../model/config.js';
import { loadHookedGPT2 } from '../model/load.js';
import { type AttributionOptions, attribute } from './attribution.js';
import { graphToCircuit } from './export.js';
import { pruneAndScore } from './prune.js';
import { type TranscoderSource, transcoderLayer } from './replacement.js';

export interface PromptGraphOptions extends Omit<AttributionOptions, 'onProgress' | 'signal'> {
  /** Hugging Face folder, or 'demo' for the bundled demo model. */
  model: string;
  /** Folder of SAELens transcoder folders (cfg.json + weights), or 'demo' (the demo bundle's transcoders/). */
  transcoders: string;
  prompt: string;
  /** Prepend BOS (default: as the transcoders' cfg.json says). */
  prependBos?: boolean;
  /** Keep nodes up to this share of the influence on the logits (default 0.8). */
  nodeThreshold?: number;
  /** Keep edges up to this share of the edge influence (default 0.98). */
  edgeThreshold?: number;
  cacheDir?: string;
  /**
   * The workbench's ids of the model and of each transcoder (by layer), so the viewer links features to their pages
   * and labels (the server passes its registry's). Default for the bundled demo: 'demo' and 'demo/<folder>'.
   */
  modelId?: string;
  transcoderIds?: Record<number, string>;
  /** Target these next tokens (each one token, e.g. [' are', ' is']) instead of the most probable ones. */
  logitTexts?: string[];
}

export interface PromptGraphResult {
  circuit: CircuitFile;
  /** Features active on the prompt, and those with rows (the node cap). */
  activeFeatures: number;
  features: number;
}

/** The id the workbench's registry gives the bundled demo model (its transcoders are 'demo/<folder>'). */
const BUNDLED_ID = 'demo';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Transcoder folders under `dir` (or 'demo'), one per layer, weights read when needed. */
export async function transcoderSourcesFromDir(dir: string): Promise<TranscoderSource[]> {
  const root = dir === 'demo' ? join(DEMO_ASSETS_DIR, 'transcoders') : resolve(dir);
  if (!(await exists(root)))
    throw new Error(
      dir === 'demo'
        ? `the demo bundle has no transcoders (${root}); pass --transcoders <folder of transcoder folders>`
        : `${root}: no such folder`,
    );
  const sources = await saeSourcesFromDir(root);
  for (const s of sources) transcoderLayer(s.config);
  return sources;
}

function checkShare(name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be between 0 and 1, got ${value}`);
  return value;
}

/** Computes a pruned attribution graph of one prompt as a circuit file. */
export async function computePromptGraph(
  options: PromptGraphOptions,
  control: Pick<AttributionOptions, 'onProgress' | 'signal'> = {},
): Promise<PromptGraphResult> {
  const nodeThreshold = checkShare('node threshold', options.nodeThreshold, 0.8);
  const edgeThreshold = checkShare('edge threshold', options.edgeThreshold, 0.98);
  const maxFeatureNodes = options.maxFeatureNodes ?? 7500;
  if (options.prompt.trim() === '') throw new Error('the prompt is empty');
  const modelDir = options.model === 'demo' ? join(DEMO_ASSETS_DIR, 'model') : resolve(options.model);
  const transcoders = await transcoderSourcesFromDir(options.transcoders);
  const { model, tokenizer, config } = await loadHookedGPT2(modelDir, {
    cacheDir: options.cacheDir,
    threads: options.threads,
  });
  try {
    if (!tokenizer) throw new Error(`${modelDir}: no tokenizer (tokenizer.json or vocab.json + merges.txt)`);
    const bos = (options.prependBos ?? transcoders[0]!.config.prependBos) ? config.bosTokenId : undefined;
    const tokens = tokenizer.encode(options.prompt, { bos });
    const weights = await readModelWeights(model, [...gpt2WeightShapes(config).keys()]);
    const logitTokens = options.logitTexts?.map((text) => singleToken(tokenizer, text));
    const graph = await attribute({ config, weights, ort: model.ort }, transcoders, tokens, {
      ...options,
      ...(logitTokens ? { logitTokens } : {}),
      maxFeatureNodes,
      ...control,
    });
    control.onProgress?.('pruning', 96);
    const { pruned, scores } = pruneAndScore(graph, nodeThreshold, edgeThreshold);
    control.onProgress?.('done', 100);
    const circuit = graphToCircuit(graph, pruned, scores, {
      modelName: options.modelId ?? (options.model === 'demo' ? BUNDLED_ID : basename(modelDir)),
      modelSource: modelDir,
      prompt: options.prompt,
      tokenText: (id) => tokenizer.decode([id]),
      transcoders: transcoders.map((t) => {
        const layer = transcoderLayer(t.config);
        const id =
          options.transcoderIds?.[layer] ??
          (options.transcoders === 'demo' && t.path ? `${BUNDLED_ID}/${basename(t.path)}` : undefined);
        return {
          layer,
          dSae: t.config.dSae,
          architecture: t.config.architecture,
          ...(t.path ? { source: t.path } : {}),
          ...(id ? { id } : {}),
        };
      }),
      nodeThreshold,
      edgeThreshold,
      maxFeatureNodes,
      centerResid: options.centerResid ?? false,
    });
    return { circuit, activeFeatures: graph.activeFeatures, features: graph.features.length };
  } finally {
    await model.dispose();
  }
}
