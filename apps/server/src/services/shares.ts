import { z } from 'zod';
import type { PrismaClient, ShareLink } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { Access } from './circuit-access.js';
import type { CircuitService } from './circuits.js';
import { AppError, isUuid, parseInput } from './errors.js';
import type { RateLimiter } from './rate-limit.js';
import { hashToken, newToken } from './tokens.js';
import type { Viewer } from './viewer.js';

const createInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  version: z.number().int().min(1).nullish(),
  permission: z.enum(['VIEW', 'COMMENT', 'EDIT']),
  // A Date: the DateTime scalar has already refused text that is not an ISO-8601 date-time.
  expiresAt: z
    .date()
    .nullish()
    .refine((v) => !v || v.getTime() > Date.now(), 'must be in the future'),
});

export interface CreatedShareLink {
  link: ShareLink;
  /** 256 random bits, shown once: only its hash is stored. */
  token: string;
}

export class ShareService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly circuits: CircuitService,
    private readonly limiter: RateLimiter,
  ) {}

  async create(viewer: Viewer, raw: unknown): Promise<CreatedShareLink> {
    const input = parseInput(createInput, raw);
    const { circuit } = await this.circuits.require(viewer, { id: input.circuitId }, Access.MANAGE);
    if (input.version && input.version > circuit.latestVersion) {
      throw new AppError('BAD_USER_INPUT', `version: circuit ${circuit.slug} has no version ${input.version}`, {
        field: 'version',
      });
    }
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const token = newToken();
    const link = await this.prisma.$transaction(async (tx) => {
      const created = await tx.shareLink.create({
        data: {
          circuitId: circuit.id,
          tokenHash: hashToken(token),
          version: input.version ?? null,
          permission: input.permission,
          expiresAt: input.expiresAt ?? null,
          createdById: user.id,
        },
      });
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: 'share_link.created',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: {
          linkId: created.id,
          permission: input.permission,
          version: input.version ?? null,
          title: circuit.title,
          slug: circuit.slug,
        },
      });
      return created;
    });
    return { link, token };
  }

  async revoke(viewer: Viewer, linkId: string): Promise<ShareLink> {
    const link = isUuid(linkId) ? await this.prisma.shareLink.findUnique({ where: { id: linkId } }) : null;
    if (!link) throw new AppError('NOT_FOUND', `No share link ${linkId}`);
    const { circuit } = await this.circuits.require(viewer, { id: link.circuitId }, Access.MANAGE);
    const user = viewer.user!;
    return this.prisma.$transaction(async (tx) => {
      const revoked = await tx.shareLink.update({
        where: { id: link.id },
        data: { revokedAt: link.revokedAt ?? new Date() },
      });
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: 'share_link.revoked',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { linkId: link.id, title: circuit.title, slug: circuit.slug },
      });
      return revoked;
    });
  }

  async forCircuit(viewer: Viewer, circuitId: string): Promise<ShareLink[]> {
    await this.circuits.require(viewer, { id: circuitId }, Access.MANAGE);
    return this.prisma.shareLink.findMany({ where: { circuitId }, orderBy: { createdAt: 'desc' } });
  }
}
