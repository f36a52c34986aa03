import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlRunner } from './database.js';

/**
 * The project's own migrator: applies prisma/migrations/<name>/migration.sql in name order, once each, recording
 * name and checksum in `_workbench_migrations`. It needs no Prisma schema engine, so it runs offline on Postgres and
 * on PGlite alike. Each migration runs in its own transaction: a failure leaves the database as it was before it.
 */
export const MIGRATIONS_DIR =
  process.env.MIGRATIONS_DIR ?? new URL('../../../../prisma/migrations', import.meta.url).pathname;

// Any fixed number: instances starting together take turns instead of racing on the same migration.
const ADVISORY_LOCK_KEY = 7_348_112;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Applies pending migrations; returns the names it applied. Throws if an applied migration was edited. */
export async function migrate(db: SqlRunner, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  // The lock comes first: CREATE TABLE IF NOT EXISTS is not safe against itself, so two processes starting together
  // on a fresh database would otherwise race to create the table and one would fail (duplicate pg_type entry).
  await db.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_workbench_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const rows = await db.query<{ name: string; checksum: string }>(
      'SELECT "name", "checksum" FROM "_workbench_migrations"',
    );
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} was changed after it was applied; add a new migration instead of editing it`,
          );
        }
        continue;
      }
      const escapedName = migration.name.replaceAll("'", "''");
      await db.exec(
        `BEGIN;\n${migration.sql}\nINSERT INTO "_workbench_migrations" ("name", "checksum") VALUES ('${escapedName}', '${migration.checksum}');\nCOMMIT;`,
      );
      done.push(migration.name);
    }
    return done;
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
  }
}
