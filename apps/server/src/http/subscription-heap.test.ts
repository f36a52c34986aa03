// Subscriptions free everything when the client leaves, even on topics that never fire: after 10,000 subscriptions
// opened and completed over graphql-ws (circuitChanged, teamChanged, featureChanged, myInbox; none ever fires), and
// after sockets dropped with their subscriptions open, the event bus holds no listener, no re-check timer is left
// and the server's heap is where it was.
//
// The server runs in a child process started with --expose-gc (vitest's own workers run without it, and the clients'
// garbage here would blur the reading): it collects garbage and reports its heap, bus listeners and timers when asked
// over the IPC channel. Subscriptions are opened a batch at a time, and each batch is complete only once the server's
// bus listens for all of them, so every subscription really started before the client left.
import { type ChildProcess, spawn } from 'node:child_process';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClient } from '../testing/graphql-client.js';
import { MAIN, ROOT } from '../testing/process.js';

/** Subscriptions opened and completed between the two heap readings. */
const CYCLES = 10_000;
const WARM_UP_CYCLES = 1_000;
/** Sockets closed with a batch of subscriptions still open. */
const DROPPED_SOCKETS = 20;
/**
 * Growth allowed over CYCLES: 5 MB, under 500 bytes a subscription. What one open subscription holds (its context,
 * viewer and loaders, the AbortController, the bus listener, the re-check timer and closures) is several KB, so
 * keeping even a part of each would grow the heap by tens of MB; heap noise after a full GC is about 1 MB.
 */
const MAX_GROWTH_BYTES = 5 * 1024 * 1024;

interface Reading {
  heapUsed: number;
  /** Listeners on the in-process event bus, all topics. */
  listeners: number;
  /** Timers alive in the server (process.getActiveResourcesInfo): re-check timers left behind would show here. */
  timers: number;
}

const SERVER = `
  import { startApp } from ${JSON.stringify(new URL('app.js', `file://${MAIN}`).pathname)};
  const app = await startApp({ database: { kind: 'pglite' }, host: '127.0.0.1', port: 0, secureCookies: false });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  process.on('message', async (message) => {
    if (message === 'stop') {
      await app.stop();
      process.exit(0);
    }
    if (message === 'measure') for (let i = 0; i < 4; i++) { globalThis.gc(); await settle(); }
    process.send({
      heapUsed: process.memoryUsage().heapUsed,
      listeners: app.runtime.services.events.listenerCount(),
      timers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length,
    });
  });
  console.log('ready ' + app.url);
