import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { HubError } from './errors.js';
import { detectFolderKind, inspectModelFolder, inspectSaeFolder } from './inspect.js';
import { entryPathFor, findModel, readRegistry, upsertEntries } from './registry.js';
import type { ModelEntry, SaeEntry } from './schemas.js';

export interface AddOptions {
  cacheDir: string;
  /** Registry id; default: the folder's name (a model) or `{parent}/{folder}` (an SAE). */
  id?: string;
  /** For an SAE: the registered model to check d_in against (default: the one cfg.model_name names, if any). */
  model?: string;
  /** Force the kind instead of telling it from config.json / cfg.json. */
  kind?: 'model' | 'sae';
}

export type AddResult = { entry: ModelEntry; warnings: string[] } | { entry: SaeEntry; warnings: string[] };

// The names SAELens and TransformerLens use for the HF checkpoints, so SAE configs find a local copy too.
const MODEL_NAME_ALIASES: Record<string, string[]> = {
  gpt2: ['gpt2', 'gpt2-small', 'openai-community/gpt2'],
  'openai-community/gpt2': ['gpt2', 'gpt2-small', 'openai-community/gpt2'],
};

/**
 * Registers a folder already on disk (no network): a Hugging Face GPT-2-family checkpoint or a SAELens SAE, after
 * checking its config and tensor shapes from the safetensors header. The files stay where they are.
 */
export async function addLocalFolder(path: string, options: AddOptions): Promise<AddResult> {
  const folder = resolve(path);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new HubError(`${folder}: not a folder`);
  const kind = options.kind ?? (await detectFolderKind(folder));
  const registry = await readRegistry(options.cacheDir);
  const warnings: string[] = [];
  const common = {
    repo: null,
    revision: null,
    path: entryPathFor(options.cacheDir, folder),
    source: 'local' as const,
    addedAt: new Date().toISOString(),
  };
  if (kind === 'model') {
    const inspected = await inspectModelFolder(folder);
    const id = options.id ?? basename(folder);
    const aliases = new Set([id]);
    if (inspected.nameOrPath) {
      aliases.add(inspected.nameOrPath);
      for (const alias of MODEL_NAME_ALIASES[inspected.nameOrPath] ?? []) aliases.add(alias);
    }
    const entry: ModelEntry = {
      id,
      kind: 'model',
      ...common,
      files: inspected.files,
      architecture: inspected.architecture,
      aliases: [...aliases],
      config: inspected.config,
      tokenizer: inspected.tokenizer,
    };
    await upsertEntries(options.cacheDir, [entry]);
    return { entry, warnings };
  }
  if (options.model && !findModel(registry, options.model)) {
    const models = registry.entries.filter((e) => e.kind === 'model').map((e) => e.id);
    throw new HubError(
      `--model ${options.model}: no such registered model (${models.length ? `registered: ${models.join(', ')}` : 'none registered yet'})`,
    );
  }
  const { model, ...inspected } = await inspectSaeFolder(folder, {
    model: (modelName) => findModel(registry, options.model ?? modelName ?? ''),
  });
  if (!model) {
    warnings.push(
      `d_in was not checked against a model: cfg.json's model_name ${JSON.stringify(inspected.modelName)} matches no registered model (pass --model <id>)`,
    );
  }
  const entry: SaeEntry = {
    id: options.id ?? `${basename(dirname(folder))}/${basename(folder)}`,
    kind: 'sae',
    ...common,
    release: null,
    model: model?.id ?? null,
    ...inspected,
  };
  await upsertEntries(options.cacheDir, [entry]);
  return { entry, warnings };
}
