import { type CircuitFile, METRIC_NODE_ID, parseCircuitFile, parseNodeId } from '@workbench/analysis';
import type { Job, JobStatus, Prisma, PrismaClient } from '../generated/prisma/client.js';
import type { ModelService } from '../models/service.js';
import type { CircuitService } from '../services/circuits.js';
import { AppError, parseInput } from '../services/errors.js';
import type { ServiceSettings } from '../services/index.js';
import { DEFAULT_LLM_REQUEST_LIMITS } from '../services/llm.js';
import { isOperator, mayCancelJob, requireTeamRole } from '../services/policy.js';
import { type RateLimiter, userRateKey } from '../services/rate-limit.js';
import { roleOf, type Viewer } from '../services/viewer.js';
import { ablationInput } from './ablation.js';
import { circuitJobInput, evaluateInput } from './circuits.js';
import { dashboardInput, dashboardSaes } from './dashboards.js';
import { type ExplainInput, explainInput } from './explain.js';
import { REDUCE_CIRCUIT, REDUCE_DASHBOARDS, REDUCE_GRAPH } from './memory.js';
import { assertPairsDiffer } from './pair-check.js';
import { graphTranscoders, promptGraphInput, promptTokens } from './prompt-graph.js';
import type { JobRunner } from './runner.js';

/** The explainFeatures mutation's arguments, as GraphQL passes them. */
export interface ExplainJobArgs {
  teamId: string;
  model: string;
  sae: string;
  featureIndex?: number | null;
  maxRequests?: number | null;
  /** TEAM or PUBLIC (checked by the job's input schema). */
  visibility?: string | null;
}

/** BAD_USER_INPUT unless this server serves the circuit's model and every node is at one of its SAEs. */
function checkRunnable(file: CircuitFile, nodeIds: string[], models: ModelService): void {
  if (!models.models().some((m) => m.id === file.model.name)) {
    throw new AppError('BAD_USER_INPUT', `circuitId: this circuit's model ${file.model.name} is not served here`, {
      field: 'circuitId',
    });
  }
  const hooks = new Set(file.saes.map((s) => s.hook));
  for (const id of nodeIds) {
    const hook = id === METRIC_NODE_ID ? null : parseNodeId(id).hook;
    if (hook && !hooks.has(hook)) {
      throw new AppError('BAD_USER_INPUT', `nodeIds: "${id}" is at ${hook}, where this circuit has no SAE`, {
        field: 'nodeIds',
      });
    }
  }
}

/** Who may see jobs: their creator and members of their team; cancelling is policy.ts's mayCancelJob. */
/** The computeDashboards mutation's arguments, as GraphQL passes them. */
export interface DashboardJobArgs {
  model: string;
  sae?: string | null;
  saes?: string[] | null;
  corpus?: string | null;
  maxContexts?: number | null;
}

export class JobService {
  constructor(
    private readonly prisma: PrismaClient,
    readonly runner: JobRunner,
    private readonly models: ModelService,
    private readonly circuits: CircuitService,
    private readonly limiter: RateLimiter,
    private readonly settings: ServiceSettings,
  ) {}

  /**
   * Enqueues a job if its starter has fewer than jobQuotas.perUser jobs running or queued and the deployment fewer
   * than jobQuotas.total (QUOTA_EXCEEDED naming the limit otherwise), checked atomically with the insert.
   */
  private enqueue(kind: string, input: Prisma.InputJsonValue, owner: { teamId?: string; createdById: string }) {
    const { perUser, total } = this.settings.jobQuotas;
    return this.runner.enqueue(kind, input, owner, async (tx) => {
      const open = { status: { in: ['QUEUED', 'RUNNING'] as JobStatus[] } };
      const mine = await tx.job.count({ where: { ...open, createdById: owner.createdById } });
      if (mine >= perUser) {
        throw new AppError(
          'QUOTA_EXCEEDED',
          `You have ${mine} jobs running or queued, the most one person may (${perUser}); wait for one to finish or cancel one`,
          { limit: perUser, scope: 'user' },
        );
      }
      const all = await tx.job.count({ where: open });
      if (all >= total) {
        throw new AppError(
          'QUOTA_EXCEEDED',
          `${all} jobs are running or queued, the most the server takes at once (${total}); try again later`,
          { limit: total, scope: 'total' },
        );
      }
    });
  }

  async get(viewer: Viewer, id: string): Promise<Job> {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await this.prisma.job.findUnique({ where: { id } }) : null;
    if (!job || !(await this.canSee(viewer, job))) throw new AppError('NOT_FOUND', `No job ${id}`);
    return job;
  }

  async canSee(viewer: Viewer, job: Job): Promise<boolean> {
    if (!viewer.user) return false;
    if (job.createdById === viewer.user.id) return true;
    return job.teamId !== null && (await roleOf(viewer, job.teamId)) !== null;
  }

