// @ts-check
/**
 * The embedded database's own thread: PGlite (WebAssembly Postgres) and its Prisma adapter run here, so their
 * synchronous work (the query executor, the WAL and file writes) never blocks the API's event loop, and the
 * database gets a core of its own. `pglite-thread.ts` is the other end and documents the messages.
 *
 * Plain JavaScript on purpose: the server's tests run its TypeScript sources through Vitest, which does not
 * transform a worker thread's entry file, while this file runs as it is from `src/` and from `dist/`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const pglite = await PGlite.create(/** @type {{ dataDir?: string }} */ (workerData).dataDir);
const adapter = await new PrismaPGlite(pglite).connect();

/** Open interactive transactions by id: each holds PGlite's transaction lock until its commit or rollback. */
const transactions = new Map();
let lastTransactionId = 0;

/** @param {number} id */
function transaction(id) {
  const open = transactions.get(id);
  if (!open) throw new Error(`transaction ${id} is not open`);
  return open;
}

/** @type {Record<string, (...args: any[]) => Promise<unknown>>} */
const operations = {
  exec: async (sql) => {
    await pglite.exec(sql);
  },
  query: async (sql, params) => (await pglite.query(sql, params)).rows,
  queryRaw: (query) => adapter.queryRaw(query),
  executeRaw: (query) => adapter.executeRaw(query),
  executeScript: (script) => adapter.executeScript(script),
  startTransaction: async (isolationLevel) => {
    const open = await adapter.startTransaction(isolationLevel);
    lastTransactionId += 1;
    transactions.set(lastTransactionId, open);
    return { id: lastTransactionId, options: open.options };
  },
  transactionQueryRaw: (id, query) => transaction(id).queryRaw(query),
  transactionExecuteRaw: (id, query) => transaction(id).executeRaw(query),
  commit: async (id) => {
    const open = transaction(id);
    transactions.delete(id);
    await open.commit();
  },
  rollback: async (id) => {
    const open = transaction(id);
    transactions.delete(id);
    await open.rollback();
  },
  listen: async (channel) => {
    await pglite.listen(channel, (payload) => port.postMessage({ notification: { channel, payload } }));
  },
  close: async () => {
    await pglite.close();
  },
};

/**
 * An error as plain data: a driver error keeps its mapped cause (Prisma turns that into P2002 and the like); any other
 * keeps its message and the fields Postgres errors carry (code, detail, ...).
 * @param {any} error
 */
function plainError(error) {
  if (error?.name === 'DriverAdapterError') return { driverCause: error.cause };
  const fields = {};
  for (const key of ['code', 'severity', 'detail', 'hint', 'position', 'table', 'column', 'constraint']) {
    if (typeof error?.[key] === 'string') Object.assign(fields, { [key]: error[key] });
  }
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error), stack: error?.stack, fields };
}

port.on('message', async (/** @type {{ id: number; operation: string; args: unknown[] }} */ message) => {
  try {
    const run = operations[message.operation];
    if (!run) throw new Error(`unknown database operation ${message.operation}`);
    port.postMessage({ id: message.id, result: await run(...message.args) });
  } catch (error) {
    port.postMessage({ id: message.id, error: plainError(error) });
  }
});
port.postMessage({ ready: true });
