import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Circuit, PrismaClient, Review } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { Access } from './circuit-access.js';
import { type CircuitService, circuitTopic } from './circuits.js';
import { AppError, parseInput } from './errors.js';
import { excerptOf, NotificationService, type Recipient, readersAmong } from './notifications.js';
import { type Connection, type PageArgs, paginate } from './pagination.js';
import { circuitAccess, mayInTeam } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import type { Viewer } from './viewer.js';

const requestInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  version: z.number().int().min(1).optional(),
  reviewerIds: z.array(z.uuid('must be user ids')).min(1, 'name at least one reviewer').max(20),
});
const decideInput = z.object({
  reviewId: z.uuid('must be a review id'),
  decision: z.enum(['APPROVED', 'CHANGES_REQUESTED']),
  comment: z.string().trim().max(10_000).optional(),
});

export type CircuitStatus = 'DRAFT' | 'IN_REVIEW' | 'APPROVED' | 'CHANGES_REQUESTED';

/** From the latest version's reviews: any request for changes wins; approved once every reviewer approved. */
export function circuitStatus(reviews: Pick<Review, 'state'>[]): CircuitStatus {
  if (!reviews.length) return 'DRAFT';
  if (reviews.some((r) => r.state === 'CHANGES_REQUESTED')) return 'CHANGES_REQUESTED';
  if (reviews.every((r) => r.state === 'APPROVED')) return 'APPROVED';
  return 'IN_REVIEW';
}

export interface ReviewAgreement {
  approved: number;
  changesRequested: number;
  pending: number;
  /** Share of decided reviewers on the majority side (0 when none decided). */
  agreement: number;
}

export function reviewAgreement(reviews: Pick<Review, 'state'>[]): ReviewAgreement {
  const approved = reviews.filter((r) => r.state === 'APPROVED').length;
  const changesRequested = reviews.filter((r) => r.state === 'CHANGES_REQUESTED').length;
  const decided = approved + changesRequested;
  return {
    approved,
    changesRequested,
    pending: reviews.length - decided,
    agreement: decided ? Math.max(approved, changesRequested) / decided : 0,
  };
}

