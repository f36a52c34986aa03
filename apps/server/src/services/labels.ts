import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import { type FeatureLabel, Prisma, type PrismaClient, type Role } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { AppError, isUuid, parseInput } from './errors.js';
import { type Connection, type PageArgs, paginate } from './pagination.js';
import { type LabelPermissions, labelListFilter, labelPermissions, labelVisible, requireTeamRole } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import { roleOf, type Viewer } from './viewer.js';

export const featureKeySchema = z.object({
  modelId: z.string().trim().min(1, 'must not be empty').max(200),
  saeId: z.string().trim().min(1, 'must not be empty').max(200),
  featureIndex: z.number().int().min(0, 'must be a non-negative integer'),
});
export type FeatureKey = z.infer<typeof featureKeySchema>;
export const featureTopic = (k: FeatureKey) => `feature:${k.modelId}/${k.saeId}/${k.featureIndex}`;

/** Enough for the largest circuits a browser draws. */
const MAX_SHOWN_LABEL_FEATURES = 5000;
const shownLabelsInput = z.object({
  features: z
    .array(featureKeySchema)
    .max(MAX_SHOWN_LABEL_FEATURES, `at most ${MAX_SHOWN_LABEL_FEATURES} features per request`),
  teamId: z.uuid('must be a team id').nullish(),
});

const labelText = {
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  description: z.string().trim().max(5000, 'must be at most 5000 characters').default(''),
};
const proposeInput = featureKeySchema.extend({
  teamId: z.uuid('must be a team id'),
  visibility: z.enum(['TEAM', 'PUBLIC']).default('TEAM'),
  ...labelText,
});
const editInput = z.object({ labelId: z.uuid('must be a label id'), ...labelText });
const voteInput = z.object({
  labelId: z.uuid('must be a label id'),
  value: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
});

/** A machine-written label (label-drafts.ts) and where it came from (FeatureLabel.source). */
export interface LabelDraft extends FeatureKey {
  teamId: string;
  authorId: string;
  visibility: 'TEAM' | 'PUBLIC';
  name: string;
  description: string;
  source: { format: 'LLM' | 'TOKEN_PATTERN' } & Record<string, unknown>;
}

export interface Agreement {
  up: number;
  down: number;
  /** Share of votes that agree with the majority, 0..1 (1 when unanimous; 0 with no votes). */
  agreement: number;
}

/**
 * A label's status follows from the votes of people other than its author (the author's own vote counts in the
 * score, not toward acceptance): ACCEPTED with at least the team's labelAcceptVotes up votes that are three quarters
 * of those votes; DISPUTED with that many votes and a down vote otherwise; PROPOSED before that. The rule is one SQL
 * function, workbench_label_status (migration 20261201000000_label_accept_votes), used by every vote and by a
 * change of the team's setting.
 */
/** feature_labels columns as Prisma's FeatureLabel fields, for the raw statements of the hot writes. */
const LABEL_COLUMNS = Prisma.raw(
  `id, team_id AS "teamId", model_id AS "modelId", sae_id AS "saeId", feature_index AS "featureIndex",
   visibility, status, author_id AS "authorId", name, description, revision, score, source,
   created_at AS "createdAt", updated_at AS "updatedAt"`,
);

/** What labels check features against: the models, SAEs and transcoders this server offers (ModelService). */
export interface FeatureCatalog {
  models(): { id: string }[];
  saesOf(modelId: string): { id: string; dSae: number }[];
  /** Transcoders' features are labelled like SAEs' (the features of a one-prompt attribution graph). */
  transcodersOf?(modelId: string): { id: string; dSae: number }[];
}

/**
 * A feature of a model this server offers must exist: one of that model's SAEs or transcoders, and an index below
 * its width.
 * Features of other models (graphs imported from elsewhere, e.g. Neuronpedia's gpt2-small or gemma scans) cannot be
 * checked here, and labelling them is what an imported graph is for, so they are taken as given.
 */
