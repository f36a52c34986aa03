// A job worker without HTTP: with REDIS_URL set, run any number of these beside API servers (which may then set
// JOB_CONCURRENCY=0 to only enqueue). Each takes jobs from the Redis queue.
import { createRuntime } from './app.js';
import { llmSettings, loadConfig } from './config.js';
import { databaseConfigFromEnv } from './db/database.js';
import { stopOnSignals } from './shutdown.js';

const config = loadConfig();
if (!config.REDIS_URL) {
  console.error('worker: REDIS_URL is not set; without Redis, jobs run inside the API server');
  process.exit(2);
}
const runtime = await createRuntime({
  database: databaseConfigFromEnv(process.env, config.dataDir),
  redisUrl: config.REDIS_URL,
  queuePrefix: config.QUEUE_PREFIX,
  models: { bundledDir: config.DEMO_DIR || null, registryDir: config.modelsDir },
  engineCacheDir: config.engineCacheDir,
  corporaDir: config.corporaDir,
  jobConcurrency: Math.max(1, config.JOB_CONCURRENCY),
  jobMemoryMb: config.JOB_MEMORY_MB,
  llm: llmSettings(config),
  llmRequests: { default: config.LLM_MAX_REQUESTS, cap: config.LLM_MAX_REQUESTS_CAP },
});
console.log(
  `Worker ready: taking jobs from Redis (prefix ${runtime.queuePrefix}, concurrency ${Math.max(1, config.JOB_CONCURRENCY)})`,
);
stopOnSignals({
  name: 'worker',
  deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
  stop: () => runtime.close({ stepMs: config.SHUTDOWN_TIMEOUT_MS * 0.4 }),
});
