import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { HubError, IntegrityError, redact } from './errors.js';
import { digestFile, type FileDigest } from './hash.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubOptions {
  /** Base URL of the hub (HF_ENDPOINT); default https://huggingface.co. */
  endpoint?: string;
  /** Access token (HF_TOKEN), sent as `Authorization: Bearer` to the hub only, never printed. */
  token?: string;
  /** Attempts per file when a connection is cut without progress (huggingface_hub uses 5). */
  maxRetries?: number;
  /** Pause before resuming a cut download, in ms (doubles each attempt without progress). */
  retryDelayMs?: number;
}

/** Reads HF_ENDPOINT and HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN) from an environment. */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HubOptions {
  const token = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined;
  return { endpoint: env.HF_ENDPOINT || DEFAULT_ENDPOINT, token };
}

/** What the hub says about one file at one revision (huggingface_hub's HfFileMetadata). */
export interface HubFileMetadata {
  repo: string;
  path: string;
  /** The commit the revision resolved to (X-Repo-Commit). */
  commit: string | null;
  /** sha256 hex for LFS files (X-Linked-Etag), git blob sha1 hex for files kept in git (ETag). */
  etag: string;
  /** True when the file is stored with LFS (the hub sent X-Linked-Etag, usually with a redirect to its CDN). */
  lfs: boolean;
  /** Size in bytes (X-Linked-Size for LFS files, Content-Length otherwise). */
  size: number;
  /** Where to GET the bytes: the CDN location of the redirect, or the resolve URL itself. */
  location: string;
}

export interface RevisionInfo {
  sha: string;
  files: string[];
}

const revisionSchema = z.object({
  sha: z.string().min(1),
  siblings: z.array(z.object({ rfilename: z.string() })).default([]),
});

/** Receives download progress: one `start` per file, `advance` per chunk, `finish` at the end. */
export interface ProgressSink {
  start(label: string, total: number, already: number): void;
  advance(bytes: number): void;
  finish(): void;
  /** A one-line message (resume, retry, verification) to show between bars. */
  note?(message: string): void;
}

const silentProgress: ProgressSink = { start() {}, advance() {}, finish() {} };

