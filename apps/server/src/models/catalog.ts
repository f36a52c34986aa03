import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  inspectModelFolder,
  inspectSaeFolder,
  listRegisteredModels,
  type RegistryModelEntry,
  type RegistrySaeConventions,
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

export interface Catalog {
  models: CatalogModel[];
  saes: CatalogSae[];
}

export interface CatalogSources {
  /** The shipped demo: `model/` (HF layout) and `saes/<name>/` (SAELens); skipped when absent. */
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
  if (!(await exists(join(modelDir, 'config.json')))) return { models: [], saes: [] };
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
  const saeRoot = join(dir, 'saes');
  const folders = (await exists(saeRoot)) ? await readdir(saeRoot, { withFileTypes: true }) : [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(saeRoot, folder.name);
    const sae = await inspectSaeFolder(path, { model: entry });
    saes.push({
      id: `${BUNDLED_MODEL_ID}/${folder.name}`,
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
  return { models: [model], saes };
}

/** Every model and SAE the app can offer: the bundled demo, then whatever `npm run models` fetched or added. */
export async function discoverCatalog(sources: CatalogSources): Promise<Catalog> {
  const catalog = sources.bundledDir ? await bundled(sources.bundledDir) : { models: [], saes: [] };
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
