import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type DatabaseConfig, openDatabase } from './db/database.js';
import { createEventBus } from './events/redis-bus.js';
import type { CookieSecurity } from './http/requests.js';
import { type ApiServer, startApiServer } from './http/server.js';
import { jobHandlers } from './jobs/handlers.js';
import { defaultJobMemoryMb, JobMemoryGuard } from './jobs/memory.js';
import { InProcessQueue, RedisQueue } from './jobs/queue.js';
import { type JobHandler, JobRunner } from './jobs/runner.js';
import { type CatalogSources, discoverCatalog } from './models/catalog.js';
import { ModelService } from './models/service.js';
import { defaultQueuePrefix } from './redis-namespace.js';
import { ACTIVITY_CHANNEL, type ActivityNotice, teamTopic } from './services/activity.js';
import { createServices, DEFAULT_JOB_QUOTAS, type JobQuotas, type Services } from './services/index.js';
import { DEFAULT_LLM_REQUEST_LIMITS, type LlmRequestLimits, type LlmSettings } from './services/llm.js';
import { parseOperatorEmails } from './services/policy.js';
import { createRateLimiters } from './services/rate-limit.js';
import { boundedStep } from './shutdown.js';

export interface RuntimeOptions {
  database: DatabaseConfig;
  /** Events and jobs cross processes through Redis when set; otherwise they stay in this process. */
  redisUrl?: string;
  /**
   * Starts this deployment's Redis keys and channels (QUEUE_PREFIX); default: derived from `database`, so every
   * process on the same database agrees and other deployments on the same Redis are apart.
   */
  queuePrefix?: string;
  /** Where models and SAEs come from (default: none). */
  models?: CatalogSources;
  /** Packed weights and compiled graphs (default: a folder in the OS temp dir). */
  engineCacheDir?: string;
  /** Jobs run at once in this process (default 1); 0: this process only enqueues (workers run elsewhere). */
  jobConcurrency?: number;
  /** Text files that dashboard jobs may read by name. */
  corporaDir?: string;
  /**
   * This process answers API clients (startApp sets it): it then shares rate limits through Redis and listens for
   * team activity. Workers and CLIs need neither.
   */
  servesClients?: boolean;
  /** Operators' emails (OPERATOR_EMAILS, comma-separated); default: none. */
  operatorEmails?: string;
  /** Jobs running plus queued at once, per user and in all (JOB_QUOTA_PER_USER, JOB_QUOTA_TOTAL). */
  jobQuotas?: JobQuotas;
  /** How often open subscriptions check their access again (SUBSCRIPTION_RECHECK_MS, default 5000). */
  subscriptionRecheckMs?: number;
  /**
   * The most memory (MiB) a job may need by its estimate (JOB_MEMORY_MB); default: 75% of the machine's memory
   * divided by the jobs run at once; 0: no limit.
   */
  jobMemoryMb?: number;
  /** How often a running dashboards job saves its state (default 15 s: a crash loses at most that much work). */
  dashboardCheckpointMs?: number;
  /** The chat endpoint explain jobs send feature contexts to (LLM_*); default none: drafts from token patterns. */
  llm?: LlmSettings | null;
  /** Explain jobs' request cap: the default and the most one may ask for (LLM_MAX_REQUESTS, LLM_MAX_REQUESTS_CAP). */
  llmRequests?: LlmRequestLimits;
}

export interface AppOptions extends RuntimeOptions {
  host: string;
  port: number;
  /** `Secure` on the session cookie: always, never, or `'auto'` (when the request came over HTTPS). */
  secureCookies: CookieSecurity;
  /** Page origins besides the app's own that may open a WebSocket. */
  allowedOrigins?: readonly string[];
  /** Read the client's address from X-Forwarded-For (TRUST_PROXY: a proxy in front appends it). */
  trustProxy?: boolean;
}

export interface Runtime {
  services: Services;
  runner: JobRunner;
  /** The Redis namespace in use (for the startup log). */
  queuePrefix: string;
  /** Settles if the database is gone for good (the embedded one's thread ended); see Database.lost. */
  databaseLost: Promise<Error>;
  /** Closes everything in reverse order of opening; a step that takes over `stepMs` is left behind. */
  close(options?: { stepMs?: number }): Promise<void>;
}

/** A thing to close at shutdown, named (or describing what it waits for) for the log when it is slow. */
interface Closer {
  name: string | (() => string);
  close: () => Promise<void>;
}

