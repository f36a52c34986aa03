import { z } from 'zod';
import type { JobHandler } from './runner.js';

const input = z.object({
  steps: z.number().int().min(1).max(1000).default(5),
  stepMs: z.number().int().min(0).max(10_000).default(50),
  /** Throws at this step, to see a failure end-to-end. */
  failAt: z.number().int().optional(),
});

/**
 * The job pipeline's health check (an operator's `selftest`, and what the job tests drive): counts steps with
 * progress and a checkpoint after each, so a resumed run continues from the last saved step.
 */
export const selftestJob: JobHandler = async (raw, context) => {
  const { steps, stepMs, failAt } = input.parse(raw);
  const from = (context.checkpoint as { done?: number } | null)?.done ?? 0;
  const visited: number[] = [];
  for (let step = from + 1; step <= steps; step++) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    if (step === failAt) throw new Error(`selftest failed at step ${step} as asked`);
    visited.push(step);
    await context.saveCheckpoint({ done: step });
    await context.progress(`step ${step} of ${steps}`, (100 * step) / steps);
  }
  return { resumedFrom: from, visited, attempts: context.job.attempts };
};
