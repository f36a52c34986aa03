import { CircuitEvaluator } from '@workbench/analysis';
import { z } from 'zod';
import type { ModelService } from '../models/service.js';
import type { CircuitService } from '../services/circuits.js';
import { circuitEvaluationSetup } from './circuits.js';
import type { JobHandler } from './runner.js';

export const ablationInput = z.object({
  circuitId: z.uuid('must be a circuit id'),
  version: z.number().int().min(1),
  nodeIds: z.array(z.string().min(1)).min(1, 'select at least one node').max(100_000),
  mode: z.enum(['mean', 'zero', 'patch']),
});

/**
 * Ablates or patches a node set of a stored circuit on the prompt pairs it was computed from, everything else kept,
 * with the circuit evaluation's own spliced model: the metric per pair before and after, and their means.
 */
export function ablationJob(deps: { models: ModelService; circuits: CircuitService }): JobHandler {
  return async (raw, context) => {
    const input = ablationInput.parse(raw);
    await context.progress('loading the model and SAEs', 2);
    const { model, saes, pairs, tokenized, options } = await circuitEvaluationSetup(
      deps,
      input.circuitId,
      input.version,
    );
    await context.progress('computing the per-position means over the patch prompts', 20);
    // Patching sets each pair's own values, so pairs run one at a time.
    const evaluator = await CircuitEvaluator.create(
      model,
      saes,
      tokenized,
      { ...options, ...(input.mode === 'patch' ? { batch: 1 } : {}) },
      { signal: context.signal },
    );
    try {
      await context.progress(`running ${pairs.length} pairs`, 50);
      const result = await evaluator.ablate(input.nodeIds, input.mode, context.signal);
      return {
        ...result,
        pairs: pairs.map((p, i) => ({
          clean: `${p.clean_prefix}`,
          patch: `${p.patch_prefix}`,
          cleanAnswer: p.clean_answer,
          patchAnswer: p.patch_answer,
          before: result.before[i]!,
          after: result.after[i]!,
        })),
      };
    } finally {
      await evaluator.release();
    }
  };
}
