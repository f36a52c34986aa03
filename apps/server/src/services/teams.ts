import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { PrismaClient, Role, Team } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { AppError, parseInput } from './errors.js';
import { roleAtLeast, roleOf, type Viewer } from './viewer.js';

const addMemberInput = z.object({
  teamId: z.uuid('must be a team id'),
  email: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')),
  role: z.enum(['OWNER', 'ADMIN', 'MEMBER', 'VIEWER']),
});

const createTeamInput = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
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

  /** Adds someone (or changes their role). Admins manage members and viewers; only owners grant admin or owner. */
  async addMember(viewer: Viewer, raw: unknown) {
    const input = parseInput(addMemberInput, raw);
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const myRole = await roleOf(viewer, input.teamId);
    if (!myRole) throw new AppError('NOT_FOUND', `No team ${input.teamId}`);
    const needed = input.role === 'OWNER' || input.role === 'ADMIN' ? 'OWNER' : 'ADMIN';
    if (!roleAtLeast(myRole, needed)) {
      throw new AppError('FORBIDDEN', `Only ${needed.toLowerCase()}s can make someone ${input.role.toLowerCase()}`);
    }
    const person = await this.prisma.user.findUnique({ where: { email: input.email } });
    if (!person) throw new AppError('NOT_FOUND', `No account with ${input.email}`, { field: 'email' });
    const actorId = viewer.user.id;
    const membership = await this.prisma.$transaction(async (tx) => {
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
        data: { role: input.role },
      });
      return saved;
    });
    this.events.publish(`user:${person.id}:teams`, { teamId: input.teamId });
    return membership;
  }

  async members(viewer: Viewer, teamId: string) {
    if (!(await roleOf(viewer, teamId))) throw new AppError('NOT_FOUND', `No team ${teamId}`);
    return this.prisma.membership.findMany({
      where: { teamId },
      include: { user: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async activity(viewer: Viewer, teamId: string, first = 50) {
    if (!(await roleOf(viewer, teamId))) throw new AppError('NOT_FOUND', `No team ${teamId}`);
    return this.prisma.activityEvent.findMany({ where: { teamId }, orderBy: { createdAt: 'desc' }, take: first });
  }
}
