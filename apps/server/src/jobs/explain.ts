import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  corpusContextsWithPauses,
  type FeatureContext,
  type HookedGPT2,
  loadSae,
  type Sae,
  SaeSession,
  threadedNodeOrt,
} from '@workbench/analysis';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CatalogSae } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import {
  balancedAccuracy,
  type DashboardContexts,
  DETECTION_ACTIVATING,
  type DetectionExample,
  type DetectionScore,
  detectionMessages,
  explainerMessages,
  parseDetection,
  parseExplanation,
  shuffled,
  splitContexts,
  tokenPatternDraft,
} from '../services/label-drafts.js';
import type { LabelService } from '../services/labels.js';
import { CountingChatClient, type LlmSettings, RequestCapReached } from '../services/llm.js';
import { mayInTeam } from '../services/policy.js';
import { readCorpus } from './dashboards.js';
import { dashboardContextTokens } from './memory.js';
import type { JobContext, JobHandler } from './runner.js';

export const explainInput = z.object({
  teamId: z.uuid('must be a team id'),
  modelId: z.string().min(1),
  saeId: z.string().min(1),
  /** One feature; absent: every feature of the SAE that its dashboards show firing. */
  featureIndex: z.number().int().min(0, 'must be a non-negative integer').optional(),
  /** The most HTTP requests (retries included) the job makes; it stops there, saying so. */
  maxRequests: z.number().int().min(1, 'must be at least 1'),
  /** Decided when the job is started: an LLM when one is configured, else the token pattern. */
  drafter: z.enum(['LLM', 'TOKEN_PATTERN']),
  visibility: z.enum(['TEAM', 'PUBLIC']).default('TEAM'),
});
export type ExplainInput = z.infer<typeof explainInput>;

export interface ExplainJobDeps {
  prisma: PrismaClient;
  models: ModelService;
  labels: LabelService;
  corporaDir: string;
  /** The endpoint this process sends contexts to; null: none configured. */
  llm: LlmSettings | null;
}

/** A feature the job could not draft, and why (the job goes on with the next). */
type FailedFeature = { featureIndex: number; reason: string };

/** What an interrupted run left: the requests it made and the features that failed. Drafted ones are in the database. */
type Checkpoint = { requests: number; failed: FailedFeature[] };

/** Random corpus contexts the non-activating half of each detection test is drawn from. */
const POOL_CONTEXTS = 64;
/** Features in a row that fail before the job gives up on the endpoint. */
const MAX_CONSECUTIVE_FAILURES = 5;
/** Features whose dashboards are read per query. */
const PAGE = 100;

/**
 * Drafts labels for one feature or a whole SAE as proposed labels of the job's starter: with an LLM, an explanation
 * of the dashboard's contexts, scored by detection on held-out ones; without one, the token-pattern draft. A
 * feature the team already has a draft of by the same drafter (this job's, before an interruption, or an earlier
 * job's) is skipped, so a resumed or repeated run adds no duplicates; the request cap stops the job, saying so.
 */
