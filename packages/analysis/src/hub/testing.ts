import { mkdir, writeFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { encodeSafetensors, type FloatTensor } from '../io/safetensors.js';
import { gitBlobSha1, sha256Hex } from './hash.js';

/**
 * Test support: tiny GPT-2 checkpoints and SAELens SAEs, and a local server with the Hugging Face hub's URL layout
 * and headers (HEAD/GET /{repo}/resolve/{rev}/{file}, GET /api/models/{repo}/revision/{rev}, LFS files redirected
 * to a separate "CDN" server, Range requests answered with 206). Used by the tests; no test-only code paths in the
 * client.
 */

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 0xffffffff) * 2 - 1;
  };
}

function tensor(shape: number[], random: () => number, scale = 0.1): FloatTensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random() * scale;
  return { shape, data };
}

export interface TinyGpt2Options {
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  vocabSize?: number;
  nPositions?: number;
  /** Give one tensor a different shape (to test the checks). */
  override?: Record<string, number[]>;
  seed?: number;
}

/** The files of a tiny random GPT-2 checkpoint in Hugging Face format. */
export function tinyGpt2Files(options: TinyGpt2Options = {}): Record<string, Uint8Array> {
  const d = options.nEmbd ?? 8;
  const nLayer = options.nLayer ?? 2;
  const vocab = options.vocabSize ?? 16;
  const nPos = options.nPositions ?? 8;
  const random = prng(options.seed ?? 7);
  const shapes: Record<string, number[]> = { 'wte.weight': [vocab, d], 'wpe.weight': [nPos, d] };
  for (let i = 0; i < nLayer; i++) {
    Object.assign(shapes, {
      [`h.${i}.ln_1.weight`]: [d],
      [`h.${i}.ln_1.bias`]: [d],
      [`h.${i}.attn.c_attn.weight`]: [d, 3 * d],
      [`h.${i}.attn.c_attn.bias`]: [3 * d],
      [`h.${i}.attn.c_proj.weight`]: [d, d],
      [`h.${i}.attn.c_proj.bias`]: [d],
      [`h.${i}.ln_2.weight`]: [d],
      [`h.${i}.ln_2.bias`]: [d],
      [`h.${i}.mlp.c_fc.weight`]: [d, 4 * d],
      [`h.${i}.mlp.c_fc.bias`]: [4 * d],
      [`h.${i}.mlp.c_proj.weight`]: [4 * d, d],
      [`h.${i}.mlp.c_proj.bias`]: [d],
    });
  }
  Object.assign(shapes, { 'ln_f.weight': [d], 'ln_f.bias': [d] }, options.override ?? {});
  const tensors: Record<string, FloatTensor> = {};
  for (const [name, shape] of Object.entries(shapes)) tensors[name] = tensor(shape, random);
  const config = {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_embd: d,
    n_layer: nLayer,
    n_head: options.nHead ?? 2,
    vocab_size: vocab,
    n_positions: nPos,
    n_ctx: nPos,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
  };
  const vocabJson: Record<string, number> = {};
  for (let i = 0; i < vocab - 1; i++) vocabJson[String.fromCharCode(97 + (i % 26)) + (i >= 26 ? i : '')] = i;
  vocabJson['<|endoftext|>'] = vocab - 1;
  const encoder = new TextEncoder();
  return {
    'config.json': encoder.encode(JSON.stringify(config, null, 2)),
    'model.safetensors': encodeSafetensors(tensors, { format: 'pt' }),
    'tokenizer.json': encoder.encode(
      JSON.stringify({ version: '1.0', model: { type: 'BPE', vocab: vocabJson, merges: [] } }),
    ),
    'vocab.json': encoder.encode(JSON.stringify(vocabJson)),
    'merges.txt': encoder.encode('#version: 0.2\n'),
  };
}

export interface TinySaeOptions {
  dIn?: number;
  dSae?: number;
  hook?: string;
  /** Extra or replaced cfg.json fields. */
  cfg?: Record<string, unknown>;
  /** Replace tensor shapes (to test the checks); a null shape drops the tensor. */
  override?: Record<string, number[] | null>;
  jumprelu?: boolean;
  seed?: number;
}

/** The files of a tiny SAELens SAE folder (cfg.json, sae_weights.safetensors, sparsity.safetensors). */
export function tinySaeFiles(options: TinySaeOptions = {}): Record<string, Uint8Array> {
  const dIn = options.dIn ?? 8;
  const dSae = options.dSae ?? 16;
  const random = prng(options.seed ?? 11);
  const shapes: Record<string, number[] | null> = {
    W_enc: [dIn, dSae],
    b_enc: [dSae],
    W_dec: [dSae, dIn],
    b_dec: [dIn],
    ...(options.jumprelu ? { threshold: [dSae] } : {}),
    ...options.override,
  };
  const tensors: Record<string, FloatTensor> = {};
  for (const [name, shape] of Object.entries(shapes)) if (shape) tensors[name] = tensor(shape, random);
  const cfg = {
    model_name: 'gpt2-small',
    hook_name: options.hook ?? 'blocks.1.hook_resid_pre',
    hook_layer: 1,
    d_in: dIn,
    d_sae: dSae,
    architecture: options.jumprelu ? 'jumprelu' : 'standard',
    apply_b_dec_to_input: true,
    prepend_bos: true,
    normalize_activations: 'none',
    dtype: 'float32',
    ...options.cfg,
  };
  return {
    'cfg.json': new TextEncoder().encode(JSON.stringify(cfg, null, 2)),
    'sae_weights.safetensors': encodeSafetensors(tensors),
    'sparsity.safetensors': encodeSafetensors({ sparsity: tensor([dSae], random, 1) }),
  };
}

