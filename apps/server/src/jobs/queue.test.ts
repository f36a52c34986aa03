import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisQueue } from './queue.js';

const redisUrl = process.env.REDIS_URL;

const until = async (done: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe.skipIf(!redisUrl)('Redis job queue', () => {
  const run = `${process.pid}-${Date.now()}`;
  const queues: RedisQueue[] = [];
  const open = (prefix: string) => {
    const queue = new RedisQueue(redisUrl!, 1, prefix);
    queues.push(queue);
    return queue;
  };
  afterAll(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    // The queues' keys (meta, event streams) are this file's alone: leave nothing behind.
    const redis = new Redis(redisUrl!);
    for (const prefix of [`test-a-${run}`, `test-b-${run}`, `test-refuse-${run}`]) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('hands a job only to workers under the prefix it was queued under', async () => {
    const [a, b] = [open(`test-a-${run}`), open(`test-b-${run}`)];
    const taken = { a: [] as string[], b: [] as string[] };
    a.work(async (id) => void taken.a.push(id));
    b.work(async (id) => void taken.b.push(id));
    for (const id of ['a1', 'a2', 'a3']) await a.add(id);
    await b.add('b1');
    await until(() => taken.a.length === 3 && taken.b.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a stray delivery, were there one
    expect(taken).toEqual({ a: ['a1', 'a2', 'a3'], b: ['b1'] });
  });

  it('fails a delivery its runner refuses, says so, does not retry it, and lets the id be queued again', async () => {
    const queue = open(`test-refuse-${run}`);
    const deliveries: string[] = [];
    const errors: string[] = [];
    const error = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      queue.work(async (id) => {
        deliveries.push(id);
        if (deliveries.length === 1) throw new Error('not in this database');
      });
      await queue.add('j1');
      await until(() => errors.length === 1);
      await queue.add('j1'); // as the job's own deployment does when its sweep finds it still QUEUED
      await until(() => deliveries.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      console.error = error;
    }
    expect(deliveries).toEqual(['j1', 'j1']);
    expect(errors).toEqual(['job j1 not run: not in this database']);
  });
});
