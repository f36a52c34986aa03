import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { TestClient } from '../testing/graphql-client.js';

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

const CREATE =
  'mutation($t: ID!, $r: Role) { createInvitation(teamId: $t, role: $r) { token path invitation { id role uses } } }';
const ROLE = 'query($t: ID!) { team(id: $t) { myRole } }';
const PREVIEW = 'query($k: String!) { invitation(token: $k) { teamName } }';
const ACCEPT = 'mutation($k: String!) { acceptInvitation(token: $k) { id } }';

describe('team invitations by link', () => {
  it('lets admins invite by link, shows what the link offers, adds whoever accepts, and stops when revoked', async () => {
    const owner = await TestClient.signUp(app.url, 'inv-owner@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Invite Lab" }) { id } }',
    );
    const teamId = createTeam.id;
    const { createInvitation } = await owner.ok<{
      createInvitation: { token: string; path: string; invitation: { id: string; role: string } };
    }>(CREATE, { t: teamId, r: 'MEMBER' });
    expect(createInvitation.token).toMatch(/^[\w-]{43}$/);
    expect(createInvitation.path).toBe(`/invite/${createInvitation.token}`);

    const anonymous = new TestClient(app.url);
    const preview = await anonymous.ok<{ invitation: { teamName: string; role: string } }>(
      'query($k: String!) { invitation(token: $k) { teamName role } }',
      { k: createInvitation.token },
    );
    expect(preview.invitation).toEqual({ teamName: 'Invite Lab', role: 'MEMBER' });
    const joinAnonymously = await anonymous.request('mutation($k: String!) { acceptInvitation(token: $k) { id } }', {
      k: createInvitation.token,
    });
    expect(joinAnonymously.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const newcomer = await TestClient.signUp(app.url, 'newcomer@lab.org');
    expect((await newcomer.request(ROLE, { t: teamId })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const joined = await newcomer.ok<{ acceptInvitation: { id: string; myRole: string } }>(
      'mutation($k: String!) { acceptInvitation(token: $k) { id myRole } }',
      { k: createInvitation.token },
    );
    expect(joined.acceptInvitation).toEqual({ id: teamId, myRole: 'MEMBER' });

    // Members cannot make links; the owner's admin keeps their higher role when opening a viewer link.
    const memberTry = await newcomer.request(CREATE, { t: teamId, r: 'VIEWER' });
    expect(memberTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const admin = await TestClient.signUp(app.url, 'inv-admin@lab.org');
    await owner.ok('mutation($i: AddMemberInput!) { addTeamMember(input: $i) { role } }', {
      i: { teamId, email: 'inv-admin@lab.org', role: 'ADMIN' },
    });
    const adminAdminLink = await admin.request(CREATE, { t: teamId, r: 'ADMIN' });
    expect(adminAdminLink.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const viewerLink = await admin.ok<{ createInvitation: { token: string } }>(CREATE, { t: teamId, r: 'VIEWER' });
    await admin.ok('mutation($k: String!) { acceptInvitation(token: $k) { id } }', {
      k: viewerLink.createInvitation.token,
    });
    expect((await admin.ok<{ team: { myRole: string } }>(ROLE, { t: teamId })).team.myRole).toBe('ADMIN');

    const { team } = await owner.ok<{ team: { invitations: { id: string; uses: number }[] } }>(
      'query($t: ID!) { team(id: $t) { invitations { id uses } } }',
      { t: teamId },
    );
    expect(team.invitations.find((i) => i.id === createInvitation.invitation.id)?.uses).toBe(1);
    const { team: asMember } = await newcomer.ok<{ team: { invitations: unknown[] } }>(
      'query($t: ID!) { team(id: $t) { invitations { id } } }',
      { t: teamId },
    );
    expect(asMember.invitations).toEqual([]);

    await owner.ok('mutation($id: ID!) { revokeInvitation(id: $id) { revokedAt } }', {
      id: createInvitation.invitation.id,
    });
    const late = await TestClient.signUp(app.url, 'late@lab.org');
    const refused = await late.request('mutation($k: String!) { acceptInvitation(token: $k) { id } }', {
      k: createInvitation.token,
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(refused.errors?.[0]?.message).toMatch(/revoked/);
  });

  it('says an expired link expired and when (preview and accept), and adds no one', async () => {
    const owner = await TestClient.signUp(app.url, 'expiry-owner@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Expiry Lab" }) { id } }',
    );
    const { createInvitation } = await owner.ok<{
      createInvitation: { token: string; invitation: { id: string; expiresAt: string } };
    }>(
      'mutation($t: ID!) { createInvitation(teamId: $t, role: MEMBER, days: 1) { token invitation { id expiresAt } } }',
      { t: createTeam.id },
    );
    // A one-day link expires a day from now (give or take the request's time).
    const expiresIn = Date.parse(createInvitation.invitation.expiresAt) - Date.now();
    expect(Math.abs(expiresIn - 24 * 60 * 60 * 1000)).toBeLessThan(60_000);
    const k = createInvitation.token;
    expect((await new TestClient(app.url).ok<{ invitation: unknown }>(PREVIEW, { k })).invitation).toEqual({
      teamName: 'Expiry Lab',
    });

    // A day later (moved back in the database rather than waited for): the moment it expires, it is refused.
    const expiredAt = new Date('2026-03-04T05:06:07.890Z');
    await app.runtime.services.prisma.teamInvitation.update({
      where: { id: createInvitation.invitation.id },
      data: { expiresAt: expiredAt },
    });
    const preview = await new TestClient(app.url).request(PREVIEW, { k });
    expect(preview.errors?.[0]?.extensions).toMatchObject({
      code: 'INVITATION_EXPIRED',
      expiredAt: expiredAt.toISOString(),
    });
    expect(preview.errors?.[0]?.message).toBe(
      'This invitation link expired on 2026-03-04 05:06 UTC; an admin of the team can send you a new one',
    );
    expect(preview.data).toBeNull();
    const latecomer = await TestClient.signUp(app.url, 'expiry-late@lab.org');
    const accept = await latecomer.request(ACCEPT, { k });
    expect(accept.errors?.[0]?.extensions).toMatchObject({
      code: 'INVITATION_EXPIRED',
      expiredAt: expiredAt.toISOString(),
    });
    expect(accept.errors?.[0]?.message).toMatch(/^This invitation link expired on 2026-03-04 05:06 UTC/);
    expect((await latecomer.request(ROLE, { t: createTeam.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { team } = await owner.ok<{ team: { invitations: { id: string; uses: number }[] } }>(
      'query($t: ID!) { team(id: $t) { invitations { id uses } } }',
      { t: createTeam.id },
    );
    expect(team.invitations.find((i) => i.id === createInvitation.invitation.id)?.uses).toBe(0);
  });

  it('answers an unknown and a revoked link alike (NOT_FOUND, same message), even a revoked one that also expired', async () => {
    const owner = await TestClient.signUp(app.url, 'unknown-owner@lab.org');
    const { createTeam } = await owner.ok<{ createTeam: { id: string } }>(
      'mutation { createTeam(input: { name: "Revoked Lab" }) { id } }',
    );
    const invite = async () =>
      (
        await owner.ok<{ createInvitation: { token: string; invitation: { id: string } } }>(
          'mutation($t: ID!) { createInvitation(teamId: $t) { token invitation { id } } }',
          { t: createTeam.id },
        )
      ).createInvitation;
    const revoked = await invite();
    const revokedAndExpired = await invite();
    for (const { invitation } of [revoked, revokedAndExpired]) {
      await owner.ok('mutation($id: ID!) { revokeInvitation(id: $id) { id } }', { id: invitation.id });
    }
    // Revocation wins: a revoked link says nothing about its expiry either.
    await app.runtime.services.prisma.teamInvitation.update({
      where: { id: revokedAndExpired.invitation.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // The shape of a real token (43 base64url characters), but none was made.
    const unknown = 'x'.repeat(43);

    const anonymous = new TestClient(app.url);
    const someone = await TestClient.signUp(app.url, 'unknown-visitor@lab.org');
    const answers = [];
    for (const k of [unknown, revoked.token, revokedAndExpired.token]) {
      answers.push((await anonymous.request(PREVIEW, { k })).errors?.[0]);
      answers.push((await someone.request(ACCEPT, { k })).errors?.[0]);
    }
    for (const answer of answers) {
      expect(answer?.extensions?.code).toBe('NOT_FOUND');
      expect(answer?.extensions?.expiredAt).toBeUndefined();
      expect(answer?.message).toBe(
        'This invitation link is not valid: it may have been revoked or copied incompletely; ask whoever sent it for a new one',
      );
    }
    expect((await someone.request(ROLE, { t: createTeam.id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
