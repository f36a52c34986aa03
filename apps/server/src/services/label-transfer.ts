// A team's labels out (JSON with revisions and votes, or CSV) and labels made elsewhere in (proposed labels,
// attributed to the importer, each with its source), with a dry run that reports what an import would change.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { logActivity } from './activity.js';
import { AppError, parseInput } from './errors.js';
import {
  type ImportCatalog,
  type ImportProblem,
  type ImportRow,
  type LabelImportFormat,
  type ParsedFile,
  parseCsv,
  parseFeatureCircuits,
  parseNeuronpedia,
  parseWorkbench,
  toCsv,
} from './label-formats.js';
import { featureTopic } from './labels.js';
import { requireTeamRole } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import type { Viewer } from './viewer.js';

/** Characters of one import file (about 5 MB; the HTTP body limit is 16 MB). */
export const MAX_IMPORT_CHARS = 5_000_000;
/** Labels one import may create. */
export const MAX_IMPORT_ROWS = 20_000;
/** Rows of the dry run's preview (the counts cover all of them). */
const PREVIEW_ROWS = 100;
/** Problems listed in a report (the counts cover all of them). */
const LISTED_PROBLEMS = 200;

export const EXPORT_FORMAT_VERSION = 1;

const exportInput = z.object({ teamId: z.uuid('must be a team id'), format: z.enum(['JSON', 'CSV']) });
const importInput = z
  .object({
    teamId: z.uuid('must be a team id'),
    format: z.enum(['NEURONPEDIA', 'FEATURE_CIRCUITS', 'WORKBENCH', 'CSV']),
    text: z.string().max(MAX_IMPORT_CHARS, `must be at most ${MAX_IMPORT_CHARS} characters`),
    modelId: z.string().trim().min(1, 'must not be empty').max(200).nullish(),
    visibility: z.enum(['TEAM', 'PUBLIC']).default('TEAM'),
    dryRun: z.boolean().default(true),
  })
  .refine((i) => i.format !== 'FEATURE_CIRCUITS' || i.modelId, {
    path: ['modelId'],
    message: 'feature-circuits annotation files do not name their model: give the model id',
  });

export interface LabelExport {
  filename: string;
  contentType: string;
  text: string;
}

export interface LabelImportReport {
  dryRun: boolean;
  /** Labels created (or, in a dry run, that would be). */
  created: number;
  /** Rows not created: already labeled so by the team, or repeated in the file, or proposing nothing. */
  skipped: number;
  errors: ImportProblem[];
  errorCount: number;
  skippedRows: ImportProblem[];
  preview: ImportRow[];
}

