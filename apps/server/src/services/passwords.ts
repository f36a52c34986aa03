import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import pLimit from 'p-limit';

const scryptUnbounded = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * Hashes at once per process. Each takes 128 MiB and a libuv thread for 100-300 ms: a burst of sign-ups or sign-ins
 * (before any rate limit answers) would otherwise take gigabytes and every thread the database driver and file
 * reads also need. Further requests wait their turn.
 */
export const PASSWORD_HASH_CONCURRENCY = 2;
const hashing = pLimit(PASSWORD_HASH_CONCURRENCY);
const scryptAsync: typeof scryptUnbounded = (...args) => hashing(() => scryptUnbounded(...args));

/** Hashes running and waiting now (for tests and diagnostics). */
export const passwordHashQueue = () => ({ running: hashing.activeCount, waiting: hashing.pendingCount });

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's current recommendation for scrypt: N=2^17, r=8, p=1 (128 MiB and about 100-300 ms per hash). Older hashes
 * (N=2^15) still verify, since each hash carries its parameters, and are replaced on the next sign-in (needsRehash).
 */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

// The most a stored hash may ask for (a corrupted or hostile row must not make a sign-in allocate gigabytes).
const MAX_N = 2 ** 20;
const MAX_R = 16;
const MAX_P = 4;

/** scrypt needs 128 * N * r * p bytes (plus a little): Node's default maxmem (32 MiB) is below N=2^17. */
const maxmemFor = ({ N, r, p }: ScryptParams) => 128 * N * r * p + 16 * 1024 * 1024;

/** Returns `scrypt$N$r$p$salt$hash` (base64), so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string, params: ScryptParams = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, { ...params, maxmem: maxmemFor(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The parameters a stored hash was made with, or null when it is not one of ours (or asks for too much). */
export function storedParams(stored: string): ScryptParams | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const { N } = params;
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return null;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > MAX_R) return null;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > MAX_P) return null;
  return params;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const params = storedParams(stored);
  if (!params) return false;
  const [, , , , salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64');
  if (expected.length < 16) return false;
  const key = await scryptAsync(password, Buffer.from(salt!, 'base64'), expected.length, {
    ...params,
    maxmem: maxmemFor(params),
  });
  return timingSafeEqual(key, expected);
}

/** A stored hash made with weaker parameters than today's: replace it once the password is known to match. */
export function needsRehash(stored: string): boolean {
  const params = storedParams(stored);
  if (!params) return true;
  return params.N < SCRYPT_PARAMS.N || params.r < SCRYPT_PARAMS.r || params.p < SCRYPT_PARAMS.p;
}
