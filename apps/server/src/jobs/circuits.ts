import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  computeCircuitWith,
  evaluateNodeSet,
  loadPairs,
  loadSae,
  MIB,
  parseCircuitFile,
  parseSaeConfig,
  type SaeSource,
  SVA_TEMPLATES,
  tokenizePairs,
} from '@workbench/analysis';
import { z } from 'zod';
import type { ModelService } from '../models/service.js';
import type { CircuitService } from '../services/circuits.js';
import { type JobMemoryGuard, REDUCE_CIRCUIT } from './memory.js';
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
    method: z.enum(['ig', 'atp', 'exact']).default('ig'),
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
export async function saeSources(
  models: ModelService,
  modelId: string,
  saeIds: string[] | undefined,
): Promise<(SaeSource & { id: string })[]> {
  const saes = models.saesOf(modelId).filter((s) => !saeIds || saeIds.includes(s.id));
  if (!saes.length) throw new Error(`model ${modelId} has no SAEs to build a circuit from`);
  return Promise.all(
    saes.map(async (s) => ({
      id: s.id,
      hook: s.hook,
      config: parseSaeConfig(JSON.parse(await readFile(join(s.path, 'cfg.json'), 'utf8')), `${s.path}/cfg.json`),
      path: s.path,
      load: async () => (await loadSae(s.path)).weights,
    })),
  );
}

/** Discovers a circuit on a loaded model and stores it as a new circuit with its first version. */
export function circuitJob(deps: {
  models: ModelService;
  circuits: CircuitService;
  memory: JobMemoryGuard;
}): JobHandler {
  return async (raw, context) => {
    const input = circuitJobInput.parse(raw);
    const entry = deps.models.model(input.modelId);
    const memory = await deps.memory.circuit(input);
    const estimate = deps.memory.describe(memory);
    await context.progress(estimate, 0);
    deps.memory.check(memory, 'circuit job', REDUCE_CIRCUIT);
    await context.progress(`loading the model and SAEs (${estimate})`, 1);
    const { model, tokenizer } = await deps.models.load(entry.id);
    const saes = await saeSources(deps.models, entry.id, input.saeIds);
    const given = input.pairs?.map((p) => ({ ...p, case: 'custom' }));
    const { name, pairs } = await loadPairs(given ?? input.dataset!, given?.length ?? input.n);
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
        // All of them (at most 1000), so any node set can be scored again on the same pairs later.
        examples: pairs,
        promptTokens: tokenizer.tokenTexts(tokenized[0]!.clean),
        patchTokens: tokenizer.tokenTexts(tokenized[0]!.patch),
        // Registry ids, not server folders: the file is shown to users, and the app links features by these.
        saeIds: Object.fromEntries(saes.map((s) => [s.hook, s.id])),
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
      estimatedPeakMemoryMb: Math.ceil(memory.bytes / MIB),
    };
  };
}

export const evaluateInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  version: z.number().int().min(1),
  nodeIds: z.array(z.string().min(1)).max(100_000),
});

/**
 * What scoring a node set of a stored circuit version needs: the model, the SAEs at the circuit's hooks, the prompt
 * pairs it was computed from (tokenized as it was) and the options of its own evaluation.
 */
export async function circuitEvaluationSetup(
  deps: { models: ModelService; circuits: CircuitService },
  circuitId: string,
  versionNumber: number,
) {
  const version = await deps.circuits.versionForJob(circuitId, versionNumber);
  const file = parseCircuitFile(version.graph, `circuit ${circuitId} v${versionNumber}`);
  const entry = deps.models.model(file.model.name);
  const { model, tokenizer } = await deps.models.load(entry.id);
  const hooks = new Set(file.saes.map((s) => s.hook));
  const saes = (await saeSources(deps.models, entry.id, undefined)).filter((s) => hooks.has(s.hook));
  const examples = file.dataset.examples?.map((e) => ({ ...e, case: 'custom' }));
  const { pairs } = (SVA_TEMPLATES as readonly string[]).includes(file.dataset.name)
    ? await loadPairs(file.dataset.name, file.dataset.pairs)
    : { pairs: examples ?? [] };
  if (!pairs.length) throw new Error('this circuit does not record the prompt pairs it was computed from');
  const bos = saes[0]!.config.prependBos ? model.config.bosTokenId : undefined;
  return {
    model,
    tokenizer,
    saes,
    pairs,
    tokenized: tokenizePairs(tokenizer, pairs, bos),
    options: { metric: file.method.metric, centerResid: file.method.centerResid },
  };
}

/**
 * Faithfulness and completeness of any node set of a stored circuit (a hand-edited selection), on the prompt pairs
 * the circuit was computed from, by mean-ablating everything else.
 */
export function evaluateJob(deps: { models: ModelService; circuits: CircuitService }): JobHandler {
  return async (raw, context) => {
    const input = evaluateInput.parse(raw);
    await context.progress('loading the model and SAEs', 2);
    const { model, saes, tokenized, options } = await circuitEvaluationSetup(deps, input.circuitId, input.version);
    const scores = await evaluateNodeSet(model, saes, tokenized, input.nodeIds, options, {
      signal: context.signal,
      onProgress: (stage, percent) => void context.progress(stage, percent).catch(() => {}),
    });
    return { ...scores };
  };
}
