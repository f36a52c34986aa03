import type { Job, PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../services/errors.js';
import { roleOf, type Viewer } from '../services/viewer.js';
import type { JobRunner } from './runner.js';

/** Who may see and cancel jobs: their creator and members of their team. */
export class JobService {
  constructor(
    private readonly prisma: PrismaClient,
    readonly runner: JobRunner,
  ) {}

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

  async cancel(viewer: Viewer, id: string): Promise<Job> {
    const job = await this.get(viewer, id);
    await this.runner.cancel(job.id);
    return this.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
  }

  async startSelftest(viewer: Viewer, input: { steps?: number; stepMs?: number; failAt?: number }): Promise<Job> {
    if (!viewer.user) throw new AppError('UNAUTHENTICATED', 'Sign in first');
    return this.runner.enqueue('selftest', input, { createdById: viewer.user.id });
  }
}
