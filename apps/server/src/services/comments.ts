import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Comment, CommentTarget, PrismaClient } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { Access } from './circuit-access.js';
import { type CircuitService, circuitTopic } from './circuits.js';
import { AppError, isUuid, parseInput } from './errors.js';
import { featureTopic, type LabelService } from './labels.js';
import { excerptOf, featurePagePath, type NotificationService, type Recipient, readersAmong } from './notifications.js';
import { type Connection, type PageArgs, paginate } from './pagination.js';
import { mayInTeam, type ThreadRule } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import { roleOf, type Viewer } from './viewer.js';

const targetSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('FEATURE'),
    modelId: z.string().min(1),
    saeId: z.string().min(1),
    featureIndex: z.number().int().min(0),
    /** The team whose members may see it; null: public. */
    teamId: z.uuid().nullish(),
  }),
  z.object({ type: z.literal('LABEL'), labelId: z.uuid() }),
  z.object({ type: z.literal('CIRCUIT'), circuitId: z.uuid() }),
  z.object({ type: z.literal('NODE'), circuitId: z.uuid(), nodeId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('EDGE'), circuitId: z.uuid(), edgeId: z.string().min(1).max(400) }),
]);
type Target = z.infer<typeof targetSchema>;
const addInput = z.object({
  target: targetSchema,
  body: z.string().trim().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters'),
  parentId: z.uuid().nullish(),
});

// SAE ids may contain '/', so feature keys join with '|'.
const featureCommentKey = (k: { modelId: string; saeId: string; featureIndex: number }) =>
  `${k.modelId}|${k.saeId}|${k.featureIndex}`;

/**
 * `@someone@lab.org` in a comment body mentions that user. Mentions name people by their email: the one name that
 * is unique (display names are not) and that teammates see (policy.ts's emailVisible); the comment box completes
 * it from a teammate's display name or email.
 */
const MENTION = /(?:^|\s)@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

/** How many people the comment box offers for one `@`. */
const MENTION_CANDIDATES = 8;

interface ResolvedTarget {
  type: CommentTarget;
  key: string;
  teamId: string | null;
  circuitId: string | null;
  /** Where its events go: the topic an open page of the thread follows (featureChanged, circuitChanged). */
  topic: string;
  /** The team whose members alone hear of it live; null: whoever follows the topic may. */
  audience: string | null;
  /** Who may read the thread (mentions and replies notify only them). */
  rule: ThreadRule;
  /** For notifications: what the thread is about, and where it opens. */
  subject: string;
  path: string;
}

