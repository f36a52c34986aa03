import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { PrismaClient, Role, Team } from '../generated/prisma/client.js';
import { parseInput } from './errors.js';

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
}
