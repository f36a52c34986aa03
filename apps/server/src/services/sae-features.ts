import { z } from 'zod';
import { type LabelStatus, Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { AppError, parseInput } from './errors.js';
import type { FeatureCatalog } from './labels.js';
import { MAX_PAGE_SIZE } from './pagination.js';
import { circuitListFilter, requireTeamRole } from './policy.js';
import { roleOf, type Viewer } from './viewer.js';

/** The orders an SAE page offers; every one ends on the feature index, so the order is total and pages are stable. */
const SORT_SQL = {
  INDEX: 'r.feature_index ASC',
  DENSEST: 'r.density DESC NULLS LAST, r.feature_index ASC',
  SPARSEST: 'r.density ASC NULLS LAST, r.feature_index ASC',
  MAX_ACTIVATION: 'r.max_activation DESC NULLS LAST, r.feature_index ASC',
  RECENT_ACTIVITY: 'r.last_activity_at DESC NULLS LAST, r.feature_index ASC',
  LABEL: 'lower(r.label_name) ASC NULLS LAST, r.feature_index ASC',
} as const;

/** Which features a filter keeps. DEAD: the dashboards saw the feature fire on no token of the corpus. */
const FILTER_SQL = {
  ALL: 'true',
  // By the count, not `label_id IS NULL`: that lets the planner make the join an anti join, which it ran as a
  // nested loop over the labels (seconds); a feature has a shown label exactly when it has labels.
  UNLABELED: 'r.label_count = 0',
  LABELED: 'r.label_count > 0',
  ACCEPTED: "r.label_status = 'ACCEPTED'",
  DISPUTED: "r.label_status = 'DISPUTED'",
  // coalesce: a strict test of an outer-joined column lets the planner turn that join inner and reorder the joins
  // into nested loops (DEAD and IN_CIRCUIT took 1.5-3x the other filters on PGlite).
  DEAD: 'coalesce(r.density, -1) = 0',
  IN_CIRCUIT: 'coalesce(r.in_circuit, false)',
} as const;

export type SaeFeatureSort = keyof typeof SORT_SQL;
export type SaeFeatureFilter = keyof typeof FILTER_SQL;

const scopeInput = z.object({
  model: z.string().trim().min(1, 'must not be empty').max(200),
  sae: z.string().trim().min(1, 'must not be empty').max(200),
  teamId: z.uuid('must be a team id').nullish(),
  sort: z.enum(Object.keys(SORT_SQL) as [SaeFeatureSort]).nullish(),
  filter: z.enum(Object.keys(FILTER_SQL) as [SaeFeatureFilter]).nullish(),
});
const listInput = scopeInput.extend({
  first: z
    .number()
    .int()
    .min(1, `must be between 1 and ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be between 1 and ${MAX_PAGE_SIZE}`)
    .nullish(),
  after: z.string().max(100).nullish(),
  offset: z.number().int().min(0, 'must be a non-negative integer').nullish(),
});
const neighboursInput = scopeInput.extend({ featureIndex: z.number().int().min(0, 'must be a non-negative integer') });

export interface SaeFeatureRow {
  featureIndex: number;
  density: number | null;
  maxActivation: number | null;
  inCircuit: boolean;
  lastActivityAt: Date | null;
  labelCount: number;
  /** detectionScore: an LLM draft's detection score (balanced accuracy), null for any other label. */
  label: { id: string; name: string; status: LabelStatus; score: number; detectionScore: number | null } | null;
}

export interface SaeFeaturePage {
  edges: { cursor: string; node: SaeFeatureRow }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  offset: number;
}

export interface SaeCoverage {
  features: number;
  labeled: number;
  accepted: number;
  disputed: number;
  dead: number;
  withDashboards: number;
  inCircuits: number;
}

export interface SaeFeatureNeighbours {
  /** 1-based place of the feature among those the filter keeps (null when the filter does not keep it). */
  position: number | null;
  total: number;
  previous: number | null;
  next: number | null;
  /** The first feature after this one, in the order and filter, that has no label in the scope. */
  nextUnlabeled: number | null;
}

// Offsets, not ids: a virtualised table jumps to any row, and every order is total (it ends on the index).
const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match)
    throw new AppError('BAD_USER_INPUT', `after: "${cursor}" is not a cursor from this API`, { field: 'after' });
  return Number(match[1]);
}