export class CommentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
    private readonly circuits: CircuitService,
    private readonly labels: LabelService,
    private readonly notifications: NotificationService,
  ) {}

  /** Checks the viewer may read (and, with `write`, comment on) the target; returns where the comment belongs. */
  private async resolve(viewer: Viewer, target: Target, write: boolean): Promise<ResolvedTarget> {
    switch (target.type) {
      case 'FEATURE': {
        const teamId = target.teamId ?? null;
        if (teamId) {
          const role = await roleOf(viewer, teamId);
          if (!role) throw new AppError('NOT_FOUND', 'No such team thread');
          if (write && !mayInTeam(role, 'comment.teamThread')) {
            throw new AppError('FORBIDDEN', 'Only members, admins and owners of the team may comment in its threads');
          }
        } else if (write && !viewer.user) {
          throw new AppError('UNAUTHENTICATED', 'Sign in first');
        }
        const key = featureCommentKey(target);
        return {
          type: 'FEATURE',
          key,
          teamId,
          circuitId: null,
          topic: featureTopic(target),
          audience: teamId,
          rule: teamId ? { kind: 'teamThread' } : { kind: 'public' },
          subject: `feature ${target.saeId} #${target.featureIndex}`,
          path: `${featurePagePath(target)}${teamId ? `?team=${teamId}` : ''}`,
        };
      }
      case 'LABEL': {
        const label = await this.labels.get(viewer, target.labelId);
        if (write && !(await this.labels.permissions(viewer, label)).comment) {
          if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
          throw new AppError('FORBIDDEN', 'Only members of the label’s team can comment on a team label');
        }
        return {
          type: 'LABEL',
          key: label.id,
          teamId: label.teamId,
          circuitId: null,
          // The feature page shows the label's thread: it hears of comments with the label's events, and by the
          // same rule (a public label's thread is anyone's).
          topic: featureTopic(label),
          audience: label.visibility === 'PUBLIC' ? null : label.teamId,
          rule: { kind: 'label', visibility: label.visibility },
          subject: `label “${label.name}” of ${label.saeId} #${label.featureIndex}`,
          path: `${featurePagePath(label)}?team=${label.teamId}#label-${label.id}`,
        };
      }
      default: {
        const { circuit } = await this.circuits.require(
          viewer,
          { id: target.circuitId },
          write ? Access.COMMENT : Access.VIEW,
        );
        const part = target.type === 'NODE' ? target.nodeId : target.type === 'EDGE' ? target.edgeId : null;
        const key = part === null ? circuit.id : `${circuit.id}#${part}`;
        const title = `“${circuit.title}”`;
        return {
          type: target.type,
          key,
          teamId: circuit.teamId,
          circuitId: circuit.id,
          topic: circuitTopic(circuit.id),
          audience: circuit.teamId,
          rule: { kind: 'circuit', visibility: circuit.visibility, createdById: circuit.createdById },
          subject: part === null ? `circuit ${title}` : `${target.type.toLowerCase()} ${part} of ${title}`,
          // The editor opens with ?sel= selected: the inspector shows that node's or edge's thread.
          path: `/c/${circuit.slug}${part === null ? '' : `?sel=${encodeURIComponent(part)}`}`,
        };
      }
    }
  }

  async list(viewer: Viewer, rawTarget: unknown, page: PageArgs): Promise<Connection<Comment>> {
    const target = await this.resolve(viewer, parseInput(targetSchema, rawTarget), false);
    return paginate(
      page,
      (p) =>
        this.prisma.comment.findMany({
          ...p,
          where: { targetType: target.type, targetKey: target.key, teamId: target.teamId },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
      50,
    );
  }

  async add(viewer: Viewer, raw: unknown): Promise<Comment> {
    const input = parseInput(addInput, raw);
    const target = await this.resolve(viewer, input.target, true);
    const user = viewer.user!;
    await this.limiter.take(user.id);
    let parentAuthorId: string | null = null;
    if (input.parentId) {
      const parent = await this.prisma.comment.findUnique({ where: { id: input.parentId } });
      // The same thread: same target and the same team (a feature has a public thread and one per team).
      if (
        !parent ||
        parent.targetKey !== target.key ||
        parent.targetType !== target.type ||
        parent.teamId !== target.teamId
      ) {
        throw new AppError('BAD_USER_INPUT', 'parentId: not a comment in this thread', { field: 'parentId' });
      }
      parentAuthorId = parent.authorId;
    }
    const recipients = await this.recipients(user.id, target, input.body, parentAuthorId);
    const mentionIds = JSON.stringify(recipients.filter((r) => r.kind === 'mention').map((r) => r.userId));
    // The comment, its notifications and the activity entry in one statement (atomic, one round trip).
    const notice = JSON.stringify({
      by: user.displayName,
      actorId: user.id,
      subject: target.subject,
      path: target.path,
      excerpt: excerptOf(input.body),
      targetType: target.type,
      targetKey: target.key,
    });
    const notified = JSON.stringify(recipients.map((r) => ({ user_id: r.userId, kind: r.kind })));
    const rows = await this.prisma.$queryRaw<Comment[]>`
      WITH created AS (
        INSERT INTO comments (id, target_type, target_key, team_id, circuit_id, parent_id, author_id, body)
        VALUES (gen_random_uuid(), ${target.type}::"CommentTarget", ${target.key}, ${target.teamId}::uuid,
                ${target.circuitId}::uuid, ${input.parentId ?? null}::uuid, ${user.id}::uuid, ${input.body})
        RETURNING *
      ), notified AS (
        INSERT INTO notifications (id, user_id, kind, comment_id, data)
        SELECT gen_random_uuid(), r.user_id, r.kind, created.id, ${notice}::jsonb
        FROM created, jsonb_to_recordset(${notified}::jsonb) AS r(user_id uuid, kind text)
      ), logged AS (
        INSERT INTO activity_events (id, team_id, actor_id, action, subject_type, subject_id, data)
        SELECT gen_random_uuid(), team_id, author_id, 'comment.added', ${target.type.toLowerCase()}, target_key,
               jsonb_build_object('commentId', id, 'mentions', ${mentionIds}::jsonb)
        FROM created
      )
      SELECT id, target_type AS "targetType", target_key AS "targetKey", team_id AS "teamId",
             circuit_id AS "circuitId", parent_id AS "parentId", author_id AS "authorId", body,
             resolved_at AS "resolvedAt", resolved_by_id AS "resolvedById", created_at AS "createdAt"
      FROM created`;
    const comment = rows[0]!;
    this.notifications.announce(recipients, comment.id);
    this.publish(target, comment.id);
    return comment;
  }

  /**
   * Who a new comment notifies: the people it mentions, and the author of the comment it replies to (once, as a
   * mention when both); never its own author, and only people who may read the thread.
   */
  private async recipients(
    authorId: string,
    target: ResolvedTarget,
    body: string,
    parentAuthorId: string | null,
  ): Promise<Recipient[]> {
    const emails = [...body.matchAll(MENTION)].map((m) => m[1]!.toLowerCase());
    const mentioned = emails.length
      ? await this.prisma.user.findMany({
          where: { email: { in: emails }, id: { not: authorId } },
          select: { id: true },
        })
      : [];
    const wanted: Recipient[] = mentioned.map((u) => ({ userId: u.id, kind: 'mention' }));
    if (parentAuthorId && parentAuthorId !== authorId && !wanted.some((r) => r.userId === parentAuthorId)) {
      wanted.push({ userId: parentAuthorId, kind: 'reply' });
    }
    const readers = new Set(
      await readersAmong(
        this.prisma,
        target.rule,
        target.teamId,
        wanted.map((r) => r.userId),
      ),
    );
    return wanted.filter((r) => readers.has(r.userId));
  }

  /**
   * Whom the viewer may mention on a target, for the comment box's completion: people who share a team with the
   * viewer (they see each other's emails) and may read the thread, matching `search` in display name or email.
   */
  async mentionCandidates(viewer: Viewer, rawTarget: unknown, search: string | null | undefined) {
    const target = await this.resolve(viewer, parseInput(targetSchema, rawTarget), false);
    const user = viewer.user;
    if (!user) return [];
    const text = (search ?? '').trim().slice(0, 100);
    const people = await this.prisma.user.findMany({
      where: {
        id: { not: user.id },
        memberships: { some: { team: { memberships: { some: { userId: user.id } } } } },
        ...(text
          ? {
              OR: [
                { displayName: { contains: text, mode: 'insensitive' } },
                { email: { contains: text, mode: 'insensitive' } },
              ],
            }
          : {}),
      },
      orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
      take: 50,
    });
    const readers = new Set(
      await readersAmong(
        this.prisma,
        target.rule,
        target.teamId,
        people.map((p) => p.id),
      ),
    );
    return people.filter((p) => readers.has(p.id)).slice(0, MENTION_CANDIDATES);
  }

  /** Resolve (true) or reopen (false) a thread; anyone who may comment on it can. */
  async setResolved(viewer: Viewer, commentId: string, resolved: boolean): Promise<Comment> {
    const comment = isUuid(commentId) ? await this.prisma.comment.findUnique({ where: { id: commentId } }) : null;
    if (!comment) throw new AppError('NOT_FOUND', `No comment ${commentId}`);
    const target = await this.resolve(viewer, this.targetOf(comment), true);
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const updated = await this.prisma.$transaction(async (tx) => {
      const changed = await tx.comment.update({
        where: { id: comment.id },
        data: resolved ? { resolvedAt: new Date(), resolvedById: user.id } : { resolvedAt: null, resolvedById: null },
      });
      await logActivity(tx, {
        teamId: target.teamId,
        actorId: user.id,
        action: resolved ? 'comment.resolved' : 'comment.reopened',
        subjectType: 'comment',
        subjectId: comment.id,
      });
      return changed;
    });
    this.publish(target, comment.id);
    return updated;
  }

  /** A comment added, resolved or reopened: its thread's open pages ask for it again (targetType, targetKey). */
  private publish(target: ResolvedTarget, commentId: string) {
    this.events.publish(target.topic, {
      kind: 'comment',
      id: commentId,
      teamId: target.audience,
      targetType: target.type,
      targetKey: target.key,
    });
  }

  private targetOf(comment: Comment): Target {
    switch (comment.targetType) {
      case 'FEATURE': {
        const [modelId = '', saeId = '', index = '0'] = comment.targetKey.split('|');
        return { type: 'FEATURE', modelId, saeId, featureIndex: Number(index), teamId: comment.teamId };
      }
      case 'LABEL':
        return { type: 'LABEL', labelId: comment.targetKey };
      case 'CIRCUIT':
        return { type: 'CIRCUIT', circuitId: comment.targetKey };
      case 'NODE':
        return { type: 'NODE', circuitId: comment.circuitId!, nodeId: comment.targetKey.split('#')[1]! };
      case 'EDGE':
        return { type: 'EDGE', circuitId: comment.circuitId!, edgeId: comment.targetKey.split('#').slice(1).join('#') };
    }
  }
}
