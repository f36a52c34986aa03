import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { id email displayName } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { id email } }`;
const ME = `{ me { id email displayName } }`;
const CREATE_TEAM = `mutation($name: String!) { createTeam(input: { name: $name }) { id name slug myRole } }`;
const MY_TEAMS = `{ myTeams { id name myRole } }`;

let db: TestDatabase;
let app: RunningApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp({ database: db.config, host: '127.0.0.1', port: 0, secureCookies: false });
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe('accounts and teams over GraphQL', () => {
  it('signs up with an HttpOnly SameSite cookie, answers me, and signs out', async () => {
    const ann = new TestClient(app.url);
    const signUp = await ann.request(SIGN_UP, {
      input: { email: ' Ann@Lab.org ', displayName: 'Ann', password: 'correct horse' },
    });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.data).toMatchObject({ signUp: { email: 'ann@lab.org', displayName: 'Ann' } });

    const raw = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: SIGN_IN,
        variables: { input: { email: 'ann@lab.org', password: 'correct horse' } },
      }),
    });
    const cookie = raw.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^wb_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');

    expect((await ann.request(ME)).data).toMatchObject({ me: { email: 'ann@lab.org' } });
    expect((await ann.request('mutation { signOut }')).data).toEqual({ signOut: true });
    expect((await ann.request(ME)).data).toEqual({ me: null });
  });

  it('rejects bad input with stable codes and writes nothing', async () => {
    const client = new TestClient(app.url);
    const input = { email: 'bob@lab.org', displayName: 'Bob', password: 'long enough pw' };
    expect((await client.request(SIGN_UP, { input })).errors).toBeUndefined();

    const duplicate = await new TestClient(app.url).request(SIGN_UP, { input: { ...input, email: 'BOB@lab.org' } });
    expect(duplicate.errors?.[0]?.extensions?.code).toBe('EMAIL_TAKEN');
    expect(duplicate.errors?.[0]?.message).toContain('bob@lab.org');

    const short = await new TestClient(app.url).request(SIGN_UP, {
      input: { email: 'carol@lab.org', displayName: 'Carol', password: 'short' },
    });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(short.errors?.[0]?.message).toMatch(/password: must be at least 10 characters/);
    // Nothing half-written: the rejected account cannot sign in, and the email is still free.
    const carolSignIn = await new TestClient(app.url).request(SIGN_IN, {
      input: { email: 'carol@lab.org', password: 'short' },
    });
    expect(carolSignIn.errors?.[0]?.extensions?.code).toBe('WRONG_CREDENTIALS');
    const carolRetry = await new TestClient(app.url).request(SIGN_UP, {
      input: { email: 'carol@lab.org', displayName: 'Carol', password: 'a much longer one' },
    });
    expect(carolRetry.errors).toBeUndefined();

    const wrong = await new TestClient(app.url).request(SIGN_IN, {
      input: { email: 'bob@lab.org', password: 'not the password' },
    });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('WRONG_CREDENTIALS');
    expect(wrong.data).toBeNull();

    const badEmail = await new TestClient(app.url).request(SIGN_UP, {
      input: { email: 'not-an-email', displayName: 'X', password: 'long enough pw' },
    });
    expect(badEmail.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });

    const emptyTeam = await client.request(CREATE_TEAM, { name: '   ' });
    expect(emptyTeam.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect((await client.request(MY_TEAMS)).data).toEqual({ myTeams: [] });
  });

  it('creates teams owned by their creator and lists only my teams', async () => {
    const dana = new TestClient(app.url);
    await dana.request(SIGN_UP, { input: { email: 'dana@lab.org', displayName: 'Dana', password: 'long enough pw' } });
    const eve = new TestClient(app.url);
    await eve.request(SIGN_UP, { input: { email: 'eve@lab.org', displayName: 'Eve', password: 'long enough pw' } });

    const created = await dana.request<{ createTeam: { name: string; slug: string; myRole: string } }>(CREATE_TEAM, {
      name: 'Circuits Lab',
    });
    expect(created.data?.createTeam).toMatchObject({ name: 'Circuits Lab', myRole: 'OWNER' });
    expect(created.data?.createTeam.slug).toMatch(/^circuits-lab-[0-9a-f]{6}$/);

    expect((await dana.request(MY_TEAMS)).data).toMatchObject({ myTeams: [{ name: 'Circuits Lab', myRole: 'OWNER' }] });
    expect((await eve.request(MY_TEAMS)).data).toEqual({ myTeams: [] });

    const anonymous = await new TestClient(app.url).request(MY_TEAMS);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const anonymousCreate = await new TestClient(app.url).request(CREATE_TEAM, { name: 'Nope' });
    expect(anonymousCreate.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('pushes a created team to the creator over graphql-ws on the same port', async () => {
    const fay = new TestClient(app.url);
    await fay.request(SIGN_UP, { input: { email: 'fay@lab.org', displayName: 'Fay', password: 'long enough pw' } });
    const cookie = fay.sessionCookie;
    const ws = createClient({
      url: app.url.replace('http', 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie } });
        }
      },
    });
    try {
      const subscription = ws.iterate<{ myTeamAdded: { name: string; myRole: string } }>({
        query: 'subscription { myTeamAdded { name myRole } }',
      });
      const first = subscription.next();
      // Give the server a moment to register the subscription before the event is published.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await fay.request(CREATE_TEAM, { name: 'Live Team' });
      const result = await first;
      expect(result.value?.data).toEqual({ myTeamAdded: { name: 'Live Team', myRole: 'OWNER' } });
      await subscription.return?.();
    } finally {
      await ws.dispose();
    }
  });
});
