import { loadSae, type SteeringRun, steer } from '@workbench/analysis';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CatalogSae } from '../models/catalog.js';
import type { ModelService } from '../models/service.js';
import { AppError, parseInput } from './errors.js';

/** Largest |strength|, in multiples of the feature's max activation. */
export const MAX_STEERING_STRENGTH = 100;
export const MAX_CONTINUATION = 20;
/** Next tokens listed per run. */
const TOP_TOKENS = 10;

export const steerInput = z.object({
  model: z.string().min(1, 'must name a model'),
  sae: z.string().min(1, 'must name an SAE'),
  feature: z.number().int().min(0, 'must be a feature index (0 or more)'),
  text: z.string().refine((t) => t.trim().length > 0, 'must not be empty'),
  strength: z
    .number()
    .min(-MAX_STEERING_STRENGTH, `must be between -${MAX_STEERING_STRENGTH} and ${MAX_STEERING_STRENGTH}`)
    .max(MAX_STEERING_STRENGTH, `must be between -${MAX_STEERING_STRENGTH} and ${MAX_STEERING_STRENGTH}`),
  /** Token indices (of the text as tokenized, BOS included when the SAE prepends it); none: every position. */
  positions: z.array(z.number().int().min(0, 'token indices start at 0')).min(1, 'give at least one').nullish(),
  compareTokens: z.array(z.string().min(1)).length(2, 'give two tokens, e.g. [" are", " is"]').nullish(),
  continuation: z
    .number()
    .int()
    .min(0)
    .max(MAX_CONTINUATION, `at most ${MAX_CONTINUATION} tokens`)
    .nullish()
    .transform((n) => n ?? 10),
  /** Also run the steered text with attention patterns held at the unsteered model's (`frozen`). */
  freezeAttention: z
    .boolean()
    .nullish()
    .transform((b) => b ?? false),
});

export interface SteeringRunView {
  topTokens: { tokenId: number; token: string; probability: number; logit: number }[];
  logitDiff: number | null;
  continuation: string[];
  continuationText: string;
}

export interface SteeringView {
  tokens: string[];
  positions: number[] | null;
  hook: string;
  /** The strength's unit: the feature's max activation from its dashboard, or 1 without one. */
  scale: number;
  scaleSource: 'DASHBOARD' | 'UNIT';
  /** Norm of the vector added at each steered position. */
  addedNorm: number;
  compareTokens: string[] | null;
  unsteered: SteeringRunView;
  steered: SteeringRunView;
  /** Steered with attention patterns frozen at their unsteered values (with freezeAttention). */
  frozen: SteeringRunView | null;
}

/**
 * Steering a feature: the text runs with the feature's decoder direction x strength x its max activation added at
 * the SAE's hook (at the chosen positions, or at every position, generated ones too), beside the same text unsteered.
 */
export class SteeringService {
  /** Decoders of the most recently steered SAEs (d_sae x d_in each). */
  private readonly decoders = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelService,
    private readonly maxDecoders = 2,
  ) {}

  async steer(raw: unknown): Promise<SteeringView> {
    const input = parseInput(steerInput, raw);
    this.models.checkText(input.text);
    const entry = this.models.model(input.model);
    const sae = this.models.sae(input.sae);
    if (sae.modelId !== entry.id) {
      throw new AppError('BAD_USER_INPUT', `sae: ${sae.id} belongs to model ${sae.modelId}, not ${entry.id}`, {
        field: 'sae',
      });
    }
    if (input.feature >= sae.dSae) {
      throw new AppError(
        'BAD_USER_INPUT',
        `feature: ${input.feature} is beyond the ${sae.dSae} features of ${sae.id}`,
        {
          field: 'feature',
        },
      );
    }
    const { model, tokenizer } = await this.models.load(entry.id);
    const ids = tokenizer.encode(input.text, sae.conventions.prependBos ? { bos: model.config.bosTokenId } : {});
    const limit = Math.min(this.models.maxTokens, model.config.nCtx);
    if (ids.length > limit) {
      throw new AppError('BAD_USER_INPUT', `text: ${ids.length} tokens, more than the limit of ${limit}`, {
        field: 'text',
        tokens: ids.length,
        limit,
      });
    }
    const positions = input.positions ? [...new Set(input.positions)].sort((a, b) => a - b) : null;
    const outside = positions?.find((p) => p >= ids.length);
    if (outside !== undefined) {
      throw new AppError(
        'BAD_USER_INPUT',
        `positions: ${outside} is outside the text's ${ids.length} tokens (0 to ${ids.length - 1})`,
        { field: 'positions' },
      );
    }
    const compare = input.compareTokens?.map((text) => {
      const encoded = tokenizer.encode(text);
      if (encoded.length !== 1) {
        throw new AppError(
          'BAD_USER_INPUT',
          `compareTokens: "${text}" is ${encoded.length} tokens for ${entry.id}, not one`,
          { field: 'compareTokens' },
        );
      }
      return encoded[0]!;
    }) as [number, number] | undefined;

    const dashboard = await this.prisma.featureDashboard.findUnique({
      where: { saeId_featureIndex: { saeId: sae.id, featureIndex: input.feature } },
      select: { maxActivation: true },
    });
    const scale = dashboard && dashboard.maxActivation > 0 ? dashboard.maxActivation : 1;
    const decoder = await this.decoder(sae);
    const vector = new Float32Array(sae.dIn);
    let norm = 0;
    for (let i = 0; i < sae.dIn; i++) {
      vector[i] = decoder[input.feature * sae.dIn + i]! * input.strength * scale;
      norm += vector[i]! ** 2;
    }
    const result = await steer(model, ids, {
      hook: sae.hook,
      vector,
      positions,
      // Text and continuation share the context.
      continuation: Math.min(input.continuation, model.config.nCtx - ids.length),
      topK: TOP_TOKENS,
      compare,
      stopToken: model.config.bosTokenId,
      centerResid: sae.conventions.centerResidual,
      freezeAttention: input.freezeAttention,
    });
    const view = (run: SteeringRun): SteeringRunView => {
      const texts = tokenizer.tokenTexts(run.top.map((t) => t.id));
      return {
        topTokens: run.top.map((t, i) => ({
          tokenId: t.id,
          token: texts[i]!,
          probability: t.probability,
          logit: t.logit,
        })),
        logitDiff: run.logitDiff,
        continuation: tokenizer.tokenTexts(run.continuation),
        continuationText: run.continuation.length ? tokenizer.decode(run.continuation) : '',
      };
    };
    return {
      tokens: tokenizer.tokenTexts(ids),
      positions,
      hook: sae.hook,
      scale,
      scaleSource: dashboard && dashboard.maxActivation > 0 ? 'DASHBOARD' : 'UNIT',
      addedNorm: Math.sqrt(norm),
      compareTokens: input.compareTokens ?? null,
      unsteered: view(result.unsteered),
      steered: view(result.steered),
      frozen: result.frozen ? view(result.frozen) : null,
    };
  }

  /** W_dec as SAELens decodes (per-feature scales folded in), kept for the last few SAEs. */
  private decoder(sae: CatalogSae): Promise<Float32Array> {
    let pending = this.decoders.get(sae.id);
    if (pending) this.decoders.delete(sae.id);
    else {
      pending = loadSae(sae.path).then((s) => s.weights.W_dec);
      pending.catch(() => this.decoders.delete(sae.id));
    }
    this.decoders.set(sae.id, pending);
    while (this.decoders.size > this.maxDecoders) this.decoders.delete(this.decoders.keys().next().value!);
    return pending;
  }
}
