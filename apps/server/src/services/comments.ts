import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Comment, CommentTarget, PrismaClient } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { Access } from './circuit-access.js';
import { type CircuitService, circuitTopic } from './circuits.js';
import { AppError, isUuid, parseInput } from './errors.js';
import { featureTopic, type LabelService } from './labels.js';
import { type Connection, type PageArgs, paginate } from './pagination.js';
import { mayInTeam } from './policy.js';
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

/** `@someone@lab.org` in a comment body notifies that user. */
const MENTION = /(?:^|\s)@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

interface ResolvedTarget {
  type: CommentTarget;
  key: string;
  teamId: string | null;
  circuitId: string | null;
  topic: string;
}

export class CommentService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
    private readonly circuits: CircuitService,
    private readonly labels: LabelService,
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
        return { type: 'FEATURE', key, teamId, circuitId: null, topic: featureTopic(target) };
      }
      case 'LABEL': {
        const label = await this.labels.get(viewer, target.labelId);
        if (write && !(await this.labels.canParticipate(viewer, label))) {
          if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
          throw new AppError('FORBIDDEN', 'Only members of the label’s team can comment on a team label');
        }
        return { type: 'LABEL', key: label.id, teamId: label.teamId, circuitId: null, topic: `label:${label.id}` };
      }
      default: {
        const { circuit } = await this.circuits.require(
          viewer,
          { id: target.circuitId },
          write ? Access.COMMENT : Access.VIEW,
        );
        const key =
          target.type === 'CIRCUIT'
            ? circuit.id
            : `${circuit.id}#${target.type === 'NODE' ? target.nodeId : target.edgeId}`;
        return {
          type: target.type,
          key,
          teamId: circuit.teamId,
          circuitId: circuit.id,
          topic: circuitTopic(circuit.id),
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
    }
    const emails = [...input.body.matchAll(MENTION)].map((m) => m[1]!.toLowerCase());
    const mentioned = emails.length
      ? await this.prisma.user.findMany({ where: { email: { in: emails }, id: { not: user.id } } })
      : [];
    // Only people who can already see the thread are notified: a mention never leaks a private thread.
    const allowed = [];
    for (const person of mentioned) {
      const member = target.teamId
        ? await this.prisma.membership.findUnique({
            where: { teamId_userId: { teamId: target.teamId, userId: person.id } },
          })
        : true;
      if (member) allowed.push(person.id);
    }
    // The comment, its mention notifications and the activity entry in one statement (atomic, one round trip).
    const mentionIds = JSON.stringify(allowed);
    const notice = JSON.stringify({ by: user.displayName, targetType: target.type, targetKey: target.key });
    const rows = await this.prisma.$queryRaw<Comment[]>`
      WITH created AS (
        INSERT INTO comments (id, target_type, target_key, team_id, circuit_id, parent_id, author_id, body)
        VALUES (gen_random_uuid(), ${target.type}::"CommentTarget", ${target.key}, ${target.teamId}::uuid,
                ${target.circuitId}::uuid, ${input.parentId ?? null}::uuid, ${user.id}::uuid, ${input.body})
        RETURNING *
      ), notified AS (
        INSERT INTO notifications (id, user_id, kind, comment_id, data)
        SELECT gen_random_uuid(), m.value::uuid, 'mention', created.id, ${notice}::jsonb
        FROM created, jsonb_array_elements_text(${mentionIds}::jsonb) AS m(value)
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
    for (const id of allowed) this.events.publish(`user:${id}:inbox`, { kind: 'mention', id: comment.id });
    this.events.publish(target.topic, {
      kind: 'comment',
      id: comment.id,
      teamId: target.teamId,
      targetKey: target.key,
    });
    return comment;
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
    this.events.publish(target.topic, {
      kind: 'comment',
      id: comment.id,
      teamId: target.teamId,
      targetKey: target.key,
    });
    return updated;
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