  /** Only the job's creator, or an admin or owner of its team, may cancel it (teammates may only watch it). */
  async cancel(viewer: Viewer, id: string): Promise<Job> {
    const job = await this.get(viewer, id);
    const role = job.teamId ? await roleOf(viewer, job.teamId) : null;
    if (!mayCancelJob(viewer.user?.id ?? null, role, job)) {
      throw new AppError('FORBIDDEN', `Only whoever started job ${job.id} or an admin of its team may cancel it`);
    }
    await this.runner.cancel(job.id);
    return this.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  }

  /**
   * Any signed-in user may compute SAEs' missing dashboards; replacing stored ones (every team sees them) is for
   * operators (OPERATOR_EMAILS). The job checks again before it writes, in case they were computed meanwhile.
   * Several SAEs of one model (saes) are computed in one pass over the corpus.
   */
  async startDashboards(viewer: Viewer, args: DashboardJobArgs): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const input = parseInput(dashboardInput, {
      modelId: args.model,
      saeId: args.sae ?? undefined,
      saeIds: args.saes ?? undefined,
      corpus: args.corpus ?? undefined,
      maxContexts: args.maxContexts ?? undefined,
    });
    dashboardSaes(this.models, input); // NOT_FOUND or BAD_USER_INPUT now rather than a failed job later
    const operator = isOperator(viewer.user, this.settings.operatorEmails);
    const stored =
      !operator &&
      (await this.prisma.featureDashboard.findFirst({
        where: { saeId: { in: input.saeIds } },
        select: { saeId: true },
      }));
    if (stored) {
      throw new AppError(
        'FORBIDDEN',
        `SAE ${stored.saeId} already has dashboards; replacing them needs an operator (OPERATOR_EMAILS)`,
      );
    }
    const memory = this.settings.jobMemory;
    if (memory) memory.check(await memory.dashboards(input), 'dashboards job', REDUCE_DASHBOARDS);
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('dashboards', { ...input, replace: operator }, { createdById: viewer.user.id });
  }

  /** Team members (not viewers) may compute circuits for their team. */
  async startCircuit(viewer: Viewer, raw: unknown): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const input = parseInput(circuitJobInput, raw);
    await requireTeamRole(viewer, input.teamId, 'job.compute', 'compute circuits for it');
    this.models.model(input.modelId);
    for (const id of input.saeIds ?? []) {
      if (this.models.sae(id).modelId !== input.modelId) {
        throw new AppError('BAD_USER_INPUT', `saeIds: ${id} is not an SAE of ${input.modelId}`, { field: 'saeIds' });
      }
    }
    if (input.pairs) {
      // Only pairs the user typed can collide (template datasets never do); the model's own tokenizer decides, as
      // in the job. Refused here, as input, rather than as a job that fails or stores a meaningless circuit.
      const { tokenizer } = await this.models.load(input.modelId);
      assertPairsDiffer(tokenizer, input.pairs);
    }
    const memory = this.settings.jobMemory;
    if (memory) memory.check(await memory.circuit(input), 'circuit job', REDUCE_CIRCUIT);
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('circuit', input, { teamId: input.teamId, createdById: viewer.user.id });
  }

  /**
   * Team members (not viewers) may compute a one-prompt attribution graph for their team, stored as a circuit. The
   * model, its transcoder set and the prompt's length are checked now (BAD_USER_INPUT naming the field), as is the
   * estimated memory, rather than in a job that fails later.
   */
  async startPromptGraph(viewer: Viewer, raw: unknown): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const input = parseInput(promptGraphInput, raw);
    await requireTeamRole(viewer, input.teamId, 'job.compute', 'compute graphs for it');
    const { transcoders } = graphTranscoders(this.models, input.modelId, input.transcoders);
    const tokens = await promptTokens(this.models, input.modelId, input.prompt);
    const memory = this.settings.jobMemory;
    if (memory) {
      const estimate = memory.promptGraph(input.modelId, transcoders, tokens, input.maxFeatureNodes);
      memory.check(estimate, 'graph job', REDUCE_GRAPH);
    }
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('graph', input, { teamId: input.teamId, createdById: viewer.user.id });
  }

  /** Anyone who may view a circuit version may score a node set of it (a job: it runs the model). */
  async startEvaluation(viewer: Viewer, raw: unknown): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const input = parseInput(evaluateInput, raw);
    await this.circuits.version(viewer, input.circuitId, input.version);
    const circuit = await this.prisma.circuit.findUniqueOrThrow({ where: { id: input.circuitId } });
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('evaluate', input, { teamId: circuit.teamId, createdById: viewer.user.id });
  }

  /**
   * Ablating or patching nodes of a circuit version: whoever may view it (a job: it runs the model). Node ids must
   * name the circuit's own SAEs, so a typo is a BAD_USER_INPUT now rather than a failed job later.
   */
  async startAblation(viewer: Viewer, raw: unknown): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const input = parseInput(ablationInput, raw);
    const version = await this.circuits.version(viewer, input.circuitId, input.version);
    for (const id of input.nodeIds) {
      if (id === METRIC_NODE_ID) continue;
      try {
        parseNodeId(id);
      } catch (error) {
        throw new AppError('BAD_USER_INPUT', `nodeIds: ${(error as Error).message}`, { field: 'nodeIds' });
      }
    }
    // A computed circuit's file names its model and SAEs; a graph that is not one fails in the job, as evaluation does.
    let file: CircuitFile | null = null;
    try {
      file = parseCircuitFile(version.graph);
    } catch {}
    if (file) checkRunnable(file, input.nodeIds, this.models);
    const circuit = await this.prisma.circuit.findUniqueOrThrow({ where: { id: input.circuitId } });
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('ablation', input, { teamId: circuit.teamId, createdById: viewer.user.id });
  }

  /**
   * Members (not viewers) may draft labels for their team: one feature (featureIndex) or every feature of the SAE
   * with a dashboard. With an LLM configured the job sends contexts to it, at most maxRequests requests (default
   * and cap from LLM_MAX_REQUESTS and LLM_MAX_REQUESTS_CAP); without one it writes token-pattern drafts.
   */
  async startExplain(viewer: Viewer, args: ExplainJobArgs): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    const limits = this.settings.llmRequests ?? DEFAULT_LLM_REQUEST_LIMITS;
    const input: ExplainInput = parseInput(explainInput, {
      teamId: args.teamId,
      modelId: args.model,
      saeId: args.sae,
      featureIndex: args.featureIndex ?? undefined,
      maxRequests: args.maxRequests ?? limits.default,
      drafter: this.settings.llm ? 'LLM' : 'TOKEN_PATTERN',
      visibility: args.visibility ?? undefined,
    });
    if (input.maxRequests > limits.cap) {
      throw new AppError(
        'BAD_USER_INPUT',
        `maxRequests: at most ${limits.cap} (LLM_MAX_REQUESTS_CAP), not ${input.maxRequests}`,
        {
          field: 'maxRequests',
        },
      );
    }
    this.checkExplainable(input);
    await requireTeamRole(viewer, input.teamId, 'label.propose', 'draft labels');
    const dashboard = await this.prisma.featureDashboard.findFirst({
      where: { saeId: input.saeId, ...(input.featureIndex === undefined ? {} : { featureIndex: input.featureIndex }) },
      select: { featureIndex: true },
    });
    if (!dashboard) {
      const what = input.featureIndex === undefined ? 'SAE' : `feature ${input.featureIndex}`;
      throw new AppError(
        'BAD_USER_INPUT',
        `${input.featureIndex === undefined ? 'sae' : 'featureIndex'}: the ${what} has no dashboards yet (its contexts are what a draft is written from); compute them first`,
        { field: input.featureIndex === undefined ? 'sae' : 'featureIndex' },
      );
    }
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('explain', input, { teamId: input.teamId, createdById: viewer.user.id });
  }

  /** The model must be served here and the SAE one of its, the feature below its width (BAD_USER_INPUT naming it). */
  private checkExplainable(input: ExplainInput): void {
    if (!this.models.models().some((m) => m.id === input.modelId)) {
      throw new AppError('BAD_USER_INPUT', `model: this server has no model "${input.modelId}"`, { field: 'model' });
    }
    const sae = this.models.saesOf(input.modelId).find((s) => s.id === input.saeId);
    if (!sae) {
      throw new AppError('BAD_USER_INPUT', `sae: model ${input.modelId} has no SAE "${input.saeId}"`, { field: 'sae' });
    }
    if (input.featureIndex !== undefined && input.featureIndex >= sae.dSae) {
      throw new AppError(
        'BAD_USER_INPUT',
        `featureIndex: ${sae.id} has ${sae.dSae} features (0 to ${sae.dSae - 1}), not ${input.featureIndex}`,
        { field: 'featureIndex' },
      );
    }
  }

  /** The job pipeline's health check: operators only (OPERATOR_EMAILS); it would otherwise be free busy work. */
  async startSelftest(viewer: Viewer, input: { steps?: number; stepMs?: number; failAt?: number }): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    if (!isOperator(viewer.user, this.settings.operatorEmails)) {
      throw new AppError('FORBIDDEN', 'The self-test job is for operators (OPERATOR_EMAILS)');
    }
    await this.limiter.take(userRateKey(viewer.user.id));
    return this.enqueue('selftest', input, { createdById: viewer.user.id });
  }
}
