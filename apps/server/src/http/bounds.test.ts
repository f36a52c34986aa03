// Every costly thing is bounded (issue 13, item 5), against the real API on a tiny model. Before: tokenize and
// activations tokenized texts of any length (up to the 16 MB body), tokenize had no rate limit, sign-in had none
// and answered an unknown email without hashing (faster: it told who has an account), anyone signed in could fill
// the job queue (no quota) and start the self-test job, any user could replace an SAE's dashboards, and
// X-Forwarded-For was read from any client.

import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../app.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { TestClient } from '../testing/graphql-client.js';
import { clientAddress } from './requests.js';

const ENV = {
  MAX_TEXT_CHARS: '1000',
  COMPUTE_RATE_BURST: '10',
  COMPUTE_RATE_PER_SECOND: '0.0001',
  SIGNIN_ACCOUNT_BURST: '3',
  SIGNIN_ACCOUNT_PER_SECOND: '0.0001',
  SIGNIN_ADDRESS_BURST: '6',
  SIGNIN_ADDRESS_PER_SECOND: '0.0001',
};
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
const OPERATORS = ['op1@ops.org', 'op2@ops.org', 'op3@ops.org'];

let dir: string;
let testApp: TestApp | undefined;
let app: RunningApp;

beforeAll(async () => {
  Object.assign(process.env, ENV);
  dir = await mkdtemp(join(tmpdir(), 'bounds-'));
  await writeTinyModelFixture(dir);
  testApp = await startTestApp({
    models: { bundledDir: dir, registryDir: join(dir, 'registry') },
    engineCacheDir: join(dir, 'engine-cache'),
    operatorEmails: ` ${OPERATORS.join(', ').toUpperCase()} `,
    jobQuotas: { perUser: 2, total: 3 },
  });
  app = testApp.app;
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await testApp?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Result = { errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (r: Result) => (r.errors?.[0]?.extensions?.code as string | undefined) ?? 'ok';

describe('text length, checked before tokenizing', () => {
  const TOKENIZE = 'query($t: String!) { tokenize(model: "demo", text: $t) { ids } }';
  const ACTIVATIONS =
    'query($t: String!) { activations(model: "demo", hook: "blocks.0.hook_resid_post", text: $t) { shape } }';

  it.each([
    ['tokenize', TOKENIZE],
    ['activations', ACTIVATIONS],
  ])('%s refuses a text over MAX_TEXT_CHARS with BAD_USER_INPUT naming the limit', async (_name, query) => {
    const client = await TestClient.signUp(app.url, `text-${_name}@lab.org`);
    const result = await client.request(query, { t: 'the cat '.repeat(200) });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('text: 1600 characters, more than the limit of 1000');
    expect(result.errors?.[0]?.extensions).toMatchObject({ field: 'text', limit: 1000, characters: 1600 });
    // A text within the limit is tokenized (it may still be too many tokens for activations: that is its own limit).
    expect(codeOf(await client.request(TOKENIZE, { t: 'x'.repeat(1000) }))).toBe('ok');
  });
});

describe('model runs count per field', () => {
  it.each([
    ['tokenize', 'tokenize(model: "demo", text: "The cat") { ids }'],
    ['activations', 'activations(model: "demo", hook: "blocks.0.hook_resid_post", text: "The cat") { shape }'],
  ])('25 aliased %s fields in one request: only the burst of 10 runs', async (name, field) => {
    const client = await TestClient.signUp(app.url, `alias-${name}@lab.org`);
    const query = `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
    const result = await client.request(query);
    // The fields are non-null, so the first refusal nulls the answer; it is the 11th field: 10 ran.
    expect(result.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(result.errors?.[0]?.path).toEqual(['a10']);
    // The bucket is spent: the next request, one field, waits too.
    expect(codeOf(await client.request(`{ ${field} }`))).toBe('RATE_LIMITED');
  });
});

describe('sign-in', () => {
  const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { id } }';
  const PASSWORD = 'a long enough password';
  const attempt = (email: string, password = 'wrong password!') =>
    new TestClient(app.url).request(SIGN_IN, { i: { email, password } });

  it('is rate-limited per account (existing or not), then per address', async () => {
    await TestClient.signUp(app.url, 'victim@lab.org');
    // The account's burst of 3 (wrong passwords), then even the right password waits.
    for (let i = 0; i < 3; i++) expect(codeOf(await attempt('victim@lab.org'))).toBe('WRONG_CREDENTIALS');
    const locked = await attempt('victim@lab.org', PASSWORD);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    // Another account from the same address still signs in, up to the address's burst of 6 ...
    await TestClient.signUp(app.url, 'other@lab.org');
    expect(codeOf(await attempt('other@lab.org', PASSWORD))).toBe('ok');
    expect(codeOf(await attempt('nobody@lab.org'))).toBe('WRONG_CREDENTIALS');
    // ... after which every account from this address waits, unknown ones included.
    expect(codeOf(await attempt('other@lab.org', PASSWORD))).toBe('RATE_LIMITED');
    expect(codeOf(await attempt('nobody2@lab.org'))).toBe('RATE_LIMITED');
  });

  it('takes as long for an unknown email as for a known one (a dummy hash is checked)', async () => {
    // Its own server with room for the attempts: the limits above would stop them.
    const generous = { SIGNIN_ACCOUNT_BURST: '1000', SIGNIN_ADDRESS_BURST: '1000' };
    Object.assign(process.env, generous);
    const roomy = await startTestApp();
    const other = roomy.app;
    Object.assign(process.env, ENV);
    try {
      await TestClient.signUp(other.url, 'known@lab.org');
      const time = async (email: string) => {
        const started = performance.now();
        const result = await new TestClient(other.url).request(SIGN_IN, { i: { email, password: 'wrong password!' } });
        expect(codeOf(result)).toBe('WRONG_CREDENTIALS');
        return performance.now() - started;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      await time('warm-up@lab.org');
      for (let i = 0; i < 6; i++) {
        known.push(await time('known@lab.org'));
        unknown.push(await time(`unknown${i}@lab.org`));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // Without the dummy hash an unknown email answered in a few ms against tens for a known one.
      expect(median(unknown) / median(known)).toBeGreaterThan(0.6);
      expect(median(unknown) / median(known)).toBeLessThan(1.7);
    } finally {
      await roomy.stop();
    }
  });
});

describe('jobs', () => {
  const SELFTEST = 'mutation { startSelftestJob(steps: 100, stepMs: 10000) { id } }';
  const operators: TestClient[] = [];
  beforeAll(async () => {
    for (const email of OPERATORS) operators.push(await TestClient.signUp(app.url, email));
  });
  const cancelAll = async () => {
    const open = await app.runtime.services.prisma.job.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] } } });
    for (const job of open) await app.runtime.runner.cancel(job.id);
  };

  it('the self-test job is for operators only', async () => {
    const user = await TestClient.signUp(app.url, 'ordinary@lab.org');
    const refused = await user.request(SELFTEST);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/operators \(OPERATOR_EMAILS\)/);
    expect(codeOf(await new TestClient(app.url).request(SELFTEST))).toBe('UNAUTHENTICATED');
    const started = await operators[0]!.request<{ startSelftestJob: { id: string } }>(
      'mutation { startSelftestJob(steps: 1, stepMs: 0) { id } }',
    );
    expect(codeOf(started)).toBe('ok');
    expect((await operators[0]!.waitForJob(started.data!.startSelftestJob.id)).status).toBe('SUCCEEDED');
  });

  it('an SAE’s missing dashboards are anyone’s to compute; replacing them is an operator’s', async () => {
    const COMPUTE =
      'mutation { computeDashboards(model: "demo", sae: "demo/blocks.1.hook_resid_post", maxContexts: 24) { id } }';
    const user = await TestClient.signUp(app.url, 'dashboards@lab.org');
    const first = await user.request<{ computeDashboards: { id: string } }>(COMPUTE);
    expect(codeOf(first)).toBe('ok');
    expect((await user.waitForJob(first.data!.computeDashboards.id, 120_000)).status).toBe('SUCCEEDED');
    const again = await user.request(COMPUTE);
    expect(codeOf(again)).toBe('FORBIDDEN');
    expect(again.errors?.[0]?.message).toMatch(/already has dashboards; replacing them needs an operator/);
    const replaced = await operators[1]!.request<{ computeDashboards: { id: string } }>(COMPUTE);
    expect(codeOf(replaced)).toBe('ok');
    await cancelAll();
  });

  it('quotas: running plus queued, per user and in all, also for requests at once', async () => {
    await cancelAll();
    // Five at once from one operator: exactly the per-user quota of 2 get in.
    const burst = await Promise.all(Array.from({ length: 5 }, () => operators[0]!.request(SELFTEST)));
    const codes = burst.map(codeOf);
    expect(codes.filter((c) => c === 'ok').length).toBe(2);
    expect(codes.filter((c) => c === 'QUOTA_EXCEEDED').length).toBe(3);
    const refusal = burst.find((r) => codeOf(r) === 'QUOTA_EXCEEDED')!;
    expect(refusal.errors?.[0]?.message).toMatch(/the most one person may \(2\)/);
    expect(refusal.errors?.[0]?.extensions).toMatchObject({ limit: 2, scope: 'user' });
    // The deployment's quota of 3: one more from someone else, then nobody.
    expect(codeOf(await operators[1]!.request(SELFTEST))).toBe('ok');
    const full = await operators[2]!.request(SELFTEST);
    expect(codeOf(full)).toBe('QUOTA_EXCEEDED');
    expect(full.errors?.[0]?.extensions).toMatchObject({ limit: 3, scope: 'total' });
    // A finished (here: cancelled) job frees its place.
    await cancelAll();
    expect(codeOf(await operators[2]!.request(SELFTEST))).toBe('ok');
    await cancelAll();
  });
});

describe('client addresses', () => {
  const request = (forwarded: string | undefined) =>
    ({
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
      socket: { remoteAddress: '10.0.0.9' },
    }) as unknown as IncomingMessage;

  it.each([
    [false, '203.0.113.7', '10.0.0.9'],
    [false, undefined, '10.0.0.9'],
    [true, '203.0.113.7', '203.0.113.7'],
    [true, '198.51.100.1, 203.0.113.7', '203.0.113.7'],
    [true, undefined, '10.0.0.9'],
  ])('TRUST_PROXY %s, X-Forwarded-For %s: %s', (trust, forwarded, expected) => {
    expect(clientAddress(request(forwarded), trust)).toBe(expected);
  });
});
