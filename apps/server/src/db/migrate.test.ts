import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgliteRunner } from '../testing/database.js';
import { hasPostgres } from '../testing/services.js';
import { openDatabase } from './database.js';
import { migrate, readMigrations } from './migrate.js';

const pglite = new PGlite();
const runner = pgliteRunner(pglite);
afterAll(() => pglite.close());

describe('offline migrator', () => {
  it('applies the committed migrations once and creates schema v1', async () => {
    const all = (await readMigrations()).map((m) => m.name);
    expect(await migrate(runner)).toEqual(all);
    expect(await migrate(runner)).toEqual([]);
    const tables = await runner.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['memberships', 'sessions', 'teams', 'users', '_workbench_migrations']),
    );
  });

  it('rolls back a failing migration whole and refuses an edited one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await mkdir(join(dir, '001_ok'));
    await writeFile(join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE "t_ok" ("id" INT);');
    await mkdir(join(dir, '002_bad'));
    await writeFile(
      join(dir, '002_bad', 'migration.sql'),
      'CREATE TABLE "t_half" ("id" INT);\nSELECT * FROM "no_such_table";',
    );
    await expect(migrate(runner, dir)).rejects.toThrow(/no_such_table/);
    const half = await runner.query("SELECT 1 FROM pg_tables WHERE tablename = 't_half'");
    expect(half).toHaveLength(0);
    const ok = await runner.query("SELECT 1 FROM pg_tables WHERE tablename = 't_ok'");
    expect(ok).toHaveLength(1);

    await writeFile(join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE "t_ok" ("id" BIGINT);');
    await expect(migrate(runner, dir)).rejects.toThrow(/001_ok was changed after it was applied/);
  });
});

describe.runIf(hasPostgres())('migrating Postgres from several processes at once', () => {
  it('brings up a fresh database when four instances start together (they take turns)', async () => {
    const db = await createTestDatabase();
    try {
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => openDatabase(db.config)));
      for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
      expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual([
        'ok',
        'ok',
        'ok',
        'ok',
      ]);
    } finally {
      await db.drop();
    }
  });
});
