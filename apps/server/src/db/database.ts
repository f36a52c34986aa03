import { mkdirSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { migrate } from './migrate.js';
import { PgliteThread } from './pglite-thread.js';

/** Runs plain SQL: what the migrator needs from either backend. */
export interface SqlRunner {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface Database {
  prisma: PrismaClient;
  /** "postgres" for DATABASE_URL, "pglite" for the embedded database. */
  kind: 'postgres' | 'pglite';
  /**
   * Settles if the database is gone for good: the embedded one's thread ended (Postgres connections are re-made by
   * the pool, so on Postgres it never settles). The process should stop: every query would fail from then on.
   */
  lost: Promise<Error>;
  /** Calls `onPayload` with each NOTIFY on `channel` (delivered once the notifying transaction commits). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseConfig = (
  | { kind: 'postgres'; url: string }
  /** dataDir undefined: in memory (tests); otherwise persisted there. */
  | { kind: 'pglite'; dataDir?: string }
) & {
  /** Called with each SQL statement Prisma sends (tests count them to catch N+1 queries). */
  onQuery?: (sql: string) => void;
};

function createPrisma(
  adapter: PrismaPg | SqlDriverAdapterFactory,
  onQuery: ((sql: string) => void) | undefined,
): PrismaClient {
  if (!onQuery) return new PrismaClient({ adapter });
  const prisma = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (event) => onQuery(event.query));
  return prisma;
}

/** DATABASE_URL when set, else the embedded PGlite database persisted under `${dataDir}/pglite`. */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  return url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: `${dataDir}/pglite` };
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'postgres'
    ? openPostgres(config.url, config.onQuery)
    : openPglite(config.dataDir, config.onQuery);
}

async function openPostgres(url: string, onQuery?: (sql: string) => void): Promise<Database> {
  // Migrations hold an advisory lock, so they need one connection of their own, not a pool.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate({
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
    });
  } finally {
    await client.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  // An idle connection that dies (Postgres restarted, the connection killed while the pool closes) is an 'error' event on
  // the pool: without a listener it would end the process. The pool replaces the connection on the next query.
  pool.on('error', (error) => console.error(`database pool: an idle connection failed: ${error.message}`));
  const prisma = createPrisma(new PrismaPg(pool), onQuery);
  const listeners: PostgresListener[] = [];
  return {
    kind: 'postgres',
    prisma,
    lost: new Promise<Error>(() => {}),
    listen: async (channel, onPayload) => {
      const listener = new PostgresListener(url, channel, onPayload);
      listeners.push(listener);
      await listener.start();
    },
    close: async () => {
      await Promise.all(listeners.map((l) => l.stop()));
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string | undefined, onQuery?: (sql: string) => void): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const thread = await PgliteThread.start(dataDir);
  try {
    await migrate(thread.runner());
  } catch (error) {
    await thread.close();
    throw error;
  }
  const prisma = createPrisma(thread.adapterFactory(), onQuery);
  return {
    kind: 'pglite',
    prisma,
    lost: thread.lost,
    listen: (channel, onPayload) => thread.listen(channel, onPayload),
    close: async () => {
      await prisma.$disconnect();
      // An open PGlite keeps Node from exiting.
      await thread.close();
    },
  };
}

/**
 * LISTEN needs a connection of its own that stays open. If it drops (a Postgres restart), it is opened again
 * after a second, and notifications sent in between are lost: listeners use them to refresh, not as a log.
 */
class PostgresListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
  ) {}

  async start(): Promise<void> {
    // keepAlive: a connection that silently dies (a failover without a reset) ends in an error, not in silence.
    const client = new pg.Client({ connectionString: this.url, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.onPayload(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      // stop() came while this (re)connection was being made.
      await client.end().catch(() => {});
      return;
    }
    client.on('error', (error) => {
      console.error(`LISTEN ${this.channel}: ${error.message}; reconnecting`);
      this.reconnect();
    });
    client.on('end', () => this.reconnect());
    this.client = client;
  }

  private reconnect(): void {
    if (this.stopped || this.retry) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start().catch((error: Error) => {
        console.error(`LISTEN ${this.channel}: ${error.message}`);
        this.reconnect();
      });
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
  }
}
