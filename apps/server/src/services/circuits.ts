import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Circuit, CircuitVersion, Prisma, PrismaClient, Visibility } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { Access, type CircuitGrant, grantFor, shareLinkExpired } from './circuit-access.js';
import { AppError, isUuid, parseInput } from './errors.js';
import type { Agreement } from './labels.js';
import { type Connection, type PageArgs, paginate } from './pagination.js';
import { circuitListFilter, mayInTeam, requireTeamRole } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import { roleOf, type Viewer } from './viewer.js';

const graphSchema = z
  .object({
    nodes: z.array(z.looseObject({ id: z.string().min(1) })).max(100_000),
    edges: z
      .array(z.looseObject({ source: z.string(), target: z.string(), weight: z.number().optional() }))
      .max(1_000_000),
  })
  .loose();
const annotationSchema = z.looseObject({
  label: z.string().max(200).optional(),
  note: z.string().max(10_000).optional(),
});
const annotationsSchema = z
  .object({
    nodes: z.record(z.string(), annotationSchema).default({}),
    edges: z.record(z.string(), annotationSchema).default({}),
  })
  .default({ nodes: {}, edges: {} });
const versionContent = {
  graph: graphSchema,
  layout: z.record(z.string(), z.unknown()).default({}),
  groups: z.array(z.looseObject({ id: z.string(), label: z.string(), nodeIds: z.array(z.string()) })).default([]),
  annotations: annotationsSchema,
  message: z.string().trim().max(2000).default(''),
};
const createInput = z.object({
  teamId: z.uuid('must be a team id'),
  title: z.string().trim().min(1, 'must not be empty').max(200),
  visibility: z.enum(['PRIVATE', 'TEAM', 'UNLISTED', 'PUBLIC']).default('TEAM'),
  ...versionContent,
});
const saveInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  baseVersion: z.number().int().min(1),
  ...versionContent,
});
const voteInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  value: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
});
const forkInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  version: z.number().int().min(1).optional(),
  teamId: z.uuid('must be a team id'),
  title: z.string().trim().min(1).max(200).optional(),
});

export type VersionContent = {
  graph: z.infer<typeof graphSchema>;
  layout: Record<string, unknown>;
  groups: z.infer<typeof versionContent.groups>;
  annotations: z.infer<typeof annotationsSchema>;
  message: string;
};

export const circuitTopic = (circuitId: string) => `circuit:${circuitId}`;
const newSlug = () => randomBytes(6).toString('base64url');

export interface VersionDiff {
  nodes: { added: string[]; removed: string[]; changed: string[] };
  edges: { added: string[]; removed: string[]; changed: string[] };
  annotations: { added: string[]; removed: string[]; changed: string[] };
}

const edgeId = (e: { source: string; target: string }) => `${e.source}->${e.target}`;

function diffMaps(before: Map<string, unknown>, after: Map<string, unknown>) {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter(
    (k) => before.has(k) && JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k)),
  );
  return { added, removed, changed };
}

/** What changed from one version to another: ids of nodes, edges (`source->target`) and annotations. */
export function diffVersions(a: VersionContent, b: VersionContent): VersionDiff {
  const nodes = (v: VersionContent) => new Map(v.graph.nodes.map((n) => [n.id, n]));
  const edges = (v: VersionContent) => new Map(v.graph.edges.map((e) => [edgeId(e), e]));
  const notes = (v: VersionContent) =>
    new Map<string, unknown>([
      ...Object.entries(v.annotations.nodes).map(([k, x]) => [`node:${k}`, x] as const),
      ...Object.entries(v.annotations.edges).map(([k, x]) => [`edge:${k}`, x] as const),
    ]);
  return {
    nodes: diffMaps(nodes(a), nodes(b)),
    edges: diffMaps(edges(a), edges(b)),
    annotations: diffMaps(notes(a), notes(b)),
  };
}

