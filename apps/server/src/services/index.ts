import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { DEFAULT_SUBSCRIPTION_RECHECK_MS } from '../graphql/subscriptions.js';
import type { JobMemoryGuard } from '../jobs/memory.js';
import type { JobRunner } from '../jobs/runner.js';
import { JobService } from '../jobs/service.js';
import type { ModelService } from '../models/service.js';
import { AuthService } from './auth.js';
import { CircuitService } from './circuits.js';
import { CommentService } from './comments.js';
import { LabelDraftService } from './drafts.js';
import { EvidenceService } from './evidence.js';
import { InvitationService } from './invitations.js';
import { LabelSearchService } from './label-search.js';
import { LabelTransferService } from './label-transfer.js';
import { LabelService } from './labels.js';
import { LearnService } from './learn.js';
import { DEFAULT_LLM_REQUEST_LIMITS, type LlmRequestLimits, type LlmSettings } from './llm.js';
import { NotificationService } from './notifications.js';
import { createRateLimiters, type RateLimiter, type RateLimiters } from './rate-limit.js';
import { ReviewService } from './reviews.js';
import { SaeFeatureService } from './sae-features.js';
import { ShareService } from './shares.js';
import { SteeringService } from './steering.js';
import { TeamService } from './teams.js';

/** Everything that owns a rule of the product; resolvers call these and nothing else. */
export interface Services {
  prisma: Database['prisma'];
  auth: AuthService;
  teams: TeamService;
  invitations: InvitationService;
  labels: LabelService;
  labelSearch: LabelSearchService;
  /** Label files in and out (import with a dry run, export as JSON or CSV). */
  labelTransfer: LabelTransferService;
  /** Machine-written drafts: the token-pattern draft, and what explain jobs would send where. */
  labelDrafts: LabelDraftService;
  saeFeatures: SaeFeatureService;
  circuits: CircuitService;
  shares: ShareService;
  comments: CommentService;
  reviews: ReviewService;
  notifications: NotificationService;
  events: EventBus;
  models: ModelService;
  jobs: JobService;
  /** Steering features (model runs; rate-limited by the resolver like activations). */
  steering: SteeringService;
  /** Interventions saved on labels and circuit versions. */
  evidence: EvidenceService;
  /** The walkthrough's demo circuit (/learn), computed once per process. */
  learn: LearnService;
  /** Model runs (activations) per user or client address: they cost CPU even when signed out. */
  computeLimiter: RateLimiter;
  /** Who runs the deployment (OPERATOR_EMAILS), for policy.ts's isOperator. */
  operatorEmails: ReadonlySet<string>;
  /** How often an open subscription's access is checked again (SUBSCRIPTION_RECHECK_MS). */
  subscriptionRecheckMs: number;
}

/** Jobs running plus queued at once: per user, and in all. */
export interface JobQuotas {
  perUser: number;
  total: number;
}
export const DEFAULT_JOB_QUOTAS: JobQuotas = { perUser: 3, total: 20 };

export interface ServiceSettings {
  operatorEmails: ReadonlySet<string>;
  jobQuotas: JobQuotas;
  subscriptionRecheckMs?: number;
  /** Estimates jobs' memory and refuses those above JOB_MEMORY_MB (none: no check). */
  jobMemory?: JobMemoryGuard;
  /** The chat endpoint explain jobs use (LLM_*); none: token-pattern drafts. */
  llm?: LlmSettings | null;
  llmRequests?: LlmRequestLimits;
}

export function createServices(
  database: Database,
  events: EventBus,
  models: ModelService,
  runner: JobRunner,
  limiters: RateLimiters = createRateLimiters(),
  settings: ServiceSettings = { operatorEmails: new Set(), jobQuotas: DEFAULT_JOB_QUOTAS },
): Services {
  const limiter = limiters.writes;
  const { prisma } = database;
  const labels = new LabelService(prisma, events, limiter, models, database.kind === 'pglite');
  const circuits = new CircuitService(prisma, events, limiter);
  const notifications = new NotificationService(prisma, events);
  const steering = new SteeringService(prisma, models);
  return {
    prisma,
    auth: new AuthService(prisma, limiters),
    teams: new TeamService(prisma, events),
    invitations: new InvitationService(prisma, events, limiter),
    labels,
    labelSearch: new LabelSearchService(prisma),
    labelTransfer: new LabelTransferService(prisma, events, limiter, models),
    labelDrafts: new LabelDraftService(
      prisma,
      labels,
      limiter,
      models,
      settings.llm ?? null,
      settings.llmRequests ?? DEFAULT_LLM_REQUEST_LIMITS,
    ),
    saeFeatures: new SaeFeatureService(prisma, models),
    circuits,
    shares: new ShareService(prisma, circuits, limiter),
    comments: new CommentService(prisma, events, limiter, circuits, labels, notifications),
    reviews: new ReviewService(prisma, events, limiter, circuits, notifications),
    notifications,
    events,
    models,
    // Jobs run the model: they count against the same per-user bucket as model runs (activations).
    jobs: new JobService(prisma, runner, models, circuits, limiters.compute, settings),
    steering,
    evidence: new EvidenceService(prisma, events, labels, circuits, steering, limiter),
    learn: new LearnService(models),
    computeLimiter: limiters.compute,
    operatorEmails: settings.operatorEmails,
    subscriptionRecheckMs: settings.subscriptionRecheckMs ?? DEFAULT_SUBSCRIPTION_RECHECK_MS,
  };
}
