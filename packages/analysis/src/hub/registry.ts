import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseGPT2Config } from '../model/config.js';
import { HubError } from './errors.js';
import { type ModelEntry, type Registry, type RegistryEntry, registrySchema, type SaeEntry } from './schemas.js';

export const REGISTRY_FILE = 'registry.json';

/** The model cache: --cache-dir, else WORKBENCH_MODELS_DIR, else `.data/models` under the working directory. */
export function resolveCacheDir(cacheDir?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, cacheDir || env.WORKBENCH_MODELS_DIR || join('.data', 'models'));
}

export function registryPath(cacheDir: string): string {
  return join(cacheDir, REGISTRY_FILE);
}

export async function readRegistry(cacheDir: string): Promise<Registry> {
  const path = registryPath(cacheDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: [] };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HubError(`${path} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
  const parsed = registrySchema.safeParse(await upgradeModelConfigs(cacheDir, json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HubError(`${path} is not a model registry: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Registries written before models stored the engine's GPT2Config kept a summary ({nLayer, nEmbd, ...}) without
 * lnEps or bosTokenId: such an entry's config is read again from its folder's config.json by the engine's parser.
 */
async function upgradeModelConfigs(cacheDir: string, json: unknown): Promise<unknown> {
  const entries = (json as { entries?: unknown })?.entries;
  if (!Array.isArray(entries)) return json;
  for (const entry of entries as { kind?: unknown; path?: unknown; config?: unknown }[]) {
    const legacy = entry?.kind === 'model' && (entry.config as { nLayer?: unknown })?.nLayer !== undefined;
    if (!legacy || typeof entry.path !== 'string') continue;
    const configPath = join(resolve(cacheDir, entry.path), 'config.json');
    const text = await readFile(configPath, 'utf8').catch(() => null);
    if (text === null) throw new HubError(`${configPath} is missing: add the model again (models add)`);
    try {
      entry.config = parseGPT2Config(JSON.parse(text));
    } catch (error) {
      throw new HubError(`${configPath}: ${(error as Error).message}`);
    }
  }
  return json;
}

async function writeRegistry(cacheDir: string, registry: Registry): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const path = registryPath(cacheDir);
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const sorted: Registry = { version: 1, entries: [...registry.entries].sort((a, b) => a.id.localeCompare(b.id)) };
  await writeFile(temp, `${JSON.stringify(sorted, null, 2)}\n`);
  await rename(temp, path); // atomic: a reader sees the old or the new registry, never half of one
}

/** Stores an entry's folder relative to the cache when it lies inside it, so the cache can be moved. */
export function entryPathFor(cacheDir: string, folder: string): string {
  const rel = relative(cacheDir, folder);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : resolve(folder);
}

/** Adds or replaces entries (by id). */
export async function upsertEntries(cacheDir: string, entries: RegistryEntry[]): Promise<void> {
  const registry = await readRegistry(cacheDir);
  const ids = new Set(entries.map((e) => e.id));
  registry.entries = [...registry.entries.filter((e) => !ids.has(e.id)), ...entries];
  await writeRegistry(cacheDir, registry);
}

/** An entry with its folder resolved to an absolute path. */
export type ResolvedEntry<T extends RegistryEntry = RegistryEntry> = T & { absolutePath: string };

function withAbsolute<T extends RegistryEntry>(cacheDir: string, entry: T): ResolvedEntry<T> {
  return { ...entry, absolutePath: resolve(cacheDir, entry.path) };
}

export interface RegisteredModels {
  cacheDir: string;
  models: ResolvedEntry<ModelEntry>[];
  saes: ResolvedEntry<SaeEntry>[];
}

/**
 * What the app can offer: every registered model and SAE, with absolute folders. `cacheDir` defaults as for the
 * CLI (WORKBENCH_MODELS_DIR, else `.data/models` under the working directory). An absent registry lists nothing.
 */
export async function listRegisteredModels(
  cacheDir?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegisteredModels> {
  const dir = resolveCacheDir(cacheDir, env);
  const registry = await readRegistry(dir);
  const models: ResolvedEntry<ModelEntry>[] = [];
  const saes: ResolvedEntry<SaeEntry>[] = [];
  for (const entry of registry.entries) {
    if (entry.kind === 'model') models.push(withAbsolute(dir, entry));
    else saes.push(withAbsolute(dir, entry));
  }
  return { cacheDir: dir, models, saes };
}

/** Finds the registered model an SAE config's model_name (or a --model id) refers to. */
export function findModel(registry: Registry, name: string): ModelEntry | undefined {
  const models = registry.entries.filter((e): e is ModelEntry => e.kind === 'model');
  return models.find((m) => m.id === name) ?? models.find((m) => m.aliases.includes(name));
}

/**
 * Removes an entry by id, or every entry under a release prefix (`gpt2-small-res-jb` removes
 * `gpt2-small-res-jb/...`). Files the cache downloaded are deleted; folders added offline are left alone.
 */
export async function removeEntries(cacheDir: string, id: string): Promise<RegistryEntry[]> {
  const registry = await readRegistry(cacheDir);
  const removed = registry.entries.filter((e) => e.id === id || e.id.startsWith(`${id}/`));
  if (removed.length === 0) {
    const known = registry.entries.map((e) => e.id);
    throw new HubError(
      `no registered model or SAE "${id}" in ${registryPath(cacheDir)}${known.length ? ` (registered: ${known.join(', ')})` : ' (the registry is empty)'}`,
    );
  }
  registry.entries = registry.entries.filter((e) => !removed.includes(e));
  await writeRegistry(cacheDir, registry);
  for (const entry of removed) {
    if (entry.source !== 'hub') continue;
    const folder = resolve(cacheDir, entry.path);
    if (!folder.startsWith(resolve(cacheDir) + sep)) continue; // never delete outside the cache
    for (const file of entry.files) {
      const path = resolve(folder, file.path);
      if (!path.startsWith(folder + sep)) continue; // a hand-edited registry must not delete elsewhere
      await rm(path, { force: true });
      await rm(`${path}.part`, { force: true });
    }
    await rmdir(folder).catch(() => {}); // only when empty: other entries may share a parent
  }
  return removed;
}
