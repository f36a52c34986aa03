import { Queue, Worker } from 'bullmq';

/** Carries job ids to whoever executes them. The database row stays the truth; a queue only says "run this". */
export interface JobQueue {
  add(jobId: string): Promise<void>;
  /** Starts taking jobs in this process (omit in a server that only enqueues). */
  work(execute: (jobId: string) => Promise<void>): void;
  close(): Promise<void>;
}

/** A bounded number of jobs at once, in this process. */
export class InProcessQueue implements JobQueue {
  private readonly waiting: string[] = [];
  private running = 0;
  private execute: ((jobId: string) => Promise<void>) | null = null;
  private readonly idle = new Set<() => void>();

  constructor(private readonly concurrency: number) {}

  async add(jobId: string): Promise<void> {
    if (!this.waiting.includes(jobId)) this.waiting.push(jobId);
    this.pump();
  }

  work(execute: (jobId: string) => Promise<void>): void {
    this.execute = execute;
    this.pump();
  }

  private pump(): void {
    while (this.execute && this.running < this.concurrency && this.waiting.length) {
      const jobId = this.waiting.shift()!;
      this.running++;
      this.execute(jobId)
        .catch((error) => console.error(`job ${jobId} crashed the runner:`, error))
        .finally(() => {
          this.running--;
          this.pump();
          if (!this.running && !this.waiting.length) for (const resolve of this.idle) resolve();
        });
    }
  }

  /** Resolves when nothing is running or waiting (tests, shutdown). */
  drained(): Promise<void> {
    if (!this.running && !this.waiting.length) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  async close(): Promise<void> {
    this.execute = null;
    this.waiting.length = 0;
  }
}

const QUEUE_NAME = 'jobs';

/**
 * BullMQ on Redis: any process with a worker (a server, or `node apps/server/dist/worker.js`) takes jobs. The queue
 * lives under `prefix` (QUEUE_PREFIX), so only processes of the same deployment hand each other jobs.
 */
export class RedisQueue implements JobQueue {
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(
    private readonly redisUrl: string,
    private readonly concurrency: number,
    private readonly prefix: string,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: { url: redisUrl }, prefix });
  }

  async add(jobId: string): Promise<void> {
    // The job id dedupes: a job re-added while still queued is not queued twice. A failed queue entry is removed
    // too, or it would keep the id taken and the job's own deployment could not queue it again.
    await this.queue.add('run', { jobId }, { jobId, removeOnComplete: true, removeOnFail: true });
  }

  work(execute: (jobId: string) => Promise<void>): void {
    this.worker = new Worker(QUEUE_NAME, async (job) => execute((job.data as { jobId: string }).jobId), {
      connection: { url: this.redisUrl, maxRetriesPerRequest: null },
      concurrency: this.concurrency,
      prefix: this.prefix,
    });
    this.worker.on('error', (error) => console.error(`job worker: ${error.message}`));
    this.worker.on('failed', (job, error) => console.error(`job ${job?.id ?? '?'} not run: ${error.message}`));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
