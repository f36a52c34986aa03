import { dirname } from 'node:path';
import { type CircuitFile, computePromptGraph, MIB } from '@workbench/analysis';
import { z } from 'zod';
import type { CatalogTranscoder } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import type { CircuitService } from '../services/circuits.js';
import { AppError } from '../services/errors.js';
import { type JobMemoryGuard, REDUCE_GRAPH } from './memory.js';
import type { JobHandler } from './runner.js';

/** Longest prompt a graph job takes, in characters (its tokens must also fit the model's context). */
export const MAX_GRAPH_PROMPT_CHARS = 2000;

/** circuit-tracer's defaults: node and edge influence shares, and the cap on feature nodes with rows. */
export const GRAPH_DEFAULTS = { nodeThreshold: 0.8, edgeThreshold: 0.98, maxFeatureNodes: 7500 } as const;

const share = (what: string) =>
  z
    .number()
    .min(0, `must be between 0 and 1 (a share of ${what})`)
    .max(1, `must be between 0 and 1 (a share of ${what})`);

export const promptGraphInput = z.object({
  teamId: z.uuid('must be a team id'),
  title: z.string().trim().min(1, 'must not be empty').max(200),
  visibility: z.enum(['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC']).default('TEAM'),
  modelId: z.string().min(1),
  prompt: z
    .string()
    .max(MAX_GRAPH_PROMPT_CHARS, `must be at most ${MAX_GRAPH_PROMPT_CHARS} characters`)
    .refine((p) => p.trim() !== '', 'must not be empty'),
  /** A transcoder set of the model (see transcoderSetOf); default: the first with a transcoder for every layer. */
  transcoders: z.string().min(1).optional(),
  nodeThreshold: share('the influence on the logits').default(GRAPH_DEFAULTS.nodeThreshold),
  edgeThreshold: share('the edge influence').default(GRAPH_DEFAULTS.edgeThreshold),
  maxFeatureNodes: z.number().int().min(1).max(100_000).default(GRAPH_DEFAULTS.maxFeatureNodes),
});
export type PromptGraphInput = z.infer<typeof promptGraphInput>;

const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });

/** The set a transcoder belongs to: its id up to the last '/' (the bundled demo's are 'demo/<hook>'). */
export const transcoderSetOf = (t: Pick<CatalogTranscoder, 'id'>) => t.id.slice(0, Math.max(0, t.id.lastIndexOf('/')));

const layerOf = (t: CatalogTranscoder) => {
  const m = /^blocks\.(\d+)\.ln2\.hook_normalized$/.exec(t.hookIn);
  return m && t.hookOut === `blocks.${m[1]}.hook_mlp_out` ? Number(m[1]) : null;
};

/**
 * The transcoders a graph of this model uses: a set (by name, or the first complete one) with a transcoder of every
 * layer's MLP, all in one folder (computePromptGraph reads a folder of transcoder folders). BAD_USER_INPUT naming
 * the field otherwise.
 */
export function graphTranscoders(
  models: ModelService,
  modelId: string,
  set: string | undefined,
): { set: string; folder: string; transcoders: CatalogTranscoder[] } {
  if (!models.models().some((m) => m.id === modelId)) {
    const known =
      models
        .models()
        .map((m) => m.id)
        .join(', ') || 'none';
    throw bad('model', `this server has no model "${modelId}" (available: ${known})`);
  }
  const nLayers = models.model(modelId).config.nLayers;
  const all = models.transcodersOf(modelId);
  if (!all.length) {
    throw bad(
      'transcoders',
      `model ${modelId} has no transcoders; an attribution graph needs one at every layer's MLP`,
    );
  }
  const sets = [...new Set(all.map(transcoderSetOf))];
  const missingOf = (name: string) => {
    const layers = new Set(all.filter((t) => transcoderSetOf(t) === name).map(layerOf));
    return Array.from({ length: nLayers }, (_, l) => l).filter((l) => !layers.has(l));
  };
  const name = set ?? sets.find((s) => missingOf(s).length === 0);
  if (name === undefined) {
    throw bad('transcoders', `no transcoder set of ${modelId} covers all ${nLayers} layers (sets: ${sets.join(', ')})`);
  }
  if (!sets.includes(name))
    throw bad('transcoders', `model ${modelId} has no transcoder set "${name}" (sets: ${sets.join(', ')})`);
  const missing = missingOf(name);
  if (missing.length) throw bad('transcoders', `set ${name} has no transcoder for layer(s) ${missing.join(', ')}`);
  const transcoders = all.filter((t) => transcoderSetOf(t) === name && layerOf(t) !== null);
  const folders = new Set(transcoders.map((t) => dirname(t.path)));
  if (folders.size !== 1) throw bad('transcoders', `set ${name}'s transcoders are not in one folder`);
  return { set: name, folder: [...folders][0]!, transcoders };
}

