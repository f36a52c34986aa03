import { Worker } from 'node:worker_threads';
import {
  DriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
  type TransactionOptions,
} from '@prisma/driver-adapter-utils';
import type { SqlRunner } from './database.js';

/**
 * The embedded PGlite database in a worker thread (`pglite-worker.mjs`), seen from the API's thread.
 *
 * Why: PGlite runs Postgres as WebAssembly on the thread that calls it, synchronously. On the API's one event loop
 * that was a quarter of its time under a steady write load, and every long statement or checkpoint stalled HTTP and
 * WebSocket traffic with it (bench:api's p99 at 200 mutations/s on a slow 2-core VM). In a thread of its own the
 * database gets the second core and the event loop stays free.
 *
 * Every call is a message `{ id, operation, args }` answered by `{ id, result }` or `{ id, error }`; notifications
 * arrive as `{ notification: { channel, payload } }`. Prisma's PGlite adapter runs in the worker, so rows cross the
 * boundary already converted (plain values), and driver errors keep their mapped cause.
 */
export class PgliteThread {
  private lastCallId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, ((payload: string) => void)[]>();
  /** Set once the worker has stopped: every later call fails with it. */
  private stopped: Error | null = null;
  /** close() was called: the thread's end is expected, not news for the log. */
  private closing = false;
  private markLost: (reason: Error) => void = () => {};
  /** Settles with the reason if the thread ends without close() (a WebAssembly abort, say): it does not come back. */
  readonly lost = new Promise<Error>((resolve) => {
    this.markLost = resolve;
  });

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => this.receive(message));
    worker.on('error', (error) => this.stop(new Error(`the embedded database stopped: ${error.message}`)));
    worker.on('exit', (code) => this.stop(new Error(`the embedded database's thread exited (code ${code})`)));
  }

  /** Starts the thread and opens PGlite in it: in memory when dataDir is undefined, else persisted there. */
  static start(dataDir: string | undefined): Promise<PgliteThread> {
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir },
      execArgv: workerExecArgv(process.execArgv),
    });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        worker.off('message', ready);
        reject(new Error(`could not open the embedded database: ${error.message}`));
      };
      const exited = (code: number) => failed(new Error(`its thread exited (code ${code})`));
      // The worker's first message says PGlite is open.
      const ready = () => {
        worker.off('error', failed).off('exit', exited);
        resolve(new PgliteThread(worker));
      };
      worker.once('error', failed).once('exit', exited).once('message', ready);
    });
  }

  call<T>(operation: string, ...args: unknown[]): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    this.lastCallId += 1;
    const id = this.lastCallId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.worker.postMessage({ id, operation, args });
      } catch (error) {
        // A value that cannot be copied to the thread (a function, say): this call fails, the rest go on.
        this.pending.delete(id);
        reject(error as Error);
      }
    });
  }

  /** Plain SQL, as the migrator runs it. */
  runner(): SqlRunner {
    return {
      exec: (sql) => this.call('exec', sql),
      query: (sql, params = []) => this.call('query', sql, params),
    };
  }

  /** A Prisma driver adapter whose queries run in the thread. */
  adapterFactory(): SqlDriverAdapterFactory {
    return new ThreadAdapterFactory(this);
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<void> {
    const existing = this.listeners.get(channel);
    this.listeners.set(channel, [...(existing ?? []), onPayload]);
    if (!existing) await this.call('listen', channel);
  }

  /** Closes PGlite (it writes what it holds) and ends the thread. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.closing = true;
    await this.call('close');
    await this.worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    if ('notification' in message) {
      for (const listener of this.listeners.get(message.notification.channel) ?? []) {
        listener(message.notification.payload);
      }
      return;
    }
    if (!('id' in message)) return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.error) call.reject(errorFrom(message.error));
    else call.resolve(message.result);
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    if (!this.closing) this.markLost(reason);
    for (const call of this.pending.values()) call.reject(reason);
    this.pending.clear();
  }
}

/**
 * Node options for the worker: inherited (so --cpu-prof profiles the database's thread too), except when the main
 * script came from `-e` or `--input-type`, which a worker inherits and then refuses to start with; then none (V8's
 * flags, such as --expose-gc, are the process's and hold in every thread anyway).
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  const fromSource = execArgv.some((option) => /^(-e|-p|--eval|--print|--input-type)(=|$)/.test(option));
  return fromSource ? [] : undefined;
}

type WorkerMessage =
  | { ready: true }
  | { notification: { channel: string; payload: string } }
  | { id: number; result?: unknown; error?: PlainError };

type PlainError =
  | { driverCause: DriverAdapterError['cause'] }
  | { name: string; message: string; stack?: string; fields: Record<string, string> };

function errorFrom(plain: PlainError): Error {
  if ('driverCause' in plain) return new DriverAdapterError(plain.driverCause);
  const error = Object.assign(new Error(plain.message), plain.fields);
  error.name = plain.name;
  if (plain.stack) error.stack = plain.stack;
  return error;
}

const ADAPTER_INFO = { provider: 'postgres', adapterName: 'pglite-prisma-adapter' } as const;

class ThreadAdapterFactory implements SqlDriverAdapterFactory {
  readonly provider = ADAPTER_INFO.provider;
  readonly adapterName = ADAPTER_INFO.adapterName;
  constructor(private readonly thread: PgliteThread) {}

  async connect(): Promise<SqlDriverAdapter> {
    const thread = this.thread;
    return {
      ...ADAPTER_INFO,
      queryRaw: (query: SqlQuery) => thread.call<SqlResultSet>('queryRaw', query),
      executeRaw: (query: SqlQuery) => thread.call<number>('executeRaw', query),
      executeScript: (script: string) => thread.call<void>('executeScript', script),
      getConnectionInfo: () => ({ supportsRelationJoins: true }),
      startTransaction: async (isolationLevel?: IsolationLevel): Promise<Transaction> => {
        const { id, options } = await thread.call<{ id: number; options: TransactionOptions }>(
          'startTransaction',
          isolationLevel,
        );
        return {
          ...ADAPTER_INFO,
          options,
          queryRaw: (query: SqlQuery) => thread.call<SqlResultSet>('transactionQueryRaw', id, query),
          executeRaw: (query: SqlQuery) => thread.call<number>('transactionExecuteRaw', id, query),
          commit: () => thread.call<void>('commit', id),
          rollback: () => thread.call<void>('rollback', id),
        };
      },
      // The thread outlives Prisma's connection: Database.close() ends it after Prisma has disconnected.
      dispose: async () => {},
    };
  }
}
