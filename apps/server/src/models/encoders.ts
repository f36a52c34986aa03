import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportSaeEncoder, loadSae } from '@workbench/analysis';
import type { ModelService } from './service.js';

/** Rows per encoder run: the browser pads the last chunk of tokens to this. */
export const ENCODER_ROWS = 64;
export const ENCODER_PATH = '/api/sae-encoder/';
// Bump when the exported graph changes for the same weights, so browsers fetch the new one.
const ENCODER_FORMAT = 1;

/** Changes whenever the encoder's bytes could: the SAE file, the rows, the export code. */
export const encoderVersion = (fileHash: string) => `${fileHash.slice(0, 16)}-r${ENCODER_ROWS}-f${ENCODER_FORMAT}`;

/** Where the browser fetches an SAE's encoder; the version makes the response cacheable forever. */
export const encoderUrl = (sae: { id: string; fileHash: string }, dtype: 'fp32' | 'fp16') =>
  `${ENCODER_PATH}${encodeURIComponent(sae.id)}?dtype=${dtype}&v=${encoderVersion(sae.fileHash)}`;

/**
 * ONNX encoders of the SAEs for the browser, built once per (SAE file, dtype) and kept on disk. Responses carry an
 * ETag (the encoder's sha256); a request naming that hash (`?v=`) is immutable and cached for a year.
 */
export class EncoderStore {
  private readonly building = new Map<string, Promise<{ bytes: Buffer; etag: string }>>();

  constructor(
    private readonly models: ModelService,
    private readonly dir: string,
  ) {}

  get(saeId: string, dtype: 'fp32' | 'fp16'): Promise<{ bytes: Buffer; etag: string }> {
    const sae = this.models.sae(saeId);
    const key = `${encoderVersion(sae.fileHash)}-${dtype}`;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(sae.path, key, dtype);
      pending.catch(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private async build(saeDir: string, key: string, dtype: 'fp32' | 'fp16') {
    const path = join(this.dir, `${key}.onnx`);
    let bytes = await readFile(path).catch(() => null);
    if (!bytes) {
      const sae = await loadSae(saeDir);
      bytes = Buffer.from(exportSaeEncoder(sae, { rows: ENCODER_ROWS, dtype }).bytes);
      await mkdir(this.dir, { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, path);
    }
    return { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex')}"` };
  }

  /** GET /api/sae-encoder/{saeId}?dtype=fp32|fp16[&v={encoderVersion}]; the HTTP layer decodes the id. */
  async handle(req: IncomingMessage, res: ServerResponse, saeId: string, query: URLSearchParams): Promise<void> {
    const dtype = query.get('dtype') ?? 'fp32';
    if (dtype !== 'fp32' && dtype !== 'fp16') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`dtype must be fp32 or fp16, not "${dtype}"`);
      return;
    }
    let encoder: { bytes: Buffer; etag: string };
    try {
      encoder = await this.get(saeId, dtype);
    } catch (error) {
      const message = (error as Error).message;
      const notFound = (error as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND';
      res
        .writeHead(notFound ? 404 : 500, { 'content-type': 'text/plain' })
        .end(notFound ? message : 'encoder export failed');
      if (!notFound) console.error(`SAE encoder ${saeId}:`, error);
      return;
    }
    const headers = {
      etag: encoder.etag,
      'content-type': 'application/octet-stream',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control':
        query.get('v') === encoderVersion(this.models.sae(saeId).fileHash)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
    };
    if (req.headers['if-none-match'] === encoder.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(encoder.bytes.length) }).end(encoder.bytes);
  }
}