export function explainJob(deps: ExplainJobDeps): JobHandler {
  return async (raw, context) => {
    const input = explainInput.parse(raw);
    await checkAuthorMayPropose(deps.prisma, input.teamId, context.job.createdById);
    const llm = input.drafter === 'LLM' ? deps.llm : null;
    if (input.drafter === 'LLM' && !llm) {
      throw new Error('this process has no LLM endpoint configured (LLM_BASE_URL and LLM_MODEL)');
    }
    const sae = deps.models.sae(input.saeId);
    const drafter = llm ? { format: 'LLM' as const, model: llm.model } : { format: 'TOKEN_PATTERN' as const };
    const all = await featuresToDraft(deps.prisma, input);
    const done = await draftedFeatures(deps.prisma, input, drafter, context.job.id);
    const todo = all.filter((f) => !done.has(f));
    const saved = (context.checkpoint as Checkpoint | null) ?? { requests: 0, failed: [] };
    const failed = new Map(saved.failed.map((f) => [f.featureIndex, f]));
    const chat = llm ? new CountingChatClient(llm, input.maxRequests, saved.requests) : null;
    const pool = llm ? new NonActivatingPool(deps, sae) : null;
    const progress = new DraftProgress(context, todo.length, all.length - todo.length, input.maxRequests, failed.size);
    const saveCheckpoint = () =>
      context.saveCheckpoint({ requests: chat?.requests ?? 0, failed: [...failed.values()] } satisfies Checkpoint);
    let drafted = 0;
    let skipped = 0;
    let consecutiveFailures = 0;
    let stoppedAtCap = false;
    const labelIds: string[] = [];
    // Drafts run `concurrency` at a time (LLM_CONCURRENCY): each waits on the endpoint most of its time.
    const concurrency = chat ? Math.max(1, llm?.concurrency ?? 1) : 1;
    const running = new Set<Promise<void>>();
    let halt: Error | null = null;
    const draftOne = async (featureIndex: number, dashboard: (DashboardContexts & { corpus: string }) | undefined) => {
      const key = { modelId: input.modelId, saeId: input.saeId, featureIndex };
      try {
        const draft =
          dashboard && (chat ? await llmDraft(chat, pool!, dashboard, featureIndex, context) : patternDraft(dashboard));
        if (!draft) {
          skipped++;
          return;
        }
        // Saved before the label: a run stopped between the two counts these requests twice, never zero times.
        if (chat) await saveCheckpoint();
        const label = await deps.labels.proposeDraft({
          ...key,
          teamId: input.teamId,
          authorId: context.job.createdById!,
          visibility: input.visibility,
          name: draft.name,
          description: draft.description,
          source: { ...drafter, ...draft.source, jobId: context.job.id },
        });
        labelIds.push(label.id);
        drafted++;
        consecutiveFailures = 0;
      } catch (error) {
        if (error instanceof RequestCapReached) {
          stoppedAtCap = true;
          return;
        }
        if (context.signal.aborted) {
          halt ??= error instanceof Error ? error : new Error(String(error));
          return;
        }
        const reason = error instanceof Error ? error.message : String(error);
        failed.set(featureIndex, { featureIndex, reason });
        await saveCheckpoint();
        if (++consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
          halt ??= new Error(
            `${consecutiveFailures} features in a row failed; the last: feature ${featureIndex}: ${reason}`,
          );
        }
      }
    };
    pages: for (let start = 0; start < todo.length; start += PAGE) {
      const dashboards = await readDashboards(deps.prisma, input.saeId, todo.slice(start, start + PAGE));
      for (const featureIndex of todo.slice(start, start + PAGE)) {
        if (failed.has(featureIndex)) continue; // failed in an earlier run: reported, not retried
        while (running.size >= concurrency) await Promise.race(running);
        if (context.signal.aborted) halt ??= new Error('cancelled');
        if (halt || stoppedAtCap) break pages;
        // A draft takes two requests (explanation, detection): none is started that the cap would cut in half,
        // counting two for each draft still running.
        if (chat && chat.remaining - 2 * running.size < 2) {
          stoppedAtCap = true;
          break pages;
        }
        await progress.report(drafted + skipped + failed.size, chat?.requests ?? 0);
        const task: Promise<void> = draftOne(featureIndex, dashboards.get(featureIndex)).finally(() =>
          running.delete(task),
        );
        running.add(task);
      }
    }
    await Promise.all(running);
    if (halt) {
      // Stopped (a shutdown, a cancel, or an endpoint that keeps failing): keep the count of the requests made.
      await saveCheckpoint().catch(() => {});
      throw halt;
    }
    const requests = chat?.requests ?? 0;
    const left = todo.length - drafted - skipped - failed.size;
    await progress.report(drafted + skipped + failed.size, requests, stoppedAtCap ? left : 0);
    return {
      summary: summarize(
        { drafted, skipped, failed: failed.size, left, stoppedAtCap, before: all.length - todo.length },
        todo.length,
        input.maxRequests,
      ),
      drafter: drafter.format,
      model: llm?.model ?? null,
      features: all.length,
      alreadyDrafted: all.length - todo.length,
      drafted,
      skipped,
      failed: [...failed.values()],
      requests,
      maxRequests: input.maxRequests,
      stoppedAtCap,
      left,
      labelIds: labelIds.slice(0, 100),
    };
  };
}

