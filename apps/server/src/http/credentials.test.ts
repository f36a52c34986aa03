// Credentials (issue 13, item 7): scrypt at OWASP's parameters (N=2^17, r=8, p=1), older hashes upgraded on the next
// sign-in, and a Secure session cookie by default when the app is reached over HTTPS.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../app.js';
import { loadConfig } from '../config.js';
import { hashPassword, needsRehash, storedParams, verifyPassword } from '../services/passwords.js';
import { startTestApp, type TestApp } from '../testing/app.js';
import { TestClient } from '../testing/graphql-client.js';
import { requestIsHttps } from './requests.js';

const EMAIL = 'ada@example.com';
const PASSWORD = 'a long enough password';
const OLD = { N: 2 ** 15, r: 8, p: 1 };

let testApp: TestApp | undefined;
let app: RunningApp;

beforeAll(async () => {
  // The default setting, behind a proxy as in docker-compose.
  testApp = await startTestApp({ secureCookies: 'auto', trustProxy: true });
  app = testApp.app;
  await TestClient.signUp(app.url, EMAIL);
});
afterAll(async () => {
  await testApp?.stop();
});

const storedHash = async () =>
  (await app.runtime.services.prisma.user.findUniqueOrThrow({ where: { email: EMAIL } })).passwordHash;

/** Signs in with raw fetch; returns the session cookie's Set-Cookie header. */
async function signIn(headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({
      query: 'mutation($i: SignInInput!) { signIn(input: $i) { id } }',
      variables: { i: { email: EMAIL, password: PASSWORD } },
    }),
  });
  const body = (await response.json()) as { errors?: unknown };
  expect(body.errors).toBeUndefined();
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('wb_session='));
  expect(cookie).toBeDefined();
  return cookie!;
}

describe('password hashes', () => {
  it('are made with N=2^17, r=8, p=1, stored in the hash', async () => {
    const stored = await storedHash();
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(stored)).toBe(false);
  });

  it('made with the old parameters still verify, and are upgraded on the next sign-in', async () => {
    const old = await hashPassword(PASSWORD, OLD);
    expect(old).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(needsRehash(old)).toBe(true);
    await app.runtime.services.prisma.user.update({ where: { email: EMAIL }, data: { passwordHash: old } });

    await signIn();
    const upgraded = await storedHash();
    expect(storedParams(upgraded)).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect(await verifyPassword(PASSWORD, upgraded)).toBe(true);
    expect(await verifyPassword('not the password', upgraded)).toBe(false);
  });

  it('asking for absurd parameters are refused without hashing', async () => {
    expect(storedParams('scrypt$1073741824$8$1$c2FsdA==$aGFzaA==')).toBeNull();
    expect(storedParams('scrypt$1000$8$1$c2FsdA==$aGFzaA==')).toBeNull();
    expect(await verifyPassword(PASSWORD, 'scrypt$1073741824$8$1$c2FsdA==$aGFzaA==')).toBe(false);
  });
});

describe('the session cookie (COOKIE_SECURE=auto)', () => {
  it('is Secure behind an HTTPS proxy and not over plain HTTP', async () => {
    expect(await signIn({ 'x-forwarded-proto': 'https,http' })).toMatch(/; Secure$/);
    expect(await signIn()).not.toMatch(/Secure/);
  });

  const req = (proto: string | undefined, encrypted = false) =>
    ({ headers: proto ? { 'x-forwarded-proto': proto } : {}, socket: { encrypted } }) as unknown as IncomingMessage;
  it.each([
    [true, 'https', false, true],
    [true, 'https,http', false, true],
    [true, 'http', false, false],
    [true, 'http,https', false, false],
    [false, 'https', false, false],
    [false, undefined, true, true],
  ])('TRUST_PROXY %s, X-Forwarded-Proto %s, TLS socket %s: HTTPS %s', (trust, proto, tls, expected) => {
    expect(requestIsHttps(req(proto, tls), trust)).toBe(expected);
  });

  it('defaults to auto; true and false force it', () => {
    expect(loadConfig({}).COOKIE_SECURE).toBe('auto');
    expect(loadConfig({ COOKIE_SECURE: 'true' }).COOKIE_SECURE).toBe(true);
    expect(loadConfig({ COOKIE_SECURE: 'false' }).COOKIE_SECURE).toBe(false);
  });
});
