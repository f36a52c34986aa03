// @ts-check
/**
 * Test only: ends the embedded database's thread the way a WebAssembly abort would, so a test can watch what the
 * API does without its database. The shipped server has no hook for this: importing this module (before the
 * database opens) replaces worker_threads' Worker with a subclass that remembers the PGlite threads it starts.
 * In a test's own process, import it; in a child (the built API), `end-pglite-on-sigusr2.mjs` through --import.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const workerThreads = createRequire(import.meta.url)('node:worker_threads');

/** PGlite threads started since this module was imported and still running. */
const running = new Set();

// Workers inherit a child's --import: only the main thread starts PGlite threads.
if (workerThreads.isMainThread) {
  /** @type {typeof import('node:worker_threads').Worker} */
  const Worker = workerThreads.Worker;
  workerThreads.Worker = class TrackedWorker extends Worker {
    /** @param {ConstructorParameters<typeof Worker>} args */
    constructor(...args) {
      super(...args);
      if (String(args[0]).endsWith('/pglite-worker.mjs')) {
        running.add(this);
        this.once('exit', () => running.delete(this));
      }
    }
  };
  // `import { Worker } from 'node:worker_threads'` in pglite-thread.ts then gets the subclass.
  syncBuiltinESMExports();
}

/** Ends every running PGlite thread; returns how many there were. */
export function endPgliteThreads() {
  const threads = [...running];
  for (const thread of threads) void thread.terminate();
  return threads.length;
}
