import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { PrismaClient, Role, TeamInvitation } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { AppError, isUuid, parseInput, utcMinute } from './errors.js';
import { mayInTeam, requireTeamRole } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import { hashToken, newToken } from './tokens.js';
import { roleAtLeast, roleOf, type Viewer } from './viewer.js';

const createInput = z.object({
  teamId: z.uuid('must be a team id'),
  role: z.enum(['ADMIN', 'MEMBER', 'VIEWER']).default('MEMBER'),
  /** Days the link stays valid. */
  days: z.number().int().min(1, 'must be at least 1').max(90, 'must be at most 90').default(7),
});

/** What someone holding an invitation link sees before joining. */
export interface InvitationPreview {
  teamName: string;
  role: Role;
  expiresAt: Date;
}

/** Invitations by link: admins make them (owners for admin links), anyone signed in with the link joins. */
export class InvitationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
  ) {}

  async create(viewer: Viewer, raw: unknown): Promise<{ invitation: TeamInvitation; token: string }> {
    const input = parseInput(createInput, raw);
    await requireTeamRole(
      viewer,
      input.teamId,
      input.role === 'ADMIN' ? 'team.manageAdmins' : 'team.manageMembers',
      `invite people as ${input.role.toLowerCase()}`,
    );
    const user = viewer.user!;
    await this.limiter.take(user.id);
    // 256 random bits; only the hash is stored, so the database cannot hand out working links.
    const token = newToken();
    const invitation = await this.prisma.$transaction(async (tx) => {
      const created = await tx.teamInvitation.create({
        data: {
          teamId: input.teamId,
          tokenHash: hashToken(token),
          role: input.role,
          createdById: user.id,
          expiresAt: new Date(Date.now() + input.days * 24 * 60 * 60 * 1000),
        },
      });
      await logActivity(tx, {
        teamId: input.teamId,
        actorId: user.id,
        action: 'team.invitation_created',
        subjectType: 'invitation',
        subjectId: created.id,
        data: { role: input.role, days: input.days },
      });
      return created;
    });
    return { invitation, token };
  }

  /**
   * The invitation a token opens. Unknown and revoked tokens read the same (NOT_FOUND), so a revoked link tells
   * nothing more than a mistyped one; an expired link says when it expired, which only its holder can ask about since
   * tokens are 256-bit secrets. Links may be used many times (uses counts them), so there is no "already used".
   */
  private async valid(token: string) {
    const invitation = await this.prisma.teamInvitation.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { team: true },
    });
    if (!invitation || invitation.revokedAt) {
      throw new AppError(
        'NOT_FOUND',
        'This invitation link is not valid: it may have been revoked or copied incompletely; ask whoever sent it for a new one',
      );
    }
    if (invitation.expiresAt.getTime() <= Date.now()) {
      throw new AppError(
        'INVITATION_EXPIRED',
        `This invitation link expired on ${utcMinute(invitation.expiresAt)}; an admin of the team can send you a new one`,
        { expiredAt: invitation.expiresAt.toISOString() },
      );
    }
    return invitation;
  }

  async preview(token: string): Promise<InvitationPreview> {
    const invitation = await this.valid(token);
    return { teamName: invitation.team.name, role: invitation.role, expiresAt: invitation.expiresAt };
  }

  /** Joins the team with the link's role; someone already in the team keeps the higher of the two roles. */
  async accept(viewer: Viewer, token: string) {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const user = viewer.user;
    const invitation = await this.valid(token);
    const current = await roleOf(viewer, invitation.teamId);
    await this.prisma.$transaction(async (tx) => {
      if (!roleAtLeast(current, invitation.role)) {
        await tx.membership.upsert({
          where: { teamId_userId: { teamId: invitation.teamId, userId: user.id } },
          create: { teamId: invitation.teamId, userId: user.id, role: invitation.role },
          update: { role: invitation.role },
        });
      }
      await tx.teamInvitation.update({ where: { id: invitation.id }, data: { uses: { increment: 1 } } });
      await logActivity(tx, {
        teamId: invitation.teamId,
        actorId: user.id,
        action: 'team.invitation_accepted',
        subjectType: 'invitation',
        subjectId: invitation.id,
        data: { role: invitation.role },
      });
    });
    this.events.publish(`user:${user.id}:teams`, { teamId: invitation.teamId });
    return invitation.team;
  }

  async list(viewer: Viewer, teamId: string): Promise<TeamInvitation[]> {
    if (!mayInTeam(await roleOf(viewer, teamId), 'team.manageMembers')) return [];
    return this.prisma.teamInvitation.findMany({ where: { teamId }, orderBy: { createdAt: 'desc' } });
  }

  async revoke(viewer: Viewer, id: string): Promise<TeamInvitation> {
    const invitation = isUuid(id) ? await this.prisma.teamInvitation.findUnique({ where: { id } }) : null;
    if (!invitation || !mayInTeam(await roleOf(viewer, invitation.teamId), 'team.manageMembers')) {
      throw new AppError('NOT_FOUND', `No invitation ${id}`);
    }
    return this.prisma.teamInvitation.update({
      where: { id },
      data: { revokedAt: invitation.revokedAt ?? new Date() },
    });
  }
}
