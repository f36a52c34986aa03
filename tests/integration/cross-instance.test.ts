import type { ChildProcess } from 'node:child_process';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../../apps/server/src/testing/database.js';
import { TestClient } from '../../apps/server/src/testing/graphql-client.js';
import { hasPostgres, hasRedis } from '../../apps/server/src/testing/services.js';
import { startProcess, startProcessUntil, stopProcesses } from '../support/stack.js';

// Two API server processes share one Postgres and one Redis: an event raised on one reaches subscribers of the
// other. Needs real services (CI has both); on a machine without them there is nothing to cross.
const enabled = hasPostgres() && hasRedis();

let db: TestDatabase;
const servers: { child: ChildProcess; url: string }[] = [];
let worker: ChildProcess | undefined;

beforeAll(async () => {
  if (!enabled) return;
  db = await createTestDatabase();
  const url = db.config.kind === 'postgres' ? db.config.url : '';
  // API servers that only enqueue jobs; a separate worker process runs them.
  // A small write burst that barely refills, so the shared rate limit shows within one test.
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    API_PORT: '0',
    DATABASE_URL: url,
    JOB_CONCURRENCY: '0',
    WRITE_RATE_BURST: '6',
    WRITE_RATE_PER_SECOND: '0.1',
    // bob runs the self-test job, an operator's.
    OPERATOR_EMAILS: 'bob@cross.org',
  };
  for (let i = 0; i < 2; i++) servers.push(await startProcess('apps/server/dist/main.js', env, 'API ready at'));
  worker = (await startProcessUntil('apps/server/dist/worker.js', { ...env, JOB_CONCURRENCY: '1' }, 'Worker ready'))
    .child;
});
afterAll(async () => {
  await stopProcesses([...servers.map((s) => s.child), ...(worker ? [worker] : [])]);
  await db?.drop();
});

describe.skipIf(!enabled)('events across server instances through Redis', () => {
  it('delivers a vote made on instance A to a subscriber on instance B within a second', async () => {
    const [a, b] = servers.map((s) => `${s.url}/graphql`) as [string, string];
    const alice = await TestClient.signUp(a, 'alice@cross.org');
    const team = await alice.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "X" }) { id } }');
    const feature = { modelId: 'demo', saeId: 'demo/blocks.0.hook_resid_post', featureIndex: 1 };
    const { proposeLabel } = await alice.ok<{ proposeLabel: { id: string } }>(
      'mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }',
      { i: { teamId: team.createTeam.id, ...feature, name: 'x', visibility: 'PUBLIC' } },
    );

    const ws = createClient({ url: b.replace('http', 'ws'), webSocketImpl: WebSocket });
    try {
      const events = ws.iterate<{ featureChanged: { kind: string; id: string; data: { change: string } } }>({
        query: 'subscription($f: FeatureKeyInput!) { featureChanged(feature: $f) { kind id data } }',
        variables: { f: feature },
      });
      const next = events.next();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sentAt = Date.now();
      await alice.ok('mutation($id: ID!) { voteLabel(labelId: $id, value: 1) { id } }', { id: proposeLabel.id });
      const event = await next;
      expect(Date.now() - sentAt).toBeLessThan(1000);
      expect(event.value?.data?.featureChanged).toMatchObject({
        kind: 'label',
        id: proposeLabel.id,
        data: { change: 'VOTED' },
      });
      await events.return?.();
    } finally {
      await ws.dispose();
    }
  });

  it('hands a job enqueued by an API server to a worker process through the Redis queue', async () => {
    const [a] = servers.map((s) => `${s.url}/graphql`) as [string];
    const bob = await TestClient.signUp(a, 'bob@cross.org');
    const { startSelftestJob } = await bob.ok<{ startSelftestJob: { id: string } }>(
      'mutation { startSelftestJob(steps: 3, stepMs: 20) { id } }',
    );
    const job = await bob.waitForJob(startSelftestJob.id);
    expect(job).toEqual({
      status: 'SUCCEEDED',
      error: null,
      result: { resumedFrom: 0, visited: [1, 2, 3], attempts: 1 },
    });
  });

  it('limits a user’s writes across both instances as one bucket', async () => {
    const [a, b] = servers.map((s) => `${s.url}/graphql`) as [string, string];
    const carol = await TestClient.signUp(a, 'carol@cross.org');
    const team = await carol.ok<{ createTeam: { id: string } }>('mutation { createTeam(input: { name: "C" }) { id } }');
    const onB = carol.at(b);
    const propose = (client: TestClient, i: number) =>
      client.request('mutation($i: ProposeLabelInput!) { proposeLabel(input: $i) { id } }', {
        i: {
          teamId: team.createTeam.id,
          modelId: 'demo',
          saeId: 'demo/blocks.0.hook_resid_post',
          featureIndex: i,
          name: `n${i}`,
        },
      });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 8; i++) codes.push((await propose(i % 2 ? onB : carol, i)).errors?.[0]?.extensions?.code);
    expect(codes).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });
});
