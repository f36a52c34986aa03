import { startApp } from './app.js';
import { llmSettings, loadConfig } from './config.js';
import { databaseConfigFromEnv } from './db/database.js';
import { stopOnSignals } from './shutdown.js';

const config = loadConfig();
const database = databaseConfigFromEnv(process.env, config.dataDir);
const app = await startApp({
  database,
  host: config.HOST,
  port: config.API_PORT,
  secureCookies: config.COOKIE_SECURE,
  allowedOrigins: config.ALLOWED_ORIGINS,
  redisUrl: config.REDIS_URL,
  queuePrefix: config.QUEUE_PREFIX,
  models: { bundledDir: config.DEMO_DIR || null, registryDir: config.modelsDir },
  engineCacheDir: config.engineCacheDir,
  corporaDir: config.corporaDir,
  jobConcurrency: config.JOB_CONCURRENCY,
  operatorEmails: config.OPERATOR_EMAILS,
  trustProxy: config.TRUST_PROXY,
  subscriptionRecheckMs: config.SUBSCRIPTION_RECHECK_MS,
  jobQuotas: { perUser: config.JOB_QUOTA_PER_USER, total: config.JOB_QUOTA_TOTAL },
  jobMemoryMb: config.JOB_MEMORY_MB,
  llm: llmSettings(config),
  llmRequests: { default: config.LLM_MAX_REQUESTS, cap: config.LLM_MAX_REQUESTS_CAP },
});
const where = database.kind === 'postgres' ? 'Postgres (DATABASE_URL)' : `embedded PGlite at ${database.dataDir}`;
const redis = config.REDIS_URL ? ` and Redis for events and jobs (prefix ${app.runtime.queuePrefix})` : '';
console.log(`API ready at ${app.url} using ${where}${redis}`);

stopOnSignals({
  name: 'API',
  deadlineMs: config.SHUTDOWN_TIMEOUT_MS,
  stop: () => app.stop(config.SHUTDOWN_TIMEOUT_MS),
});
// Without its database the API could only answer errors: it stops and says why, so whoever runs it (npm start, a
// supervisor) sees the reason and can start it again.
void app.runtime.databaseLost.then(async (reason) => {
  console.error(`${reason.message}; stopping the API`);
  await app.stop(config.SHUTDOWN_TIMEOUT_MS).catch(() => {});
  process.exit(1);
});