/** Tokens the prompt is, BOS included: BAD_USER_INPUT naming `prompt` when they do not fit the model's context. */
export async function promptTokens(models: ModelService, modelId: string, prompt: string): Promise<number> {
  const { tokenizer } = await models.load(modelId);
  const nCtx = models.model(modelId).config.nCtx;
  const tokens = tokenizer.encode(prompt).length + 1;
  if (tokens > nCtx) throw bad('prompt', `${tokens} tokens with BOS, more than the model's context of ${nCtx}`);
  return tokens;
}

/** The stored file names the model and transcoders by their ids only: the server's folders are shown to no one. */
function withoutServerPaths(file: CircuitFile): CircuitFile {
  const { source: _model, ...model } = file.model;
  return { ...file, model, saes: file.saes.map(({ source: _sae, ...sae }) => sae) };
}

/** Computes a one-prompt attribution graph (circuit-tracer's method) and stores it as a new team circuit. */
export function promptGraphJob(deps: {
  models: ModelService;
  circuits: CircuitService;
  memory: JobMemoryGuard;
  engineCacheDir?: string;
}): JobHandler {
  return async (raw, context) => {
    const input = promptGraphInput.parse(raw);
    const entry = deps.models.model(input.modelId);
    const { set, folder, transcoders } = graphTranscoders(deps.models, entry.id, input.transcoders);
    const tokens = await promptTokens(deps.models, entry.id, input.prompt);
    const memory = deps.memory.promptGraph(entry.id, transcoders, tokens, input.maxFeatureNodes);
    const estimate = deps.memory.describe(memory);
    await context.progress(estimate, 0);
    deps.memory.check(memory, 'graph job', REDUCE_GRAPH);
    await context.progress(`loading the model and the ${set} transcoders (${estimate})`, 1);
    const result = await computePromptGraph(
      {
        model: entry.path,
        transcoders: folder,
        prompt: input.prompt,
        nodeThreshold: input.nodeThreshold,
        edgeThreshold: input.edgeThreshold,
        maxFeatureNodes: input.maxFeatureNodes,
        cacheDir: deps.engineCacheDir,
        // The server's own ids: what the viewer, labels and feature keys look the model and transcoders up by.
        modelId: entry.id,
        transcoderIds: Object.fromEntries(transcoders.map((t) => [layerOf(t)!, t.id])),
      },
      {
        signal: context.signal,
        onProgress: (stage, percent) => void context.progress(stage, 2 + percent * 0.95).catch(() => {}),
      },
    );
    const file = withoutServerPaths(result.circuit);
    await context.progress('saving the graph', 98);
    const circuit = await deps.circuits.createForJob(
      { teamId: input.teamId, createdById: context.job.createdById! },
      {
        title: input.title,
        visibility: input.visibility,
        graph: file,
        message: `Computed: attribution graph of one prompt, ${set} transcoders`,
      },
    );
    return {
      circuitId: circuit.id,
      slug: circuit.slug,
      nodes: file.metrics.nodes,
      edges: file.metrics.edges,
      replacementScore: file.metrics.replacementScore ?? null,
      completenessScore: file.metrics.completenessScore ?? null,
      activeFeatures: result.activeFeatures,
      estimatedPeakMemoryMb: Math.ceil(memory.bytes / MIB),
    };
  };
}