/** The hub strips "W/" and the quotes from ETags before using them (huggingface_hub's _normalize_etag). */
export function normalizeEtag(etag: string | null): string | null {
  if (!etag) return null;
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function isHex(value: string, length: number): boolean {
  return value.length === length && /^[0-9a-f]+$/.test(value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A small client for the Hugging Face hub's download protocol: HEAD on `/{repo}/resolve/{revision}/{file}` for the
 * commit, size and hash (following relative redirects only, so a renamed repo still resolves but the CDN redirect of
 * an LFS file is read, not followed), then GET with HTTP Range to resume into `file.part`, verified before renaming.
 */
export class HubClient {
  readonly endpoint: string;
  readonly #token: string | undefined;
  readonly #maxRetries: number;
  readonly #retryDelayMs: number;

  constructor(options: HubOptions = {}) {
    this.endpoint = (options.endpoint || DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#token = options.token || undefined;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    try {
      new URL(this.endpoint);
    } catch {
      throw new HubError(`HF_ENDPOINT is not a URL: ${JSON.stringify(this.endpoint)}`);
    }
  }

  get hasToken(): boolean {
    return Boolean(this.#token);
  }

  /** Removes the token from a text (for messages built from server answers). */
  redact(text: string): string {
    return redact(text, [this.#token]);
  }

  resolveUrl(repo: string, revision: string, path: string): string {
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`;
  }

  #headers(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'circuit-workbench/0.1 (models cli)', ...extra };
    // The token goes to the hub only: never to the CDN a redirect points to (its URL is signed already).
    if (this.#token && new URL(url).origin === new URL(this.endpoint).origin) {
      headers.authorization = `Bearer ${this.#token}`;
    }
    return headers;
  }

  async #request(
    url: string,
    init: { method: string; headers?: Record<string, string>; redirect?: 'manual' | 'follow' },
  ) {
    try {
      return await fetch(url, {
        method: init.method,
        headers: this.#headers(url, init.headers),
        redirect: init.redirect ?? 'manual',
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new HubError(
        this.redact(`cannot reach ${new URL(url).origin} (${detail}); check HF_ENDPOINT and the network`),
      );
    }
  }

  #httpError(response: Response, what: string): HubError {
    const code = response.headers.get('x-error-code') ?? undefined;
    const serverMessage = response.headers.get('x-error-message') ?? undefined;
    const status = response.status;
    let hint = '';
    if (status === 401 || status === 403) {
      hint = this.hasToken
        ? ' (the repository may be private or gated for this token, or may not exist)'
        : ' (the repository may be private or gated, or may not exist: set HF_TOKEN if you have access)';
    }
    const detail = [code, serverMessage].filter(Boolean).join(': ');
    return new HubError(
      this.redact(`${what}: HTTP ${status}${detail ? ` ${detail}` : ''}${hint} [${this.endpoint}]`),
      status,
      code,
    );
  }

  /** Lists the files of a repo at a revision and the commit it resolves to (GET /api/models/{repo}/revision/{rev}). */
  async revision(repo: string, revision = 'main'): Promise<RevisionInfo> {
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
    const response = await this.#request(url, { method: 'GET', redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel();
      throw this.#httpError(response, `repository ${repo} at revision ${revision}`);
    }
    const parsed = revisionSchema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new HubError(`repository ${repo}: the hub's revision answer has no sha/siblings`);
    return { sha: parsed.data.sha, files: parsed.data.siblings.map((s) => s.rfilename) };
  }

  /** HEAD on the resolve URL, as huggingface_hub's get_hf_file_metadata does. */
  async fileMetadata(repo: string, revision: string, path: string): Promise<HubFileMetadata> {
    let url = this.resolveUrl(repo, revision, path);
    let response: Response | undefined;
    for (let hop = 0; hop < 5; hop++) {
      // identity encoding, or Content-Length would be the compressed size
      response = await this.#request(url, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location && !/^[a-z][a-z0-9+.-]*:/i.test(location)) {
        url = new URL(location, url).toString(); // relative: a renamed repo; follow it
        continue;
      }
      break;
    }
    if (!response) throw new HubError(`file ${path} in ${repo}: no answer`);
    if (response.status >= 400 || response.status < 200) {
      throw this.#httpError(response, `file "${path}" in repository ${repo} at revision ${revision}`);
    }
    const headers = response.headers;
    const linkedEtag = headers.get('x-linked-etag');
    const etag = normalizeEtag(linkedEtag ?? headers.get('etag'));
    const sizeHeader = headers.get('x-linked-size') ?? headers.get('content-length');
    const size = sizeHeader === null ? Number.NaN : Number(sizeHeader);
    if (!etag)
      throw new HubError(`file "${path}" in ${repo}: the hub sent no ETag, so the download cannot be verified`);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new HubError(`file "${path}" in ${repo}: the hub sent no usable size (${sizeHeader})`);
    }
    const location = headers.get('location');
    return {
      repo,
      path,
      commit: headers.get('x-repo-commit'),
      etag: etag.toLowerCase(),
      lfs: linkedEtag !== null,
      size,
      location: location ? new URL(location, url).toString() : url,
    };
  }

  /**
   * Downloads a file into `dest`, resuming `dest.part` with a Range request when it exists (also after a cut
   * connection in this run), then checks size and hash before renaming. On a hash mismatch the part file is deleted
   * and an IntegrityError thrown, so the caller can fetch again from zero.
   */
  async download(meta: HubFileMetadata, dest: string, progress: ProgressSink = silentProgress): Promise<FileDigest> {
    const part = `${dest}.part`;
    await mkdir(dirname(dest), { recursive: true });
    let have = await stat(part).then(
      (s) => s.size,
      () => 0,
    );
    if (have > meta.size) {
      await rm(part, { force: true });
      have = 0;
    }
    const label = `${meta.repo}/${meta.path}`;
    if (have > 0) progress.note?.(`resuming ${label} at ${have} of ${meta.size} bytes`);
    progress.start(label, meta.size, have);
    let failures = 0;
    try {
      if (meta.size === 0) await writeFile(part, new Uint8Array());
      while (have < meta.size) {
        const before = have;
        let failure: Error | undefined;
        try {
          have = await this.#getInto(meta, part, have, progress);
          if (have < meta.size) failure = new Error(`the connection closed at ${have} of ${meta.size} bytes`);
        } catch (error) {
          if (error instanceof HubError) throw error;
          failure = error as Error;
          have = await stat(part).then(
            (s) => s.size,
            () => 0,
          );
        }
        if (!failure) break;
        failures = have > before ? 1 : failures + 1;
        if (failures > this.#maxRetries) {
          throw new HubError(
            this.redact(
              `downloading ${label} failed after ${this.#maxRetries} retries (${failure.message}); run the command again to resume from ${have} bytes`,
            ),
          );
        }
        progress.note?.(`connection lost at ${have} of ${meta.size} bytes of ${label} (${failure.message}); resuming`);
        await sleep(this.#retryDelayMs * 2 ** (failures - 1));
      }
    } finally {
      progress.finish();
    }
    return this.#verifyAndRename(meta, part, dest);
  }

  async #getInto(meta: HubFileMetadata, part: string, have: number, progress: ProgressSink): Promise<number> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (have > 0) headers.range = `bytes=${have}-`;
    const response = await this.#request(meta.location, { method: 'GET', headers, redirect: 'follow' });
    const label = `file "${meta.path}" in repository ${meta.repo}`;
    if (response.status === 416 && have > 0) {
      // Range not satisfiable: the part file is not a prefix of this content; start over.
      await response.body?.cancel();
      await rm(part, { force: true });
      return 0;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw this.#httpError(response, label);
    }
    let offset = have;
    if (have > 0 && response.status === 206) {
      const range = /bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        await response.body?.cancel();
        throw new HubError(
          `${label}: the server answered range ${response.headers.get('content-range')} to bytes=${have}-`,
        );
      }
    } else if (have > 0) {
      offset = 0; // 200: the server ignored the Range header and sends everything
      progress.note?.(`the server does not resume downloads; fetching ${meta.path} from the start`);
      progress.start(`${meta.repo}/${meta.path}`, meta.size, 0);
    }
    const handle = await open(part, offset === 0 ? 'w' : 'a');
    try {
      if (!response.body) return offset;
      for await (const chunk of response.body) {
        await handle.write(chunk);
        offset += chunk.byteLength;
        progress.advance(chunk.byteLength);
        if (offset > meta.size)
          throw new IntegrityError(`${label}: received more than the ${meta.size} bytes announced`);
      }
    } finally {
      await handle.close();
    }
    return offset;
  }

  async #verifyAndRename(meta: HubFileMetadata, part: string, dest: string): Promise<FileDigest> {
    const digest = await digestFile(part);
    const problem = checkDigest(meta, digest);
    if (problem) {
      await rm(part, { force: true });
      throw new IntegrityError(`${meta.repo}/${meta.path}: ${problem}; the bad download was deleted`);
    }
    await rename(part, dest);
    return digest;
  }
}

/** Compares a local file's digest with the hub's size and ETag; returns a description of the mismatch or null. */
export function checkDigest(meta: HubFileMetadata, digest: FileDigest): string | null {
  if (digest.size !== meta.size) return `size mismatch: expected ${meta.size} bytes, got ${digest.size}`;
  if (meta.lfs || isHex(meta.etag, 64)) {
    if (digest.sha256 !== meta.etag) return `sha256 mismatch: expected ${meta.etag}, got ${digest.sha256}`;
  } else if (isHex(meta.etag, 40)) {
    if (digest.gitSha1 !== meta.etag) return `git blob sha1 mismatch: expected ${meta.etag}, got ${digest.gitSha1}`;
  }
  // Any other ETag (a proxy's own) cannot be checked against the content; the size check above still applies.
  return null;
}
