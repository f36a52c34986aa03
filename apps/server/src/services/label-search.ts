import { z } from 'zod';
import type { FeatureLabel, PrismaClient } from '../generated/prisma/client.js';
import { parseInput } from './errors.js';
import { labelListFilter } from './policy.js';
import type { Viewer } from './viewer.js';

const searchInput = z.object({
  query: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  first: z.number().int().min(1, 'must be between 1 and 50').max(50, 'must be between 1 and 50').nullish(),
});

export interface LabelSearchHit {
  label: FeatureLabel;
  /** Postgres ts_rank of the label's name and description against the words asked for. */
  rank: number;
}

/**
 * Full-text search over the labels a viewer may see (public ones and their teams'), best match first. The
 * document is the same expression as the GIN index feature_labels_search_idx (migration 20261201163000_label_search),
 * so the match is answered from the index; plainto_tsquery takes plain words (no syntax to get wrong) and stems them
 * ("subjects" finds "subject").
 */
export class LabelSearchService {
  constructor(private readonly prisma: PrismaClient) {}

  async search(viewer: Viewer, raw: unknown): Promise<LabelSearchHit[]> {
    const { query, first } = parseInput(searchInput, raw);
    const teamIds = viewer.user
      ? (await this.prisma.membership.findMany({ where: { userId: viewer.user.id }, select: { teamId: true } })).map(
          (m) => m.teamId,
        )
      : [];
    const matches = await this.prisma.$queryRaw<{ id: string; rank: number }[]>`
      SELECT id, ts_rank(to_tsvector('english', name || ' ' || description), q) AS rank
      FROM feature_labels, plainto_tsquery('english', ${query}) AS q
      WHERE to_tsvector('english', name || ' ' || description) @@ q
        AND (visibility = 'PUBLIC' OR team_id = ANY(${teamIds}::uuid[]))
      ORDER BY rank DESC, score DESC, id
      LIMIT ${first ?? 20}`;
    if (!matches.length) return [];
    // The rows themselves through Prisma, under the policy's own list filter as well (what a list may show).
    const labels = await this.prisma.featureLabel.findMany({
      where: { id: { in: matches.map((m) => m.id) }, ...labelListFilter(teamIds) },
    });
    const byId = new Map(labels.map((l) => [l.id, l]));
    return matches.flatMap((m) => {
      const label = byId.get(m.id);
      return label ? [{ label, rank: m.rank }] : [];
    });
  }
}
