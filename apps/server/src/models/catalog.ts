import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  inspectModelFolder,
  inspectSaeFolder,
  listRegisteredModels,
  type RegistryModelEntry,
  type RegistrySaeConventions,
  type RegistrySaeEntry,
} from '@workbench/analysis';

export interface CatalogModel {
  id: string;
  source: 'bundled' | 'hub' | 'local';
  /** Absolute folder in Hugging Face layout. */
  path: string;
  config: RegistryModelEntry['config'];
  fileHash: string;
}

export interface CatalogSae {
  id: string;
  modelId: string;
  path: string;
  hook: string;
  dIn: number;
  dSae: number;
  architecture: string;
  k: number | null;
  conventions: RegistrySaeConventions;
  fileHash: string;
}

/** A transcoder: reads `hookIn` (e.g. blocks.3.ln2.hook_normalized) and predicts `hookOut` (blocks.3.hook_mlp_out). */
export interface CatalogTranscoder {
  id: string;
  modelId: string;
  path: string;
  hookIn: string;
  hookOut: string;
  dIn: number;
  dOut: number;
  dSae: number;
  architecture: string;
  k: number | null;
  skip: boolean;
  fileHash: string;
}

export interface Catalog {
  models: CatalogModel[];
  /** SAEs only: a transcoder reads one hook and writes another, so it cannot stand in for an SAE. */
  saes: CatalogSae[];
  transcoders: CatalogTranscoder[];
}

export interface CatalogSources {
  /** The shipped demo: `model/` (HF layout), `saes/<name>/` and `transcoders/<name>/` (SAELens); skipped when absent. */
  bundledDir: string | null;
  /** The `models` CLI's cache folder with registry.json. */
  registryDir: string;
}

export const BUNDLED_MODEL_ID = 'demo';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const hashOf = (files: { path: string; sha256: string }[], name: string) =>
  files.find((f) => f.path === name || f.path.endsWith(`/${name}`))?.sha256 ?? '';

async function bundled(dir: string): Promise<Catalog> {
  const modelDir = join(dir, 'model');
  if (!(await exists(join(modelDir, 'config.json')))) return { models: [], saes: [], transcoders: [] };
  const inspected = await inspectModelFolder(modelDir);
  const entry: RegistryModelEntry = {
    ...inspected,
    id: BUNDLED_MODEL_ID,
    kind: 'model',
    aliases: [BUNDLED_MODEL_ID],
    repo: null,
    revision: null,
    path: modelDir,
    source: 'local',
    addedAt: new Date(0).toISOString(),
  };
  const model: CatalogModel = {
    id: BUNDLED_MODEL_ID,
    source: 'bundled',
    path: modelDir,
    config: inspected.config,
    fileHash: hashOf(inspected.files, 'model.safetensors'),
  };
  const saes: CatalogSae[] = [];
  for (const { name, path } of await subfolders(join(dir, 'saes'))) {
    const sae = await inspectSaeFolder(path, { model: entry });
    saes.push({
      id: `${BUNDLED_MODEL_ID}/${name}`,
      modelId: BUNDLED_MODEL_ID,
      path,
      hook: sae.hook,
      dIn: sae.d_in,
      dSae: sae.d_sae,
      architecture: sae.architecture,
      k: sae.k,
      conventions: sae.conventions,
      fileHash: hashOf(sae.files, 'sae_weights.safetensors'),
    });
  }
  const transcoders: CatalogTranscoder[] = [];
  for (const { name, path } of await subfolders(join(dir, 'transcoders'))) {
    const tc = await inspectSaeFolder(path, { model: entry });
    if (!tc.transcoder) continue; // an SAE folder put here: not offered as a transcoder
    const id = `${BUNDLED_MODEL_ID}/${name}`;
    transcoders.push(catalogTranscoder(id, BUNDLED_MODEL_ID, path, { ...tc, transcoder: tc.transcoder }));
  }
  return { models: [model], saes, transcoders };
}

async function subfolders(root: string): Promise<{ name: string; path: string }[]> {
  const entries = (await exists(root)) ? await readdir(root, { withFileTypes: true }) : [];
  return entries
    .filter((f) => f.isDirectory())
    .map((f) => f.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => ({ name, path: join(root, name) }));
}

type InspectedTranscoder = Pick<RegistrySaeEntry, 'hook' | 'd_in' | 'd_sae' | 'architecture' | 'k' | 'files'> & {
  transcoder: NonNullable<RegistrySaeEntry['transcoder']>;
};

function catalogTranscoder(id: string, modelId: string, path: string, t: InspectedTranscoder): CatalogTranscoder {
  return {
    id,
    modelId,
    path,
    hookIn: t.hook,
    hookOut: t.transcoder.hookOut,
    dIn: t.d_in,
    dOut: t.transcoder.dOut,
    dSae: t.d_sae,
    architecture: t.architecture,
    k: t.k,
    skip: t.transcoder.skip,
    fileHash: hashOf(t.files, 'sae_weights.safetensors'),
  };
}

/**
 * Every model, SAE and transcoder the app can offer: the bundled demo, then whatever `npm run models` fetched or
 * added.
 */
export async function discoverCatalog(sources: CatalogSources): Promise<Catalog> {
  const catalog = sources.bundledDir ? await bundled(sources.bundledDir) : { models: [], saes: [], transcoders: [] };
  const registered = await listRegisteredModels(sources.registryDir);
  for (const m of registered.models) {
    if (catalog.models.some((x) => x.id === m.id)) continue;
    catalog.models.push({
      id: m.id,
      source: m.source,
      path: m.absolutePath,
      config: m.config,
      fileHash: hashOf(m.files, 'model.safetensors'),
    });
  }
  for (const s of registered.saes) {
    if (!s.model || !catalog.models.some((m) => m.id === s.model)) continue; // no model to run it on
    if (s.transcoder) {
      catalog.transcoders.push(catalogTranscoder(s.id, s.model, s.absolutePath, { ...s, transcoder: s.transcoder }));
      continue;
    }
    catalog.saes.push({
      id: s.id,
      modelId: s.model,
      path: s.absolutePath,
      hook: s.hook,
      dIn: s.d_in,
      dSae: s.d_sae,
      architecture: s.architecture,
      k: s.k,
      conventions: s.conventions,
      fileHash: hashOf(s.files, 'sae_weights.safetensors'),
    });
  }
  return catalog;
}
