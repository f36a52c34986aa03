// Sign-ups are rate-limited per client address: each costs a 128 MiB password hash and a row, and needs no
// account, so before this one client could create accounts as fast as the server hashed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';

const ENV = { SIGNUP_ADDRESS_BURST: '3', SIGNUP_ADDRESS_PER_SECOND: '0.0001' };
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { id } }';
const SIGN_IN = 'mutation($i: SignInInput!) { signIn(input: $i) { id } }';

let stack: TestApp;
beforeAll(async () => {
  Object.assign(process.env, ENV);
  stack = await startTestApp();
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.stop();
});

describe('sign-up', () => {
  it('allows SIGNUP_ADDRESS_BURST accounts from one address, then RATE_LIMITED without creating the account', async () => {
    const input = (n: number) => ({ email: `new${n}@lab.org`, displayName: `New ${n}`, password: 'long enough pw' });
    // A malformed sign-up is refused for its input and costs no token.
    const bad = await new TestClient(stack.app.url).request(SIGN_UP, { i: { ...input(0), email: 'nope' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const n of [1, 2, 3]) {
      expect((await new TestClient(stack.app.url).request(SIGN_UP, { i: input(n) })).errors).toBeUndefined();
    }
    const refused = await new TestClient(stack.app.url).request(SIGN_UP, { i: input(4) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    // Nothing was written for the refused one; the accepted ones can sign in.
    const signIn = (n: number) =>
      new TestClient(stack.app.url).request(SIGN_IN, { i: { email: `new${n}@lab.org`, password: 'long enough pw' } });
    expect((await signIn(4)).errors?.[0]?.extensions?.code).toBe('WRONG_CREDENTIALS');
    expect((await signIn(3)).errors).toBeUndefined();
  });
});
