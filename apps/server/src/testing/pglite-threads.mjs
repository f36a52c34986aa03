// @ts-check
/**
 * Test only, loaded with `node --import` before the built API (database-loss.test.ts): SIGUSR2 ends the embedded
 * database's thread the way a WebAssembly abort would, so the test can watch what the API does without its
 * database. The shipped server has no hook for this: the module replaces worker_threads' Worker with a subclass that
 * remembers the PGlite workers it starts.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const workerThreads = createRequire(import.meta.url)('node:worker_threads');

// Workers inherit --import: only the main thread tracks and listens.
if (workerThreads.isMainThread) {
  /** @type {import('node:worker_threads').Worker[]} */
  const pgliteWorkers = [];
  /** @type {typeof import('node:worker_threads').Worker} */
  const Worker = workerThreads.Worker;
  workerThreads.Worker = class TrackedWorker extends Worker {
    /** @param {ConstructorParameters<typeof Worker>} args */
    constructor(...args) {
      super(...args);
      if (String(args[0]).endsWith('/pglite-worker.mjs')) pgliteWorkers.push(this);
    }
  };
  // `import { Worker } from 'node:worker_threads'` in the server then gets the subclass.
  syncBuiltinESMExports();
  process.on('SIGUSR2', () => {
    console.log(`pglite-loss: ending ${pgliteWorkers.length} embedded database thread(s)`);
    for (const worker of pgliteWorkers) void worker.terminate();
  });
}