/** Everything but HTTP: database (migrated), events, models, services and the job runner. Servers and workers share it. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const database = await openDatabase(options.database);
  const closers: Closer[] = [
    { name: `database (${database.kind}: pool and LISTEN connections)`, close: () => database.close() },
  ];
  const close = async ({ stepMs = 5000 } = {}) => {
    for (const closer of closers.reverse()) await boundedStep(closer.name, closer.close, stepMs);
  };
  const queuePrefix = options.queuePrefix ?? defaultQueuePrefix(options.database);
  try {
    const events = await createEventBus(options.redisUrl, queuePrefix);
    if (events.close) closers.push({ name: 'event bus (Redis)', close: () => events.close!() });
    const catalog = options.models ? await discoverCatalog(options.models) : { models: [], saes: [], transcoders: [] };
    const models = new ModelService(catalog, options.engineCacheDir ?? join(tmpdir(), 'workbench-engine'));
    closers.push({ name: 'model engine', close: () => models.dispose() });
    await models.syncRegistry(database.prisma);
    const concurrency = options.jobConcurrency ?? 1;
    const queue = options.redisUrl
      ? new RedisQueue(options.redisUrl, Math.max(1, concurrency), queuePrefix)
      : new InProcessQueue(Math.max(1, concurrency));
    const engineCacheDir = options.engineCacheDir ?? join(tmpdir(), 'workbench-engine');
    const corporaDir = options.corporaDir ?? join(engineCacheDir, 'corpora');
    const jobMemoryMb = options.jobMemoryMb ?? defaultJobMemoryMb(concurrency);
    const memory = new JobMemoryGuard(models, corporaDir, jobMemoryMb === 0 ? null : jobMemoryMb);
    // Handlers need the services and the services need the runner: the map is filled once both exist.
    const handlers = new Map<string, JobHandler>();
    const runner = new JobRunner(database.prisma, events, queue, handlers);
    closers.push({ name: () => `job runner (${runner.describe()})`, close: () => runner.close() });
    // Rate limits shared by every instance on the same Redis; per process without it. Without an offline queue a
    // Redis outage fails each check at once (the limiter then lets requests through) instead of stalling them.
    const limiterRedis =
      options.redisUrl && options.servesClients
        ? new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false })
        : undefined;
    if (limiterRedis) {
      limiterRedis.on('error', () => {}); // reported by the limiter when a check fails
      await limiterRedis.connect();
      closers.push({ name: 'rate-limit Redis', close: async () => void (await limiterRedis.quit()) });
    }
    const services = createServices(
      database,
      events,
      models,
      runner,
      createRateLimiters(limiterRedis && { redis: limiterRedis, keyPrefix: queuePrefix }),
      {
        operatorEmails: parseOperatorEmails(options.operatorEmails),
        jobQuotas: options.jobQuotas ?? DEFAULT_JOB_QUOTAS,
        subscriptionRecheckMs: options.subscriptionRecheckMs,
        jobMemory: memory,
        llm: options.llm ?? null,
        llmRequests: options.llmRequests ?? DEFAULT_LLM_REQUEST_LIMITS,
      },
    );
    // Team pages update live: each committed activity entry reaches this instance's subscribers (every instance
    // listens to the database itself, so the event is delivered locally, not through Redis).
    if (options.servesClients)
      await database.listen(ACTIVITY_CHANNEL, (payload) => {
        let notice: ActivityNotice;
        try {
          notice = JSON.parse(payload) as ActivityNotice;
        } catch {
          console.error(`${ACTIVITY_CHANNEL}: ignored a notification that is not JSON`);
          return;
        }
        const { teamId, action, subjectType, subjectId } = notice;
        events.publishLocal(teamTopic(teamId), { kind: 'activity', id: subjectId, action, subjectType });
      });
    const kinds = jobHandlers({
      prisma: database.prisma,
      models,
      circuits: services.circuits,
      stateDir: join(engineCacheDir, 'job-state'),
      engineCacheDir,
      corporaDir,
      memory,
      checkpointEveryMs: options.dashboardCheckpointMs,
      labels: services.labels,
      llm: options.llm ?? null,
    });
    for (const [kind, handler] of kinds) handlers.set(kind, handler);
    if (concurrency > 0) await runner.startWorking();
    return { services, runner, queuePrefix, databaseLost: database.lost, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface RunningApp extends ApiServer {
  runtime: Runtime;
  /**
   * HTTP first (new requests refused, open ones given part of the time), then the runtime, step by step: returns
   * in about `deadlineMs` (default 10 s) even when a client, a job or a connection never lets go.
   */
  stop(deadlineMs?: number): Promise<void>;
}

/** The runtime plus the GraphQL API over HTTP and WebSocket. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const runtime = await createRuntime({ ...options, servesClients: true });
  try {
    const server = await startApiServer({ services: runtime.services, ...options });
    return {
      ...server,
      runtime,
      stop: async (deadlineMs = 10_000) => {
        await server.close(deadlineMs * 0.3);
        await runtime.close({ stepMs: deadlineMs * 0.25 });
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
