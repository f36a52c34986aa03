import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAE_OVERRIDES_FILE } from '../sae/sae.js';
import { KNOWN_MODELS, KNOWN_SAE_SETS, type KnownSae, type KnownSaeSet } from './catalog.js';
import { checkDigest, type HubClient, type ProgressSink } from './client.js';
import { HubError, IntegrityError } from './errors.js';
import { digestFile, type FileDigest } from './hash.js';
import { inspectModelFolder, inspectSaeFolder } from './inspect.js';
import { entryPathFor, upsertEntries } from './registry.js';
import type { ModelEntry, SaeEntry } from './schemas.js';

export interface FetchOptions {
  /** A known model id (see KNOWN_MODELS), e.g. gpt2-small. */
  model: string;
  /** Known SAE set names (see KNOWN_SAE_SETS), e.g. res-jb, oai-v5-32k-resid-post. */
  saes?: string[];
  /** Only the SAEs of these layers (res-jb: 12 is blocks.11.hook_resid_post). */
  layers?: number[];
  /** Only the SAEs on these hooks. */
  hooks?: string[];
  cacheDir: string;
  hub: HubClient;
  /** Branch, tag or commit; default main. Files are then fetched at the commit it resolves to. */
  revision?: string;
  progress?: ProgressSink;
  log?: (line: string) => void;
}

export interface FetchResult {
  model: ModelEntry;
  saes: SaeEntry[];
  /** Files downloaded in this run (repo/path). */
  downloaded: string[];
  /** Files already in the cache and verified (repo/path). */
  reused: string[];
}

/** The cache folder for a repository: `{cacheDir}/{owner}--{name}`. */
export function repoFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, repo.split('/').join('--'));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Picks the SAEs of a set that --layers / --hooks select (all when neither is given). */
export function selectSaes(set: KnownSaeSet, layers?: number[], hooks?: string[]): KnownSae[] {
  if (!layers?.length && !hooks?.length) return set.saes;
  const picked = set.saes.filter((s) => layers?.includes(s.layer) || hooks?.includes(s.hook));
  const known = [...new Set(set.saes.map((s) => s.layer))];
  for (const layer of layers ?? []) {
    if (!set.saes.some((s) => s.layer === layer)) {
      throw new HubError(`SAE set ${set.name} has no SAE for layer ${layer} (layers ${known[0]}-${known.at(-1)})`);
    }
  }
  for (const hook of hooks ?? []) {
    if (!set.saes.some((s) => s.hook === hook)) {
      throw new HubError(
        `SAE set ${set.name} has no SAE on ${hook} (it covers ${set.saes.map((s) => s.hook).join(', ')})`,
      );
    }
  }
  return picked;
}

interface FileJob {
  repo: string;
  commit: string;
  path: string;
  dest: string;
}

class Fetcher {
  downloaded: string[] = [];
  reused: string[] = [];
  constructor(
    private readonly hub: HubClient,
    private readonly progress: ProgressSink | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** One file: reuse a verified local copy, else download (resuming), verify, and fetch again once if corrupt. */
  async file(job: FileJob): Promise<FileDigest> {
    const meta = await this.hub.fileMetadata(job.repo, job.commit, job.path);
    const label = `${job.repo}/${job.path}`;
    if (await exists(job.dest)) {
      const digest = await digestFile(job.dest);
      const problem = checkDigest(meta, digest);
      if (!problem) {
        this.reused.push(label);
        return digest;
      }
      this.log(`${label}: the cached copy does not match the hub (${problem}); fetching it again`);
      await rm(job.dest, { force: true });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const digest = await this.hub.download(meta, job.dest, this.progress);
        this.downloaded.push(label);
        return digest;
      } catch (error) {
        if (!(error instanceof IntegrityError) || attempt >= 2) throw error;
        this.log(`${error.message}; fetching it again`);
      }
    }
  }

  async files(repo: string, commit: string, folder: string, paths: string[], cacheDir: string) {
    const digests = new Map<string, FileDigest>();
    for (const path of paths) {
      const name = path.slice(folder ? folder.length + 1 : 0);
      digests.set(name, await this.file({ repo, commit, path, dest: join(repoFolder(cacheDir, repo), path) }));
    }
    return digests;
  }
}

/**
 * Downloads a known model and any of its published SAE sets into the cache, verifies every file against the hub's
 * size and hash, checks shapes, and registers each model and SAE in registry.json as soon as its files are in.
 */