`;

let server: ChildProcess;
let url: string;
let cookie: string;
let variables: { circuitId: string; teamId: string };

/** Asks the server for a reading: 'measure' collects garbage first, 'count' does not. */
function ask(message: 'measure' | 'count'): Promise<Reading> {
  return new Promise((resolve) => {
    server.once('message', (reading) => resolve(reading as Reading));
    server.send(message);
  });
}

beforeAll(async () => {
  server = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', SERVER], {
    cwd: ROOT,
    env: { ...process.env, WRITE_RATE_BURST: '1000', WRITE_RATE_PER_SECOND: '1000' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ready (\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  const user = await TestClient.signUp(url, 'heap@lab.org');
  cookie = user.sessionCookie;
  const teamId = (
    await user.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "Heap" }) { id } }')
  ).createTeam.id;
  const { createCircuit } = await user.ok<{ createCircuit: { id: string } }>(
    'mutation($i: CreateCircuitInput!) { createCircuit(input: $i) { id } }',
    { i: { teamId, title: 'quiet', graph: { nodes: [{ id: 'a' }], edges: [] } } },
  );
  variables = { circuitId: createCircuit.id, teamId };
});
afterAll(async () => {
  if (server?.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.send('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
});

/** Four topics that never fire here (no one writes while the test runs). */
const TOPICS = [
  'subscription($circuitId: ID!) { circuitChanged(circuitId: $circuitId) { kind } }',
  'subscription($teamId: ID!) { teamChanged(teamId: $teamId) { kind } }',
  'subscription { featureChanged(feature: { modelId: "demo", saeId: "resid_0", featureIndex: 3 }) { kind } }',
  'subscription { myInbox { kind } }',
];
/** Each open subscription listens on its topic and for the emitter's 'error' (events.on). */
const LISTENERS_PER_SUBSCRIPTION = 2;

/** A graphql-ws client signed in as the test's user; `onSocket` gets its WebSocket. */
function connect(onSocket: (socket: WebSocket) => void = () => {}) {
  return createClient({
    url: url.replace('http', 'ws'),
    retryAttempts: 0,
    lazy: false,
    // A dropped connection (dropSockets) is the point, not an error to print.
    onNonLazyError: () => {},
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie } });
        onSocket(this);
      }
    },
  });
}

/** Subscriptions open at once: this many of each topic. */
const PER_TOPIC = 25;
const BATCH = PER_TOPIC * TOPICS.length;

/**
 * Opens PER_TOPIC subscriptions of each topic on `client` and resolves, with their unsubscribers, once the server
 * listens for all of them (none may fail). The bus must be empty before.
 */
async function openBatch(client: ReturnType<typeof connect>) {
  const failures: unknown[] = [];
  const unsubscribers = Array.from({ length: BATCH }, (_, i) =>
    client.subscribe(
      { query: TOPICS[i % TOPICS.length] as string, variables },
      { next: (event) => failures.push(event), error: (error) => failures.push(error), complete: () => {} },
    ),
  );
  const listening = await waitForListeners(BATCH * LISTENERS_PER_SUBSCRIPTION, () => failures.length > 0);
  expect(failures).toEqual([]);
  expect(listening.listeners).toBe(BATCH * LISTENERS_PER_SUBSCRIPTION);
  return unsubscribers;
}

/** `cycles` subscriptions, a batch at a time on one socket, each completed by the client once open. */
async function completeCycles(cycles: number) {
  const client = connect();
  try {
    for (let done = 0; done < cycles; done += BATCH) {
      for (const unsubscribe of await openBatch(client)) unsubscribe();
      expect((await waitForListeners(0)).listeners).toBe(0);
    }
  } finally {
    await client.dispose();
  }
}

/** Sockets that close (the client goes away) with a batch of subscriptions open, one after another. */
async function dropSockets(count: number) {
  for (let i = 0; i < count; i++) {
    let socket: WebSocket | undefined;
    const client = connect((opened) => {
      socket = opened;
    });
    await openBatch(client);
    // No complete message, no close handshake: the connection just ends.
    socket?.terminate();
    expect((await waitForListeners(0)).listeners).toBe(0);
    await client.dispose();
  }
}

/** Polls the server until its bus holds `count` listeners (or `failed`); returns the last reading. */
async function waitForListeners(count: number, failed = () => false): Promise<Reading> {
  const deadline = Date.now() + 10_000;
  while (true) {
    const reading = await ask('count');
    if (reading.listeners === count || failed() || Date.now() > deadline) return reading;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('subscriptions on quiet topics', () => {
  it('leave no listener, no timer and a flat heap once completed or dropped with the socket', async () => {
    await completeCycles(WARM_UP_CYCLES);
    await dropSockets(5);
    const before = await ask('measure');

    const startedAt = Date.now();
    // Ten sockets, so some reconnect cost is in the measurement too.
    for (let socket = 0; socket < 10; socket++) await completeCycles(CYCLES / 10);
    const completedMs = Date.now() - startedAt;
    expect((await waitForListeners(0)).listeners).toBe(0);
    const afterCompleted = await ask('measure');

    await dropSockets(DROPPED_SOCKETS);
    expect((await waitForListeners(0)).listeners).toBe(0);
    const afterDropped = await ask('measure');

    const growth = afterCompleted.heapUsed - before.heapUsed;
    console.log(
      `heap before ${before.heapUsed}, after ${CYCLES} completed ${afterCompleted.heapUsed} ` +
        `(${Math.round(growth / CYCLES)} bytes per subscription, ${completedMs} ms), ` +
        `after ${DROPPED_SOCKETS} dropped sockets ${afterDropped.heapUsed}; ` +
        `timers ${before.timers}/${afterCompleted.timers}/${afterDropped.timers}`,
    );
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    expect(afterDropped.heapUsed - before.heapUsed).toBeLessThan(MAX_GROWTH_BYTES);
    expect(afterCompleted).toMatchObject({ listeners: 0, timers: before.timers });
    expect(afterDropped).toMatchObject({ listeners: 0, timers: before.timers });
  });
});