export class ReviewService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
    private readonly circuits: CircuitService,
    private readonly notifications: NotificationService,
  ) {}

  /** Asks team members (member or above) to review one version (default: the latest). */
  async request(viewer: Viewer, raw: unknown): Promise<Review[]> {
    const input = parseInput(requestInput, raw);
    const { circuit } = await this.circuits.require(viewer, { id: input.circuitId }, Access.EDIT);
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const version = input.version ?? circuit.latestVersion;
    if (version > circuit.latestVersion) {
      throw new AppError('BAD_USER_INPUT', `version: circuit ${circuit.slug} has no version ${version}`);
    }
    const members = await this.prisma.membership.findMany({
      where: { teamId: circuit.teamId, userId: { in: input.reviewerIds } },
    });
    const byId = new Map(members.map((m) => [m.userId, m]));
    const stranger = input.reviewerIds.find((id) => !mayInTeam(byId.get(id)?.role ?? null, 'review.reviewer'));
    if (stranger) {
      throw new AppError('BAD_USER_INPUT', `reviewerIds: ${stranger} is not a member of the circuit's team`, {
        field: 'reviewerIds',
      });
    }
    // A reviewer must be able to open what they review (a PRIVATE circuit is its creator's and the admins'):
    // otherwise the review could never be decided and would stay pending.
    const blind = input.reviewerIds.find((id) => {
      const role = byId.get(id)!.role;
      return circuitAccess(role, id === circuit.createdById, circuit.visibility) < Access.VIEW;
    });
    if (blind) {
      throw new AppError(
        'BAD_USER_INPUT',
        `reviewerIds: ${blind} cannot see this ${circuit.visibility.toLowerCase()} circuit`,
        {
          field: 'reviewerIds',
        },
      );
    }
    // Asking someone again for the same version changes nothing, and notifies them once only.
    const asked = new Set(
      (
        await this.prisma.review.findMany({
          where: { circuitId: circuit.id, version, reviewerId: { in: input.reviewerIds } },
          select: { reviewerId: true },
        })
      ).map((r) => r.reviewerId),
    );
    const recipients: Recipient[] = [...new Set(input.reviewerIds)]
      .filter((id) => !asked.has(id) && id !== user.id)
      .map((userId) => ({ userId, kind: 'review_requested' }));
    const reviews = await this.prisma.$transaction(async (tx) => {
      const out: Review[] = [];
      for (const reviewerId of new Set(input.reviewerIds)) {
        out.push(
          await tx.review.upsert({
            where: { circuitId_version_reviewerId: { circuitId: circuit.id, version, reviewerId } },
            create: { circuitId: circuit.id, version, reviewerId, requestedById: user.id },
            update: {},
          }),
        );
      }
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: 'review.requested',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { version, reviewerIds: input.reviewerIds, title: circuit.title, slug: circuit.slug },
      });
      await NotificationService.store(tx, recipients, {
        by: user.displayName,
        actorId: user.id,
        subject: `v${version} of “${circuit.title}”`,
        path: `/c/${circuit.slug}/v/${version}`,
        version,
        circuitId: circuit.id,
      });
      return out;
    });
    this.notifications.announce(recipients, circuit.id);
    // The version travels with the event: circuitChanged delivers it to a version link only for its own version.
    this.events.publish(circuitTopic(circuit.id), { kind: 'review', id: circuit.id, version });
    return reviews;
  }

  async decide(viewer: Viewer, raw: unknown): Promise<Review> {
    const input = parseInput(decideInput, raw);
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const review = await this.prisma.review.findUnique({ where: { id: input.reviewId } });
    if (!review || review.reviewerId !== viewer.user.id) {
      throw new AppError('NOT_FOUND', `No review ${input.reviewId} assigned to you`);
    }
    const { circuit } = await this.circuits.require(viewer, { id: review.circuitId }, Access.VIEW);
    await this.limiter.take(viewer.user.id);
    const user = viewer.user;
    // The circuit's author and whoever asked hear of the decision, if they can still open the circuit.
    const told = [...new Set([circuit.createdById, review.requestedById])].filter((id) => id !== user.id);
    const recipients: Recipient[] = (
      await readersAmong(
        this.prisma,
        { kind: 'circuit', visibility: circuit.visibility, createdById: circuit.createdById },
        circuit.teamId,
        told,
      )
    ).map((userId) => ({ userId, kind: 'review_decided' }));
    const decided = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.review.update({
        where: { id: review.id },
        data: { state: input.decision, comment: input.comment ?? null, decidedAt: new Date() },
      });
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: input.decision === 'APPROVED' ? 'review.approved' : 'review.changes_requested',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { version: review.version, reviewId: review.id, title: circuit.title, slug: circuit.slug },
      });
      await NotificationService.store(tx, recipients, {
        by: user.displayName,
        actorId: user.id,
        subject: `v${review.version} of “${circuit.title}”`,
        path: `/c/${circuit.slug}/v/${review.version}`,
        excerpt: excerptOf(input.comment),
        version: review.version,
        decision: input.decision,
        circuitId: circuit.id,
      });
      return updated;
    });
    this.notifications.announce(recipients, circuit.id);
    this.events.publish(circuitTopic(circuit.id), { kind: 'review', id: circuit.id, version: review.version });
    return decided;
  }

  /** Reviews of the circuit's latest version (what its status is computed from), batched per request. */
  forLatest(viewer: Viewer, circuit: Circuit): Promise<Review[]> {
    return viewer.loaders.reviews.load(`${circuit.id}:${circuit.latestVersion}`);
  }

  /** The newest version of the circuit that every one of its reviewers approved, or null (batched per request). */
  approvedVersion(viewer: Viewer, circuit: Circuit): Promise<number | null> {
    return viewer.loaders.approvedVersion.load(circuit.id);
  }

  /** My review queue: pending requests first, then decided ones, newest first within each. */
  queue(viewer: Viewer, page: PageArgs, pendingOnly: boolean): Promise<Connection<Review>> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    return this.list(page, { reviewerId: viewer.user.id }, pendingOnly);
  }

  /** Reviews I asked others for, in the queue's order: what I am waiting on comes first. */
  requested(viewer: Viewer, page: PageArgs, pendingOnly: boolean): Promise<Connection<Review>> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    return this.list(page, { requestedById: viewer.user.id }, pendingOnly);
  }

  private list(
    page: PageArgs,
    who: { reviewerId: string } | { requestedById: string },
    pendingOnly: boolean,
  ): Promise<Connection<Review>> {
    return paginate(page, (p) =>
      this.prisma.review.findMany({
        ...p,
        where: { ...who, ...(pendingOnly ? { state: 'PENDING' } : {}) },
        orderBy: [{ state: 'asc' }, { createdAt: 'desc' }, { id: 'asc' }],
      }),
    );
  }
}