interface Scope {
  modelId: string;
  saeId: string;
  dSae: number;
  /** Whose labels: the team's (for its members), else public ones. */
  teamId: string | null;
  /** The circuits whose latest versions make a feature "in a circuit". */
  circuitIds: string[];
  sort: SaeFeatureSort;
  filter: SaeFeatureFilter;
}

/**
 * One row per feature of an SAE for its page: the dashboards' density and max activation, the label shown (of the
 * team when one is given and the viewer is in it, else public labels), whether a visible circuit of the team uses
 * it, and when its labels last changed. Sorted and filtered in the database, paged by offset.
 */
export class SaeFeatureService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly catalog: FeatureCatalog,
  ) {}

  async list(viewer: Viewer, raw: unknown): Promise<SaeFeaturePage> {
    const input = parseInput(listInput, raw);
    const scope = await this.scope(viewer, input);
    const size = input.first ?? 50;
    const offset = input.offset ?? (input.after ? decodeCursor(input.after) + 1 : 0);
    // The page and the count are two statements, each reading `rows` once: Postgres then inlines it, so the page is
    // a top-N sort that keeps only a page's rows. One statement with count(*) OVER (), or `rows` read twice, kept
    // every kept row in full through the sort.
    const [rows, totalCount] = await Promise.all([
      this.prisma.$queryRaw<RawRow[]>`
        WITH ${rowsSql(scope)}, page AS (
          SELECT r.* FROM rows AS r
          WHERE ${Prisma.raw(FILTER_SQL[scope.filter])}
          ORDER BY ${Prisma.raw(SORT_SQL[scope.sort])}
          LIMIT ${size + 1} OFFSET ${offset}
        )
        -- The shown label's detection score (an LLM draft's, as FeatureLabel.detectionScore reads it), looked up for
        -- the page's rows only by primary key: the rows CTE that every sort and filter runs over stays as narrow.
        SELECT p.*, CASE WHEN l.source ->> 'format' = 'LLM' AND jsonb_typeof(l.source #> '{detection,score}') = 'number'
                         THEN (l.source #>> '{detection,score}')::float8 END AS label_detection
        FROM page AS p LEFT JOIN feature_labels AS l ON l.id = p.label_id
        ORDER BY ${Prisma.raw(SORT_SQL[scope.sort].replaceAll('r.', 'p.'))}`,
      this.count(scope),
    ]);
    const page = rows.slice(0, size);
    return {
      edges: page.map((row, i) => ({ cursor: encodeCursor(offset + i), node: toRow(row) })),
      pageInfo: {
        hasNextPage: rows.length > size,
        endCursor: page.length ? encodeCursor(offset + page.length - 1) : null,
      },
      totalCount,
      offset,
    };
  }

  /** The team's coverage of the SAE ("812 of 24,576 labeled, 301 accepted"), or of public labels without a team. */
  async coverage(viewer: Viewer, raw: unknown): Promise<SaeCoverage> {
    const scope = await this.scope(viewer, parseInput(scopeInput, raw));
    const [row] = await this.prisma.$queryRaw<Record<keyof SaeCoverage, bigint>[]>`
      WITH ${rowsSql(scope)}
      SELECT count(*) AS features, count(r.label_id) AS labeled,
             count(*) FILTER (WHERE r.label_status = 'ACCEPTED') AS accepted,
             count(*) FILTER (WHERE r.label_status = 'DISPUTED') AS disputed,
             count(*) FILTER (WHERE r.density = 0) AS dead,
             count(r.density) AS "withDashboards",
             count(*) FILTER (WHERE r.in_circuit) AS "inCircuits"
      FROM rows AS r`;
    return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as unknown as SaeCoverage;
  }

  /**
   * Where a feature sits in the SAE page's order and filter, and its neighbours there: what j, k and "next
   * unlabeled" on a feature page go to. A feature the filter no longer keeps (just labeled under UNLABELED) still
   * has neighbours: those before and after its place in the unfiltered order.
   */
  async neighbours(viewer: Viewer, raw: unknown): Promise<SaeFeatureNeighbours> {
    const input = parseInput(neighboursInput, raw);
    const scope = await this.scope(viewer, input);
    if (input.featureIndex >= scope.dSae) {
      throw new AppError(
        'BAD_USER_INPUT',
        `featureIndex: ${scope.saeId} has ${scope.dSae} features (0 to ${scope.dSae - 1}), not ${input.featureIndex}`,
        { field: 'featureIndex' },
      );
    }
    const [row] = await this.prisma.$queryRaw<
      {
        position: bigint | null;
        total: bigint;
        previous: number | null;
        next: number | null;
        next_unlabeled: number | null;
      }[]
    >`
      WITH ${rowsSql(scope)},
      ordered AS (
        SELECT r.feature_index, r.label_count = 0 AS unlabeled, ${Prisma.raw(FILTER_SQL[scope.filter])} AS kept,
               row_number() OVER (ORDER BY ${Prisma.raw(SORT_SQL[scope.sort])}) AS place
        FROM rows AS r
      ),
      me AS (SELECT place, kept FROM ordered WHERE feature_index = ${input.featureIndex})
      SELECT
        CASE WHEN me.kept THEN (SELECT count(*) FROM ordered AS o WHERE o.kept AND o.place <= me.place) END AS position,
        (SELECT count(*) FROM ordered WHERE kept) AS total,
        (SELECT feature_index FROM ordered AS o WHERE o.kept AND o.place < me.place ORDER BY o.place DESC LIMIT 1) AS previous,
        (SELECT feature_index FROM ordered AS o WHERE o.kept AND o.place > me.place ORDER BY o.place LIMIT 1) AS next,
        (SELECT feature_index FROM ordered AS o WHERE o.kept AND o.unlabeled AND o.place > me.place ORDER BY o.place LIMIT 1) AS next_unlabeled
      FROM me`;
    return {
      position: row?.position == null ? null : Number(row.position),
      total: Number(row?.total ?? 0),
      previous: row?.previous ?? null,
      next: row?.next ?? null,
      nextUnlabeled: row?.next_unlabeled ?? null,
    };
  }

  private async count(scope: Scope): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ total: bigint }[]>`
      WITH ${rowsSql(scope)}
      SELECT count(*) AS total FROM rows AS r WHERE ${Prisma.raw(FILTER_SQL[scope.filter])}`;
    return Number(row?.total ?? 0);
  }

  /**
   * The SAE must be one this server offers (its width is the number of rows). A team's labels and circuits are for
   * its members (viewers included): anyone else asking for a team gets NOT_FOUND, as for every team resource.
   */
  private async scope(viewer: Viewer, input: z.infer<typeof scopeInput>): Promise<Scope> {
    if (!this.catalog.models().some((m) => m.id === input.model)) {
      throw new AppError('BAD_USER_INPUT', `model: this server has no model "${input.model}"`, { field: 'model' });
    }
    const sae = this.catalog.saesOf(input.model).find((s) => s.id === input.sae);
    if (!sae) {
      throw new AppError('BAD_USER_INPUT', `sae: model ${input.model} has no SAE "${input.sae}"`, { field: 'sae' });
    }
    const teamId = input.teamId ?? null;
    let circuitIds: string[] = [];
    if (teamId) {
      await requireTeamRole(viewer, teamId, 'team.view', 'see the team’s labels');
      const role = await roleOf(viewer, teamId);
      const circuits = await this.prisma.circuit.findMany({
        where: { teamId, ...circuitListFilter(role, viewer.user?.id ?? null) },
        select: { id: true },
      });
      circuitIds = circuits.map((c) => c.id);
    }
    return {
      modelId: input.model,
      saeId: sae.id,
      dSae: sae.dSae,
      teamId,
      circuitIds,
      sort: input.sort ?? 'INDEX',
      filter: input.filter ?? 'ALL',
    };
  }
}

