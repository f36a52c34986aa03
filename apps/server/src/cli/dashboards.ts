// npm run dashboards -- --model demo --sae demo/blocks.1.hook_resid_post [--sae ...] [--corpus ./texts.txt] [--max-contexts N]
// Computes the feature dashboards of an SAE (of several, in one pass, given --sae more than once) into the database
// the server uses (DATABASE_URL, else the embedded one: stop the server first, PGlite allows one process), with a
// progress bar. An interrupted run resumes when re-run.
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createRuntime } from '../app.js';
import { loadConfig } from '../config.js';
import { databaseConfigFromEnv } from '../db/database.js';
import { jobTopic } from '../jobs/runner.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'demo' },
    sae: { type: 'string', multiple: true },
    corpus: { type: 'string', default: 'demo' },
    'max-contexts': { type: 'string' },
  },
});
if (!values.sae?.length) {
  console.error(
    'usage: npm run dashboards -- --sae <sae id> [--sae <another>...] [--model demo] [--corpus demo|file.txt] [--max-contexts N]',
  );
  process.exit(2);
}
const config = loadConfig();
const corpusPath = values.corpus === 'demo' ? null : resolve(values.corpus!);
const runtime = await createRuntime({
  database: databaseConfigFromEnv(process.env, config.dataDir),
  models: { bundledDir: config.DEMO_DIR || null, registryDir: config.modelsDir },
  engineCacheDir: config.engineCacheDir,
  corporaDir: corpusPath ? dirname(corpusPath) : config.corporaDir,
  jobConcurrency: 0,
  jobMemoryMb: config.JOB_MEMORY_MB,
});
const { prisma, events } = runtime.services;
const input = {
  modelId: values.model!,
  ...(values.sae.length === 1 ? { saeId: values.sae[0] } : { saeIds: values.sae }),
  corpus: corpusPath ? basename(corpusPath) : 'demo',
  ...(values['max-contexts'] ? { maxContexts: Number(values['max-contexts']) } : {}),
};
// Resume the newest unfinished run of the same input, else start one.
const unfinished = (
  await prisma.job.findMany({ where: { kind: 'dashboards', status: { in: ['QUEUED', 'RUNNING'] } } })
).find((j) => JSON.stringify(j.input) === JSON.stringify(input));
if (unfinished) await prisma.job.update({ where: { id: unfinished.id }, data: { status: 'QUEUED' } });
const job = unfinished ?? (await runtime.runner.enqueue('dashboards', input));
if (unfinished) console.log(`Resuming job ${job.id}`);

const bar = new cliProgress.SingleBar(
  { format: '{bar} {percentage}% | {left} | {stage}', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
bar.start(100, 0, { stage: 'starting', left: 'ETA -' });
// The job's own ETA: a resumed run's percent starts high, which would fool the bar's estimate from its rate.
const left = (seconds: number | null | undefined) =>
  seconds === null || seconds === undefined ? 'ETA -' : `ETA ${Math.ceil(seconds)} s`;
const abort = new AbortController();
void (async () => {
  for await (const raw of events.subscribe(jobTopic(job.id), abort.signal)) {
    const event = raw as { kind: string; stage?: string; percent?: number; etaSeconds?: number | null };
    if (event.kind === 'progress') {
      bar.update(Math.round(event.percent ?? 0), { stage: event.stage, left: left(event.etaSeconds) });
    }
  }
})();
await runtime.runner.execute(job.id);
abort.abort();
bar.stop();
const done = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
await runtime.close();
if (done.status !== 'SUCCEEDED') {
  console.error(`Dashboards ${done.status.toLowerCase()}: ${done.error ?? ''}`);
  process.exit(1);
}
console.log(JSON.stringify(done.result));
