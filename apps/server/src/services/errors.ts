import { GraphQLError } from 'graphql';
import type { z } from 'zod';

/** Stable error codes: clients branch on these, never on messages. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'EMAIL_TAKEN'
  | 'WRONG_CREDENTIALS'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  /** A team always keeps an owner: its last one cannot leave, be removed or be demoted. */
  | 'LAST_OWNER'
  /** Too many jobs running or queued (per user, or for the whole deployment). */
  | 'QUOTA_EXCEEDED'
  /** A job whose estimated peak memory exceeds the limit for jobs (JOB_MEMORY_MB); with estimateMb and limitMb. */
  | 'JOB_TOO_LARGE'
  /** An invitation link past its expiry (only its holder can learn this: the token is the secret); with expiredAt. */
  | 'INVITATION_EXPIRED'
  /**
   * A share link past its expiry, presented for a circuit it would have opened (only its holder can learn this: the
   * token is the secret; revoked links are NOT_FOUND); with expiredAt.
   */
  | 'SHARE_LINK_EXPIRED';

/** A rule broken by the caller's input or rights; reaches the client as a GraphQL error with `extensions.code`. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

/** 2026-11-25 14:03 UTC: the same for every reader of a message, whatever their time zone (for expiry messages). */
export function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Whether an id has the form of every stored id (a uuid). Anything else names nothing, and Postgres would refuse it
 * in a uuid column (an error, not "not found"): look it up only when it is one.
 */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

/** Parses input with a zod schema; failures become BAD_USER_INPUT naming the field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'input';
  throw new AppError('BAD_USER_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}
