import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A ChangeEvent as featureChanged, circuitChanged and teamChanged send it. */
export interface Change {
  kind: string;
  id: string | null;
  data: Record<string, unknown>;
}

/** One subscription over graphql-ws: its events as they arrive (`seen`), and the errors it ended with. */
export interface Followed {
  seen: Change[];
  errors: unknown;
  dispose: () => Promise<void> | void;
}

/**
 * Subscribes to `query` (one field) at the API `url` as the holder of this session cookie or share token, and
 * records what arrives.
 */
export function follow(
  url: string,
  auth: { cookie?: string; shareToken?: string },
  query: string,
  variables: Record<string, unknown>,
): Followed {
  const client = createClient({
    url: url.replace('http', 'ws'),
    retryAttempts: 0,
    connectionParams: auth.shareToken ? { shareToken: auth.shareToken } : {},
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: auth.cookie ? { cookie: auth.cookie } : {} });
      }
    },
  });
  const sub: Followed = { seen: [], errors: null, dispose: () => client.dispose() };
  void (async () => {
    for await (const result of client.iterate<Record<string, Change>>({ query, variables })) {
      if (result.errors) sub.errors = result.errors;
      else sub.seen.push(Object.values(result.data!)[0]!);
    }
  })().catch((error: unknown) => (sub.errors = error));
  return sub;
}

/**
 * What `sub` heard up to the event `markerId` (published after what the test looks for: events of one topic
 * arrive in order), taken out of `seen`. Throws, naming the marker, if it does not arrive within `timeoutMs`.
 */
export async function heardUntil(sub: Followed, markerId: string, timeoutMs = 10_000): Promise<Change[]> {
  const deadline = Date.now() + timeoutMs;
  while (!sub.seen.some((e) => e.id === markerId)) {
    if (Date.now() > deadline) {
      throw new Error(`event ${markerId} did not arrive within ${timeoutMs} ms (heard: ${JSON.stringify(sub.seen)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return sub.seen.splice(0, sub.seen.findIndex((e) => e.id === markerId) + 1);
}

/**
 * Resolves once every subscription in `subs` has heard something, calling `poke` (a write all of them hear) every
 * 300 ms until then: a subscription is registered on the server only some time after it is sent, and one that is not
 * yet would miss the events a test looks for. Clears what the pokes left in `seen`.
 */
export async function untilAllListen(subs: Followed[], poke: () => Promise<unknown>, timeoutMs = 15_000) {
  const probing = setInterval(() => void poke().catch(console.error), 300);
  try {
    const deadline = Date.now() + timeoutMs;
    while (!subs.every((s) => s.seen.length > 0)) {
      if (Date.now() > deadline) throw new Error(`not every subscription heard a poke within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    clearInterval(probing);
  }
  for (const s of subs) s.seen.length = 0;
}