export async function writeFolder(dir: string, files: Record<string, Uint8Array>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

export interface FakeRepo {
  sha: string;
  /** Path in the repo -> content. Files named *.safetensors are stored "in LFS" (redirected to the CDN). */
  files: Record<string, Uint8Array>;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  /** `repo/path` of the file, when the request was for one. */
  file: string | null;
  headers: IncomingHttpHeaders;
}

/** A local stand-in for huggingface.co and its CDN. */
export class FakeHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly requests: RecordedRequest[] = [];
  /** Files (`repo/path`) whose next GET is cut after half the body (the socket is destroyed). */
  readonly cutNext = new Set<string>();
  /** Files whose next GET has one byte flipped. */
  readonly corruptNext = new Set<string>();
  /** Files listed by the API but answered 404 by resolve (gone between the listing and the download). */
  readonly vanished = new Set<string>();
  /** When set, the hub answers 401 to requests without `Authorization: Bearer <token>`. */
  requiredToken: string | undefined;
  #hub: Server | undefined;
  #cdn: Server | undefined;
  #blobs = new Map<string, { file: string; content: Uint8Array }>();
  url = '';
  cdnUrl = '';

  addRepo(repo: string, files: Record<string, Uint8Array>): FakeRepo {
    const sha = sha256Hex(new TextEncoder().encode(repo + Object.keys(files).join())).slice(0, 40);
    const entry = { sha, files };
    this.repos.set(repo, entry);
    for (const [path, content] of Object.entries(files)) {
      this.#blobs.set(sha256Hex(content), { file: `${repo}/${path}`, content });
    }
    return entry;
  }

  async start(): Promise<this> {
    this.#hub = await listen((req, res) => this.#onHub(req, res));
    this.#cdn = await listen((req, res) => this.#onCdn(req, res));
    this.url = `http://127.0.0.1:${(this.#hub.address() as AddressInfo).port}`;
    this.cdnUrl = `http://127.0.0.1:${(this.#cdn.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const server of [this.#hub, this.#cdn]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  requestsFor(file: string, method = 'GET'): RecordedRequest[] {
    return this.requests.filter((r) => r.file === file && r.method === method);
  }

  #onHub(req: IncomingMessage, res: ServerResponse): undefined {
    const url = new URL(req.url ?? '/', 'http://x');
    const record: RecordedRequest = {
      server: 'hub',
      method: req.method ?? '',
      url: url.pathname,
      file: null,
      headers: req.headers,
    };
    this.requests.push(record);
    if (this.requiredToken && req.headers.authorization !== `Bearer ${this.requiredToken}`) {
      // The hub does not tell "private" from "missing" to strangers.
      return end(res, 401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api) {
      const repo = this.repos.get(decodeURIComponent(api[1] as string));
      if (!repo) return end(res, 401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
      const body = JSON.stringify({
        id: api[1],
        sha: repo.sha,
        siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!resolve) return end(res, 404, {});
    const repoName = decodeURIComponent(resolve[1] as string);
    const revision = decodeURIComponent(resolve[2] as string);
    const path = (resolve[3] as string).split('/').map(decodeURIComponent).join('/');
    const repo = this.repos.get(repoName);
    record.file = `${repoName}/${path}`;
    if (!repo) return end(res, 401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
    if (revision !== 'main' && revision !== repo.sha) {
      return end(res, 404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': 'Invalid rev id' });
    }
    const content = repo.files[path];
    if (!content || this.vanished.has(record.file)) {
      return end(res, 404, { 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' });
    }
    if (path.endsWith('.safetensors')) {
      const sha256 = sha256Hex(content);
      return end(res, 302, {
        location: `${this.cdnUrl}/blobs/${sha256}?signature=abc`,
        'x-repo-commit': repo.sha,
        'x-linked-etag': `"${sha256}"`,
        'x-linked-size': String(content.byteLength),
        etag: `"${sha256}"`,
      });
    }
    serve(req, res, content, { etag: `"${gitBlobSha1(content)}"`, 'x-repo-commit': repo.sha }, record.file, this);
  }

  #onCdn(req: IncomingMessage, res: ServerResponse): undefined {
    const url = new URL(req.url ?? '/', 'http://x');
    const blob = this.#blobs.get(url.pathname.replace(/^\/blobs\//, ''));
    this.requests.push({
      server: 'cdn',
      method: req.method ?? '',
      url: url.pathname,
      file: blob?.file ?? null,
      headers: req.headers,
    });
    if (!blob) return end(res, 404, {});
    serve(req, res, blob.content, { etag: `"${sha256Hex(blob.content)}"` }, blob.file, this);
  }
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function end(res: ServerResponse, status: number, headers: Record<string, string>): undefined {
  const body = status >= 400 ? `${headers['x-error-message'] ?? 'error'}\n` : '';
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  content: Uint8Array,
  headers: Record<string, string>,
  file: string,
  hub: FakeHub,
): void {
  let start = 0;
  let status = 200;
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    if (start >= content.byteLength) {
      res.writeHead(416, { 'content-range': `bytes */${content.byteLength}` });
      res.end();
      return;
    }
    status = 206;
  }
  let body = Buffer.from(content.subarray(start));
  res.writeHead(status, {
    ...headers,
    'accept-ranges': 'bytes',
    'content-length': body.byteLength,
    'content-type': 'application/octet-stream',
    ...(status === 206 ? { 'content-range': `bytes ${start}-${content.byteLength - 1}/${content.byteLength}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (hub.corruptNext.delete(file)) {
    body = Buffer.from(body);
    const at = body.byteLength - 1;
    body[at] = (body[at] as number) ^ 0xff;
  }
  if (hub.cutNext.delete(file)) {
    const half = Math.floor(body.byteLength / 2);
    res.write(body.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 30));
    return;
  }
  res.end(body);
}
