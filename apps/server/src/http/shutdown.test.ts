// SIGTERM stops the built API (dist/main.js, as `npm run serve` and the e2e stack start it) within its deadline,
// whatever clients hold open. Before: app.stop() waited on Apollo's drain (10 s grace, then the WebSocket close
// handshake and every close step without a bound) and a second signal was ignored.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';
import { killStartedProcesses, MAIN, SHUTDOWN, startProcess as start, WORKER } from '../testing/process.js';
import { hasPostgres, hasRedis } from '../testing/services.js';

const dirs: string[] = [];
afterEach(async () => {
  killStartedProcesses();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('stops the API within the deadline with a subscription, a running job, a keep-alive socket and a stalled upload open', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-shutdown-'));
    dirs.push(dataDir);
    const { DATABASE_URL: _, ...env } = process.env;
    const deadlineMs = 4000;
    const api = await start(
      [MAIN],
      {
        ...env,
        API_PORT: '0',
        DATA_DIR: dataDir,
        DEMO_DIR: '',
        SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
        // The test's user starts the self-test job, an operator's.
        OPERATOR_EMAILS: 'sub@lab.org',
      },
      /API ready at (http:\/\/\S+)/,
    );
    const url = api.match[1] as string;
    const { port } = new URL(url);

    // A signed-in WebSocket subscription that never fires.
    const user = await TestClient.signUp(url, 'sub@lab.org');
    const cookie = user.sessionCookie;
    const ws = createClient({
      url: url.replace('http', 'ws'),
      retryAttempts: 0,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie } });
        }
      },
    });
    const subscription = ws.iterate({ query: 'subscription { myTeamAdded { id } }' });
    const next = subscription.next().catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // A job running in the API process (no Redis: jobs run here), one that does not heed the abort.
    await user.ok('mutation { startSelftestJob(steps: 100, stepMs: 10000) { id } }');

    // An idle keep-alive connection, after one answered request.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await new Promise<void>((resolve, reject) => {
      request(`http://127.0.0.1:${port}/healthz`, { agent }, (res) => res.resume().on('end', resolve))
        .on('error', reject)
        .end();
    });

    // A request in flight that never completes: its body is promised but not sent.
    const stalled = connect(Number(port), '127.0.0.1');
    stalled.on('error', () => {});
    stalled.write(
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const sentAt = Date.now();
    api.child.kill('SIGTERM');
    const { code, at } = await api.exited;
    expect(at - sentAt).toBeLessThan(deadlineMs);
    // Everything it waited for could be cut within the grace period: a clean stop.
    expect(code, api.output()).toBe(0);
    await next;
    await ws.dispose();
    agent.destroy();
    stalled.destroy();
  });
});

// A worker and an API on one Postgres database and Redis queue, as in a team deployment.
const withServices = hasPostgres() && hasRedis();

describe.runIf(withServices)('SIGTERM on Postgres and Redis', () => {
  it('stops a worker running a job and an API holding a LISTEN connection, each within the deadline', async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-shutdown-'));
    dirs.push(dataDir);
    const deadlineMs = 4000;
    if (db.config.kind !== 'postgres') throw new Error('expected Postgres');
    const env = {
      ...process.env,
      DATABASE_URL: db.config.url,
      DATA_DIR: dataDir,
      DEMO_DIR: '',
      SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
      OPERATOR_EMAILS: 'jobs@lab.org',
    };
    try {
      const api = await start([MAIN], { ...env, API_PORT: '0', JOB_CONCURRENCY: '0' }, /API ready at (http:\/\/\S+)/);
      const worker = await start([WORKER], env, /Worker ready/);
      const user = await TestClient.signUp(api.match[1] as string, 'jobs@lab.org');
      const { startSelftestJob } = await user.ok<{ startSelftestJob: { id: string } }>(
        'mutation { startSelftestJob(steps: 100, stepMs: 10000) { id } }',
      );
      for (let tries = 0; ; tries++) {
        const { job } = await user.ok<{ job: { status: string } }>('query($id: ID!) { job(id: $id) { status } }', {
          id: startSelftestJob.id,
        });
        if (job.status === 'RUNNING') break;
        if (tries > 100) throw new Error(`job still ${job.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const server of [worker, api]) {
        const sentAt = Date.now();
        server.child.kill('SIGTERM');
        const { at } = await server.exited;
        expect(at - sentAt, server.output()).toBeLessThan(deadlineMs);
      }
    } finally {
      killStartedProcesses();
      await db.drop();
    }
  });
});

describe('the stop deadline', () => {
  // A process whose stop never finishes, as when a close step hangs: what any of them does at the deadline.
  const hanging = (deadlineMs: number) => `
    import { stopOnSignals, waitingFor } from ${JSON.stringify(SHUTDOWN)};
    waitingFor(() => 'job runner (running job-1)');
    stopOnSignals({ name: 'API', deadlineMs: ${deadlineMs}, stop: () => new Promise(() => {}) });
    setInterval(() => {}, 1000);
    console.log('ready');
  `;

  it('exits non-zero at the deadline, naming what it still waited for', async () => {
    const child = await start(['--input-type=module', '-e', hanging(1500)], process.env, /ready/);
    const sentAt = Date.now();
    child.child.kill('SIGTERM');
    const { code, at } = await child.exited;
    expect(code).toBe(1);
    expect(at - sentAt).toBeGreaterThanOrEqual(1400);
    expect(at - sentAt).toBeLessThan(3000);
    expect(child.output()).toMatch(/not stopped after 1500 ms, still waiting for job runner \(running job-1\)/);
  });

  it('exits at once on a second signal', async () => {
    const child = await start(['--input-type=module', '-e', hanging(60_000)], process.env, /ready/);
    child.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sentAt = Date.now();
    child.child.kill('SIGINT');
    const { code, at } = await child.exited;
    expect(code).toBe(1);
    expect(at - sentAt).toBeLessThan(1000);
    expect(child.output()).toMatch(/second SIGINT while stopping/);
  });
});
