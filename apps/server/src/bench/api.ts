/**
 * npm run bench:api — load on the GraphQL API over loopback, as clients would send it.
 * Starts a built API server process on a fresh embedded PGlite, then on a fresh Postgres database (from
 * BENCH_POSTGRES_URL or DATABASE_URL; skipped when neither is set), signs up users, then sends label, vote and
 * comment mutations (a third each) open-loop: requests leave on schedule whether or not earlier ones have finished,
 * so a slow server shows up as latency instead of a slower sender.
 * Prints one JSON line last: per database saturation_rps, p50_ms, p99_ms, errors (at 200 requests/s for 30 s), and
 * the machine's MatMul ceiling measured before and after (BENCH_RPS and BENCH_SECONDS change the fixed-rate part).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ceilingAround } from '@workbench/analysis';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const USERS = 40;
const FIXED_RPS = Number(process.env.BENCH_RPS ?? 200);
const FIXED_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const STEP_SECONDS = 4;
/** One of the demo model's SAEs (1,024 features). */
const SAE_ID = 'demo/blocks.1.hook_resid_post';

function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS: flags for the server's node, e.g. --cpu-prof to profile it under this load.
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, 'apps/server/dist/main.js'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API ready at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`API server exited with ${code}:\n${output}`)));
  });
}

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; null elsewhere): per request, a figure that
 * other work on the machine does not inflate the way it does latencies. With `thread`, one thread's: the process id
 * itself names its main thread, the one that runs the event loop.
 */
