import type { Redis } from 'ioredis';
import { AppError } from './errors.js';

/** A token bucket per key: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** The bucket key of a signed-in user's model runs; signed out, the client's address is the key. */
export const userRateKey = (userId: string) => `user:${userId}`;
export const addressRateKey = (address: string | undefined) => `address:${address ?? 'unknown'}`;

/** Throws RATE_LIMITED (with retryAfterMs) when the key's bucket is empty; otherwise takes one token. */
export interface RateLimiter {
  take(key: string): Promise<void>;
}

function limited(waitMs: number): AppError {
  return new AppError('RATE_LIMITED', `Too many requests at once; try again in ${waitMs} ms`, {
    retryAfterMs: waitMs,
  });
}

/** Buckets in this process's memory: the limit holds per server instance (the default without Redis). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = Date.now();

  constructor(private readonly limit: RateLimit) {}

  async take(key: string): Promise<void> {
    const { burst, perSecond } = this.limit;
    const now = Date.now();
    // Keys are users and client addresses: forget buckets that have refilled, or the map only grows.
    const refillMs = (burst / perSecond) * 1000;
    if (now - this.lastSweep > refillMs) {
      for (const [k, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(k);
      this.lastSweep = now;
    }
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) throw limited(Math.ceil(((1 - bucket.tokens) / perSecond) * 1000));
    bucket.tokens -= 1;
  }
}

// The same bucket as MemoryRateLimiter, as one atomic script on Redis's clock (instances' clocks may differ).
// Returns 0 when a token was taken, else the milliseconds until one is available.
const TAKE_SCRIPT = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
`;

/**
 * Buckets in Redis, shared by every server instance on it: the limit holds for the whole deployment. If Redis
 * cannot answer, requests are let through (and that is logged once): a limiter must not take the API down.
 */
export class RedisRateLimiter implements RateLimiter {
  private warned = false;
  private readonly redis: Redis & {
    workbenchTakeToken(key: string, burst: number, perSecond: number): Promise<number>;
  };

  /** `keyPrefix`: the deployment's (QUEUE_PREFIX), so deployments sharing a Redis keep their own buckets. */
  constructor(
    redis: Redis,
    private readonly name: string,
    private readonly limit: RateLimit,
    private readonly keyPrefix: string,
  ) {
    // Registered once, then sent by hash (EVALSHA), not as text on every request.
    if (!('workbenchTakeToken' in redis))
      redis.defineCommand('workbenchTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    this.redis = redis as typeof this.redis;
  }

  async take(key: string): Promise<void> {
    let waitMs: number;
    try {
      waitMs = Number(
        await this.redis.workbenchTakeToken(
          `${this.keyPrefix}:rate:${this.name}:${key}`,
          this.limit.burst,
          this.limit.perSecond,
        ),
      );
    } catch (error) {
      if (!this.warned)
        console.warn(`rate limit ${this.name}: Redis unavailable, not limiting (${(error as Error).message})`);
      this.warned = true;
      return;
    }
    this.warned = false;
    if (waitMs > 0) throw limited(waitMs);
  }
}

/**
 * Write mutations per user; model runs per user or client address (they cost CPU even signed out); sign-in
 * attempts per account (password guessing against one person) and per client address (against many); sign-ups
 * per client address (each costs a 128 MiB password hash and a row).
 */
export interface RateLimiters {
  writes: RateLimiter;
  compute: RateLimiter;
  signInAccount: RateLimiter;
  signInAddress: RateLimiter;
  signUpAddress: RateLimiter;
}

function rateLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<keyof RateLimiters, RateLimit> {
  return {
    writes: { burst: Number(env.WRITE_RATE_BURST ?? 60), perSecond: Number(env.WRITE_RATE_PER_SECOND ?? 20) },
    compute: { burst: Number(env.COMPUTE_RATE_BURST ?? 20), perSecond: Number(env.COMPUTE_RATE_PER_SECOND ?? 5) },
    // 10 tries, then one every 30 s per account; 30, then one every 2 s per address.
    signInAccount: {
      burst: Number(env.SIGNIN_ACCOUNT_BURST ?? 10),
      perSecond: Number(env.SIGNIN_ACCOUNT_PER_SECOND ?? 1 / 30),
    },
    signInAddress: {
      burst: Number(env.SIGNIN_ADDRESS_BURST ?? 30),
      perSecond: Number(env.SIGNIN_ADDRESS_PER_SECOND ?? 0.5),
    },
    // 20 accounts at once from one address (a lab behind one NAT), then one a minute.
    signUpAddress: {
      burst: Number(env.SIGNUP_ADDRESS_BURST ?? 20),
      perSecond: Number(env.SIGNUP_ADDRESS_PER_SECOND ?? 1 / 60),
    },
  };
}

/** Shared through Redis, under the deployment's key prefix, when a client is given; else per process. */
export function createRateLimiters(
  shared?: { redis: Redis; keyPrefix: string },
  limits = rateLimitsFromEnv(),
): RateLimiters {
  const make = (name: keyof RateLimiters) =>
    shared
      ? new RedisRateLimiter(shared.redis, name, limits[name], shared.keyPrefix)
      : new MemoryRateLimiter(limits[name]);
  return {
    writes: make('writes'),
    compute: make('compute'),
    signInAccount: make('signInAccount'),
    signInAddress: make('signInAddress'),
    signUpAddress: make('signUpAddress'),
  };
}
