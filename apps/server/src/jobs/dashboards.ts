import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  computeDashboardsForSaes,
  corpusContexts,
  decodeDashboardState,
  encodeDashboardState,
  generateCorpus,
  loadSae,
  MIB,
  readSafetensorsLazy,
  unembeddingName,
} from '@workbench/analysis';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ModelService } from '../models/service.js';
import { AppError } from '../services/errors.js';
import { dashboardContextTokens, type JobMemoryGuard, REDUCE_DASHBOARDS } from './memory.js';
import type { JobHandler } from './runner.js';

export const dashboardInput = z.object({
  modelId: z.string().min(1),
  saeId: z.string().min(1),
  /** "demo": the bundled demo corpus; otherwise the name of a .txt file in the corpora folder. */
  corpus: z
    .string()
    .regex(/^(demo|[\w.-]+\.txt)$/, 'must be "demo" or the name of a .txt file in the corpora folder')
    .default('demo'),
  /** At most this many contexts (default: all). */
  maxContexts: z.number().int().min(1).max(1_000_000).optional(),
  /** Replace stored dashboards (an operator's job, the CLI's); false: only an SAE without any gets them. */
  replace: z.boolean().default(true),
});
export type DashboardInput = z.infer<typeof dashboardInput>;

export interface DashboardJobDeps {
  prisma: PrismaClient;
  models: ModelService;
  /** Where running jobs keep their resumable state. */
  stateDir: string;
  /** Text corpora users may name (only files inside it: a job never reads arbitrary server paths). */
  corporaDir: string;
  /** Refuses a job whose estimated peak memory exceeds JOB_MEMORY_MB, before it loads anything. */
  memory: JobMemoryGuard;
}

const CHECKPOINT_EVERY_MS = 15_000;

async function readCorpus(name: string, corporaDir: string): Promise<string> {
  if (name === 'demo') return generateCorpus({ seed: 0, documents: 2000 });
  const path = resolve(corporaDir, name);
  const rel = relative(corporaDir, path);
  if (rel.startsWith('..') || isAbsolute(rel) || !name.endsWith('.txt')) {
    throw new AppError('BAD_USER_INPUT', `corpus: "${name}" must be "demo" or a .txt file in the corpora folder`, {
      field: 'corpus',
    });
  }
  return readFile(path, 'utf8').catch(() => {
    throw new AppError('BAD_USER_INPUT', `corpus: no file "${name}" in the corpora folder`, { field: 'corpus' });
  });
}

/**
 * Computes an SAE's dashboards over a corpus and replaces the SAE's stored dashboards in one transaction. Its state
 * goes to a file every few seconds, so an interrupted run resumes from there.
 */
export function dashboardJob(deps: DashboardJobDeps): JobHandler {
  return async (raw, context) => {
    const input = dashboardInput.parse(raw);
    const sae = deps.models.sae(input.saeId);
    const entry = deps.models.model(input.modelId);
    if (sae.modelId !== entry.id) throw new Error(`SAE ${sae.id} belongs to ${sae.modelId}, not ${entry.id}`);
    const memory = await deps.memory.dashboards(input);
    const estimate = deps.memory.describe(memory);
    await context.progress(estimate, 0);
    deps.memory.check(memory, 'dashboards job', REDUCE_DASHBOARDS);
    await context.progress(`loading the model and SAE (${estimate})`, 1);
    const { model, tokenizer } = await deps.models.load(entry.id);
    const weights = await loadSae(sae.path);
    // The logit effects read the model's unembedding: wte for tied GPT-2s, lm_head for untied ones.
    const unembeddingTensor = unembeddingName(model.config);
    const { tensors } = await readSafetensorsLazy(join(entry.path, 'model.safetensors'), (name) =>
      name === unembeddingTensor || name.endsWith(`.${unembeddingTensor}`) ? 'unembedding' : null,
    );
    const unembedding = tensors.get('unembedding')?.data;
    if (!unembedding) throw new Error(`${entry.path}/model.safetensors has no ${unembeddingTensor}`);
    await context.progress('tokenizing the corpus', 3);
    const contextTokens = dashboardContextTokens(entry);
    const bos = sae.conventions.prependBos ? model.config.bosTokenId : null;
    let contexts = corpusContexts(tokenizer, await readCorpus(input.corpus, deps.corporaDir), contextTokens, bos);
    if (input.maxContexts) contexts = contexts.slice(0, input.maxContexts);
    if (!contexts.length) throw new Error(`corpus "${input.corpus}" has fewer than ${contextTokens} tokens`);

    await mkdir(deps.stateDir, { recursive: true });
    const stateFile = join(deps.stateDir, `dashboards-${context.job.id}.bin`);
    const resumeFrom = (context.checkpoint as { stateFile?: string } | null)?.stateFile;
    // A missing or unreadable checkpoint (e.g. an older JSON one) means starting afresh.
    const state = resumeFrom
      ? await readFile(resumeFrom)
          .then((bytes) => decodeDashboardState(bytes))
          .catch(() => undefined)
      : undefined;
    let lastSave = Date.now();
    const { results } = await computeDashboardsForSaes({
      model,
      tokenizer,
      saes: [weights],
      contexts,
      unembedding,
      centerResidual: sae.conventions.centerResidual,
      options: { contextTokens },
      states: state ? [state] : undefined,
      signal: context.signal,
      onProgress: (stage, percent) => context.progress(stage, 3 + percent * 0.9),
      onCheckpoint: async ([s]) => {
        if (Date.now() - lastSave < CHECKPOINT_EVERY_MS) return;
        lastSave = Date.now();
        await writeFile(`${stateFile}.tmp`, encodeDashboardState(s!));
        await rename(`${stateFile}.tmp`, stateFile);
        await context.saveCheckpoint({ stateFile });
      },
    });

    await context.progress('saving dashboards', 96);
    const result = results[0]!;
    // Built 500 at a time from the engine's typed state, so a 24,576-feature SAE's dashboards are never all in memory.
    const rows = (from: number) =>
      Array.from({ length: Math.min(500, result.features - from) }, (_, i) => {
        const d = result.dashboard(from + i);
        return {
          saeId: sae.id,
          featureIndex: d.index,
          maxActivation: d.maxActivation,
          density: d.density,
          histogram: d.histogram,
          topContexts: d.topContexts as never,
          quantiles: d.quantiles as never,
          topLogits: d.topLogits,
          bottomLogits: d.bottomLogits,
          corpus: input.corpus,
          jobId: context.job.id,
        };
      });
    await deps.prisma.$transaction(
      async (tx) => {
        if (!input.replace && (await tx.featureDashboard.findFirst({ where: { saeId: sae.id } }))) {
          throw new Error(`dashboards for ${sae.id} were stored meanwhile; replacing them needs an operator`);
        }
        await tx.featureDashboard.deleteMany({ where: { saeId: sae.id } });
        for (let i = 0; i < result.features; i += 500) await tx.featureDashboard.createMany({ data: rows(i) });
      },
      { timeout: 300_000 },
    );
    await rm(stateFile, { force: true });
    return {
      saeId: sae.id,
      features: result.features,
      contexts: contexts.length,
      corpus: input.corpus,
      estimatedPeakMemoryMb: Math.ceil(memory.bytes / MIB),
    };
  };
}
