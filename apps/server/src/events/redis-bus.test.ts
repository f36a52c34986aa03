import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventBus } from './redis-bus.js';

const redisUrl = process.env.REDIS_URL;

describe.skipIf(!redisUrl)('events through Redis', () => {
  const buses: RedisEventBus[] = [];
  const abort = new AbortController();
  afterAll(async () => {
    abort.abort();
    await Promise.all(buses.map((bus) => bus.close()));
  });

  it("reach every instance of the deployment and none of another deployment's on the same Redis", async () => {
    const run = `${process.pid}-${Date.now()}`;
    const [a1, a2, b] = await Promise.all(
      [`test-a-${run}`, `test-a-${run}`, `test-b-${run}`].map((prefix) => RedisEventBus.connect(redisUrl!, prefix)),
    );
    buses.push(a1!, a2!, b!);
    // The same topic name in both deployments, as a feature's topic is.
    const topic = 'feature:demo:resid_0:1';
    const heard = new Map<RedisEventBus, unknown[]>();
    for (const bus of [a2!, b!]) {
      const events: unknown[] = [];
      heard.set(bus, events);
      void (async () => {
        for await (const event of bus.subscribe(topic, abort.signal)) events.push(event);
      })();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    a1!.publish(topic, { from: 'a' });
    b!.publish(topic, { from: 'b' });
    const deadline = Date.now() + 2000;
    while ([...heard.values()].some((events) => events.length === 0) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a stray event to arrive, were there one
    expect(heard.get(a2!)).toEqual([{ from: 'a' }]);
    expect(heard.get(b!)).toEqual([{ from: 'b' }]);
  });
});
