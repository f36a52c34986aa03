/**
 * npm run bench:job-lag — how long the API takes to answer while a job runs in its own process, on the embedded
 * defaults (no REDIS_URL: jobs run on the API's event loop, PGlite on its own thread).
 * Starts the built API on a fresh PGlite and the bundled demo model, then, for each job below in turn, starts it and
 * sends `{ __typename }` over GraphQL every PROBE_MS, open-loop (latency counts from when a probe was due, so a
 * stalled loop shows up in full), until the job ends, and beside them a signed-in `{ me { id } }` (its session read
 * from the database) as often. The same probes with no job running give the idle figures.
 * Prints one JSON line last: per job p50/p99/max probe latency (ms), the probes over 50 ms, the same for the signed-in
 * probes, the job's own seconds, and the machine's MatMul ceiling measured before and after.
 * BENCH_JOBS=dashboards,circuit runs only the jobs named; BENCH_SERVER_NODE_ARGS=--cpu-prof profiles the server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ceilingAround } from '@workbench/analysis';
import { TestClient } from '../testing/graphql-client.js';
import { API_READY, MAIN, startProcess } from '../testing/process.js';

const PROBE_MS = 20;
const IDLE_SECONDS = 5;
/** A probe slower than this counts as a stall (the target: none). */
const STALL_MS = 50;

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Probes every PROBE_MS until `until` settles; latencies in ms from each probe's due time. Signed out by default;
 * with a signed-in `client` and `query`, each request also reads its session from the database.
 */
async function probe(url: string, until: Promise<unknown>, client = new TestClient(url), query = '{ __typename }') {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let n = 0; !done; n++) {
    const due = start + n * PROBE_MS;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      client.request(query).then(
        (answer) => void latencies.push(answer.errors ? Number.POSITIVE_INFINITY : performance.now() - due),
        () => void latencies.push(Number.POSITIVE_INFINITY),
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    probes: latencies.length,
    p50_ms: round(quantile(latencies, 0.5)),
    p99_ms: round(quantile(latencies, 0.99)),
    max_ms: round(latencies.at(-1) ?? Number.NaN),
    over_50_ms: latencies.filter((l) => l > STALL_MS).length,
  };
}

/** The server's stalls as figures: the longest, how many over STALL_MS, and their sum. */
function loopStalls(stalls: number[]) {
  return {
    loop_max_stall_ms: stalls.length ? Math.max(...stalls) : 0,
    loop_stalls_over_50_ms: stalls.filter((s) => s > STALL_MS).length,
    loop_stalled_s: round(stalls.filter((s) => s > STALL_MS).reduce((a, b) => a + b, 0) / 1000),
    loop_longest_stalls_ms: [...stalls].sort((a, b) => b - a).slice(0, 5),
  };
}

async function run() {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-job-lag-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', API_PORT: '0', DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const stallLogger = new URL('./loop-stalls.js', import.meta.url).pathname;
  const server = await startProcess([...nodeArgs, '--import', stallLogger, MAIN], env, API_READY);
  /** The server's own stalls (ms) logged since `from` (epoch ms): what the loop itself was blocked for. */
  const stallsSince = (from: number) =>
    [...server.output().matchAll(/loop stall: (\d+) ms at (\d+)/g)]
      .filter((m) => Number(m[2]) >= from)
      .map((m) => Number(m[1]));
  try {
    const url = server.match[1]!;
    const user = await TestClient.signUp(url, 'lag@bench.org');
    const { createTeam } = await user.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Lag" }) { id } }',
    );
    const teamId = createTeam.id;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await probe(url, sleep(1000)); // warm-up: JIT, sockets
    const idleFrom = Date.now();
    const idle = { ...(await probe(url, sleep(IDLE_SECONDS * 1000))), ...loopStalls(stallsSince(idleFrom)) };

    const jobs: Record<string, [string, Record<string, unknown>]> = {
      // The demo model's 12 SAEs of its 4 blocks (12 x 1,024 features) over the demo corpus, then 12,288 dashboards stored.
      dashboards: [
        'mutation($s: [ID!]) { computeDashboards(model: "demo", saes: $s) { id } }',
        {
          s: [0, 1, 2, 3].flatMap((l) =>
            ['hook_resid_post', 'hook_mlp_out', 'hook_attn_out'].map((h) => `demo/blocks.${l}.${h}`),
          ),
        },
      ],
      circuit: [
        'mutation($i: CircuitJobInput!) { startCircuitJob(input: $i) { id } }',
        { i: { teamId, title: 'lag', model: 'demo', dataset: 'nounpp', n: 20, method: 'ig', steps: 10 } },
      ],
      graph: [
        'mutation($i: PromptGraphJobInput!) { startPromptGraphJob(input: $i) { id } }',
        { i: { teamId, title: 'lag', model: 'demo', prompt: 'The keys to the cabinet near the doors' } },
      ],
    };
    const results: Record<string, unknown> = { idle };
    // BENCH_JOBS=dashboards (comma-separated names) runs only those jobs.
    const only = process.env.BENCH_JOBS?.split(',');
    for (const [name, [mutation, variables]] of Object.entries(jobs)) {
      if (only && !only.includes(name)) continue;
      const started = await user.ok<Record<string, { id: string }>>(mutation, variables);
      const id = Object.values(started)[0]!.id;
      const t0 = performance.now();
      const from = Date.now();
      const finished = user.waitForJob(id, 600_000);
      // Signed in beside the signed-out probes: the session lookup waits for the database (one connection on PGlite).
      const [lag, signedIn] = await Promise.all([probe(url, finished), probe(url, finished, user, '{ me { id } }')]);
      const job = await finished;
      if (job.status !== 'SUCCEEDED') throw new Error(`${name} job ${job.status}: ${job.error}`);
      const jobSeconds = round((performance.now() - t0) / 1000);
      results[name] = {
        ...lag,
        signed_in: {
          p50_ms: signedIn.p50_ms,
          p99_ms: signedIn.p99_ms,
          max_ms: signedIn.max_ms,
          over_50_ms: signedIn.over_50_ms,
        },
        ...loopStalls(stallsSince(from)),
        job_s: jobSeconds,
      };
      console.error(`${name}: ${JSON.stringify(results[name])}`);
    }
    return { ...results, probe_ms: PROBE_MS, load_average: round(loadavg()[0]!) };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

const { result, ceiling } = await ceilingAround(run, { log: console.error });
console.log(JSON.stringify({ ...result, ceiling, machine_gflops_2048: ceiling.matmul_2048_gflops }));
