import { z } from 'zod';
import type { FeatureLabel, PrismaClient } from '../generated/prisma/client.js';
import { AppError, parseInput } from './errors.js';
import { type DashboardContexts, tokenPatternDraft } from './label-drafts.js';
import { checkFeatureExists, type FeatureCatalog, featureKeySchema, type LabelService } from './labels.js';
import type { LlmRequestLimits, LlmSettings } from './llm.js';
import { requireTeamRole } from './policy.js';
import type { RateLimiter } from './rate-limit.js';
import type { Viewer } from './viewer.js';

const patternInput = featureKeySchema.extend({
  teamId: z.uuid('must be a team id'),
  visibility: z.enum(['TEAM', 'PUBLIC']).default('TEAM'),
});

/** The draftLabelFromTokenPattern mutation's arguments, as GraphQL passes them. */
export interface DraftFromPatternArgs {
  teamId: string;
  model: string;
  sae: string;
  featureIndex: number;
  visibility?: string | null;
}

/** An LLM draft's detection score (its source's detection.score), or null for any other label. */
export function detectionScoreOf(source: unknown): number | null {
  const s = source as { format?: unknown; detection?: { score?: unknown } } | null;
  return s?.format === 'LLM' && typeof s.detection?.score === 'number' ? s.detection.score : null;
}

/** What the app tells a labeler about drafting: whether contexts would go to an LLM, which, and the request cap. */
export interface LabelDraftingSettings {
  llmConfigured: boolean;
  /** LLM_MODEL, when configured. */
  model: string | null;
  /** The endpoint's origin (scheme, host and port; no path, no key): where contexts are sent. */
  endpoint: string | null;
  defaultMaxRequests: number;
  maxRequestsCap: number;
}

/** Label drafts written without a job: the token-pattern draft of one feature (no LLM, nothing leaves the server). */
export class LabelDraftService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly labels: LabelService,
    private readonly limiter: RateLimiter,
    private readonly catalog: FeatureCatalog,
    private readonly llm: LlmSettings | null,
    readonly requestLimits: LlmRequestLimits,
  ) {}

  settings(): LabelDraftingSettings {
    let endpoint: string | null = null;
    if (this.llm) {
      try {
        endpoint = new URL(this.llm.baseUrl).origin;
      } catch {
        endpoint = null;
      }
    }
    return {
      llmConfigured: this.llm !== null,
      model: this.llm?.model ?? null,
      endpoint,
      defaultMaxRequests: this.requestLimits.default,
      maxRequestsCap: this.requestLimits.cap,
    };
  }

  /** Members: a proposed label from the feature's dashboard: the tokens it fires on most and those it promotes. */
  async draftFromTokenPattern(viewer: Viewer, raw: unknown): Promise<FeatureLabel> {
    const input = parseInput(patternInput, raw);
    checkFeatureExists(this.catalog, input);
    await requireTeamRole(viewer, input.teamId, 'label.propose', 'propose labels');
    const user = viewer.user!;
    await this.limiter.take(user.id);
    const row = await this.prisma.featureDashboard.findUnique({
      where: { saeId_featureIndex: { saeId: input.saeId, featureIndex: input.featureIndex } },
    });
    if (!row) {
      throw new AppError(
        'BAD_USER_INPUT',
        `featureIndex: feature ${input.featureIndex} of ${input.saeId} has no dashboard yet; compute the SAE's dashboards first`,
        { field: 'featureIndex' },
      );
    }
    const draft = tokenPatternDraft(row as unknown as DashboardContexts);
    if (!draft) {
      throw new AppError(
        'BAD_USER_INPUT',
        `featureIndex: feature ${input.featureIndex} fired on no token of its dashboard's corpus: there is no pattern to draft from`,
        { field: 'featureIndex' },
      );
    }
    const { name, description, ...pattern } = draft;
    return this.labels.proposeDraft({
      modelId: input.modelId,
      saeId: input.saeId,
      featureIndex: input.featureIndex,
      teamId: input.teamId,
      authorId: user.id,
      visibility: input.visibility,
      name,
      description,
      source: { format: 'TOKEN_PATTERN', corpus: row.corpus, ...pattern },
    });
  }
}