async function cpuSecondsOf(pid: number | undefined, thread?: number): Promise<number | null> {
  try {
    const stat = await readFile(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th, in clock ticks (100/s).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
const round = (x: number) => Math.round(x * 10) / 10;

interface Workload {
  clients: TestClient[];
  teamId: string;
  labelIds: string[];
}

let counter = 0;
/** Why requests failed: the first error's message, for the report. */
let firstError: string | null = null;
function nextRequest(work: Workload): () => Promise<boolean> {
  const i = counter++;
  const client = work.clients[i % work.clients.length]!;
  const labelId = work.labelIds[i % work.labelIds.length]!;
  const kind = i % 3;
  const run =
    kind === 0
      ? client.request('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
          i: { teamId: work.teamId, modelId: 'demo', saeId: SAE_ID, featureIndex: i % 512, name: `label ${i}` },
        })
      : kind === 1
        ? client.request('mutation($id: ID!, $v: Int!) { voteLabel(labelId: $id, value: $v) { score } }', {
            id: labelId,
            v: i % 2 ? 1 : -1,
          })
        : client.request('mutation($i: AddCommentInput!) { addComment(input: $i) { id } }', {
            i: { target: { type: 'LABEL', labelId }, body: `comment ${i}` },
          });
  return () =>
    run.then((r) => {
      firstError ??= r.errors?.[0]?.message ?? null;
      return !r.errors?.length;
    });
}

/** Sends `rps` requests a second for `seconds`, open-loop; returns latencies (ms) and the error count. */
async function load(work: Workload, rps: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rps * seconds);
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    // Latency counts from when the request was due, so sender lag is charged to the server (no coordinated omission).
    pending.push(
      nextRequest(work)()
        .then((ok) => {
          if (!ok) errors++;
        })
        .catch((error: Error) => {
          firstError ??= `${error.message}${error.cause ? `: ${(error.cause as Error).message}` : ''}`;
          errors++;
        })
        .finally(() => latencies.push(performance.now() - due)),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { latencies, errors, achievedRps: total / elapsed };
}

/** The load run on one database (fresh, dropped afterwards) and its own API server: the rate steps, then the fixed rate. */
async function runLoad(database: TestDatabase) {
  firstError = null;
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-api-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    API_PORT: '0',
    DATA_DIR: dataDir,
    // Measure the server, not the per-user write limit (which would refuse this load by design).
    WRITE_RATE_BURST: '1000000',
    WRITE_RATE_PER_SECOND: '1000000',
    // Its users all sign up from 127.0.0.1.
    SIGNUP_ADDRESS_BURST: '1000000',
    DATABASE_POOL_SIZE: '20',
  };
  delete env.DATABASE_URL;
  if (database.config.kind === 'postgres') env.DATABASE_URL = database.config.url;
  const server = await startServer(env);
  try {
    const url = server.url;
    const clients = await Promise.all(
      Array.from({ length: USERS }, (_, i) => TestClient.signUp(url, `bench${i}@bench.org`)),
    );
    const owner = clients[0]!;
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Bench" }) { id } }',
    );
    for (let i = 1; i < USERS; i++) {
      await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
        i: { teamId: createTeam.id, email: `bench${i}@bench.org`, role: 'MEMBER' },
      });
    }
    const labelIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
        'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
        { i: { teamId: createTeam.id, modelId: 'demo', saeId: SAE_ID, featureIndex: i, name: `seed ${i}` } },
      );
      labelIds.push(proposeLabel.id);
    }
    const work = { clients, teamId: createTeam.id, labelIds };
    await load(work, 50, 2); // warm-up: JIT, connection pools

    let saturation = 0;
    const steps: { rps: number; p99_ms: number; errors: number; achieved_rps: number }[] = [];
    for (const rps of [100, 200, 300, 400, 600, 800, 1000, 1300, 1600]) {
      const step = await load(work, rps, STEP_SECONDS);
      const p99 = quantile(step.latencies, 0.99);
      steps.push({ rps, p99_ms: round(p99), errors: step.errors, achieved_rps: round(step.achievedRps) });
      console.error(`${database.config.kind} step ${rps} rps: p99 ${round(p99)} ms, errors ${step.errors}`);
      // Served: no errors, and the server kept up (latency did not grow without bound).
      if (step.errors > 0 || p99 > 1000) break;
      saturation = rps;
    }

    const pid = server.child.pid;
    const [cpuBefore, loopBefore] = [await cpuSecondsOf(pid), await cpuSecondsOf(pid, pid)];
    const fixed = await load(work, FIXED_RPS, FIXED_SECONDS);
    const [cpuAfter, loopAfter] = [await cpuSecondsOf(pid), await cpuSecondsOf(pid, pid)];
    const fixedRequests = Math.round(FIXED_RPS * FIXED_SECONDS);
    const perRequest = (before: number | null, after: number | null) =>
      before === null || after === null ? null : round(((after - before) * 1000) / fixedRequests);
    const result = {
      saturation_rps: saturation,
      p50_ms: round(quantile(fixed.latencies, 0.5)),
      p99_ms: round(quantile(fixed.latencies, 0.99)),
      errors: fixed.errors,
      first_error: firstError,
      rate_rps: FIXED_RPS,
      seconds: FIXED_SECONDS,
      database: database.config.kind,
      // The API process's CPU per request over the fixed rate (all its threads: on PGlite the database's too).
      server_cpu_ms_per_request: perRequest(cpuBefore, cpuAfter),
      // The part on the event loop's thread (HTTP, GraphQL, Prisma): times the rate, how busy that one thread is.
      event_loop_cpu_ms_per_request: perRequest(loopBefore, loopAfter),
      // Other work on the machine shows here (1-minute load average as the fixed rate ended).
      load_average: round(loadavg()[0]!),
      steps,
    };
    return result;
  } finally {
    server.child.removeAllListeners('exit');
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A fresh database of each kind: PGlite, then Postgres where a server is given. */
async function runBoth() {
  const postgresUrl = (process.env.BENCH_POSTGRES_URL ?? process.env.DATABASE_URL)?.trim();
  delete process.env.DATABASE_URL;
  const pglite = await runLoad(await createTestDatabase());
  if (!postgresUrl) {
    console.error('no BENCH_POSTGRES_URL or DATABASE_URL: Postgres skipped');
    return { pglite, postgres: null };
  }
  process.env.DATABASE_URL = postgresUrl;
  const postgres = await runLoad(await createTestDatabase());
  return { pglite, postgres };
}

async function main() {
  const { result, ceiling } = await ceilingAround(runBoth, { log: console.error });
  // Latencies of a GraphQL server (JSON, Postgres, the event loop) are not matmul-bound, so no share of the ceiling
  // is computed; the ceiling still says how fast this VM is, for scaling latencies between VMs.
  console.log(JSON.stringify({ ...result, ceiling, machine_gflops_2048: ceiling.matmul_2048_gflops }));
}

await main();
