import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HookedGPT2, loadHookedGPT2, parseHookName, type TextTokenizer } from '@workbench/analysis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../services/errors.js';
import type { Catalog, CatalogModel, CatalogSae, CatalogTranscoder } from './catalog.js';

export interface Activations {
  tokenIds: number[];
  /** Each token's text, e.g. " keys". */
  tokens: string[];
  /** [tokens, width] */
  shape: number[];
  data: Float32Array;
  prependBos: boolean;
  centerResidual: boolean;
}

interface Loaded {
  model: HookedGPT2;
  tokenizer: TextTokenizer;
}

/**
 * The models the app offers and runs. Models load on first use (weights packed into the engine cache once) and
 * the most recently used few stay in memory.
 */
export class ModelService {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly vocabularies = new Map<string, Promise<string[] | null>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly engineCacheDir: string,
    readonly maxTokens = Number(process.env.MAX_ACTIVATION_TOKENS ?? 256),
    private readonly maxLoaded = 2,
    /** Longest text tokenize and activations take, checked before any tokenizing (BPE work grows with it). */
    readonly maxTextChars = Number(process.env.MAX_TEXT_CHARS ?? 10_000),
  ) {}

  /** BAD_USER_INPUT naming the limit when a text is longer than maxTextChars. */
  checkText(text: string): void {
    if (text.length > this.maxTextChars) {
      throw new AppError(
        'BAD_USER_INPUT',
        `text: ${text.length} characters, more than the limit of ${this.maxTextChars}`,
        { field: 'text', characters: text.length, limit: this.maxTextChars },
      );
    }
  }

  /** Writes the catalog to the database registry (what lists and feature keys refer to). */
  async syncRegistry(prisma: PrismaClient): Promise<void> {
    await prisma.$transaction(async (tx) => {
      for (const m of this.catalog.models) {
        const data = { source: m.source, path: m.path, config: { ...m.config }, fileHash: m.fileHash };
        await tx.registeredModel.upsert({ where: { id: m.id }, create: { id: m.id, ...data }, update: data });
      }
      for (const s of this.catalog.saes) {
        const data = {
          modelId: s.modelId,
          hook: s.hook,
          dIn: s.dIn,
          dSae: s.dSae,
          architecture: s.architecture,
          conventions: s.conventions,
          path: s.path,
          fileHash: s.fileHash,
        };
        await tx.registeredSae.upsert({ where: { id: s.id }, create: { id: s.id, ...data }, update: data });
      }
    });
  }

  models(): CatalogModel[] {
    return this.catalog.models;
  }

  saesOf(modelId: string): CatalogSae[] {
    return this.catalog.saes.filter((s) => s.modelId === modelId);
  }

  transcodersOf(modelId: string): CatalogTranscoder[] {
    return this.catalog.transcoders.filter((t) => t.modelId === modelId);
  }

  model(id: string): CatalogModel {
    const model = this.catalog.models.find((m) => m.id === id);
    if (!model) {
      const known = this.catalog.models.map((m) => m.id).join(', ') || 'none';
      throw new AppError('NOT_FOUND', `No model "${id}" (available: ${known})`, { field: 'model' });
    }
    return model;
  }

  sae(id: string): CatalogSae {
    const sae = this.catalog.saes.find((s) => s.id === id);
    if (!sae) throw new AppError('NOT_FOUND', `No SAE "${id}"`, { field: 'sae' });
    return sae;
  }

  /**
   * A word-level vocabulary's words as typed (GPT-2's byte-level "Ġgirls" is " girls"), special tokens left out;
   * null for subword tokenizers, which spell any text. Word-level: a WordLevel model, or BPE without merges (the
   * demo model's). Read from tokenizer.json alone, so asking never loads the weights.
   */
  vocabulary(id: string): Promise<string[] | null> {
    const entry = this.model(id);
    let words = this.vocabularies.get(id);
    if (!words) {
      words = readWordVocabulary(entry.path);
      this.vocabularies.set(id, words);
    }
    return words;
  }

  /** The model and its tokenizer, loading on first use. */
  load(id: string): Promise<Loaded> {
    const entry = this.model(id);
    let loading = this.loaded.get(id);
    if (loading) {
      this.loaded.delete(id); // most recently used last
    } else {
      // Weights held once however many graphs the model's runs compile (explorer, steering, circuits per hook): a
      // GPT-2-small circuit job otherwise holds a pre-packed copy per graph (~0.6 GB each), for ~1.2x faster runs.
      const options = { cacheDir: this.engineCacheDir, weightSharing: 'shared' as const };
      loading = loadHookedGPT2(entry.path, options).then(({ model, tokenizer }) => {
        if (!tokenizer) throw new AppError('NOT_FOUND', `Model "${id}" has no tokenizer in ${entry.path}`);
        return { model, tokenizer };
      });
      loading.catch(() => this.loaded.delete(id));
    }
    this.loaded.set(id, loading);
    while (this.loaded.size > this.maxLoaded) {
      const [oldest, evicted] = this.loaded.entries().next().value as [string, Promise<Loaded>];
      this.loaded.delete(oldest);
      evicted.then((l) => l.model.dispose()).catch(() => {});
    }
    return loading;
  }

  async tokenize(modelId: string, text: string): Promise<{ ids: number[]; tokens: string[] }> {
    this.checkText(text);
    const { tokenizer } = await this.load(modelId);
    const ids = tokenizer.encode(text);
    return { ids, tokens: tokenizer.tokenTexts(ids) };
  }

  /** Activations at one hook for one text: one row per token, ready for an SAE of that hook. */
  async activations(
    modelId: string,
    hook: string,
    text: string,
    options: { saeId?: string | null; prependBos?: boolean | null } = {},
  ): Promise<Activations> {
    const entry = this.model(modelId);
    let parsed: ReturnType<typeof parseHookName>;
    try {
      parsed = parseHookName(hook);
    } catch (error) {
      throw new AppError('BAD_USER_INPUT', `hook: ${(error as Error).message}`, { field: 'hook' });
    }
    if (parsed.layer !== null && parsed.layer >= entry.config.nLayers) {
      throw new AppError('BAD_USER_INPUT', `hook: ${hook} is beyond the ${entry.config.nLayers} blocks of ${modelId}`, {
        field: 'hook',
      });
    }
    if (hook.endsWith('attn.hook_pattern')) {
      throw new AppError('BAD_USER_INPUT', 'hook: attention patterns are not per-token activations', { field: 'hook' });
    }
    this.checkText(text);
    if (!text.trim()) throw new AppError('BAD_USER_INPUT', 'text: must not be empty', { field: 'text' });
    const sae = options.saeId ? this.sae(options.saeId) : null;
    if (sae && (sae.modelId !== modelId || sae.hook !== hook)) {
      throw new AppError(
        'BAD_USER_INPUT',
        `sae: ${sae.id} reads ${sae.modelId} at ${sae.hook}, not ${modelId} at ${hook}`,
        {
          field: 'sae',
        },
      );
    }
    const prependBos = options.prependBos ?? sae?.conventions.prependBos ?? true;
    const centerResidual = sae?.conventions.centerResidual ?? false;
    const { model, tokenizer } = await this.load(modelId);
    const ids = tokenizer.encode(text, prependBos ? { bos: model.config.bosTokenId } : {});
    const limit = Math.min(this.maxTokens, entry.config.nCtx);
    if (ids.length > limit) {
      throw new AppError('BAD_USER_INPUT', `text: ${ids.length} tokens, more than the limit of ${limit}`, {
        field: 'text',
        tokens: ids.length,
        limit,
      });
    }
    const out = await model.run([ids], { hooks: [hook], logits: false, centerResid: centerResidual });
    const tensor = out.hooks.get(hook);
    if (!tensor) throw new Error(`the engine returned no ${hook}`);
    const width = tensor.shape.at(-1)!;
    const padded = tensor.shape[1]!;
    // The engine pads sequences to a bucket; keep the real tokens' rows only.
    const data = padded === ids.length ? tensor.data : tensor.data.slice(0, ids.length * width);
    return {
      tokenIds: ids,
      tokens: tokenizer.tokenTexts(ids),
      shape: [ids.length, width],
      data,
      prependBos,
      centerResidual,
    };
  }

  async dispose(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((l) => l.then((x) => x.model.dispose()).catch(() => {})));
  }
}

/** Byte-level BPE's stand-ins for a space and a newline. */
const BYTE_LEVEL_TEXT: Record<string, string> = { Ġ: ' ', Ċ: '\n' };

async function readWordVocabulary(dir: string): Promise<string[] | null> {
  let json: { model?: { type?: string; vocab?: unknown; merges?: unknown[] }; added_tokens?: { content: string }[] };
  try {
    json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
  } catch {
    return null; // vocab.json + merges.txt: GPT-2's subword BPE
  }
  const model = json.model ?? {};
  const wordLevel = model.type === 'WordLevel' || (model.type === 'BPE' && !model.merges?.length);
  if (!wordLevel || !model.vocab || typeof model.vocab !== 'object') return null;
  const special = new Set((json.added_tokens ?? []).map((t) => t.content));
  const words = Object.keys(model.vocab)
    .filter((token) => !special.has(token))
    .map((token) => [...token].map((c) => BYTE_LEVEL_TEXT[c] ?? c).join(''));
  return words.sort((a, b) => a.trimStart().localeCompare(b.trimStart()) || a.localeCompare(b));
}
