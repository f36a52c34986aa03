import { resolve } from 'node:path';
import { z } from 'zod';
import { QUEUE_PREFIX_PATTERN } from './redis-namespace.js';
import type { LlmSettings } from './services/llm.js';

/** Every environment variable the server reads, with its default. The README lists the same. */
const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  REDIS_URL: z.string().optional(),
  /**
   * Starts every Redis key and channel of this deployment (job queue, events, rate limits). Unset: derived from the
   * database (redis-namespace.ts), so deployments on different databases sharing a Redis stay apart; set it (the same
   * on the API servers and workers) when they reach one database by different addresses.
   */
  QUEUE_PREFIX: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(QUEUE_PREFIX_PATTERN, 'letters, digits and _ . : - only (up to 100)').optional(),
  ),
  /** The bundled demo model and SAEs (model/ and saes/); set to an empty string to offer none. */
  DEMO_DIR: z.string().default(new URL('../../../packages/analysis/assets/demo', import.meta.url).pathname),
  /** The `npm run models` cache with registry.json. */
  WORKBENCH_MODELS_DIR: z.string().default('.data/models'),
  /** Text corpora that dashboard jobs may read by file name (default: DATA_DIR/corpora). */
  WORKBENCH_CORPORA_DIR: z.string().optional(),
  /** Jobs run at once per process; 0 in an API server that leaves jobs to workers (worker.js). */
  JOB_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(1),
  /** SIGTERM/SIGINT: how long the API or a worker may take to stop before it exits anyway (non-zero). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Page origins, comma-separated, that may open a WebSocket besides the app's own (e.g. a second hostname). */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Operators, by email (comma-separated): the self-test job and replacing an SAE's stored dashboards. */
  OPERATOR_EMAILS: z.string().default(''),
  /**
   * The API sits behind a proxy that appends the client's address to X-Forwarded-For (the web app's server.mjs,
   * docker-compose): read the address from there. Off, the header is ignored (anyone could write it).
   */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * How often an open subscription checks again what it depends on (session, membership, share link): signing out
   * or losing access ends it within this time.
   */
  SUBSCRIPTION_RECHECK_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** Jobs running plus queued, per user and for the whole deployment. */
  JOB_QUOTA_PER_USER: z.coerce.number().int().min(1).default(3),
  JOB_QUOTA_TOTAL: z.coerce.number().int().min(1).default(20),
  /**
   * The most memory (MiB) one job may need by its estimate; a larger one is refused (JOB_TOO_LARGE) before it loads
   * anything. Unset: 75% of the machine's memory divided by JOB_CONCURRENCY; 0: no limit.
   */
  JOB_MEMORY_MB: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).optional()),
  /**
   * An OpenAI-compatible chat endpoint (its base URL, e.g. https://api.openai.com/v1) that explain jobs send
   * features' dashboard contexts to, to draft labels; unset: nothing is sent, drafts come from token patterns.
   * LLM_MODEL must be set with it; LLM_API_KEY is sent as the bearer token and never logged.
   */
  LLM_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url('must be a URL').optional()),
  LLM_API_KEY: z.string().default(''),
  LLM_MODEL: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** One chat request's limit, then retried (LLM_MAX_RETRIES times, as 429s and 5xx answers are). */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** Features an explain job drafts at once (each waits on the endpoint most of its time). */
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** An explain job's request cap when it names none, and the most one may name. */
  LLM_MAX_REQUESTS: z.coerce.number().int().min(1).default(200),
  LLM_MAX_REQUESTS_CAP: z.coerce.number().int().min(1).default(5000),
  /**
   * `Secure` on the session cookie. `auto`: when the request came over HTTPS (a TLS socket, or X-Forwarded-Proto:
   * https from a trusted proxy, TRUST_PROXY); `true`/`false` force it.
   */
  COOKIE_SECURE: z
    .enum(['auto', 'true', 'false'])
    .default('auto')
    .transform((v): boolean | 'auto' => (v === 'auto' ? v : v === 'true')),
});

/** The explain jobs' endpoint from LLM_*, or null when none is configured. */
export function llmSettings(config: ServerConfig): LlmSettings | null {
  if (!config.LLM_BASE_URL || !config.LLM_MODEL) return null;
  return {
    baseUrl: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    concurrency: config.LLM_CONCURRENCY,
  };
}

export type ServerConfig = z.infer<typeof envSchema> & {
  dataDir: string;
  modelsDir: string;
  engineCacheDir: string;
  corporaDir: string;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bad environment variable ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const { LLM_BASE_URL, LLM_MODEL } = parsed.data;
  if (Boolean(LLM_BASE_URL) !== Boolean(LLM_MODEL)) {
    throw new Error('bad environment variable LLM_MODEL: LLM_BASE_URL and LLM_MODEL are set together or not at all');
  }
  if (parsed.data.LLM_MAX_REQUESTS > parsed.data.LLM_MAX_REQUESTS_CAP) {
    throw new Error('bad environment variable LLM_MAX_REQUESTS: more than LLM_MAX_REQUESTS_CAP');
  }
  const dataDir = resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    dataDir,
    modelsDir: resolve(parsed.data.WORKBENCH_MODELS_DIR),
    engineCacheDir: resolve(env.WORKBENCH_ENGINE_CACHE ?? `${dataDir}/engine-cache`),
    corporaDir: resolve(parsed.data.WORKBENCH_CORPORA_DIR ?? `${dataDir}/corpora`),
  };
}
