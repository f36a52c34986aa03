import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets (session cookies, share links, invitation links): 256 random bits, handed out once; only their
 * SHA-256 is stored, so a database dump holds nothing to present.
 */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
