import { circuitLayout, computeCircuitWith, type SvaPair, tokenizePairs } from '@workbench/analysis';
import { saeSources } from '../jobs/circuits.js';
import { BUNDLED_MODEL_ID } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import { AppError } from './errors.js';
import { mayReadLearnCircuit } from './policy.js';
import type { Viewer } from './viewer.js';

/** The seed article's GPT-2 example, word for word: the demo model's vocabulary has all four as single tokens. */
export const LEARN_PAIR: SvaPair = {
  clean_prefix: 'The cat',
  patch_prefix: 'The cats',
  clean_answer: ' runs',
  patch_answer: ' run',
  case: 'learn',
};

/** What the circuit job computes by default (the /circuits/new form's defaults), so the walkthrough shows the same. */
const LEARN_OPTIONS = {
  method: 'ig',
  steps: 10,
  nodeThreshold: 0.1,
  edgeThreshold: 0.01,
  aggregation: 'position',
} as const;

export interface LearnCircuit {
  model: string;
  cleanPrefix: string;
  patchPrefix: string;
  cleanAnswer: string;
  patchAnswer: string;
  /** The circuit file (workbench.circuit), with the app's SAE ids so features link to their pages. */
  graph: unknown;
}

/**
 * The walkthrough's demo circuit (/learn): the seed pair's circuit on the bundled demo model, computed on first
 * request (under a second on the demo) and kept for the process's life: the pair and the model are fixed, so every
 * visitor gets the same circuit and no caller's input reaches the engine.
 */
export class LearnService {
  private circuit: Promise<LearnCircuit> | null = null;

  constructor(private readonly models: ModelService) {}

  demoCircuit(viewer: Viewer): Promise<LearnCircuit> {
    if (!mayReadLearnCircuit(viewer)) throw new AppError('FORBIDDEN', 'The walkthrough circuit is not available');
    if (!this.circuit) {
      this.circuit = this.compute();
      // A failure (a model that cannot spell the pair, say) is not kept: the next request tries again.
      this.circuit.catch(() => {
        this.circuit = null;
      });
    }
    return this.circuit;
  }

  /**
   * The bundled model's SAEs, checked to form a circuit layout first: a deployment whose bundled model lacks them
   * cannot serve the walkthrough, and says so (NOT_FOUND) instead of failing inside the engine.
   */
  private async circuitSaes(modelId: string, nLayers: number) {
    try {
      circuitLayout(
        this.models.saesOf(modelId).map((s) => s.hook),
        nLayers,
      );
    } catch (caught) {
      throw new AppError(
        'NOT_FOUND',
        `The model "${modelId}" cannot serve the walkthrough: ${(caught as Error).message}`,
      );
    }
    return saeSources(this.models, modelId, undefined);
  }

  private async compute(): Promise<LearnCircuit> {
    const entry = this.models.model(BUNDLED_MODEL_ID);
    const { model, tokenizer } = await this.models.load(entry.id);
    const saes = await this.circuitSaes(entry.id, model.config.nLayers);
    const bos = saes[0]!.config.prependBos ? model.config.bosTokenId : undefined;
    let tokenized: ReturnType<typeof tokenizePairs>;
    try {
      tokenized = tokenizePairs(tokenizer, [LEARN_PAIR], bos);
    } catch (caught) {
      throw new AppError('NOT_FOUND', `The model "${entry.id}" cannot run the walkthrough's pair: ${String(caught)}`);
    }
    const graph = await computeCircuitWith(model, saes, tokenized, LEARN_OPTIONS, {
      modelName: entry.id,
      datasetName: 'learn: The cat runs / The cats run',
      examples: [LEARN_PAIR],
      promptTokens: tokenizer.tokenTexts(tokenized[0]!.clean),
      patchTokens: tokenizer.tokenTexts(tokenized[0]!.patch),
      saeIds: Object.fromEntries(saes.map((s) => [s.hook, s.id])),
    });
    return {
      model: entry.id,
      cleanPrefix: LEARN_PAIR.clean_prefix,
      patchPrefix: LEARN_PAIR.patch_prefix,
      cleanAnswer: LEARN_PAIR.clean_answer,
      patchAnswer: LEARN_PAIR.patch_answer,
      graph,
    };
  }
}
