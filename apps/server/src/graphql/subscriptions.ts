import type { AppError } from '../services/errors.js';

/** What a subscription depends on, checked again: null while it holds, else the error the subscription ends with. */
export type AccessCheck = () => Promise<AppError | null>;

/** How often a subscription's access is checked again (SUBSCRIPTION_RECHECK_MS). */
export const DEFAULT_SUBSCRIPTION_RECHECK_MS = 5000;

/**
 * A subscription's events for as long as `check` allows. Every `intervalMs`, whether or not events arrive (a quiet
 * topic too), access is checked again; once it is gone the iterator throws the check's error, which graphql-ws
 * sends as the subscription's `error` message, and the source is released. Signing out, a removed membership or a
 * revoked share link thus ends what depended on it within about `intervalMs`.
 *
 * The source is opened with an AbortSignal that is aborted when the subscription ends for any reason (the client
 * leaves, access ends, the source fails): an async generator waiting for an event cannot be returned from outside,
 * so the source must end itself on abort (EventBus.subscribe takes the signal).
 */
export function whileAllowed<T>(
  open: (signal: AbortSignal) => AsyncIterable<T>,
  check: AccessCheck,
  intervalMs: number,
): AsyncIterableIterator<T> {
  const abort = new AbortController();
  const source = open(abort.signal)[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  let nextCheckAt = Date.now() + intervalMs;
  let timer: NodeJS.Timeout | undefined;
  let stop!: () => void;
  const stopped = new Promise<'stop'>((resolve) => (stop = () => resolve('stop')));
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    stop();
    abort.abort();
    // Not awaited: a generator still waiting inside would hold this up until it ends (the abort ends it).
    Promise.resolve(source.return?.()).catch(() => {});
  };
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T>> {
      try {
        while (!finished) {
          pending ??= source.next();
          const tick = new Promise<'tick'>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, nextCheckAt - Date.now()), 'tick');
          });
          const winner = await Promise.race([pending, tick, stopped]);
          clearTimeout(timer);
          if (winner === 'stop') break;
          if (winner === 'tick') {
            let denied: AppError | null = null;
            try {
              denied = await check();
            } catch (error) {
              // The check itself failed (the database is briefly away): keep the subscription, try again later.
              console.error('subscription access re-check failed:', error);
            }
            if (denied && !finished) {
              finish();
              throw denied;
            }
            nextCheckAt = Date.now() + intervalMs;
            continue;
          }
          pending = null;
          if (winner.done) break;
          return winner;
        }
      } catch (error) {
        finish();
        throw error;
      }
      finish();
      return done;
    },
    async return(): Promise<IteratorResult<T>> {
      finish();
      return done;
    },
    async throw(error?: unknown): Promise<IteratorResult<T>> {
      finish();
      throw error;
    },
  };
}
