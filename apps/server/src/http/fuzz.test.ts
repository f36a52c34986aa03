// A seeded fuzz test (issue 13, item 8): FUZZ_REQUESTS (default 10,000) generated requests over HTTP and WebSocket
// against the built API as a child process (dist/main.js), valid and mutated GraphQL from the real schema plus raw
// HTTP and WebSocket traffic around it (testing/fuzz.ts). Whatever comes in: no 5xx, no INTERNAL_SERVER_ERROR, no
// WebSocket closed for an internal error, the process never exits nor logs an uncaught error, and it is healthy
// after. FUZZ_SEED replays a run; the seed is in every failure message.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import {
  CaseGenerator,
  type FuzzCase,
  type FuzzPool,
  type GraphQLHttpCase,
  type RawHttpCase,
  type RawWsCase,
  Rng,
  type WsCase,
} from '../testing/fuzz.js';
import { TestClient } from '../testing/graphql-client.js';
import { API_READY, killStartedProcesses, MAIN, type StartedProcess, startProcess } from '../testing/process.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_250_513);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
/** Cases in flight at once. */
const CONCURRENCY = 12;
/** Longer than this without an answer is a hang. */
const ANSWER_TIMEOUT_MS = 15_000;
const OWNER = 'owner@fuzz.org';
const PASSWORD = 'a long enough password';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let db: TestDatabase | undefined;
let api: StartedProcess;
let url: string;
let owner: TestClient;
let ownerId: string;
let pool: FuzzPool;
let exitedAt: { code: number | null; signal: NodeJS.Signals | null } | undefined;

