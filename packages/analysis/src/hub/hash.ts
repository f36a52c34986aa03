import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileDigest {
  size: number;
  /** sha256 of the content, lowercase hex (the hub's ETag / X-Linked-Etag for LFS files). */
  sha256: string;
  /** git blob sha1 (sha1 of "blob <size>\0" + content), lowercase hex (the hub's ETag for files kept in git). */
  gitSha1: string;
}

/** Hashes a file in one streaming pass: sha256 and the git blob sha1. */
export async function digestFile(path: string): Promise<FileDigest> {
  const { size } = await stat(path);
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  sha1.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    sha256.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { size, sha256: sha256.digest('hex'), gitSha1: sha1.digest('hex') };
}

/** The git blob sha1 of some bytes (what the hub reports as ETag for small, non-LFS files). */
export function gitBlobSha1(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
