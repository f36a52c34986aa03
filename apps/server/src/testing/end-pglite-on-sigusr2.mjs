// @ts-check
/**
 * Test only, for `node --import` before the built API (database-loss.test.ts): SIGUSR2 ends its embedded database's
 * thread (see pglite-threads.mjs).
 */
import { isMainThread } from 'node:worker_threads';
import { endPgliteThreads } from './pglite-threads.mjs';

if (isMainThread) {
  process.on('SIGUSR2', () => {
    console.log(`end-pglite-on-sigusr2: ending ${endPgliteThreads()} embedded database thread(s)`);
  });
}
