import type { EventBus } from '../events/bus.js';
import type { Job, Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { JobQueue } from './queue.js';

export interface JobContext {
  job: Job;
  /** What the last interrupted run saved, or null on a first run. */
  checkpoint: unknown;
  /**
   * Reports a stage and 0..100. The ETA is `etaSeconds` when the job knows better (e.g. from its rate of work in
   * this run: a resumed run's percent starts high), else estimated from the percent and the time so far.
   */
  progress(stage: string, percent: number, etaSeconds?: number): Promise<void>;
  /** Saves state so a run interrupted after this point continues from it. */
  saveCheckpoint(state: Prisma.InputJsonValue): Promise<void>;
  signal: AbortSignal;
}

/** Computes a job's result (stored as JSON on the row). Throwing fails the job with the error's message. */
export type JobHandler = (input: unknown, context: JobContext) => Promise<Prisma.InputJsonValue>;

export const jobTopic = (jobId: string) => `job:${jobId}`;

export interface JobRunnerOptions {
  /** A job interrupted this many times fails instead of starting again. */
  maxAttempts?: number;
  /** A RUNNING job whose heartbeat is older than this was interrupted (its process died). */
  staleAfterMs?: number;
  heartbeatMs?: number;
}

/**
 * Runs jobs by id: claims the row (QUEUED → RUNNING, once), runs the handler for its kind with progress and
 * checkpoints, and records the outcome. Interrupted jobs are found by their stale heartbeat and queued again, or
 * failed visibly after maxAttempts: a job never vanishes.
 */
export class JobRunner {
  private readonly maxAttempts: number;
  private readonly staleAfterMs: number;
  private readonly heartbeatMs: number;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly running = new Map<string, AbortController>();
  private readonly finishing = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly queue: JobQueue,
    private readonly handlers: Map<string, JobHandler>,
    options: JobRunnerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  async enqueue(
    kind: string,
    input: Prisma.InputJsonValue,
    owner: { teamId?: string | null; createdById?: string | null } = {},
    /**
     * Runs in the transaction that creates the job, after a lock that every admitting enqueue takes: a quota it
     * checks (jobs running plus queued) holds however many requests arrive at once. Throw to refuse the job.
     */
    admit?: (tx: Prisma.TransactionClient) => Promise<void>,
  ): Promise<Job> {
    if (!this.handlers.has(kind)) throw new Error(`no handler for job kind "${kind}"`);
    const data = { kind, input, teamId: owner.teamId ?? null, createdById: owner.createdById ?? null };
    const job = admit
      ? await this.prisma.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('workbench_job_admission'))`;
          await admit(tx);
          return tx.job.create({ data });
        })
      : await this.prisma.job.create({ data });
    await this.queue.add(job.id);
    return job;
  }

  /** Takes jobs in this process, and queues again what an earlier process left behind. */
  async startWorking(): Promise<void> {
    this.queue.work((id) => this.execute(id));
    await this.recover();
    this.sweeper = setInterval(() => void this.recover().catch(() => {}), this.staleAfterMs / 2);
    this.sweeper.unref();
  }

  /** QUEUED jobs go (back) on the queue; stale RUNNING ones are queued again or, past maxAttempts, failed. */
  async recover(): Promise<void> {
    const staleBefore = new Date(Date.now() - this.staleAfterMs);
    const stale = await this.prisma.job.findMany({
      where: { status: 'RUNNING', OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: staleBefore } }] },
    });
    for (const job of stale) {
      if (this.running.has(job.id)) continue;
      const giveUp = job.attempts >= this.maxAttempts;
      await this.prisma.job.updateMany({
        where: { id: job.id, status: 'RUNNING', heartbeatAt: job.heartbeatAt },
        data: giveUp
          ? {
              status: 'FAILED',
              error: `interrupted ${job.attempts} times (the process running it stopped); not retried`,
              finishedAt: new Date(),
            }
          : { status: 'QUEUED', stage: 'queued again after an interruption' },
      });
      if (giveUp) this.events.publish(jobTopic(job.id), { kind: 'job', id: job.id });
    }
    const queued = await this.prisma.job.findMany({ where: { status: 'QUEUED' }, select: { id: true } });
    for (const { id } of queued) await this.queue.add(id);
  }

  async cancel(jobId: string): Promise<void> {
    await this.prisma.job.updateMany({
      where: { id: jobId, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELLED', finishedAt: new Date(), stage: 'cancelled' },
    });
    this.running.get(jobId)?.abort();
    this.events.publish(jobTopic(jobId), { kind: 'job', id: jobId });
  }

  execute(jobId: string): Promise<void> {
    const run = this.run(jobId);
    this.finishing.add(run);
    return run.finally(() => this.finishing.delete(run));
  }

  private async run(jobId: string): Promise<void> {
    const now = new Date();
    const claimed = await this.prisma.job.updateMany({
      where: { id: jobId, status: 'QUEUED' },
      data: { status: 'RUNNING', startedAt: now, heartbeatAt: now, attempts: { increment: 1 }, error: null },
    });
    if (claimed.count === 0) await this.refuseUnclaimed(jobId);
    else await this.runClaimed(jobId);
  }

  /**
   * A job this runtime could not claim is never taken silently. If its row is here, the row is the truth and says
   * the job is not ours to run now (running elsewhere, a duplicate delivery, cancelled or finished): nothing to do.
   * If there is no row (rows are never deleted), the id came from a queue another deployment shares (QUEUE_PREFIX set
   * alike on two databases): throwing fails that delivery visibly in this worker's log rather than completing it, and
   * it is not retried here; the job's own deployment finds it QUEUED in its database and queues it again.
   */
  private async refuseUnclaimed(jobId: string): Promise<void> {
    if (await this.prisma.job.findUnique({ where: { id: jobId }, select: { id: true } })) return;
    throw new Error(
      `no job ${jobId} in this deployment's database: it was queued by another deployment that shares this Redis ` +
        'queue (give each deployment its own QUEUE_PREFIX); left to that deployment',
    );
  }

  private async runClaimed(jobId: string): Promise<void> {
    const job = await this.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    const handler = this.handlers.get(job.kind);
    const abort = new AbortController();
    this.running.set(jobId, abort);
    const heartbeat = setInterval(() => {
      void this.prisma.job
        .updateMany({ where: { id: jobId, status: 'RUNNING' }, data: { heartbeatAt: new Date() } })
        .catch(() => {});
    }, this.heartbeatMs);
    const startedAt = Date.now();
    let lastWrite = 0;
    const context: JobContext = {
      job,
      checkpoint: job.checkpoint ?? null,
      signal: abort.signal,
      progress: async (stage, percent, knownEta) => {
        if (abort.signal.aborted) throw new Error('cancelled');
        const clamped = Math.max(0, Math.min(100, percent));
        const elapsed = (Date.now() - startedAt) / 1000;
        const etaSeconds =
          knownEta !== undefined && Number.isFinite(knownEta)
            ? Math.max(0, knownEta)
            : clamped > 0
              ? (elapsed * (100 - clamped)) / clamped
              : null;
        this.events.publish(jobTopic(jobId), { kind: 'progress', id: jobId, stage, percent: clamped, etaSeconds });
        // The row is written at most twice a second: progress is for eyes, not for recovery.
        if (Date.now() - lastWrite > 500 || clamped >= 100) {
          lastWrite = Date.now();
          await this.prisma.job.updateMany({
            where: { id: jobId, status: 'RUNNING' },
            data: { stage, percent: clamped, etaSeconds, heartbeatAt: new Date() },
          });
        }
      },
      saveCheckpoint: async (state) => {
        await this.prisma.job.updateMany({
          where: { id: jobId, status: 'RUNNING' },
          data: { checkpoint: state, heartbeatAt: new Date() },
        });
      },
    };
    try {
      if (!handler) throw new Error(`no handler for job kind "${job.kind}" in this process`);
      const result = await handler(job.input, context);
      await this.prisma.job.updateMany({
        where: { id: jobId, status: 'RUNNING' },
        data: { status: 'SUCCEEDED', result, percent: 100, stage: 'done', etaSeconds: 0, finishedAt: new Date() },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.closing) {
        // Stopped by a shutdown, not by its own fault: queue it again to resume from its checkpoint.
        await this.prisma.job.updateMany({
          where: { id: jobId, status: 'RUNNING' },
          data: { status: 'QUEUED', stage: 'queued again after a restart' },
        });
        return;
      }
      if (!abort.signal.aborted) console.error(`job ${jobId} (${job.kind}) failed: ${message}`);
      await this.prisma.job.updateMany({
        where: { id: jobId, status: 'RUNNING' },
        data: { status: 'FAILED', error: message, finishedAt: new Date() },
      });
    } finally {
      clearInterval(heartbeat);
      this.running.delete(jobId);
      this.events.publish(jobTopic(jobId), { kind: 'job', id: jobId });
    }
  }

  /** For the shutdown log: the jobs still running here. */
  describe(): string {
    return this.running.size ? `running ${[...this.running.keys()].join(', ')}` : 'no job running';
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.closing = true;
    for (const abort of this.running.values()) abort.abort();
    await this.queue.close();
    // Let aborted runs record their end before the database closes under them.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.finishing]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 5000);
      }),
    ]);
    clearTimeout(timer);
  }
}