export function checkFeatureExists(catalog: FeatureCatalog, key: FeatureKey): void {
  if (!catalog.models().some((m) => m.id === key.modelId)) return;
  const saes = catalog.saesOf(key.modelId);
  const sae = [...saes, ...(catalog.transcodersOf?.(key.modelId) ?? [])].find((s) => s.id === key.saeId);
  if (!sae) {
    const some = saes.slice(0, 5).map((s) => s.id);
    const known = some.length ? ` (for example ${some.join(', ')})` : '';
    throw new AppError('BAD_USER_INPUT', `saeId: model ${key.modelId} has no SAE "${key.saeId}"${known}`, {
      field: 'saeId',
    });
  }
  if (key.featureIndex >= sae.dSae) {
    throw new AppError(
      'BAD_USER_INPUT',
      `featureIndex: ${sae.id} has ${sae.dSae} features (0 to ${sae.dSae - 1}), not ${key.featureIndex}`,
      { field: 'featureIndex' },
    );
  }
}

export class LabelService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
    private readonly catalog: FeatureCatalog,
    /**
     * True on PGlite: its one connection runs each statement alone, never beside another transaction, so a vote
     * needs no row lock or transaction of its own (on a single-core event loop that saves three round trips).
     */
    private readonly statementsRunAlone = false,
  ) {}

  async canSee(viewer: Viewer, label: FeatureLabel): Promise<boolean> {
    if (label.visibility === 'PUBLIC') return true;
    return labelVisible(await roleOf(viewer, label.teamId), label.visibility);
  }

  /**
   * What the viewer may do with the label (FeatureLabel.can), and what vote, edit, comments and evidence check: one
   * answer for both. The role comes from the request's loader, so a page of labels asks once for all their teams.
   */
  async permissions(viewer: Viewer, label: FeatureLabel): Promise<LabelPermissions> {
    return labelPermissions(viewer.user !== null, await roleOf(viewer, label.teamId), label.visibility);
  }

  async get(viewer: Viewer, labelId: string): Promise<FeatureLabel> {
    const label = isUuid(labelId) ? await this.findWithViewerRole(viewer, labelId) : null;
    if (!label || !(await this.canSee(viewer, label))) throw new AppError('NOT_FOUND', `No label ${labelId}`);
    return label;
  }

  /**
   * The label, and the viewer's role in its team read in the same statement and handed to the request's role
   * loader, so the permission checks that follow (roleOf) need no query of their own.
   */
  private async findWithViewerRole(viewer: Viewer, labelId: string): Promise<FeatureLabel | null> {
    const userId = viewer.user?.id ?? null;
    const rows = await this.prisma.$queryRaw<(FeatureLabel & { viewerRole: Role | null })[]>`
      SELECT ${LABEL_COLUMNS},
             (SELECT m.role::text FROM memberships AS m WHERE m.team_id = l.team_id AND m.user_id = ${userId}::uuid)
               AS "viewerRole"
      FROM feature_labels AS l WHERE l.id = ${labelId}::uuid`;
    const row = rows[0];
    if (!row) return null;
    const { viewerRole, ...label } = row;
    if (userId) viewer.loaders.role.prime(`${label.teamId}:${userId}`, viewerRole);
    return label;
  }

  /** Labels of one feature that the viewer may see, best first. */
  async forFeature(viewer: Viewer, rawKey: unknown, page: PageArgs): Promise<Connection<FeatureLabel>> {
    const key = parseInput(featureKeySchema, rawKey);
    const teamIds = await this.visibleTeamIds(viewer);
    return paginate(page, (p) =>
      this.prisma.featureLabel.findMany({
        ...p,
        where: { ...key, ...labelListFilter(teamIds) },
        orderBy: [{ score: 'desc' }, { id: 'asc' }],
      }),
    );
  }

  /**
   * The label each feature shows on a graph, for many features in one round trip: the given team's accepted label,
   * else any accepted one, else the best-scored proposed one; never a disputed one; null where none is visible.
   */
  async shownLabels(viewer: Viewer, raw: unknown): Promise<(FeatureLabel | null)[]> {
    const { features, teamId } = parseInput(shownLabelsInput, raw);
    const teamIds = await this.visibleTeamIds(viewer);
    // One OR branch per (model, SAE): a circuit's thousands of features use a handful of SAEs.
    const bySae = new Map<string, { modelId: string; saeId: string; featureIndex: { in: number[] } }>();
    for (const { modelId, saeId, featureIndex } of features) {
      const key = JSON.stringify([modelId, saeId]);
      const group = bySae.get(key) ?? { modelId, saeId, featureIndex: { in: [] } };
      group.featureIndex.in.push(featureIndex);
      bySae.set(key, group);
    }
    const labels = features.length
      ? await this.prisma.featureLabel.findMany({
          where: {
            OR: [...bySae.values()],
            status: { not: 'DISPUTED' },
            AND: labelListFilter(teamIds),
          },
        })
      : [];
    const rank = (l: FeatureLabel) => (l.status === 'ACCEPTED' ? 4 : 2) + (l.teamId === teamId ? 1 : 0);
    // Positive when a beats b; ties go to the lower id, as in forFeature's order.
    const compare = (a: FeatureLabel, b: FeatureLabel) =>
      rank(a) - rank(b) || a.score - b.score || (a.id < b.id ? 1 : -1);
    const best = new Map<string, FeatureLabel>();
    for (const label of labels) {
      const key = featureTopic(label);
      const current = best.get(key);
      if (!current || compare(label, current) > 0) best.set(key, label);
    }
    return features.map((f) => best.get(featureTopic(f)) ?? null);
  }

  /** A team's labels, most recently changed first: all of them for members, the public ones for anyone else. */
  async forTeam(viewer: Viewer, teamId: string, page: PageArgs): Promise<Connection<FeatureLabel>> {
    const role = await roleOf(viewer, teamId);
    return paginate(page, (p) =>
      this.prisma.featureLabel.findMany({
        ...p,
        where: { teamId, ...labelListFilter(role ? [teamId] : []) },
        orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
      }),
    );
  }

  private async visibleTeamIds(viewer: Viewer): Promise<string[]> {
    if (!viewer.user) return [];
    const memberships = await this.prisma.membership.findMany({
      where: { userId: viewer.user.id },
      select: { teamId: true },
    });
    return memberships.map((m) => m.teamId);
  }

  async propose(viewer: Viewer, raw: unknown): Promise<FeatureLabel> {
    const input = parseInput(proposeInput, raw);
    checkFeatureExists(this.catalog, input);
    // Outside the team: NOT_FOUND, as for every action on a team (policy.ts's requireTeamRole).
    await requireTeamRole(viewer, input.teamId, 'label.propose', 'propose labels');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const { teamId, visibility, name, description, modelId, saeId, featureIndex } = input;
    return this.insertProposed(
      { teamId, authorId: user.id, visibility, name, description, modelId, saeId, featureIndex, source: null },
      { name, modelId, saeId, featureIndex },
    );
  }

  /**
   * A machine-written draft (an explain job's) as a proposed label by whoever started the job, its source saying
   * what wrote it. The job checked the author's role when it started and checks again before it writes; the write
   * rate limit is for people, so the job's drafts do not count against it.
   */
  async proposeDraft(draft: LabelDraft): Promise<FeatureLabel> {
    const { name, modelId, saeId, featureIndex } = draft;
    return this.insertProposed(draft, { name, modelId, saeId, featureIndex, drafted: draft.source.format });
  }

  /**
   * A new proposed label (`source` null for a person's), its first revision and its activity entry (`data`) in one
   * statement (atomic, one round trip), then published.
   */
  private async insertProposed(
    label: Omit<LabelDraft, 'source'> & { source: LabelDraft['source'] | null },
    data: Record<string, unknown>,
  ): Promise<FeatureLabel> {
    const { teamId, authorId, visibility, name, description, modelId, saeId, featureIndex, source } = label;
    const rows = await this.prisma.$queryRaw<FeatureLabel[]>`
      WITH created AS (
        INSERT INTO feature_labels (id, team_id, model_id, sae_id, feature_index, visibility, author_id, name,
                                    description, source)
        VALUES (gen_random_uuid(), ${teamId}::uuid, ${modelId}, ${saeId}, ${featureIndex}::int,
                ${visibility}::"Visibility", ${authorId}::uuid, ${name}, ${description},
                ${source && JSON.stringify(source)}::jsonb)
        RETURNING *
      ), revision AS (
        INSERT INTO label_revisions (label_id, revision, name, description, author_id)
        SELECT id, 1, name, description, author_id FROM created
      ), logged AS (
        INSERT INTO activity_events (id, team_id, actor_id, action, subject_type, subject_id, data)
        SELECT gen_random_uuid(), team_id, author_id, 'label.proposed', 'label', id::text, ${JSON.stringify(data)}::jsonb
        FROM created
      )
      SELECT ${LABEL_COLUMNS} FROM created`;
    const created = rows[0]!;
    this.publish(created, 'PROPOSED');
    return created;
  }

  /** Every edit appends a revision; nothing is overwritten. */
  async edit(viewer: Viewer, raw: unknown): Promise<FeatureLabel> {
    const input = parseInput(editInput, raw);
    const current = await this.get(viewer, input.labelId);
    if (!(await this.permissions(viewer, current)).edit) {
      if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      throw new AppError('FORBIDDEN', 'Only members, admins and owners of the label’s team may edit labels');
    }
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const label = await this.prisma.$transaction(async (tx) => {
      // The increment happens in the database, so two concurrent edits get revisions n+1 and n+2, never both n+1.
      const updated = await tx.featureLabel.update({
        where: { id: current.id },
        data: { name: input.name, description: input.description, revision: { increment: 1 } },
      });
      await tx.labelRevision.create({
        data: {
          labelId: updated.id,
          revision: updated.revision,
          name: input.name,
          description: input.description,
          authorId: user.id,
        },
      });
      await logActivity(tx, {
        teamId: updated.teamId,
        actorId: user.id,
        action: 'label.edited',
        subjectType: 'label',
        subjectId: updated.id,
        data: {
          revision: updated.revision,
          name: updated.name,
          modelId: updated.modelId,
          saeId: updated.saeId,
          featureIndex: updated.featureIndex,
        },
      });
      return updated;
    });
    this.publish(label, 'EDITED');
    return label;
  }

  /** One vote per user per label: +1, -1, or 0 to withdraw. Repeating a vote changes nothing. */
  async vote(viewer: Viewer, raw: unknown): Promise<FeatureLabel> {
    const input = parseInput(voteInput, raw);
    const current = await this.get(viewer, input.labelId);
    if (!(await this.permissions(viewer, current)).vote) {
      if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      throw new AppError('FORBIDDEN', 'Only members of the label’s team can vote on a team label');
    }
    const user = viewer.user!;
    await this.limiter.take(user.id);
    // One statement: the vote, the recount, the label's score and status, and the activity entry. The counts read
    // the other voters' votes (plus this one) as of the statement's start, so on Postgres the label's row is locked
    // first in the same transaction: votes on one label take turns and each recount sees those before it (unlocked,
    // two votes at once each missed the other's and the score kept one of them). PGlite runs statements one at a time.
    // The entry names what was voted on, so the activity feed can say and link it.
    const data = JSON.stringify({
      value: input.value,
      name: current.name,
      modelId: current.modelId,
      saeId: current.saeId,
      featureIndex: current.featureIndex,
    });
    const castVote = (db: Prisma.TransactionClient) => db.$queryRaw<FeatureLabel[]>`
      WITH removed AS (
        DELETE FROM label_votes WHERE label_id = ${current.id}::uuid AND user_id = ${user.id}::uuid AND ${input.value}::int = 0
      ), cast_vote AS (
        INSERT INTO label_votes (label_id, user_id, value, updated_at)
        SELECT ${current.id}::uuid, ${user.id}::uuid, ${input.value}::int, now() WHERE ${input.value}::int <> 0
        ON CONFLICT (label_id, user_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
      ), counts AS (
        SELECT count(*) FILTER (WHERE v.value = 1) AS up, count(*) FILTER (WHERE v.value = -1) AS down,
               count(*) FILTER (WHERE v.value = 1 AND v.user_id <> l.author_id) AS others_up,
               count(*) FILTER (WHERE v.value = -1 AND v.user_id <> l.author_id) AS others_down
        FROM feature_labels AS l
        LEFT JOIN LATERAL (
          SELECT user_id, value FROM label_votes WHERE label_id = l.id AND user_id <> ${user.id}::uuid
          UNION ALL SELECT ${user.id}::uuid, ${input.value}::int WHERE ${input.value}::int <> 0
        ) AS v ON true
        WHERE l.id = ${current.id}::uuid
      ), updated AS (
        UPDATE feature_labels AS l
        SET score = c.up - c.down, updated_at = now(),
            status = workbench_label_status(c.others_up, c.others_down, t.label_accept_votes)
        FROM counts AS c, teams AS t WHERE t.id = l.team_id AND l.id = ${current.id}::uuid
        RETURNING l.*
      ), logged AS (
        INSERT INTO activity_events (id, team_id, actor_id, action, subject_type, subject_id, data)
        SELECT gen_random_uuid(), team_id, ${user.id}::uuid, 'label.voted', 'label', id::text, ${data}::jsonb FROM updated
      )
      SELECT ${LABEL_COLUMNS} FROM updated`;
    const rows = this.statementsRunAlone
      ? await castVote(this.prisma)
      : await this.prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM feature_labels WHERE id = ${current.id}::uuid FOR UPDATE`;
          return castVote(tx);
        });
    const label = rows[0];
    if (!label) throw new AppError('NOT_FOUND', `No label ${input.labelId}`);
    this.publish(label, 'VOTED');
    return label;
  }

  revisions(viewer: Viewer, labelId: string) {
    return viewer.loaders.labelRevisions.load(labelId);
  }

  /** When the label's current revision was written. */
  async revisedAt(viewer: Viewer, label: FeatureLabel): Promise<string> {
    const revisions = await viewer.loaders.labelRevisions.load(label.id);
    const current = revisions.find((r) => r.revision === label.revision);
    return (current?.createdAt ?? label.createdAt).toISOString();
  }

  async agreement(viewer: Viewer, labelId: string): Promise<Agreement> {
    const votes = await viewer.loaders.labelVotes.load(labelId);
    const up = votes.filter((v) => v.value === 1).length;
    const down = votes.filter((v) => v.value === -1).length;
    return { up, down, agreement: up + down ? Math.max(up, down) / (up + down) : 0 };
  }

  async myVote(viewer: Viewer, labelId: string): Promise<number> {
    if (!viewer.user) return 0;
    const votes = await viewer.loaders.labelVotes.load(labelId);
    return votes.find((v) => v.userId === viewer.user!.id)?.value ?? 0;
  }

  private publish(label: FeatureLabel, change: string) {
    // teamId travels with the event so each subscriber's access is checked before delivery.
    this.events.publish(featureTopic(label), {
      kind: 'label',
      change,
      id: label.id,
      teamId: label.visibility === 'PUBLIC' ? null : label.teamId,
    });
  }
}