interface RawRow {
  feature_index: number;
  density: number | null;
  max_activation: number | null;
  in_circuit: boolean;
  last_activity_at: Date | null;
  label_count: bigint;
  label_id: string | null;
  label_name: string | null;
  label_status: LabelStatus | null;
  label_score: number | null;
  label_detection: number | null;
}

function toRow(r: RawRow): SaeFeatureRow {
  return {
    featureIndex: r.feature_index,
    density: r.density,
    maxActivation: r.max_activation,
    inCircuit: r.in_circuit,
    lastActivityAt: r.last_activity_at,
    labelCount: Number(r.label_count),
    label: r.label_id
      ? {
          id: r.label_id,
          name: r.label_name!,
          status: r.label_status!,
          score: r.label_score ?? 0,
          detectionScore: r.label_detection,
        }
      : null,
  };
}

/**
 * The CTE `rows`: every index of the SAE with its dashboard numbers, its shown label (ACCEPTED first, then DISPUTED,
 * which wants a reviewer, then PROPOSED; best score, then oldest id), its label count and last label change, and
 * whether a node of a scoped circuit's latest version is the feature (read from the graph as the web app's
 * featureKeyOf does: workbench circuits name the SAE by hook, imported graphs by node or metadata).
 */
function rowsSql(scope: Scope): Prisma.Sql {
  const { modelId, saeId, dSae } = scope;
  const labelScope = scope.teamId ? Prisma.sql`l.team_id = ${scope.teamId}::uuid` : Prisma.sql`l.visibility = 'PUBLIC'`;
  const circuitIds = scope.circuitIds.length ? scope.circuitIds : ['00000000-0000-0000-0000-000000000000'];
  return Prisma.sql`
    scoped_labels AS (
      SELECT l.id, l.feature_index, l.name, l.status, l.score, l.updated_at
      FROM feature_labels AS l
      WHERE l.model_id = ${modelId} AND l.sae_id = ${saeId} AND ${labelScope}
    ),
    shown AS (
      SELECT DISTINCT ON (feature_index) feature_index, id, name, status, score
      FROM scoped_labels
      ORDER BY feature_index, CASE status WHEN 'ACCEPTED' THEN 0 WHEN 'DISPUTED' THEN 1 ELSE 2 END, score DESC, id
    ),
    label_stats AS (
      SELECT feature_index, count(*) AS label_count, max(updated_at) AS last_activity_at
      FROM scoped_labels GROUP BY feature_index
    ),
    circuit_nodes AS (
      SELECT DISTINCT (n.node ->> 'feature')::int AS feature_index
      FROM circuits AS c
      JOIN circuit_versions AS v ON v.circuit_id = c.id AND v.number = c.latest_version
      CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(v.graph -> 'nodes') = 'array' THEN v.graph -> 'nodes' ELSE '[]'::jsonb END
      ) AS n(node)
      WHERE c.id = ANY(${circuitIds}::uuid[])
        AND jsonb_typeof(n.node -> 'feature') = 'number' AND (n.node ->> 'feature') ~ '^[0-9]+$'
        AND coalesce(n.node ->> 'feature_type', n.node ->> 'kind', '') !~ '(error|embedding|logit)'
        AND CASE WHEN v.graph ->> 'schema' = 'workbench.circuit' THEN
              v.graph #>> '{model,name}' = ${modelId}
              AND jsonb_typeof(v.graph -> 'saes') = 'array'
              AND EXISTS (SELECT 1 FROM jsonb_array_elements(v.graph -> 'saes') AS s(sae)
                          WHERE s.sae ->> 'id' = ${saeId} AND s.sae ->> 'hook' = n.node ->> 'hook')
            ELSE
              coalesce(n.node ->> 'modelId', v.graph #>> '{metadata,modelId}', v.graph #>> '{metadata,scan}') = ${modelId}
              AND coalesce(n.node ->> 'saeId', v.graph #>> ARRAY['metadata', 'saeIds', coalesce(n.node ->> 'layer', '')],
                           replace(v.graph #>> '{metadata,saeId}', '{layer}', coalesce(n.node ->> 'layer', ''))) = ${saeId}
            END
    ),
    rows AS (
      SELECT f.i AS feature_index, d.density, d.max_activation,
             cn.feature_index IS NOT NULL AS in_circuit,
             ls.last_activity_at, coalesce(ls.label_count, 0) AS label_count,
             s.id AS label_id, s.name AS label_name, s.status::text AS label_status, s.score AS label_score
      FROM generate_series(0, ${dSae - 1}::int) AS f(i)
      LEFT JOIN feature_dashboards AS d ON d.sae_id = ${saeId} AND d.feature_index = f.i
      LEFT JOIN shown AS s ON s.feature_index = f.i
      LEFT JOIN label_stats AS ls ON ls.feature_index = f.i
      LEFT JOIN circuit_nodes AS cn ON cn.feature_index = f.i
      -- A fence: filters stay outside the joins, which are then planned for every feature (hash joins). Pushed in,
      -- a filter's small estimate led the planner to nested loops over the label subqueries (0.4 s to seconds).
      OFFSET 0
    )`;
}
