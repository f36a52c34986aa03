import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
// Awaited between long synchronous stretches, so the event loop answers what waits (HTTP, on the embedded defaults).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  computeDashboardsForSaes,
  corpusContextsWithPauses,
  type DashboardState,
  decodeDashboardState,
  encodeDashboardState,
  generateCorpus,
  loadSae,
  MIB,
  readSafetensorsLazy,
  type SaeDashboards,
  threadedNodeOrt,
  unembeddingName,
} from '@workbench/analysis';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CatalogSae } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import { AppError } from '../services/errors.js';
import { dashboardContextTokens, type JobMemoryGuard, REDUCE_DASHBOARDS } from './memory.js';
import type { JobHandler } from './runner.js';
import { TokenRate } from './token-rate.js';

/** The most SAEs one dashboards job computes together (a model's catalog has a few dozen at most). */
export const MAX_DASHBOARD_SAES = 100;

export const dashboardInput = z
  .object({
    modelId: z.string().min(1),
    /** One SAE (what jobs queued before saeIds, and the CLI, name). */
    saeId: z.string().min(1).optional(),
    /** SAEs of the model whose dashboards one pass over the corpus computes together. */
    saeIds: z.array(z.string().min(1)).min(1).max(MAX_DASHBOARD_SAES).optional(),
    /** "demo": the bundled demo corpus; otherwise the name of a .txt file in the corpora folder. */
    corpus: z
      .string()
      .regex(/^(demo|[\w.-]+\.txt)$/, 'must be "demo" or the name of a .txt file in the corpora folder')
      .default('demo'),
    /** At most this many contexts (default: all). */
    maxContexts: z.number().int().min(1).max(1_000_000).optional(),
    /** Replace stored dashboards (an operator's job, the CLI's); false: only SAEs without any get them. */
    replace: z.boolean().default(true),
  })
  .refine((input) => input.saeId !== undefined || input.saeIds !== undefined, {
    message: 'name an SAE (sae) or several (saes)',
    path: ['sae'],
  })
  // One list, saeId first, each SAE once: what the job computes.
  .transform(({ saeId, saeIds, ...rest }) => ({
    ...rest,
    saeIds: [...new Set([...(saeId === undefined ? [] : [saeId]), ...(saeIds ?? [])])],
  }));
export type DashboardInput = z.infer<typeof dashboardInput>;

/**
 * The input's SAEs from the catalog (NOT_FOUND for an unknown one), checked to belong to its model and to read it
 * alike: one pass runs the model once per batch for all of them, on the same contexts.
 */
export function dashboardSaes(models: ModelService, input: DashboardInput): CatalogSae[] {
  const model = models.model(input.modelId);
  const saes = input.saeIds.map((id) => models.sae(id));
  const first = saes[0]!;
  for (const sae of saes) {
    if (sae.modelId !== model.id) {
      throw new AppError('BAD_USER_INPUT', `saes: ${sae.id} is an SAE of ${sae.modelId}, not of ${model.id}`, {
        field: 'saes',
      });
    }
    const { prependBos, centerResidual } = sae.conventions;
    if (prependBos !== first.conventions.prependBos || centerResidual !== first.conventions.centerResidual) {
      throw new AppError(
        'BAD_USER_INPUT',
        `saes: ${first.id} and ${sae.id} read the model differently (prepend_bos or centered residuals); ` +
          'compute their dashboards in separate jobs',
        { field: 'saes' },
      );
    }
  }
  return saes;
}

export interface DashboardJobDeps {
  prisma: PrismaClient;
  models: ModelService;
  /** Where running jobs keep their resumable state. */
  stateDir: string;
  /** Text corpora users may name (only files inside it: a job never reads arbitrary server paths). */
  corporaDir: string;
  /** Refuses a job whose estimated peak memory exceeds JOB_MEMORY_MB, before it loads anything. */
  memory: JobMemoryGuard;
  /** How often a running job saves its state (default DASHBOARD_CHECKPOINT_MS; at most a minute of work). */
  checkpointEveryMs?: number;
}

/** How often a running job saves its state by default: a crash loses at most this much work (and a batch). */
export const DASHBOARD_CHECKPOINT_MS = 15_000;