/** The job's outcome in a sentence, for the job's result (the web app shows it). */
function summarize(
  n: { drafted: number; skipped: number; failed: number; left: number; stoppedAtCap: boolean; before: number },
  /** Features this job had to draft (those without a draft by the same drafter). */
  todo: number,
  maxRequests: number,
): string {
  const features_ = (k: number) => `${k.toLocaleString('en-US')} ${k === 1 ? 'feature' : 'features'}`;
  const counts = `${n.drafted} of ${features_(todo)} drafted`;
  const extra = [
    n.before ? `${n.before} drafted before` : '',
    n.failed ? `${n.failed} failed` : '',
    n.skipped ? `${n.skipped} without activating contexts` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const detail = extra ? `${counts} (${extra})` : counts;
  if (n.stoppedAtCap) {
    const left = n.left.toLocaleString('en-US');
    return `Stopped at the request cap (${maxRequests.toLocaleString('en-US')} requests): ${detail}, ${left} left. Start the job again to go on; drafted features are skipped.`;
  }
  return `${detail.charAt(0).toUpperCase()}${detail.slice(1)}.`;
}

/** The job's starter must still be allowed to propose labels in the team (they may have left since). */
async function checkAuthorMayPropose(prisma: PrismaClient, teamId: string, userId: string | null): Promise<void> {
  const membership = userId
    ? await prisma.membership.findUnique({ where: { teamId_userId: { teamId, userId } }, select: { role: true } })
    : null;
  if (!mayInTeam(membership?.role ?? null, 'label.propose')) {
    throw new Error('whoever started this job may no longer propose labels in the team');
  }
}

/** The one feature, or every feature of the SAE whose dashboard shows it firing, by index. */
async function featuresToDraft(prisma: PrismaClient, input: ExplainInput): Promise<number[]> {
  if (input.featureIndex !== undefined) return [input.featureIndex];
  const rows = await prisma.featureDashboard.findMany({
    where: { saeId: input.saeId, density: { gt: 0 } },
    select: { featureIndex: true },
    orderBy: { featureIndex: 'asc' },
  });
  return rows.map((r) => r.featureIndex);
}

/**
 * Features not to draft again: for one feature, those this job already drafted (an interrupted run's); for an SAE,
 * those the team has a draft of by the same drafter (an LLM draft of the same model, or a token-pattern draft).
 */
async function draftedFeatures(
  prisma: PrismaClient,
  input: ExplainInput,
  drafter: { format: string; model?: string },
  jobId: string,
): Promise<Set<number>> {
  const rows = await prisma.$queryRaw<{ feature_index: number }[]>`
    SELECT DISTINCT feature_index FROM feature_labels
    WHERE team_id = ${input.teamId}::uuid AND model_id = ${input.modelId} AND sae_id = ${input.saeId}
      AND source ->> 'format' = ${drafter.format}
      AND (source ->> 'jobId' = ${jobId}
           OR (${input.featureIndex === undefined} AND coalesce(source ->> 'model', '') = ${drafter.model ?? ''}))`;
  return new Set(rows.map((r) => r.feature_index));
}

async function readDashboards(
  prisma: PrismaClient,
  saeId: string,
  features: number[],
): Promise<Map<number, DashboardContexts & { corpus: string }>> {
  const rows = await prisma.featureDashboard.findMany({
    where: { saeId, featureIndex: { in: features } },
    select: {
      featureIndex: true,
      topContexts: true,
      quantiles: true,
      topLogits: true,
      bottomLogits: true,
      corpus: true,
    },
  });
  return new Map(rows.map((r) => [r.featureIndex, r as unknown as DashboardContexts & { corpus: string }]));
}

interface Draft {
  name: string;
  description: string;
  source: Record<string, unknown>;
}

function patternDraft(d: DashboardContexts & { corpus: string }): Draft | null {
  const draft = tokenPatternDraft(d);
  if (!draft) return null;
  const { name, description, ...pattern } = draft;
  return { name, description, source: { corpus: d.corpus, ...pattern } };
}

/**
 * The LLM's explanation of the explain set, then its detection test on held-out activating contexts and as many
 * corpus contexts on which the feature does not fire. A failed or unreadable detection answer leaves the label
 * without a score (the reason recorded); a failed explanation fails the feature.
 */
async function llmDraft(
  chat: CountingChatClient,
  pool: NonActivatingPool,
  d: DashboardContexts & { corpus: string },
  featureIndex: number,
  context: JobContext,
): Promise<Draft | null> {
  const { explain, heldOut } = splitContexts(d);
  if (!explain.length) return null;
  const label = parseExplanation(await chat.complete(explainerMessages(explain), context.signal));
  const activating = heldOut.slice(0, DETECTION_ACTIVATING);
  let detection: (DetectionScore & { examples: number }) | { error: string };
  try {
    const quiet = await pool.contextsWithout(featureIndex, d.corpus, activating.length);
    if (!activating.length || !quiet.length) {
      throw new Error(
        `the detection test needs held-out activating and non-activating contexts (${activating.length} and ${quiet.length})`,
      );
    }
    const examples = shuffled<DetectionExample>(
      [
        ...activating.map((c) => ({ context: c, activating: true })),
        ...quiet.map((c) => ({ context: c, activating: false })),
      ],
      featureIndex + 1,
    );
    const answer = await chat.complete(detectionMessages(label, examples), context.signal);
    detection = { ...balancedAccuracy(examples, parseDetection(answer, examples.length)), examples: examples.length };
  } catch (error) {
    if (error instanceof RequestCapReached || context.signal.aborted) throw error;
    detection = { error: error instanceof Error ? error.message : String(error) };
  }
  return {
    ...label,
    source: { corpus: d.corpus, explainedFrom: explain.length, detection },
  };
}

/**
 * Random contexts of the dashboards' corpus, run through the model and the SAE once per job: for each, the feature's
 * largest activation on any token. A feature's non-activating examples are those where it is 0 (checked, not
 * assumed), picked in an order that differs by feature.
 */
class NonActivatingPool {
  private loaded: Promise<{ contexts: FeatureContext[]; maxima: Float32Array }> | null = null;

  constructor(
    private readonly deps: ExplainJobDeps,
    private readonly sae: CatalogSae,
  ) {}

  async contextsWithout(featureIndex: number, corpus: string, count: number): Promise<FeatureContext[]> {
    this.loaded ??= this.load(corpus);
    const { contexts, maxima } = await this.loaded;
    const dSae = this.sae.dSae;
    const quiet = contexts.filter((_, c) => maxima[c * dSae + featureIndex] === 0);
    return shuffled(quiet, 7919 * (featureIndex + 1)).slice(0, count);
  }

  private async load(corpus: string) {
    const { model, tokenizer } = await this.deps.models.load(this.sae.modelId);
    const entry = this.deps.models.model(this.sae.modelId);
    const bos = this.sae.conventions.prependBos ? model.config.bosTokenId : null;
    const text = await readCorpus(corpus, this.deps.corporaDir);
    const every = await corpusContextsWithPauses(tokenizer, text, dashboardContextTokens(entry), bos, yieldToLoop);
    const ids = shuffled(every, 104729).slice(0, POOL_CONTEXTS);
    const sae = await loadSae(this.sae.path);
    const maxima = await contextMaxima(model, sae, ids, this.sae.conventions.centerResidual);
    const contexts = ids.map((c) => ({ tokens: tokenizer.tokenTexts(c), values: c.map(() => 0), max: 0 }));
    return { contexts, maxima };
  }
}

/** Each context's largest activation of every feature, [contexts, dSae]: one model run and SAE encode per batch. */
async function contextMaxima(model: HookedGPT2, sae: Sae, contexts: number[][], centerResidual: boolean) {
  const { dIn, dSae, hookName } = sae.config;
  const batchSize = 8;
  const length = Math.max(...contexts.map((c) => c.length));
  // On ONNX Runtime's own thread: this process may also be answering HTTP (the embedded defaults).
  const session = await SaeSession.create(threadedNodeOrt, sae, { rows: batchSize * length, threads: 1 });
  const maxima = new Float32Array(contexts.length * dSae);
  try {
    for (let start = 0; start < contexts.length; start += batchSize) {
      const batch = contexts.slice(start, start + batchSize);
      const out = await model.run(batch, { hooks: [hookName], logits: false, centerResid: centerResidual });
      const hook = out.hooks.get(hookName)!;
      const seq = hook.shape[1]!;
      for (const [b, ids] of batch.entries()) {
        // The hook's rows of this context's real tokens (sequences are right-padded to the longest).
        const x = hook.data.subarray(b * seq * dIn, (b * seq + ids.length) * dIn);
        const { features } = await session.encode(x, ids.length);
        const row = maxima.subarray((start + b) * dSae, (start + b + 1) * dSae);
        for (let t = 0; t < ids.length; t++) {
          for (let f = 0; f < dSae; f++) row[f] = Math.max(row[f]!, features[t * dSae + f]!);
        }
      }
    }
  } finally {
    await session.release();
  }
  return maxima;
}

/** "12 of 340 features drafted, 26 of 200 requests, 3.1 features/min", with the ETA at this run's rate. */
class DraftProgress {
  private readonly startedAt = Date.now();

  constructor(
    private readonly context: JobContext,
    private readonly todo: number,
    private readonly alreadyDrafted: number,
    private readonly maxRequests: number,
    /** Features an interrupted run already got through (failed ones): not this run's work, for the rate. */
    private readonly doneAtStart: number,
  ) {}

  async report(done: number, requests: number, leftAtCap = 0): Promise<void> {
    const total = this.todo;
    const minutes = (Date.now() - this.startedAt) / 60_000;
    const rate = minutes > 0 && done > this.doneAtStart ? (done - this.doneAtStart) / minutes : 0;
    const parts = [`${done} of ${total} features drafted`];
    if (this.alreadyDrafted) parts.push(`${this.alreadyDrafted} drafted before`);
    parts.push(`${requests} of ${this.maxRequests} requests`);
    if (rate > 0) parts.push(`${rate >= 10 ? Math.round(rate) : rate.toPrecision(2)} features/min`);
    if (leftAtCap) parts.push(`stopped at the request cap, ${leftAtCap} features left`);
    const percent = total ? (100 * done) / total : 100;
    const eta = rate > 0 ? ((total - done) / rate) * 60 : undefined;
    await this.context.progress(parts.join(', '), leftAtCap ? 100 : Math.min(99, percent), leftAtCap ? 0 : eta);
  }
}