export class LabelTransferService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly limiter: RateLimiter,
    private readonly catalog: ImportCatalog,
  ) {}

  /** Readers export (team.view): every label of the team, team-only ones too. */
  async exportLabels(viewer: Viewer, raw: unknown): Promise<LabelExport> {
    const { teamId, format } = parseInput(exportInput, raw);
    await requireTeamRole(viewer, teamId, 'label.export', 'export labels');
    await this.limiter.take(viewer.user!.id);
    const team = await this.prisma.team.findUniqueOrThrow({ where: { id: teamId } });
    const labels = await this.prisma.featureLabel.findMany({
      where: { teamId },
      orderBy: [{ modelId: 'asc' }, { saeId: 'asc' }, { featureIndex: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      include: { revisions: { orderBy: { revision: 'asc' } }, votes: { orderBy: { userId: 'asc' } } },
    });
    const userIds = new Set(
      labels.flatMap((l) => [l.authorId, ...l.revisions.map((r) => r.authorId), ...l.votes.map((v) => v.userId)]),
    );
    const users = await this.prisma.user.findMany({
      where: { id: { in: [...userIds] } },
      select: { id: true, displayName: true },
    });
    const nameOf = new Map(users.map((u) => [u.id, u.displayName]));
    const person = (id: string) => ({ id, name: nameOf.get(id) ?? null });
    const stamp = new Date().toISOString().slice(0, 10);
    const base = `${team.slug ?? team.id}-labels-${stamp}`;
    if (format === 'CSV') {
      const header = [
        'id',
        'model_id',
        'sae_id',
        'feature_index',
        'name',
        'description',
        'visibility',
        'status',
        'score',
        'up_votes',
        'down_votes',
        'revision',
        'author',
        'created_at',
        'updated_at',
        'source',
        'revisions',
        'votes',
      ];
      const rows = labels.map((l) => [
        l.id,
        l.modelId,
        l.saeId,
        l.featureIndex,
        l.name,
        l.description,
        l.visibility,
        l.status,
        l.score,
        l.votes.filter((v) => v.value === 1).length,
        l.votes.filter((v) => v.value === -1).length,
        l.revision,
        nameOf.get(l.authorId) ?? l.authorId,
        l.createdAt.toISOString(),
        l.updatedAt.toISOString(),
        l.source === null ? '' : JSON.stringify(l.source),
        JSON.stringify(
          l.revisions.map((r) => ({
            revision: r.revision,
            name: r.name,
            description: r.description,
            author: nameOf.get(r.authorId) ?? r.authorId,
            createdAt: r.createdAt.toISOString(),
          })),
        ),
        JSON.stringify(l.votes.map((v) => ({ user: nameOf.get(v.userId) ?? v.userId, value: v.value }))),
      ]);
      return { filename: `${base}.csv`, contentType: 'text/csv', text: toCsv(header, rows) };
    }
    const document = {
      format: 'workbench-labels',
      version: EXPORT_FORMAT_VERSION,
      team: { id: team.id, name: team.name },
      exportedAt: new Date().toISOString(),
      labels: labels.map((l) => ({
        id: l.id,
        modelId: l.modelId,
        saeId: l.saeId,
        featureIndex: l.featureIndex,
        name: l.name,
        description: l.description,
        visibility: l.visibility,
        status: l.status,
        score: l.score,
        revision: l.revision,
        author: person(l.authorId),
        createdAt: l.createdAt.toISOString(),
        updatedAt: l.updatedAt.toISOString(),
        source: l.source,
        revisions: l.revisions.map((r) => ({
          revision: r.revision,
          name: r.name,
          description: r.description,
          author: person(r.authorId),
          createdAt: r.createdAt.toISOString(),
        })),
        votes: l.votes.map((v) => ({ user: person(v.userId), value: v.value, at: v.updatedAt.toISOString() })),
      })),
    };
    return {
      filename: `${base}.json`,
      contentType: 'application/json',
      text: `${JSON.stringify(document, null, 2)}\n`,
    };
  }

  /**
   * Members import (label.import). The file is read and checked whole; a real import with any error in the file
   * writes nothing (fix the lines the dry run names first). A row is skipped when the team already has a label of
   * that name on that feature, or an earlier row of the file proposes it: importing a file twice adds nothing.
   */
  async importLabels(viewer: Viewer, raw: unknown): Promise<LabelImportReport> {
    const input = parseInput(importInput, raw);
    await requireTeamRole(viewer, input.teamId, 'label.import', 'import labels');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const parsed = this.parse(input.format, input.text, input.modelId ?? '');
    rejectNulCharacters(parsed);
    parsed.errors.sort((a, b) => a.line - b.line);
    if (parsed.rowsOver !== undefined || parsed.rows.length > MAX_IMPORT_ROWS) {
      const found =
        parsed.rowsOver !== undefined ? `the file has more than ${parsed.rowsOver} rows` : `not ${parsed.rows.length}`;
      throw new AppError('BAD_USER_INPUT', `text: at most ${MAX_IMPORT_ROWS} labels per import, ${found}`, {
        field: 'text',
      });
    }
    const plan = async (db: Prisma.TransactionClient | PrismaClient) => {
      const existing = await this.existingNames(db, input.teamId, parsed.rows);
      const seen = new Set<string>();
      const create: ImportRow[] = [];
      const skippedRows = [...parsed.empty];
      for (const row of parsed.rows) {
        const key = nameKey(row, row.name);
        if (existing.has(key)) {
          skippedRows.push({
            line: row.line,
            field: 'name',
            message: `the team already has "${row.name}" on ${where(row)}`,
          });
        } else if (seen.has(key)) {
          skippedRows.push({
            line: row.line,
            field: 'name',
            message: `an earlier line proposes "${row.name}" on ${where(row)}`,
          });
        } else {
          seen.add(key);
          create.push(row);
        }
      }
      return { create, skippedRows };
    };
    const report = (dryRun: boolean, create: ImportRow[], skippedRows: ImportProblem[]): LabelImportReport => ({
      dryRun,
      created: create.length,
      skipped: skippedRows.length,
      errors: parsed.errors.slice(0, LISTED_PROBLEMS),
      errorCount: parsed.errors.length,
      skippedRows: skippedRows.sort((a, b) => a.line - b.line).slice(0, LISTED_PROBLEMS),
      preview: create.slice(0, PREVIEW_ROWS),
    });
    if (input.dryRun) {
      const { create, skippedRows } = await plan(this.prisma);
      return report(true, create, skippedRows);
    }
    if (parsed.errors.length) {
      const first = parsed.errors[0]!;
      throw new AppError(
        'BAD_USER_INPUT',
        `text: ${parsed.errors.length} line(s) cannot be imported, nothing was; line ${first.line}, ${first.field}: ${first.message}`,
        { field: 'text', line: first.line, lineField: first.field },
      );
    }
    const importedAt = new Date().toISOString();
    const { create, skippedRows, labels } = await this.prisma.$transaction(
      async (tx) => {
        // One import at a time per team, so two at once cannot both create the same label.
        await tx.$queryRaw`SELECT 1 FROM teams WHERE id = ${input.teamId}::uuid FOR UPDATE`;
        const planned = await plan(tx);
        const labels = planned.create.map((row) => ({ id: randomUUID(), row }));
        // Each table in one statement over arrays (unnest): 20,000 rows as createMany took over Prisma's 5 s
        // transaction timeout on Postgres.
        const column = <T>(pick: (label: { id: string; row: ImportRow }) => T) => labels.map(pick);
        await tx.$executeRaw`
        INSERT INTO feature_labels (id, team_id, model_id, sae_id, feature_index, visibility, author_id, name, description, source)
        SELECT t.id, ${input.teamId}::uuid, t.model_id, t.sae_id, t.feature_index, ${input.visibility}::"Visibility",
               ${user.id}::uuid, t.name, t.description, t.source::jsonb
        FROM unnest(
          ${column((l) => l.id)}::uuid[], ${column((l) => l.row.modelId)}::text[], ${column((l) => l.row.saeId)}::text[],
          ${column((l) => l.row.featureIndex)}::int[], ${column((l) => l.row.name)}::text[],
          ${column((l) => l.row.description)}::text[],
          ${column((l) => JSON.stringify({ ...l.row.source, importedBy: user.id, importedAt }))}::text[]
        ) AS t(id, model_id, sae_id, feature_index, name, description, source)`;
        await tx.$executeRaw`
        INSERT INTO label_revisions (label_id, revision, name, description, author_id)
        SELECT t.id, 1, t.name, t.description, ${user.id}::uuid
        FROM unnest(${column((l) => l.id)}::uuid[], ${column((l) => l.row.name)}::text[],
                    ${column((l) => l.row.description)}::text[]) AS t(id, name, description)`;
        if (labels.length) {
          await logActivity(tx, {
            teamId: input.teamId,
            actorId: user.id,
            action: 'labels.imported',
            subjectType: 'team',
            subjectId: input.teamId,
            data: { format: input.format, created: labels.length, skipped: planned.skippedRows.length },
          });
        }
        return { ...planned, labels };
      },
      // A file of MAX_IMPORT_ROWS labels, on a busy machine.
      { timeout: 120_000, maxWait: 10_000 },
    );
    const teamId = input.visibility === 'PUBLIC' ? null : input.teamId;
    // As proposeLabel does: open pages of the features refresh.
    for (const { id, row } of labels) {
      this.events.publish(featureTopic(row), { kind: 'label', change: 'PROPOSED', id, teamId });
    }
    return report(false, create, skippedRows);
  }

  private parse(format: LabelImportFormat, text: string, modelId: string): ParsedFile {
    if (format === 'NEURONPEDIA') return parseNeuronpedia(text, this.catalog);
    if (format === 'FEATURE_CIRCUITS') return parseFeatureCircuits(text, modelId, this.catalog);
    if (format === 'CSV') return parseCsv(text, modelId, this.catalog, MAX_IMPORT_ROWS);
    return parseWorkbench(text, this.catalog);
  }

  /** The team's label names on the file's features, as nameKey()s. */
  private async existingNames(db: Prisma.TransactionClient | PrismaClient, teamId: string, rows: ImportRow[]) {
    const bySae = new Map<string, { modelId: string; saeId: string; featureIndex: { in: number[] } }>();
    for (const { modelId, saeId, featureIndex } of rows) {
      const key = JSON.stringify([modelId, saeId]);
      const group = bySae.get(key) ?? { modelId, saeId, featureIndex: { in: [] } };
      group.featureIndex.in.push(featureIndex);
      bySae.set(key, group);
    }
    if (!bySae.size) return new Set<string>();
    const labels = await db.featureLabel.findMany({
      where: { teamId, OR: [...bySae.values()] },
      select: { modelId: true, saeId: true, featureIndex: true, name: true },
    });
    return new Set(labels.map((l) => nameKey(l, l.name)));
  }
}

/** Postgres text cannot hold U+0000 (JSON can spell it \u0000): such rows are errors, not a failed transaction. */
function rejectNulCharacters(parsed: ParsedFile) {
  parsed.rows = parsed.rows.filter((row) => {
    const field = row.name.includes('\u0000') ? 'name' : row.description.includes('\u0000') ? 'description' : null;
    if (field) parsed.errors.push({ line: row.line, field, message: 'must not contain the character U+0000' });
    return !field;
  });
}

/** Two label names are the same when they differ only in case and spacing. */
const nameKey = (f: { modelId: string; saeId: string; featureIndex: number }, name: string) =>
  JSON.stringify([f.modelId, f.saeId, f.featureIndex, name.trim().replace(/\s+/g, ' ').toLowerCase()]);
const where = (r: ImportRow) => `${r.modelId} ${r.saeId} #${r.featureIndex}`;