/** A corpus users may name: "demo" or a .txt file inside the corpora folder (BAD_USER_INPUT otherwise). */
export async function readCorpus(name: string, corporaDir: string): Promise<string> {
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

const STATES_MAGIC = 0x57424453; // "WBDS"

/**
 * Every SAE's state in one file, written beside it and renamed over it (and synced first): a crash at any moment
 * leaves either the previous complete file or the new one, never a mix of two batches' states.
 */
async function writeStates(file: string, states: DashboardState[]): Promise<void> {
  const encoded = states.map(encodeDashboardState);
  const header = new DataView(new ArrayBuffer(8 + 8 * encoded.length));
  header.setUint32(0, STATES_MAGIC);
  header.setUint32(4, encoded.length);
  for (const [i, bytes] of encoded.entries()) header.setFloat64(8 + 8 * i, bytes.length);
  const handle = await open(`${file}.tmp`, 'w');
  try {
    await handle.write(new Uint8Array(header.buffer));
    for (const bytes of encoded) await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${file}.tmp`, file);
}

/** `writeStates`' file, if it holds `count` states; undefined for anything else (a run then starts afresh). */
async function readStates(file: string, count: number): Promise<DashboardState[] | undefined> {
  try {
    const bytes = await readFile(file);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0) !== STATES_MAGIC || view.getUint32(4) !== count) return undefined;
    let at = 8 + 8 * count;
    return Array.from({ length: count }, (_, i) => {
      const length = view.getFloat64(8 + 8 * i);
      const state = decodeDashboardState(bytes.subarray(at, at + length));
      at += length;
      return state;
    });
  } catch {
    return undefined;
  }
}

/**
 * Computes the dashboards of one or several SAEs of a model in one pass over a corpus, reporting tokens done, rate
 * and ETA, and saving every SAE's state at least every `checkpointEveryMs` (at the end of a batch), so an
 * interrupted run resumes from there. Each SAE's stored dashboards are replaced in one short transaction for all
 * of them (storeDashboards).
 */
export function dashboardJob(deps: DashboardJobDeps): JobHandler {
  const checkpointEveryMs = deps.checkpointEveryMs ?? DASHBOARD_CHECKPOINT_MS;
  return async (raw, context) => {
    const input = dashboardInput.parse(raw);
    const entry = deps.models.model(input.modelId);
    const saes = dashboardSaes(deps.models, input);
    const memory = await deps.memory.dashboards(input);
    const estimate = deps.memory.describe(memory);
    await context.progress(estimate, 0);
    deps.memory.check(memory, 'dashboards job', REDUCE_DASHBOARDS);
    await context.progress(`loading the model and ${saes.length === 1 ? 'SAE' : 'SAEs'} (${estimate})`, 1);
    const { model, tokenizer } = await deps.models.load(entry.id);
    const weights = await Promise.all(saes.map((sae) => loadSae(sae.path)));
    // The logit effects read the model's unembedding: wte for tied GPT-2s, lm_head for untied ones.
    const unembeddingTensor = unembeddingName(model.config);
    const { tensors } = await readSafetensorsLazy(join(entry.path, 'model.safetensors'), (name) =>
      name === unembeddingTensor || name.endsWith(`.${unembeddingTensor}`) ? 'unembedding' : null,
    );
    const unembedding = tensors.get('unembedding')?.data;
    if (!unembedding) throw new Error(`${entry.path}/model.safetensors has no ${unembeddingTensor}`);
    await context.progress('tokenizing the corpus', 3);
    const contextTokens = dashboardContextTokens(entry);
    const conventions = saes[0]!.conventions;
    const bos = conventions.prependBos ? model.config.bosTokenId : null;
    const corpus = await readCorpus(input.corpus, deps.corporaDir);
    let contexts = await corpusContextsWithPauses(tokenizer, corpus, contextTokens, bos, yieldToLoop);
    if (input.maxContexts) contexts = contexts.slice(0, input.maxContexts);
    if (!contexts.length) throw new Error(`corpus "${input.corpus}" has fewer than ${contextTokens} tokens`);

    // What an earlier attempt of this job (or one that ended mid-store) left staged is never moved: clear it.
    await clearStagedDashboards(deps.prisma, context.job.id);
    await mkdir(deps.stateDir, { recursive: true });
    const stateFile = join(deps.stateDir, `dashboards-${context.job.id}.states`);
    const resumeFrom = (context.checkpoint as { statesFile?: string } | null)?.statesFile;
    // A missing or unreadable checkpoint (e.g. one of an older format) means starting afresh.
    const states = resumeFrom ? await readStates(resumeFrom, saes.length) : undefined;
    const resumedFromContexts = states?.[0]?.contextsDone ?? 0;
    const totalTokens = contexts.reduce((n, c) => n + c.length, 0);
    // Timed from the first batch this run encoded: loading and compiling the SAEs' encoders would skew the rate.
    let rate: TokenRate | undefined;
    let lastSave = Date.now();
    const { results } = await computeDashboardsForSaes({
      model,
      tokenizer,
      saes: weights,
      contexts,
      unembedding,
      centerResidual: conventions.centerResidual,
      options: { contextTokens },
      states,
      signal: context.signal,
      // Off the event loop: on the embedded defaults this process also answers HTTP (bench:job-lag).
      ort: threadedNodeOrt,
      onProgress: (stage, percent, tokensDone) => {
        const at = 3 + percent * 0.9;
        if (tokensDone === undefined) return context.progress(stage, at);
        rate ??= new TokenRate(totalTokens, tokensDone);
        const { text, etaSeconds } = rate.describe(tokensDone);
        return context.progress(`${stage}: ${text}`, at, etaSeconds);
      },
      onCheckpoint: async (current) => {
        if (Date.now() - lastSave < checkpointEveryMs) return;
        await writeStates(stateFile, current);
        await context.saveCheckpoint({ statesFile: stateFile });
        lastSave = Date.now();
      },
    });

    await context.progress(`saving dashboards of ${saes.length} ${saes.length === 1 ? 'SAE' : 'SAEs'}`, 96);
    await storeDashboards(deps.prisma, input, context.job.id, saes, results);
    await rm(stateFile, { force: true });
    return {
      saeIds: saes.map((s) => s.id),
      features: results.reduce((n, r) => n + r.features, 0),
      contexts: contexts.length,
      tokens: totalTokens,
      resumedFromContexts,
      corpus: input.corpus,
      estimatedPeakMemoryMb: Math.ceil(memory.bytes / MIB),
    };
  };
}

/**
 * Rows per insert: a 24,576-feature SAE's dashboards are never all built in memory at once. Sending one insert
 * holds the event loop for about 0.6 ms a row under load (measured; it grows with the rows, not with building them),
 * so 500 at once stalled every HTTP request on the embedded defaults for ~300 ms; 50 keep that near 30 ms.
 */
const ROWS_PER_INSERT = 50;
/** Rows built and serialised between yields to the event loop (each dashboard's contexts, then JSON.stringify). */
const ROWS_PER_SLICE = 25;

/**
 * Rows as one JSON text that Postgres unpacks (jsonb_to_recordset) into the staging table: Prisma's createMany walks
 * every nested value of the JSON columns in JavaScript, about 4 ms a row here (100 s of a 24,576-feature SAE, the
 * event loop blocked), where JSON.stringify takes well under a tenth of that.
 */
function stageRows(prisma: PrismaClient, rowsJson: string) {
  return prisma.$executeRaw`
    INSERT INTO feature_dashboards_staging (job_id, sae_id, feature_index, max_activation, density, histogram,
      top_contexts, quantiles, top_logits, bottom_logits, corpus)
    SELECT job_id, sae_id, feature_index, max_activation, density, histogram, top_contexts, quantiles, top_logits,
      bottom_logits, corpus
    FROM jsonb_to_recordset(${rowsJson}::jsonb) AS r(job_id uuid, sae_id text, feature_index int,
      max_activation float8, density float8, histogram jsonb, top_contexts jsonb, quantiles jsonb, top_logits jsonb,
      bottom_logits jsonb, corpus text)`;
}

/**
 * Removes staged rows that no run will move: this job's own from an earlier, interrupted attempt, and those of any
 * job that is no longer queued or running (failed, cancelled or deleted while storing, e.g. a crash mid-store
 * whose job then ran out of attempts). Rows of other jobs still running (other workers) stay.
 */
async function clearStagedDashboards(prisma: PrismaClient, jobId: string): Promise<void> {
  await prisma.featureDashboardStaging.deleteMany({ where: { jobId } });
  await prisma.$executeRaw`
    DELETE FROM feature_dashboards_staging s
    WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = s.job_id AND j.status IN ('QUEUED', 'RUNNING'))`;
}

/**
 * Replaces every SAE's stored dashboards. The rows go first into feature_dashboards_staging, 50 per statement, each
 * its own short transaction: on PGlite (one connection) other requests' queries run between them, where one
 * transaction for all the inserts made every request wait until the last (1.7 s for 4 demo SAEs; minutes for a
 * GPT-2's). Then one short transaction swaps each SAE's old set for the staged one inside the database, so a reader
 * sees each SAE's old set or its new one, never part of either, and a failure leaves every old set in place (and
 * removes what this job staged).
 */
async function storeDashboards(
  prisma: PrismaClient,
  input: DashboardInput,
  jobId: string,
  saes: CatalogSae[],
  results: SaeDashboards[],
): Promise<void> {
  const row = (sae: CatalogSae, result: SaeDashboards, feature: number) => {
    const d = result.dashboard(feature);
    return {
      job_id: jobId,
      sae_id: sae.id,
      feature_index: d.index,
      max_activation: d.maxActivation,
      density: d.density,
      histogram: d.histogram,
      top_contexts: d.topContexts,
      quantiles: d.quantiles,
      top_logits: d.topLogits,
      bottom_logits: d.bottomLogits,
      corpus: input.corpus,
    };
  };
  /** One insert's rows as a JSON array, built a slice at a time with the event loop let in between. */
  const rowsJson = async (sae: CatalogSae, result: SaeDashboards, from: number) => {
    const to = Math.min(from + ROWS_PER_INSERT, result.features);
    const parts: string[] = [];
    for (let start = from; start < to; start += ROWS_PER_SLICE) {
      if (start > from) await yieldToLoop();
      const slice = Array.from({ length: Math.min(ROWS_PER_SLICE, to - start) }, (_, i) => row(sae, result, start + i));
      parts.push(JSON.stringify(slice).slice(1, -1));
    }
    return `[${parts.join(',')}]`;
  };
  const ids = saes.map((s) => s.id);
  const features = results.reduce((n, r) => n + r.features, 0);
  try {
    for (const [k, sae] of saes.entries()) {
      const result = results[k]!;
      for (let i = 0; i < result.features; i += ROWS_PER_INSERT) {
        await stageRows(prisma, await rowsJson(sae, result, i));
      }
    }
    await prisma.$transaction(
      async (tx) => {
        if (!input.replace) {
          const stored = await tx.featureDashboard.findFirst({
            where: { saeId: { in: ids } },
            select: { saeId: true },
          });
          if (stored)
            throw new Error(`dashboards for ${stored.saeId} were stored meanwhile; replacing them needs an operator`);
        }
        await tx.featureDashboard.deleteMany({ where: { saeId: { in: ids } } });
        const moved = await tx.$executeRaw`
          INSERT INTO feature_dashboards (sae_id, feature_index, max_activation, density, histogram, top_contexts,
            quantiles, top_logits, bottom_logits, corpus, job_id)
          SELECT sae_id, feature_index, max_activation, density, histogram, top_contexts, quantiles, top_logits,
            bottom_logits, corpus, job_id
          FROM feature_dashboards_staging WHERE job_id = ${jobId}::uuid`;
        // Anything else staged under this id (it was cleared when the job started) would be a bug: store nothing.
        if (moved !== features) throw new Error(`staged ${moved} dashboards for ${features} features; none stored`);
        await tx.featureDashboardStaging.deleteMany({ where: { jobId } });
      },
      // One statement's copy inside the database, not JavaScript batches: seconds even for a GPT-2's SAEs.
      { timeout: 120_000 },
    );
  } catch (error) {
    // The store's own error is what the job reports; if the database is gone too, the next job's start clears these.
    await prisma.featureDashboardStaging.deleteMany({ where: { jobId } }).catch(() => undefined);
    throw error;
  }
}