beforeAll(async () => {
  const setupStarted = performance.now();
  dir = await mkdtemp(join(tmpdir(), 'wb-fuzz-'));
  await writeTinyModelFixture(join(dir, 'demo'));
  db = await createTestDatabase();
  const { DATABASE_URL: _, REDIS_URL: __, ...env } = process.env;
  api = await startProcess(
    [MAIN],
    {
      ...env,
      ...(db.config.kind === 'postgres' ? { DATABASE_URL: db.config.url } : {}),
      HOST: '127.0.0.1',
      API_PORT: '0',
      DATA_DIR: join(dir, 'data'),
      DEMO_DIR: join(dir, 'demo'),
      WORKBENCH_MODELS_DIR: join(dir, 'registry'),
      OPERATOR_EMAILS: OWNER,
      // Writes are where most of the schema is: let them through. Model runs and sign-ins keep their limits.
      WRITE_RATE_BURST: '1000000',
      WRITE_RATE_PER_SECOND: '1000000',
      MAX_TEXT_CHARS: '2000',
    },
    API_READY,
  );
  void api.exited.then((exit) => (exitedAt = exit));
  url = api.match[1] as string;
  const seeding = performance.now();
  pool = await seedPool();
  console.log(
    `fuzz: API up in ${((seeding - setupStarted) / 1000).toFixed(1)} s, pool seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
  );
});

afterAll(async () => {
  killStartedProcesses();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Users, teams, a circuit with a share link, a label, a comment, a review, an invitation and a job to aim at. */
async function seedPool(): Promise<FuzzPool> {
  owner = await TestClient.signUp(url, OWNER);
  const member = await TestClient.signUp(url, 'member@fuzz.org');
  const outsider = await TestClient.signUp(url, 'outsider@fuzz.org');
  const spare = await TestClient.signUp(url, 'spare@fuzz.org');
  const idOf = async (client: TestClient) => (await client.ok<{ me: { id: string } }>('{ me { id } }')).me.id;
  ownerId = await idOf(owner);
  const userIds = [ownerId, await idOf(member), await idOf(outsider), await idOf(spare)];
  const team = async (client: TestClient, name: string) =>
    (
      await client.ok<{ createTeam: { id: string } }>(
        'mutation($n: String!) { createTeam(input: { name: $n }) { id } }',
        { n: name },
      )
    ).createTeam.id;
  const teamId = await team(owner, 'Fuzz');
  const otherTeamId = await team(outsider, 'Elsewhere');
  await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
    i: { teamId, email: 'member@fuzz.org', role: 'MEMBER' },
  });
  const graph = { nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ source: 'a', target: 'b', weight: 0.5 }] };
  const circuit = async (client: TestClient, team: string) =>
    (
      await client.ok<{ createCircuit: { id: string; slug: string } }>(
        'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id slug } }',
        { i: { teamId: team, title: 'fuzzed', graph } },
      )
    ).createCircuit;
  const mine = await circuit(owner, teamId);
  const theirs = await circuit(outsider, otherTeamId);
  await owner.ok('mutation($i: SaveVersionInput!) { saveCircuitVersion(input: $i) { number } }', {
    i: { circuitId: mine.id, baseVersion: 1, graph, message: 'second' },
  });
  const { createShareLink } = await owner.ok<{ createShareLink: { token: string; link: { id: string } } }>(
    'mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token link { id } } }',
    { i: { circuitId: mine.id, permission: 'COMMENT' } },
  );
  const { models } = await owner.ok<{
    models: { id: string; saes: { id: string; hook: string; encoderUrl: string }[] }[];
  }>('{ models { id saes { id hook encoderUrl } } }');
  const saes = models.flatMap((m) => m.saes);
  const sae = saes[0];
  if (!sae) throw new Error('the tiny model fixture has no SAE');
  const { proposeLabel } = await owner.ok<{ proposeLabel: { id: string } }>(
    'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
    { i: { teamId, modelId: 'demo', saeId: sae.id, featureIndex: 1, name: 'fuzzy' } },
  );
  const { addComment } = await owner.ok<{ addComment: { id: string } }>(
    'mutation($i: AddCommentInput!) { addComment(input: $i) { id } }',
    { i: { target: { type: 'CIRCUIT', circuitId: mine.id }, body: 'hello @member' } },
  );
  const { requestReview } = await owner.ok<{ requestReview: { id: string }[] }>(
    'mutation($i: RequestReviewInput!) { requestReview(input: $i) { id } }',
    { i: { circuitId: mine.id, reviewerIds: [userIds[1]] } },
  );
  const { createInvitation } = await owner.ok<{ createInvitation: { token: string; invitation: { id: string } } }>(
    'mutation($t: ID!) { createInvitation(teamId: $t, role: VIEWER) { token invitation { id } } }',
    { t: teamId },
  );
  const { startSelftestJob } = await owner.ok<{ startSelftestJob: { id: string } }>(
    'mutation { startSelftestJob(steps: 1, stepMs: 1) { id } }',
  );
  return {
    ids: [
      ...userIds,
      teamId,
      otherTeamId,
      mine.id,
      theirs.id,
      createShareLink.link.id,
      proposeLabel.id,
      addComment.id,
      ...requestReview.map((r) => r.id),
      createInvitation.invitation.id,
      startSelftestJob.id,
      ...saes.map((s) => s.id),
      'demo',
    ],
    strings: [
      mine.slug,
      theirs.slug,
      createShareLink.token,
      createInvitation.token,
      OWNER,
      'member@fuzz.org',
      'outsider@fuzz.org',
      PASSWORD,
      'demo',
      ...saes.flatMap((s) => [s.id, s.hook]),
      'blocks.0.hook_resid_post',
      'the cat sat on the mat',
      'simple',
      'ig',
      'atp',
      'position',
      'sum',
      'fp32',
      'fp16',
      'a',
      'n0',
    ],
    cookies: [owner.sessionCookie, member.sessionCookie, outsider.sessionCookie],
    signOutCookie: spare.sessionCookie,
    shareTokens: [createShareLink.token],
    paths: saes.map((s) => new URL(s.encoderUrl, url).pathname),
  };
}

/** CPU seconds a process has used (Linux /proc; 0 elsewhere): to tell the fuzzer's share of the time from the API's. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** What one case came to: a label for the histogram, how many requests it sent, and what went wrong if anything. */
interface Outcome {
  label: string;
  sent: number;
  problem?: string;
}

/** The first INTERNAL_SERVER_ERROR among GraphQL errors in a JSON text (one result or a batch), if any. */
function internalErrorIn(text: string): string | undefined {
  if (!text.includes('INTERNAL_SERVER_ERROR')) return undefined;
  return `INTERNAL_SERVER_ERROR in ${text.slice(0, 300)}`;
}

async function runGraphQLHttp(c: GraphQLHttpCase): Promise<Outcome> {
  try {
    const response = await fetch(`${url}${c.search}`, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    const text = await response.text();
    const problem = response.status >= 500 ? `HTTP ${response.status}: ${text.slice(0, 300)}` : internalErrorIn(text);
    return { label: `http ${response.status}`, sent: 1, problem };
  } catch (error) {
    return {
      label: 'http failed',
      sent: 1,
      problem: `fetch failed: ${(error as Error).message} ${(error as Error).cause ?? ''}`,
    };
  }
}

/** Statuses in a raw answer, interim ones (100 Continue) skipped. */
function finalStatus(text: string): number | undefined {
  for (const match of text.matchAll(/HTTP\/1\.[01] (\d{3})/g)) {
    const status = Number(match[1]);
    if (status >= 200 || status === 101) return status;
  }
  return undefined;
}

function runRawHttp(c: RawHttpCase, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // A 101 (an upgrade that went through) keeps the socket: the status is all there is to see.
      if (finalStatus(Buffer.concat(chunks).toString('latin1')) === 101) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = finalStatus(text);
      let problem: string | undefined;
      if (status !== undefined && status >= 500) problem = `HTTP ${status}: ${text.slice(0, 300)}`;
      else if (status === undefined && c.expectAnswer && timedOut) problem = `no answer in ${ANSWER_TIMEOUT_MS} ms`;
      else problem = internalErrorIn(text);
      resolve({ label: status === undefined ? 'raw no answer' : `raw ${status}`, sent: 1, problem });
    });
    socket.write(c.bytes, () => {});
    if (c.hangUpAfterMs !== undefined) setTimeout(() => socket.destroy(), c.hangUpAfterMs);
  });
}

/** graphql-ws close codes for a server fault: ws's 1011 and graphql-ws's 4500. */
const INTERNAL_CLOSE_CODES = [1011, 4500];
const OVERSIZE = 17 * 1024 * 1024;

function runWs(c: WsCase, wsUrl: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, c.protocols, { headers: c.headers });
    let sent = 0;
    let problem: string | undefined;
    let finished = false;
    const pending = new Set<string>();
    let acknowledged = false;
    const finish = (label: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve({ label, sent: Math.max(1, sent), problem });
    };
    const timer = setTimeout(() => {
      socket.terminate();
      problem ??= `no close within ${ANSWER_TIMEOUT_MS} ms`;
      finish('ws hang');
    }, ANSWER_TIMEOUT_MS);
    socket.on('unexpected-response', (request, response) => {
      if ((response.statusCode ?? 0) >= 500) problem = `upgrade answered ${response.statusCode}`;
      response.resume();
      request.destroy();
      finish(`ws upgrade ${response.statusCode}`);
    });
    socket.on('error', () => {});
    socket.on('message', (data) => {
      const text = data.toString();
      problem ??= internalErrorIn(text);
      try {
        const message = JSON.parse(text) as { id?: string; type?: string };
        if ((message.type === 'complete' || message.type === 'error') && message.id) pending.delete(message.id);
        if (message.type === 'connection_ack') acknowledged = true;
      } catch {}
    });
    socket.on('close', (code, reason) => {
      if (INTERNAL_CLOSE_CODES.includes(code)) problem ??= `closed ${code} ${reason.toString()}`;
      finish(`ws close ${code}`);
    });
    socket.on('open', async () => {
      for (const frame of c.frames) {
        if (socket.readyState !== WebSocket.OPEN) break;
        if (frame.type === 'pause') {
          await sleep(frame.ms);
          continue;
        }
        if (frame.type === 'await-ack') {
          for (let waited = 0; !acknowledged && waited < 2000 && socket.readyState === WebSocket.OPEN; waited += 5) {
            await sleep(5);
          }
          continue;
        }
        if (frame.type === 'text') {
          const id = /"type":"subscribe"/.test(frame.data) ? /"id":"([^"]*)"/.exec(frame.data)?.[1] : undefined;
          if (id) pending.add(id);
        }
        socket.send(frame.type === 'oversize' ? 'x'.repeat(OVERSIZE) : frame.data, { binary: frame.type === 'binary' });
        sent++;
      }
      // Answers to what was asked, but not for long: a live subscription never completes by itself.
      for (let waited = 0; pending.size && waited < 150 && socket.readyState === WebSocket.OPEN; waited += 10) {
        await sleep(10);
      }
      if (socket.readyState !== WebSocket.OPEN) return;
      if (c.end === 'close') socket.close(1000);
      else if (c.end === 'close-code') socket.close(c.closeCode);
      else if (c.end === 'terminate') socket.terminate();
      else {
        await sleep(50);
        if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      }
    });
  });
}

/** The close code in the first close frame of a server's (unmasked) frames, if any. */
function closeCodeIn(frames: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= frames.length) {
    const opcode = (frames[at] as number) & 0x0f;
    let length = (frames[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = frames.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      return undefined;
    }
    if (opcode === 0x8) return length >= 2 ? frames.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return undefined;
}

function runRawWs(c: RawWsCase, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const received = Buffer.concat(chunks);
      const headEnd = received.indexOf('\r\n\r\n');
      const status = finalStatus(received.toString('latin1', 0, Math.max(0, headEnd)));
      const code = headEnd < 0 ? undefined : closeCodeIn(received.subarray(headEnd + 4));
      const problem =
        code !== undefined && INTERNAL_CLOSE_CODES.includes(code)
          ? `closed ${code}`
          : status && status >= 500
            ? `HTTP ${status}`
            : undefined;
      resolve({ label: `raw-ws ${status ?? '-'} close ${code ?? '-'}`, sent: 1, problem });
    });
    socket.write(c.bytes, () => {});
    // Frames cut short would wait for the rest: leave after a moment, as a client that gives up does.
    setTimeout(() => socket.end(), 100);
  });
}

/** Each distinct error the API logged as its own fault (or that escaped it), with the lines that name it. */
function loggedErrors(output: string): string[] {
  const lines = output.split('\n');
  const found = new Set<string>();
  lines.forEach((line, i) => {
    if (!/uncaught|unhandled|unexpected error|internal error/i.test(line)) return;
    const context = lines.slice(i, i + 8).filter((l) => !/^\s+at .*node_modules/.test(l));
    found.add(context.slice(0, 5).join('\n').slice(0, 600));
  });
  return [...found].slice(0, 15);
}

function describeCase(c: FuzzCase): string {
  const shown =
    c.kind === 'raw-http' || c.kind === 'raw-ws'
      ? { ...c, bytes: c.bytes.toString('latin1').slice(0, 600) }
      : c.kind === 'ws'
        ? { ...c, frames: c.frames.map((f) => (f.type === 'binary' ? { type: 'binary', length: f.data.length } : f)) }
        : c;
  return JSON.stringify(shown).slice(0, 1200);
}

describe(`fuzzing the built API (FUZZ_SEED=${SEED}, FUZZ_REQUESTS=${REQUESTS})`, () => {
  it('answers every generated request without a 5xx or an internal error, never exits, and is healthy after', async () => {
    const port = Number(new URL(url).port);
    const wsUrl = url.replace('http', 'ws');
    const generator = new CaseGenerator(new Rng(SEED), pool);
    const histogram = new Map<string, number>();
    const problems: string[] = [];
    let sent = 0;
    let index = 0;
    const started = performance.now();
    const clientCpu = process.cpuUsage();
    const apiCpu = cpuSecondsOf(api.child.pid);

    const run = (c: FuzzCase): Promise<Outcome> =>
      c.kind === 'graphql-http'
        ? runGraphQLHttp(c)
        : c.kind === 'raw-http'
          ? runRawHttp(c, port)
          : c.kind === 'ws'
            ? runWs(c, wsUrl)
            : runRawWs(c, port);
    const worker = async () => {
      while (sent < REQUESTS && exitedAt === undefined) {
        // Generated in one sequence whatever the timing: case n is the same for a seed.
        const n = index++;
        const c = generator.next();
        const outcome = await run(c);
        sent += outcome.sent;
        histogram.set(outcome.label, (histogram.get(outcome.label) ?? 0) + 1);
        if (outcome.problem && problems.length < 10)
          problems.push(`case ${n}: ${outcome.problem}\n  request: ${describeCase(c)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const statuses = [...histogram].sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => `${label}: ${n}`);
    const cpu = `CPU: this process ${(process.cpuUsage(clientCpu).user / 1e6).toFixed(1)} s, the API ${(cpuSecondsOf(api.child.pid) - apiCpu).toFixed(1)} s`;
    console.log(
      `fuzz seed ${SEED}: ${sent} requests in ${index} cases, ${seconds.toFixed(1)} s (${cpu}); ${statuses.join(', ')}`,
    );

    const replay = `(replay: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS})`;
    const logged = loggedErrors(api.output());
    const report = `${problems.join('\n')}\nwhat the API logged:\n${logged.join('\n')}`;
    expect(exitedAt, `the API exited ${replay}:\n${api.output().slice(-3000)}`).toBeUndefined();
    expect(problems, `${problems.length} problem(s) ${replay}:\n${report}`).toEqual([]);
    expect(logged, `the API logged errors ${replay}:\n${report}`).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);

    // Healthy after: the health check, and a signed-in query as the owner (whose session no case could end).
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    const after = await owner.ok<{ me: { id: string }; myTeams: { id: string }[] }>('{ me { id } myTeams { id } }');
    expect(after.me.id).toBe(ownerId);
    expect(exitedAt).toBeUndefined();
  });
});
