import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  estimateCircuitMemory,
  estimateDashboardMemory,
  estimatePromptGraphMemory,
  formatBytes,
  generateCorpus,
  loadPairs,
  type MemoryEstimate,
  MIB,
  type ModelShape,
} from '@workbench/analysis';
import type { CatalogModel, CatalogTranscoder } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import { AppError } from '../services/errors.js';
import type { CircuitJobInput } from './circuits.js';
import type { DashboardInput } from './dashboards.js';

/**
 * JOB_MEMORY_MB's default: three quarters of the machine's memory, shared by the jobs one process runs at once.
 * The rest is for the process itself (API, embedded database), the OS and its page cache; a job estimated above
 * it would swap or be killed by the kernel halfway, after minutes of work.
 */
export function defaultJobMemoryMb(concurrency: number): number {
  return Math.floor((0.75 * totalmem()) / MIB / Math.max(1, concurrency));
}

/** Tokens per context of the dashboards job (as the job cuts its corpus). */
export const dashboardContextTokens = (model: CatalogModel) => Math.min(32, model.config.nCtx);

let demoCorpusBytes: number | undefined;

const shapeOf = (model: CatalogModel): ModelShape => ({
  nLayers: model.config.nLayers,
  dModel: model.config.dModel,
  nHeads: model.config.nHeads,
  nCtx: model.config.nCtx,
  vocabSize: model.config.vocabSize,
  dMlp: 4 * model.config.dModel,
});

/**
 * Estimates a job's peak memory from its input before it loads anything large, and refuses one above the limit
 * (JOB_MEMORY_MB): the API at enqueue time (JOB_TOO_LARGE), and the job itself when it starts (a worker's limit
 * may be lower than the API server's).
 */
export class JobMemoryGuard {
  constructor(
    private readonly models: ModelService,
    private readonly corporaDir: string,
    /** Null: no limit. */
    readonly limitMb: number | null,
  ) {}

  /** The dashboards job: the model, its SAEs, and contexts of the corpus (its file size bounds their number). */
  async dashboards(input: DashboardInput): Promise<MemoryEstimate> {
    const saes = input.saeIds.map((id) => this.models.sae(id));
    const model = this.models.model(saes[0]!.modelId);
    const contextTokens = dashboardContextTokens(model);
    const corpusBytes = await this.corpusBytes(input.corpus);
    // About 2 bytes of text per token at least (English BPE averages ~4): a high count of contexts.
    const contexts = Math.min(
      input.maxContexts ?? Number.POSITIVE_INFINITY,
      Math.ceil(corpusBytes / 2 / contextTokens),
    );
    return estimateDashboardMemory({
      model: shapeOf(model),
      saes: saes.map((sae) => ({ dSae: sae.dSae })),
      contexts,
      contextTokens,
      corpusBytes,
      checkpoints: true,
    });
  }

  /** The circuit job: the SAEs it reads, and its prompt pairs as the model's tokenizer cuts them. */
  async circuit(input: CircuitJobInput): Promise<MemoryEstimate> {
    const model = this.models.model(input.modelId);
    const saes = this.models.saesOf(model.id).filter((s) => !input.saeIds || input.saeIds.includes(s.id));
    const { tokenizer } = await this.models.load(model.id);
    const { pairs } = await loadPairs(
      input.pairs?.map((p) => ({ ...p, case: 'custom' })) ?? input.dataset!,
      input.pairs?.length ?? input.n,
    );
    const bos = saes[0]?.conventions.prependBos ? 1 : 0;
    const tokens = Math.max(
      1,
      ...pairs.map(
        (p) => bos + Math.max(tokenizer.encode(p.clean_prefix).length, tokenizer.encode(p.patch_prefix).length),
      ),
    );
    return estimateCircuitMemory({
      model: shapeOf(model),
      saes: saes.map((s) => ({ dSae: s.dSae })),
      pairs: pairs.length,
      tokens,
      method: input.method,
      steps: input.steps,
      maxNodes: input.maxNodes,
      nodeThreshold: input.nodeThreshold,
      aggregation: input.aggregation,
    });
  }

  /** The graph job: the model, the transcoders (one per layer) and the prompt's tokens. */
  promptGraph(
    modelId: string,
    transcoders: readonly CatalogTranscoder[],
    tokens: number,
    maxFeatureNodes: number,
  ): MemoryEstimate {
    return estimatePromptGraphMemory({
      model: shapeOf(this.models.model(modelId)),
      transcoders: transcoders.map((t) => ({ dSae: t.dSae, k: t.k })),
      tokens,
      maxFeatureNodes,
    });
  }

  /** For the job's progress: "estimated peak memory 2.6 GB of 4.0 GB allowed". */
  describe(estimate: MemoryEstimate): string {
    const allowed = this.limitMb === null ? 'no limit set' : `${formatBytes(this.limitMb * MIB)} allowed`;
    return `estimated peak memory ${formatBytes(estimate.bytes)} of ${allowed}`;
  }

  /** JOB_TOO_LARGE, naming the estimate, the limit and what to reduce, when the estimate exceeds the limit. */
  check(estimate: MemoryEstimate, job: string, reduce: string): void {
    if (this.limitMb === null || estimate.bytes <= this.limitMb * MIB) return;
    const estimateMb = Math.ceil(estimate.bytes / MIB);
    throw new AppError(
      'JOB_TOO_LARGE',
      `This ${job} needs an estimated ${formatBytes(estimate.bytes)} of memory at its peak, more than the ` +
        `${formatBytes(this.limitMb * MIB)} a job may use (JOB_MEMORY_MB=${this.limitMb}); ${reduce}`,
      { estimateMb, limitMb: this.limitMb },
    );
  }

  private async corpusBytes(name: string): Promise<number> {
    if (name === 'demo') {
      demoCorpusBytes ??= Buffer.byteLength(generateCorpus({ seed: 0, documents: 2000 }));
      return demoCorpusBytes;
    }
    const path = resolve(this.corporaDir, name);
    const rel = relative(this.corporaDir, path);
    if (rel.startsWith('..') || isAbsolute(rel)) return 0; // refused by the job with its own message
    return stat(path).then(
      (s) => s.size,
      () => 0,
    );
  }
}

/** What to reduce, per kind of job, in JOB_TOO_LARGE messages. */
export const REDUCE_DASHBOARDS = 'use a smaller corpus or maxContexts, or fewer SAEs or ones with fewer features';
export const REDUCE_CIRCUIT = 'use fewer SAEs (saeIds), fewer pairs (n), fewer steps, or a maxNodes';
export const REDUCE_GRAPH = 'use a shorter prompt or a lower maxFeatureNodes';
