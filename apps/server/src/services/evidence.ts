import { z } from 'zod';
import type { EventBus } from '../events/bus.js';
import type { Evidence, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { ablationInput } from '../jobs/ablation.js';
import { logActivity } from './activity.js';
import { Access } from './circuit-access.js';
import { type CircuitService, circuitTopic } from './circuits.js';
import { AppError, isUuid, parseInput } from './errors.js';
import { featureTopic, type LabelService } from './labels.js';
import type { RateLimiter } from './rate-limit.js';
import { type SteeringService, steerInput } from './steering.js';
import type { Viewer } from './viewer.js';

/** A steering run's inputs as saved on a label: the label names the model, SAE and feature. */
const steeringEvidenceInput = steerInput
  .omit({ model: true, sae: true, feature: true })
  .extend({ labelId: z.string().min(1, 'must name a label') });

const ablationEvidenceInput = z.object({
  circuitId: z.string().min(1, 'must name a circuit'),
  version: z.number().int().min(1, 'must be a version number (1 or more)'),
  jobId: z.string().min(1, 'must name a job'),
});

/**
 * Interventions saved as evidence for a claim: a steering run on a label, an ablation on a circuit version. The
 * numbers are the server's own (a steering run is run again here; an ablation is read from its finished job), saved
 * beside the inputs that reproduce them, so nobody can save numbers the model did not give.
 */
export class EvidenceService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: EventBus,
    private readonly labels: LabelService,
    private readonly circuits: CircuitService,
    private readonly steering: SteeringService,
    private readonly writes: RateLimiter,
  ) {}

  /** Whoever may comment on the label may add evidence to it. */
  async saveSteering(viewer: Viewer, raw: unknown): Promise<Evidence> {
    const { labelId, ...run } = parseInput(steeringEvidenceInput, raw);
    const label = await this.labels.get(viewer, labelId);
    if (!(await this.labels.permissions(viewer, label)).addEvidence) {
      if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      throw new AppError('FORBIDDEN', 'Only members of the label’s team can add evidence to a team label');
    }
    const user = viewer.user!;
    await this.writes.take(user.id);
    const inputs = {
      model: label.modelId,
      sae: label.saeId,
      feature: label.featureIndex,
      ...run,
      positions: run.positions ?? null,
      compareTokens: run.compareTokens ?? null,
    };
    const result = await this.steering.steer(inputs);
    const evidence = await this.create({
      kind: 'steer',
      teamId: label.teamId,
      labelId: label.id,
      inputs,
      result: result as unknown as Prisma.InputJsonValue,
      authorId: user.id,
      // What the team page names and links (as label.proposed records it).
      subject: {
        type: 'label',
        id: label.id,
        data: { name: label.name, modelId: label.modelId, saeId: label.saeId, featureIndex: label.featureIndex },
      },
    });
    // Open feature pages show the label's evidence: they refresh it. teamId (null on a public label) lets
    // featureChanged deliver it only to those who may see the label, as label events.
    this.events.publish(featureTopic(label), {
      kind: 'evidence',
      id: evidence.id,
      labelId: label.id,
      teamId: label.visibility === 'PUBLIC' ? null : label.teamId,
    });
    return evidence;
  }

  /**
   * Whoever may comment on the circuit may add evidence to a version of it, from an ablation of that version that
   * has finished; its input and result are copied from the job.
   */
  async saveAblation(viewer: Viewer, raw: unknown): Promise<Evidence> {
    const input = parseInput(ablationEvidenceInput, raw);
    const { circuit, grant } = await this.circuits.require(viewer, { id: input.circuitId }, Access.COMMENT);
    if (grant.onlyVersion !== null && grant.onlyVersion !== input.version) {
      throw new AppError('NOT_FOUND', `No version ${input.version} of this circuit`);
    }
    const user = viewer.user!;
    const job = isUuid(input.jobId) ? await this.prisma.job.findUnique({ where: { id: input.jobId } }) : null;
    const jobInput = job?.kind === 'ablation' ? ablationInput.safeParse(job.input) : null;
    if (!job || !jobInput?.success) {
      throw new AppError('BAD_USER_INPUT', `jobId: ${input.jobId} is not an ablation job`, { field: 'jobId' });
    }
    if (jobInput.data.circuitId !== circuit.id || jobInput.data.version !== input.version) {
      throw new AppError(
        'BAD_USER_INPUT',
        `jobId: the job ablated version ${jobInput.data.version} of another circuit or version, not version ${input.version} of this one`,
        { field: 'jobId' },
      );
    }
    if (job.status !== 'SUCCEEDED' || job.result === null) {
      throw new AppError('BAD_USER_INPUT', `jobId: the job has not finished (${job.status.toLowerCase()})`, {
        field: 'jobId',
      });
    }
    await this.writes.take(user.id);
    const evidence = await this.create({
      kind: 'ablate',
      teamId: circuit.teamId,
      circuitId: circuit.id,
      version: input.version,
      inputs: jobInput.data,
      result: job.result as Prisma.InputJsonValue,
      authorId: user.id,
      subject: { type: 'circuit', id: circuit.id, data: { title: circuit.title, slug: circuit.slug } },
    });
    // Open review panels of the version refresh its evidence (circuitChanged checks who may see it).
    this.events.publish(circuitTopic(circuit.id), { kind: 'evidence', id: evidence.id, version: input.version });
    return evidence;
  }

  /** A label's evidence, oldest first, for whoever may see the label. */
  async forLabel(viewer: Viewer, labelId: string): Promise<Evidence[]> {
    const label = await this.labels.get(viewer, labelId);
    return this.prisma.evidence.findMany({
      where: { labelId: label.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** A circuit's evidence (of one version, or all), oldest first, for whoever may view it; a version link sees its own. */
  async forCircuit(viewer: Viewer, circuitId: string, version: number | null): Promise<Evidence[]> {
    const { grant } = await this.circuits.require(viewer, { id: circuitId }, Access.VIEW);
    const shown = grant.onlyVersion ?? version;
    return this.prisma.evidence.findMany({
      where: { circuitId, ...(shown === null ? {} : { version: shown }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  private create(row: {
    kind: 'steer' | 'ablate';
    teamId: string;
    labelId?: string;
    circuitId?: string;
    version?: number;
    inputs: Prisma.InputJsonValue;
    result: Prisma.InputJsonValue;
    authorId: string;
    subject: { type: 'label' | 'circuit'; id: string; data: Record<string, string | number> };
  }): Promise<Evidence> {
    const { subject, ...data } = row;
    return this.prisma.$transaction(async (tx) => {
      const evidence = await tx.evidence.create({ data });
      await logActivity(tx, {
        teamId: row.teamId,
        actorId: row.authorId,
        action: 'evidence.added',
        subjectType: subject.type,
        subjectId: subject.id,
        data: {
          ...subject.data,
          evidenceId: evidence.id,
          kind: row.kind,
          ...(row.version ? { version: row.version } : {}),
        },
      });
      return evidence;
    });
  }
}
