import { AppError } from './errors.js';

/**
 * Per-user token buckets for write mutations, in process memory: each server instance limits on its own, which
 * bounds abuse per instance (a shared Redis bucket would make the limit global; not needed yet).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity = Number(process.env.WRITE_RATE_BURST ?? 60),
    private readonly perSecond = Number(process.env.WRITE_RATE_PER_SECOND ?? 20),
  ) {}

  take(userId: string): void {
    const now = Date.now();
    const bucket = this.buckets.get(userId) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(userId, bucket);
      const waitMs = Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
      throw new AppError('RATE_LIMITED', `Too many requests at once; try again in ${waitMs} ms`, {
        retryAfterMs: waitMs,
      });
    }
    bucket.tokens -= 1;
    this.buckets.set(userId, bucket);
  }
}
