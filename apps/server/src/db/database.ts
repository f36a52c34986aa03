import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';
import { migrate } from './migrate.js';

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

function createPrisma(adapter: PrismaPg | PrismaPGlite, onQuery: ((sql: string) => void) | undefined): PrismaClient {
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
  const prisma = createPrisma(new PrismaPg(pool), onQuery);
  return {
    kind: 'postgres',
    prisma,
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string | undefined, onQuery?: (sql: string) => void): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  try {
    await migrate({
      exec: async (sql) => {
        await pglite.exec(sql);
      },
      query: async <Row>(sql: string, params: unknown[] = []) => (await pglite.query<Row>(sql, params)).rows,
    });
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = createPrisma(new PrismaPGlite(pglite), onQuery);
  return {
    kind: 'pglite',
    prisma,
    close: async () => {
      await prisma.$disconnect();
      // An open PGlite keeps Node from exiting.
      await pglite.close();
    },
  };
}
