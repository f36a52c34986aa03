import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DatabaseConfig, SqlRunner } from '../db/database.js';
import { hasPostgres } from './services.js';

export interface TestDatabase {
  config: DatabaseConfig;
  /** Drops the throwaway database (Postgres); nothing to do for in-memory PGlite. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: a new database on the Postgres server in DATABASE_URL when it is set,
 * else an in-memory PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL?.trim();
  if (!hasPostgres() || !baseUrl) return { config: { kind: 'pglite' }, drop: async () => {} };
  const name = `wb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A PGlite opened by a test itself (migration tests) as the migrator's SqlRunner; the app's goes through its thread. */
export function pgliteRunner(pglite: PGlite): SqlRunner {
  return {
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await pglite.query<Row>(sql, params)).rows,
  };
}
