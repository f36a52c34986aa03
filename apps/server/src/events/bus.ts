import { EventEmitter, on } from 'node:events';

/**
 * Publish/subscribe between services and GraphQL subscriptions. In-process here; a Redis-backed bus with the same
 * interface carries events between server instances when REDIS_URL is set (collaboration issue).
 */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /**
   * Delivers to this instance's subscribers only: for events every instance hears by itself (Postgres
   * notifications), which `publish` through Redis would deliver once per instance.
   */
  publishLocal(topic: string, payload: unknown): void;
  subscribe(topic: string, signal?: AbortSignal): AsyncIterableIterator<unknown>;
}

export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(topic: string, payload: unknown): void {
    this.emitter.emit(topic, payload);
  }

  publishLocal(topic: string, payload: unknown): void {
    this.publish(topic, payload);
  }

  /** Listeners attached now, over all topics: 0 once every subscriber has left (tests check that nothing is kept). */
  listenerCount(): number {
    return this.emitter.eventNames().reduce((sum, topic) => sum + this.emitter.listenerCount(topic), 0);
  }

  async *subscribe(topic: string, signal?: AbortSignal): AsyncIterableIterator<unknown> {
    try {
      for await (const [payload] of on(this.emitter, topic, { signal })) yield payload;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }
}
