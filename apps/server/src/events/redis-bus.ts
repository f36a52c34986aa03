import { Redis } from 'ioredis';
import { type EventBus, InProcessEventBus } from './bus.js';

/**
 * Carries events between server instances over Redis pub/sub. Each instance publishes to Redis only and delivers
 * what Redis sends back to its local subscribers, so an event reaches every instance (this one included) once.
 * Channels are `<prefix>:events:<topic>` (QUEUE_PREFIX): topics such as a feature's are named alike in every
 * deployment, and another deployment on the same Redis must not hear them.
 */
export class RedisEventBus implements EventBus {
  private readonly local = new InProcessEventBus();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  private constructor(
    url: string,
    private readonly channelPrefix: string,
  ) {
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  }

  static async connect(url: string, prefix: string): Promise<RedisEventBus> {
    const bus = new RedisEventBus(url, `${prefix}:events:`);
    await Promise.all([bus.publisher.connect(), bus.subscriber.connect()]);
    // One pattern subscription for every topic: instances need not track which topics have listeners.
    await bus.subscriber.psubscribe(`${bus.channelPrefix}*`);
    bus.subscriber.on('pmessage', (_pattern, channel, message) => {
      bus.local.publish(channel.slice(bus.channelPrefix.length), JSON.parse(message));
    });
    return bus;
  }

  publish(topic: string, payload: unknown): void {
    this.publisher.publish(this.channelPrefix + topic, JSON.stringify(payload)).catch((error: Error) => {
      console.error(`event ${topic} not published to Redis: ${error.message}`);
    });
  }

  publishLocal(topic: string, payload: unknown): void {
    this.local.publish(topic, payload);
  }

  subscribe(topic: string, signal?: AbortSignal): AsyncIterableIterator<unknown> {
    return this.local.subscribe(topic, signal);
  }

  async close(): Promise<void> {
    await Promise.all([this.publisher.quit(), this.subscriber.quit()]);
  }
}

/** Redis (under the deployment's prefix) when REDIS_URL is set, else in-process. */
export async function createEventBus(
  redisUrl: string | undefined,
  prefix: string,
): Promise<EventBus & { close?(): Promise<void> }> {
  return redisUrl ? RedisEventBus.connect(redisUrl, prefix) : new InProcessEventBus();
}
