import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  computeCircuitWith,
  loadPairs,
  loadSae,
  parseSaeConfig,
  type SaeSource,
  SVA_TEMPLATES,
  tokenizePairs,
} from '@workbench/analysis';
import { z } from 'zod';
import type { ModelService } from '../models/service.js';
import type { CircuitService } from '../services/circuits.js';
import type { JobHandler } from './runner.js';

const pairSchema = z.object({
  clean_prefix: z.string().min(1).max(500),
  patch_prefix: z.string().min(1).max(500),
  clean_answer: z.string().min(1).max(50),
  patch_answer: z.string().min(1).max(50),
});

export const circuitJobInput = z
  .object({
    teamId: z.uuid('must be a team id'),
    title: z.string().trim().min(1, 'must not be empty').max(200),
    visibility: z.enum(['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC']).default('TEAM'),
    modelId: z.string().min(1),
    /** SAE ids of the model (default: all of them). */
    saeIds: z.array(z.string()).optional(),
    /** A bundled template (generated held-out pairs) or prompt pairs given inline; never a server file path. */
    dataset: z.enum(SVA_TEMPLATES as unknown as [string, ...string[]]).optional(),
    pairs: z.array(pairSchema).min(1).max(1000).optional(),
    n: z.number().int().min(1).max(1000).default(20),
    method: z.enum(['ig', 'atp']).default('ig'),
    steps: z.number().int().min(1).max(50).default(10),
    nodeThreshold: z.number().min(0).default(0.1),
    edgeThreshold: z.number().min(0).default(0.01),
    maxNodes: z.number().int().min(1).max(100_000).optional(),
    aggregation: z.enum(['position', 'sum']).default('position'),
  })
  .refine((v) => Boolean(v.dataset) !== Boolean(v.pairs), {
    message: 'give either a dataset name or prompt pairs',
    path: ['dataset'],
  });
export type CircuitJobInput = z.infer<typeof circuitJobInput>;

/** SAEs of a model as lazily loaded sources: configs now, weights when the circuit code asks. */
async function saeSources(models: ModelService, modelId: string, saeIds: string[] | undefined): Promise<SaeSource[]> {
  const saes = models.saesOf(modelId).filter((s) => !saeIds || saeIds.includes(s.id));
  if (!saes.length) throw new Error(`model ${modelId} has no SAEs to build a circuit from`);
  return Promise.all(
    saes.map(async (s) => ({
      hook: s.hook,
      config: parseSaeConfig(JSON.parse(await readFile(join(s.path, 'cfg.json'), 'utf8')), `${s.path}/cfg.json`),
      path: s.path,
      load: async () => (await loadSae(s.path)).weights,
    })),
  );
}

/** Discovers a circuit on a loaded model and stores it as a new circuit with its first version. */
export function circuitJob(deps: { models: ModelService; circuits: CircuitService }): JobHandler {
  return async (raw, context) => {
    const input = circuitJobInput.parse(raw);
    const entry = deps.models.model(input.modelId);
    await context.progress('loading the model and SAEs', 1);
    const { model, tokenizer } = await deps.models.load(entry.id);
    const saes = await saeSources(deps.models, entry.id, input.saeIds);
    const given = input.pairs?.map((p) => ({ ...p, case: 'custom' }));
    const { name, pairs } = await loadPairs(given ?? input.dataset!, input.n);
    const bos = saes[0]!.config.prependBos ? model.config.bosTokenId : undefined;
    const tokenized = tokenizePairs(tokenizer, pairs, bos);
    const file = await computeCircuitWith(
      model,
      saes,
      tokenized,
      {
        method: input.method,
        steps: input.steps,
        nodeThreshold: input.nodeThreshold,
        edgeThreshold: input.edgeThreshold,
        maxNodes: input.maxNodes,
        aggregation: input.aggregation,
      },
      {
        modelName: entry.id,
        datasetName: name,
        examples: pairs.slice(0, 5),
        promptTokens: tokenizer.tokenTexts(tokenized[0]!.clean),
        saeSources: Object.fromEntries(saes.map((s) => [s.hook, s.path ?? ''])),
      },
      {
        signal: context.signal,
        onProgress: (stage, percent) => void context.progress(stage, 2 + percent * 0.95).catch(() => {}),
      },
    );
    await context.progress('saving the circuit', 98);
    const circuit = await deps.circuits.createForJob(
      { teamId: input.teamId, createdById: context.job.createdById! },
      {
        title: input.title,
        visibility: input.visibility,
        graph: file,
        message: `Computed: ${name}, ${pairs.length} pairs, ${input.method}`,
      },
    );
    return {
      circuitId: circuit.id,
      slug: circuit.slug,
      nodes: file.metrics.nodes,
      edges: file.metrics.edges,
      faithfulness: file.metrics.faithfulness,
      completeness: file.metrics.completeness,
    };
  };
}
