import DataLoader from 'dataloader';
import type { LabelRevision, LabelVote, PrismaClient, Review, Role, User } from '../generated/prisma/client.js';
import { isUuid } from './errors.js';

/** Rows grouped by key (in their order), read back per key: one pass, not a filter per key. */
function groupBy<T>(rows: T[], keyOf: (row: T) => string): (key: string) => T[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return (key) => groups.get(key) ?? [];
}

/** The scores a circuit version's graph records (metrics.*); null where the graph has none or not a number. */
export interface VersionMetrics {
  faithfulness: number | null;
  completeness: number | null;
}

/**
 * Metrics of many versions in one query, reading only those JSON paths in SQL: graphs run to megabytes, and a
 * circuit list needs two numbers of each.
 */
async function versionMetrics(prisma: PrismaClient, keys: readonly string[]): Promise<VersionMetrics[]> {
  const wanted = JSON.stringify(
    keys.map((k) => {
      const [circuitId, version] = k.split(':') as [string, string];
      return { circuit_id: circuitId, number: Number(version) };
    }),
  );
  const rows = await prisma.$queryRaw<(VersionMetrics & { key: string })[]>`
    SELECT k.circuit_id || ':' || k.number AS key,
           CASE WHEN jsonb_typeof(v.graph #> '{metrics,faithfulness}') = 'number'
                THEN (v.graph #>> '{metrics,faithfulness}')::float8 END AS faithfulness,
           CASE WHEN jsonb_typeof(v.graph #> '{metrics,completeness}') = 'number'
                THEN (v.graph #>> '{metrics,completeness}')::float8 END AS completeness
    FROM jsonb_to_recordset(${wanted}::jsonb) AS k(circuit_id uuid, number int)
    JOIN circuit_versions v ON v.circuit_id = k.circuit_id AND v.number = k.number`;
  const byKey = new Map(rows.map(({ key, ...metrics }) => [key, metrics]));
  return keys.map((k) => byKey.get(k) ?? { faithfulness: null, completeness: null });
}

/** Batched, per-request lookups: one query per kind of thing however many resolvers ask (no N+1). */
export function createLoaders(prisma: PrismaClient) {
  return {
    user: new DataLoader<string, User | null>(async (ids) => {
      const rows = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** Key: `${teamId}:${userId}` → the user's role in the team, or null. */
    role: new DataLoader<string, Role | null>(async (keys) => {
      // A team id that is not a uuid names no team (and Postgres would refuse it).
      const pairs = keys.map((k) => k.split(':') as [string, string]).filter(([teamId]) => isUuid(teamId));
      const rows = pairs.length
        ? await prisma.membership.findMany({ where: { OR: pairs.map(([teamId, userId]) => ({ teamId, userId })) } })
        : [];
      const byKey = new Map(rows.map((m) => [`${m.teamId}:${m.userId}`, m.role]));
      return keys.map((k) => byKey.get(k) ?? null);
    }),
    /** Label id → its votes (agreement and the viewer's own vote are read from these). */
    labelVotes: new DataLoader<string, LabelVote[]>(async (ids) => {
      const rows = await prisma.labelVote.findMany({ where: { labelId: { in: [...ids] } } });
      return ids.map(groupBy(rows, (v) => v.labelId));
    }),
    /** Circuit id → its up and down votes, counted in the database (a circuit list needs two numbers of each). */
    circuitVoteCounts: new DataLoader<string, { up: number; down: number }>(async (ids) => {
      const rows = await prisma.circuitVote.groupBy({
        by: ['circuitId', 'value'],
        where: { circuitId: { in: [...ids] } },
        _count: { _all: true },
      });
      const counts = new Map(ids.map((id) => [id, { up: 0, down: 0 }]));
      for (const row of rows) {
        const entry = counts.get(row.circuitId)!;
        if (row.value === 1) entry.up = row._count._all;
        else if (row.value === -1) entry.down = row._count._all;
      }
      return ids.map((id) => counts.get(id)!);
    }),
    /** `${circuitId}:${userId}` → that user's vote on the circuit (+1 or -1), 0 without one. */
    circuitVote: new DataLoader<string, number>(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await prisma.circuitVote.findMany({
        where: { OR: pairs.map(([circuitId, userId]) => ({ circuitId, userId })) },
      });
      const byKey = new Map(rows.map((v) => [`${v.circuitId}:${v.userId}`, v.value]));
      return keys.map((k) => byKey.get(k) ?? 0);
    }),
    /** Label id → its revisions, newest first. */
    labelRevisions: new DataLoader<string, LabelRevision[]>(async (ids) => {
      const rows = await prisma.labelRevision.findMany({
        where: { labelId: { in: [...ids] } },
        orderBy: { revision: 'desc' },
      });
      return ids.map(groupBy(rows, (r) => r.labelId));
    }),
    /** `${circuitId}:${version}` → that version's reviews (status, reviews and agreement all come from them). */
    reviews: new DataLoader<string, Review[]>(async (keys) => {
      const pairs = keys.map((k) => k.split(':') as [string, string]);
      const rows = await prisma.review.findMany({
        where: { OR: pairs.map(([circuitId, version]) => ({ circuitId, version: Number(version) })) },
        orderBy: { createdAt: 'asc' },
      });
      return keys.map(groupBy(rows, (r) => `${r.circuitId}:${r.version}`));
    }),
    /** Circuit id → the newest version whose reviews are all approved (circuitStatus APPROVED), or null. */
    approvedVersion: new DataLoader<string, number | null>(async (ids) => {
      const rows = await prisma.$queryRaw<{ circuitId: string; version: number }[]>`
        SELECT circuit_id::text AS "circuitId", max(version)::int AS version
        FROM (
          SELECT circuit_id, version FROM reviews
          WHERE circuit_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
          GROUP BY circuit_id, version
          HAVING bool_and(state = 'APPROVED')
        ) approved
        GROUP BY circuit_id`;
      const byId = new Map(rows.map((r) => [r.circuitId, r.version]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    /** `${circuitId}:${version}` → the faithfulness and completeness its graph records (circuit lists show them). */
    versionMetrics: new DataLoader<string, VersionMetrics>((keys) => versionMetrics(prisma, keys)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Who is asking: the signed-in user (or null), share-link tokens presented, and this request's loaders. */
export interface Viewer {
  user: User | null;
  shareTokens: string[];
  loaders: Loaders;
}

export async function roleOf(viewer: Viewer, teamId: string): Promise<Role | null> {
  if (!viewer.user) return null;
  return viewer.loaders.role.load(`${teamId}:${viewer.user.id}`);
}

const RANK: Record<Role, number> = { VIEWER: 1, MEMBER: 2, ADMIN: 3, OWNER: 4 };

export function roleAtLeast(role: Role | null, needed: Role): boolean {
  return role !== null && RANK[role] >= RANK[needed];
}