export class CircuitService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
  ) {}

  grant(viewer: Viewer, circuit: Circuit): Promise<CircuitGrant> {
    return grantFor(this.prisma, viewer, circuit);
  }

  /**
   * The circuit if the viewer has at least `needed`; NOT_FOUND when they cannot even see it (no existence leak).
   * SHARE_LINK_EXPIRED instead when an expired link the caller presented would have allowed it: only the holder of
   * that token (a 256-bit secret) can learn the circuit exists.
   */
  async require(viewer: Viewer, where: { id: string } | { slug: string }, needed: Access) {
    const circuit =
      'id' in where && !isUuid(where.id)
        ? null
        : await this.prisma.circuit.findUnique({ where: where as Prisma.CircuitWhereUniqueInput });
    const grant: CircuitGrant = circuit
      ? await this.grant(viewer, circuit)
      : { access: Access.NONE, onlyVersion: null, expiredLink: null };
    const name = 'id' in where ? where.id : where.slug;
    if (!circuit) throw new AppError('NOT_FOUND', `No circuit ${name}`);
    if (grant.access < Access.VIEW) {
      if (grant.expiredLink) throw shareLinkExpired(grant.expiredLink.expiredAt);
      throw new AppError('NOT_FOUND', `No circuit ${name}`);
    }
    if (grant.access < needed) {
      if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      // A link that once allowed this (and nothing else does now) says it expired rather than "you may not".
      if (grant.expiredLink && grant.expiredLink.access >= needed) throw shareLinkExpired(grant.expiredLink.expiredAt);
      throw new AppError('FORBIDDEN', `You may not ${Access[needed].toLowerCase()} circuit ${circuit.slug}`);
    }
    return { circuit, grant };
  }

  async create(viewer: Viewer, raw: unknown): Promise<Circuit> {
    const input = parseInput(createInput, raw);
    await requireTeamRole(viewer, input.teamId, 'circuit.create', 'create circuits');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    return this.insert(input, user.id, 'circuit.created');
  }

  /**
   * Stores a computed circuit for a job started by `createdById` for `teamId`. Membership was checked when the job
   * was queued and is checked again now: someone removed from the team meanwhile does not get a circuit into it.
   * The rules for the graph are the same as for any version.
   */
  async createForJob(
    owner: { teamId: string; createdById: string },
    raw: { title: string; visibility: Visibility; graph: unknown; message: string },
  ): Promise<Circuit> {
    const input = parseInput(createInput, { ...raw, teamId: owner.teamId });
    const membership = await this.prisma.membership.findUnique({
      where: { teamId_userId: { teamId: owner.teamId, userId: owner.createdById } },
    });
    if (!mayInTeam(membership?.role ?? null, 'job.compute')) {
      throw new AppError('FORBIDDEN', "The job's owner is no longer a member of the team; the circuit was not saved");
    }
    return this.insert(input, owner.createdById, 'circuit.computed');
  }

  /** A new circuit with its first version, and its activity entry, in one transaction. */
  private insert(input: z.infer<typeof createInput>, authorId: string, action: string): Promise<Circuit> {
    return this.prisma.$transaction(async (tx) => {
      const circuit = await tx.circuit.create({
        data: {
          teamId: input.teamId,
          slug: newSlug(),
          title: input.title,
          visibility: input.visibility,
          createdById: authorId,
          versions: { create: this.versionData(input, authorId, 1, null) },
        },
      });
      await logActivity(tx, {
        teamId: input.teamId,
        actorId: authorId,
        action,
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { title: input.title, slug: circuit.slug },
      });
      return circuit;
    });
  }

  /**
   * Saves a new immutable version on top of `baseVersion`. If someone saved since, this fails with CONFLICT naming
   * the newer version; the check and the write are one atomic update, so two saves can never both win.
   */
  async saveVersion(viewer: Viewer, raw: unknown): Promise<CircuitVersion> {
    const input = parseInput(saveInput, raw);
    const { circuit, grant } = await this.require(viewer, { id: input.circuitId }, Access.EDIT);
    if (grant.onlyVersion !== null) throw new AppError('FORBIDDEN', 'This link allows editing one version only');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const version = await this.prisma.$transaction(async (tx) => {
      const next = input.baseVersion + 1;
      const moved = await tx.circuit.updateMany({
        where: { id: circuit.id, latestVersion: input.baseVersion },
        data: { latestVersion: next },
      });
      if (moved.count === 0) {
        const latest = (await tx.circuit.findUniqueOrThrow({ where: { id: circuit.id } })).latestVersion;
        throw new AppError(
          'CONFLICT',
          `Version ${latest} was saved after version ${input.baseVersion}, which your changes start from; open version ${latest} and apply them there`,
          { latestVersion: latest },
        );
      }
      const created = await tx.circuitVersion.create({
        data: { circuitId: circuit.id, ...this.versionData(input, user.id, next, input.baseVersion) },
      });
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: 'circuit.version_saved',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { version: next, message: input.message, title: circuit.title, slug: circuit.slug },
      });
      return created;
    });
    this.events.publish(circuitTopic(circuit.id), { kind: 'version', id: circuit.id, version: version.number });
    return version;
  }

  async fork(viewer: Viewer, raw: unknown): Promise<Circuit> {
    const input = parseInput(forkInput, raw);
    const { circuit, grant } = await this.require(viewer, { id: input.circuitId }, Access.VIEW);
    const number = input.version ?? grant.onlyVersion ?? circuit.latestVersion;
    const source = await this.version(viewer, circuit.id, number);
    await requireTeamRole(viewer, input.teamId, 'circuit.create', 'fork circuits into it');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    return this.prisma.$transaction(async (tx) => {
      const fork = await tx.circuit.create({
        data: {
          teamId: input.teamId,
          slug: newSlug(),
          title: input.title ?? `${circuit.title} (fork)`,
          visibility: 'TEAM',
          createdById: user.id,
          forkedFromCircuitId: circuit.id,
          forkedFromVersion: number,
          versions: {
            create: {
              number: 1,
              graph: source.graph as Prisma.InputJsonValue,
              layout: source.layout as Prisma.InputJsonValue,
              groups: source.groups as Prisma.InputJsonValue,
              annotations: source.annotations as Prisma.InputJsonValue,
              message: `Forked from ${circuit.slug} v${number}`,
              authorId: user.id,
            },
          },
        },
      });
      await logActivity(tx, {
        teamId: input.teamId,
        actorId: user.id,
        action: 'circuit.forked',
        subjectType: 'circuit',
        subjectId: fork.id,
        data: { from: circuit.id, version: number, title: fork.title, slug: fork.slug },
      });
      return fork;
    });
  }

  /**
   * One vote per person per circuit: +1, -1, or 0 to withdraw. Whoever may comment on the circuit may vote (a
   * view-only link may not). Repeating a vote changes nothing: no activity entry, no event. Votes belong to the
   * circuit, not to a version (reviews are per version).
   */
  async vote(viewer: Viewer, raw: unknown): Promise<Circuit> {
    const input = parseInput(voteInput, raw);
    const { circuit } = await this.require(viewer, { id: input.circuitId }, Access.COMMENT);
    const user = viewer.user!;
    await this.limiter.take(user.id);
    // One statement: the vote (or its removal) and, only when it changed something, the activity entry. The
    // score is counted afterwards from the votes themselves, so concurrent voters can never make it drift.
    const data = JSON.stringify({ value: input.value, title: circuit.title, slug: circuit.slug });
    const rows = await this.prisma.$queryRaw<{ changed: number }[]>`
      WITH removed AS (
        DELETE FROM circuit_votes
        WHERE circuit_id = ${circuit.id}::uuid AND user_id = ${user.id}::uuid AND ${input.value}::int = 0
        RETURNING value
      ), cast_vote AS (
        INSERT INTO circuit_votes (circuit_id, user_id, value, updated_at)
        SELECT ${circuit.id}::uuid, ${user.id}::uuid, ${input.value}::int, now() WHERE ${input.value}::int <> 0
        ON CONFLICT (circuit_id, user_id) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
          WHERE circuit_votes.value <> EXCLUDED.value
        RETURNING value
      ), logged AS (
        INSERT INTO activity_events (id, team_id, actor_id, action, subject_type, subject_id, data)
        SELECT gen_random_uuid(), ${circuit.teamId}::uuid, ${user.id}::uuid, 'circuit.voted', 'circuit',
               ${circuit.id}, ${data}::jsonb
        WHERE EXISTS (SELECT 1 FROM removed) OR EXISTS (SELECT 1 FROM cast_vote)
        RETURNING id
      )
      SELECT count(*)::int AS changed FROM logged`;
    if (rows[0]?.changed) this.events.publish(circuitTopic(circuit.id), { kind: 'vote', id: circuit.id });
    return circuit;
  }

  /** Up and down votes on a circuit (its score is up - down), batched per request. */
  async voteAgreement(viewer: Viewer, circuitId: string): Promise<Agreement> {
    const { up, down } = await viewer.loaders.circuitVoteCounts.load(circuitId);
    return { up, down, agreement: up + down ? Math.max(up, down) / (up + down) : 0 };
  }

  /** +1, -1 or 0: the signed-in user's vote on the circuit. */
  async myVote(viewer: Viewer, circuitId: string): Promise<number> {
    if (!viewer.user) return 0;
    return viewer.loaders.circuitVote.load(`${circuitId}:${viewer.user.id}`);
  }

  async setVisibility(viewer: Viewer, circuitId: string, visibility: Visibility): Promise<Circuit> {
    const { circuit } = await this.require(viewer, { id: circuitId }, Access.MANAGE);
    const user = viewer.user!;
    await this.limiter.take(user.id);
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.circuit.update({ where: { id: circuit.id }, data: { visibility } });
      await logActivity(tx, {
        teamId: circuit.teamId,
        actorId: user.id,
        action: 'circuit.visibility_changed',
        subjectType: 'circuit',
        subjectId: circuit.id,
        data: { from: circuit.visibility, to: visibility, title: circuit.title, slug: circuit.slug },
      });
      return updated;
    });
  }

  async version(viewer: Viewer, circuitId: string, number: number): Promise<CircuitVersion> {
    const { grant } = await this.require(viewer, { id: circuitId }, Access.VIEW);
    if (grant.onlyVersion !== null && grant.onlyVersion !== number) {
      throw new AppError('NOT_FOUND', `No version ${number} of this circuit`);
    }
    const version = await this.prisma.circuitVersion.findUnique({
      where: { circuitId_number: { circuitId, number } },
    });
    if (!version) throw new AppError('NOT_FOUND', `No version ${number} of this circuit`);
    return version;
  }

  /** A version for a job whose starter's access was checked when it was queued. */
  async versionForJob(circuitId: string, number: number): Promise<CircuitVersion> {
    const version = await this.prisma.circuitVersion.findUnique({ where: { circuitId_number: { circuitId, number } } });
    if (!version) throw new Error(`circuit ${circuitId} has no version ${number}`);
    return version;
  }

  async versions(viewer: Viewer, circuitId: string): Promise<CircuitVersion[]> {
    const { grant } = await this.require(viewer, { id: circuitId }, Access.VIEW);
    return this.prisma.circuitVersion.findMany({
      where: { circuitId, ...(grant.onlyVersion !== null ? { number: grant.onlyVersion } : {}) },
      orderBy: { number: 'desc' },
    });
  }

  async diff(viewer: Viewer, circuitId: string, from: number, to: number): Promise<VersionDiff> {
    const [a, b] = await Promise.all([this.version(viewer, circuitId, from), this.version(viewer, circuitId, to)]);
    return diffVersions(a as unknown as VersionContent, b as unknown as VersionContent);
  }

  /** A team's circuits the viewer may see, newest first. */
  async forTeam(viewer: Viewer, teamId: string, page: PageArgs): Promise<Connection<Circuit>> {
    const role = await roleOf(viewer, teamId);
    // The same rule as grantFor's, from the same table (policy.ts).
    const visible = circuitListFilter(role, viewer.user?.id ?? null);
    return paginate(page, (p) =>
      this.prisma.circuit.findMany({
        ...p,
        where: { teamId, ...visible },
        orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
      }),
    );
  }

  private versionData(input: VersionContent, authorId: string, number: number, parent: number | null) {
    return {
      number,
      parent,
      graph: input.graph as Prisma.InputJsonValue,
      layout: input.layout as Prisma.InputJsonValue,
      groups: input.groups as Prisma.InputJsonValue,
      annotations: input.annotations as Prisma.InputJsonValue,
      message: input.message,
      authorId,
    };
  }
}