export async function fetchModels(options: FetchOptions): Promise<FetchResult> {
  const known = KNOWN_MODELS[options.model];
  if (!known) {
    throw new HubError(
      `unknown model "${options.model}"; models fetch knows: ${Object.keys(KNOWN_MODELS).join(', ')} (use "models add <folder>" for others)`,
    );
  }
  const sets = (options.saes ?? []).map((name) => {
    const set = KNOWN_SAE_SETS[name];
    if (!set) throw new HubError(`unknown SAE set "${name}"; known: ${Object.keys(KNOWN_SAE_SETS).join(', ')}`);
    if (set.model !== known.id) throw new HubError(`SAE set ${name} is for ${set.model}, not ${known.id}`);
    return { set, picked: selectSaes(set, options.layers, options.hooks) };
  });
  if (!sets.length && (options.layers?.length || options.hooks?.length)) {
    throw new HubError('--layers and --hooks select SAEs: name the set with --saes');
  }
  const log = options.log ?? (() => {});
  const fetcher = new Fetcher(options.hub, options.progress, log);
  const revision = options.revision ?? 'main';
  const { cacheDir } = options;

  const modelInfo = await options.hub.revision(known.repo, revision);
  const missing = known.files.filter((f) => !modelInfo.files.includes(f));
  if (missing.length) {
    throw new HubError(`repository ${known.repo} at ${modelInfo.sha} has no ${missing.join(', ')}`);
  }
  log(`${known.repo} @ ${modelInfo.sha}`);
  const modelDigests = await fetcher.files(known.repo, modelInfo.sha, '', known.files, cacheDir);
  const modelDir = repoFolder(cacheDir, known.repo);
  const inspected = await inspectModelFolder(modelDir, modelDigests);
  const model: ModelEntry = {
    id: known.id,
    kind: 'model',
    repo: known.repo,
    revision: modelInfo.sha,
    path: entryPathFor(cacheDir, modelDir),
    files: inspected.files,
    source: 'hub',
    addedAt: new Date().toISOString(),
    architecture: inspected.architecture,
    aliases: known.aliases,
    config: inspected.config,
    tokenizer: inspected.tokenizer,
  };
  await upsertEntries(cacheDir, [model]);
  log(`registered ${model.id}`);

  const saes: SaeEntry[] = [];
  for (const { set, picked } of sets) {
    const info = await options.hub.revision(set.repo, revision);
    log(`${set.repo} @ ${info.sha}`);
    for (const sae of picked) {
      const required = [`${sae.folder}/cfg.json`, `${sae.folder}/sae_weights.safetensors`];
      const absent = required.filter((f) => !info.files.includes(f));
      if (absent.length) {
        const folders = [
          ...new Set(info.files.filter((f) => f.endsWith('/cfg.json')).map((f) => f.slice(0, -'/cfg.json'.length))),
        ];
        throw new HubError(
          `repository ${set.repo} at ${info.sha} has no ${absent.join(', ')} for ${sae.hook}; its SAE folders are: ${folders.slice(0, 20).join(', ') || 'none'}`,
        );
      }
      const optional = set.optionalFiles.map((f) => `${sae.folder}/${f}`).filter((f) => info.files.includes(f));
      const digests = await fetcher.files(set.repo, info.sha, sae.folder, [...required, ...optional], cacheDir);
      const folder = join(repoFolder(cacheDir, set.repo), sae.folder);
      if (set.configOverrides) {
        const overrides = set.configOverrides(sae);
        await writeFile(join(folder, SAE_OVERRIDES_FILE), `${JSON.stringify(overrides, null, 2)}\n`);
      }
      const { model: _checkedAgainst, ...checked } = await inspectSaeFolder(folder, { model, known: digests });
      if (checked.hook !== sae.hook) {
        throw new HubError(`${folder}/cfg.json says hook ${checked.hook}, but ${set.release} lists it for ${sae.hook}`);
      }
      const entry: SaeEntry = {
        id: sae.id,
        kind: 'sae',
        repo: set.repo,
        revision: info.sha,
        path: entryPathFor(cacheDir, folder),
        source: 'hub',
        addedAt: new Date().toISOString(),
        release: set.release,
        model: model.id,
        ...checked,
      };
      await upsertEntries(cacheDir, [entry]);
      log(`registered ${entry.id}`);
      saes.push(entry);
    }
  }
  return { model, saes, downloaded: fetcher.downloaded, reused: fetcher.reused };
}
