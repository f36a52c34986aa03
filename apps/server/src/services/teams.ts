import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Prisma, PrismaClient, Role, Team } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { AppError, parseInput } from './errors.js';
import { mayInTeam, membershipChangeRefusal, requireTeamRole } from './policy.js';
import { roleOf, type Viewer } from './viewer.js';

const addMemberInput = z.object({
  teamId: z.uuid('must be a team id'),
  email: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')),
  role: z.enum(['OWNER', 'ADMIN', 'MEMBER', 'VIEWER']),
});

const removeMemberInput = z.object({
  teamId: z.uuid('must be a team id'),
  userId: z.uuid('must be a user id'),
});

const createTeamInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
});

const labelAcceptVotesInput = z.object({
  teamId: z.uuid('must be a team id'),
  votes: z.number().int('must be a whole number').min(1, 'must be at least 1').max(50, 'must be at most 50'),
});

export interface TeamWithRole {
  team: Team;
  role: Role;
}

function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  // A short random suffix keeps slugs unique without a read-then-write race.
  return `${base || 'team'}-${randomBytes(3).toString('hex')}`;
}

export class TeamService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
  ) {}

  /** Creates a team owned by `userId`; team and ownership are written together or not at all. */
  async createTeam(userId: string, raw: unknown): Promise<TeamWithRole> {
    const input = parseInput(createTeamInput, raw);
    const team = await this.prisma.team.create({
      data: { name: input.name, slug: slugify(input.name), memberships: { create: { userId, role: 'OWNER' } } },
    });
    this.events.publish(`user:${userId}:teams`, { teamId: team.id });
    return { team, role: 'OWNER' };
  }

  async teamsOf(userId: string): Promise<TeamWithRole[]> {
    const memberships = await this.prisma.membership.findMany({
      where: { userId },
      include: { team: true },
      orderBy: { createdAt: 'asc' },
    });
    return memberships.map((m) => ({ team: m.team, role: m.role }));
  }

  /**
   * Adds someone or changes their role, by the rules of policy.ts (membershipChangeRefusal): admins manage members
   * and viewers; only owners make, change or remove admins and owners; a team always keeps an owner.
   */
  async addMember(viewer: Viewer, raw: unknown) {
    const input = parseInput(addMemberInput, raw);
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const actorRole = await requireTeamRole(viewer, input.teamId, 'team.manageMembers', 'add or change members');
    const person = await this.prisma.user.findUnique({ where: { email: input.email } });
    if (!person) throw new AppError('NOT_FOUND', `No account with ${input.email}`, { field: 'email' });
    const actorId = viewer.user.id;
    const membership = await this.prisma.$transaction(async (tx) => {
      const targetRole = await this.lockedChange(tx, input.teamId, actorRole, actorId, person.id, input.role);
      const saved = await tx.membership.upsert({
        where: { teamId_userId: { teamId: input.teamId, userId: person.id } },
        create: { teamId: input.teamId, userId: person.id, role: input.role },
        update: { role: input.role },
        include: { user: true },
      });
      await logActivity(tx, {
        teamId: input.teamId,
        actorId,
        action: 'team.member_set',
        subjectType: 'user',
        subjectId: person.id,
        data: { role: input.role, from: targetRole, displayName: person.displayName },
      });
      return saved;
    });
    this.events.publish(`user:${person.id}:teams`, { teamId: input.teamId });
    return membership;
  }

  /**
   * How many people other than a label's author must vote it up before it is accepted; the team's labels are
   * recounted under the new rule in the same transaction (workbench_label_status, the rule every vote uses).
   */
  async setLabelAcceptVotes(viewer: Viewer, raw: unknown): Promise<TeamWithRole> {
    const input = parseInput(labelAcceptVotesInput, raw);
    const role = await requireTeamRole(viewer, input.teamId, 'team.settings', 'change its settings');
    const team = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.team.update({
        where: { id: input.teamId },
        data: { labelAcceptVotes: input.votes },
      });
      await tx.$executeRaw`
        UPDATE feature_labels AS l SET status = workbench_label_status(c.up, c.down, ${input.votes}::int)
        FROM (
          SELECT fl.id, count(v.*) FILTER (WHERE v.value = 1) AS up, count(v.*) FILTER (WHERE v.value = -1) AS down
          FROM feature_labels AS fl
          LEFT JOIN label_votes AS v ON v.label_id = fl.id AND v.user_id <> fl.author_id
          WHERE fl.team_id = ${input.teamId}::uuid
          GROUP BY fl.id
        ) AS c
        WHERE l.id = c.id`;
      await logActivity(tx, {
        teamId: input.teamId,
        actorId: viewer.user!.id,
        action: 'team.settings_changed',
        subjectType: 'team',
        subjectId: input.teamId,
        data: { labelAcceptVotes: input.votes },
      });
      return updated;
    });
    return { team, role };
  }

  /**
   * Removes someone from the team; `userId` the viewer's own id is leaving it. Admins remove members and viewers,
   * owners anyone; anyone may leave, except the team's last owner.
   */
  async removeMember(viewer: Viewer, raw: unknown): Promise<boolean> {
    const input = parseInput(removeMemberInput, raw);
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const actorRole = await requireTeamRole(viewer, input.teamId, 'team.view', 'leave or change it');
    const actorId = viewer.user.id;
    await this.prisma.$transaction(async (tx) => {
      const targetRole = await this.lockedChange(tx, input.teamId, actorRole, actorId, input.userId, null);
      if (!targetRole) throw new AppError('NOT_FOUND', `No member ${input.userId} in this team`, { field: 'userId' });
      await tx.membership.delete({ where: { teamId_userId: { teamId: input.teamId, userId: input.userId } } });
      await logActivity(tx, {
        teamId: input.teamId,
        actorId,
        action: actorId === input.userId ? 'team.member_left' : 'team.member_removed',
        subjectType: 'user',
        subjectId: input.userId,
        data: { role: targetRole },
      });
    });
    viewer.loaders.role.clearAll();
    return true;
  }

  /**
   * Checks a membership change inside the transaction that makes it, with the team's owner rows locked: two owners
   * demoting each other at once cannot leave the team without one. Returns the target's current role.
   */
  private async lockedChange(
    tx: Prisma.TransactionClient,
    teamId: string,
    actorRole: Role,
    actorId: string,
    targetId: string,
    newRole: Role | null,
  ): Promise<Role | null> {
    const owners = await tx.$queryRaw<{ user_id: string }[]>`
      SELECT user_id FROM memberships WHERE team_id = ${teamId}::uuid AND role = 'OWNER' FOR UPDATE`;
    const target = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId: targetId } } });
    const refusal = membershipChangeRefusal({
      actorRole,
      self: actorId === targetId,
      targetRole: target?.role ?? null,
      newRole,
      owners: owners.length,
    });
    if (refusal) throw refusal;
    return target?.role ?? null;
  }

  async members(viewer: Viewer, teamId: string) {
    if (!mayInTeam(await roleOf(viewer, teamId), 'team.view')) throw new AppError('NOT_FOUND', `No team ${teamId}`);
    return this.prisma.membership.findMany({
      where: { teamId },
      include: { user: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async activity(viewer: Viewer, teamId: string, first = 50) {
    if (!mayInTeam(await roleOf(viewer, teamId), 'team.view')) throw new AppError('NOT_FOUND', `No team ${teamId}`);
    return this.prisma.activityEvent.findMany({ where: { teamId }, orderBy: { createdAt: 'desc' }, take: first });
  }
}
