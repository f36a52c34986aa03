import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { hasRedis } from '../testing/services.js';
import type { AppError } from './errors.js';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './rate-limit.js';

async function refusal(limiter: RateLimiter, key: string): Promise<AppError | null> {
  try {
    await limiter.take(key);
    return null;
  } catch (error) {
    return error as AppError;
  }
}

describe('in-memory rate limit', () => {
  it('refuses past the burst with RATE_LIMITED and a wait, per key, and refills over time', async () => {
    const limiter = new MemoryRateLimiter({ burst: 3, perSecond: 20 });
    for (let i = 0; i < 3; i++) await limiter.take('u');
    const refused = await refusal(limiter, 'u');
    expect(refused?.extensions.code).toBe('RATE_LIMITED');
    expect(refused?.message).toMatch(/^Too many requests at once; try again in \d+ ms$/);
    expect(await refusal(limiter, 'someone else')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await refusal(limiter, 'u')).toBeNull();
  });
});

const redisUrl = hasRedis() ? process.env.REDIS_URL : undefined;

describe.skipIf(!redisUrl)('rate limit shared through Redis', () => {
  const clients: Redis[] = [];
  const connect = () => {
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
    clients.push(redis);
    return redis;
  };
  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
  });

  it('holds one bucket for every instance: two servers together get the burst once', async () => {
    const name = `test-${process.pid}-${Date.now()}`;
    const limit = { burst: 4, perSecond: 0.5 };
    const [first, second] = [
      new RedisRateLimiter(connect(), name, limit, 'test-deployment'),
      new RedisRateLimiter(connect(), name, limit, 'test-deployment'),
    ];
    await first.take('ada');
    await second.take('ada');
    await first.take('ada');
    await second.take('ada');
    const refused = await refusal(first, 'ada');
    expect(refused?.extensions.code).toBe('RATE_LIMITED');
    // An empty bucket refills at 0.5 tokens a second: about two seconds until the next one.
    expect(refused?.extensions.retryAfterMs).toBeGreaterThan(1000);
    expect(refused?.extensions.retryAfterMs).toBeLessThanOrEqual(2000);
    expect((await refusal(second, 'ada'))?.extensions.code).toBe('RATE_LIMITED');
    expect(await refusal(second, 'bob')).toBeNull();
  });

  it('keeps a bucket per deployment: another key prefix on the same Redis has its own', async () => {
    const name = `test-${process.pid}-${Date.now()}`;
    const limit = { burst: 2, perSecond: 0.5 };
    const mine = new RedisRateLimiter(connect(), name, limit, `deployment-a-${process.pid}`);
    const theirs = new RedisRateLimiter(connect(), name, limit, `deployment-b-${process.pid}`);
    await mine.take('ada');
    await mine.take('ada');
    expect((await refusal(mine, 'ada'))?.extensions.code).toBe('RATE_LIMITED');
    expect(await refusal(theirs, 'ada')).toBeNull();
    expect(await refusal(theirs, 'ada')).toBeNull();
    expect((await refusal(theirs, 'ada'))?.extensions.code).toBe('RATE_LIMITED');
  });

  it('lets requests through when Redis cannot answer, and says so once', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    clients.push(down);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const limiter = new RedisRateLimiter(down, 'down', { burst: 1, perSecond: 1 }, 'test-deployment');
      for (let i = 0; i < 3; i++) await limiter.take('ada');
    } finally {
      console.warn = warn;
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^rate limit down: Redis unavailable, not limiting/);
  });
});
