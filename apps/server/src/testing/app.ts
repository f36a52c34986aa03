import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppOptions, type RunningApp, startApp } from '../app.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: RunningApp;
  db: TestDatabase;
  /** Stops the server, then drops its database. */
  stop(): Promise<void>;
}

type TestAppOptions = Partial<Omit<AppOptions, 'database'>> & { onQuery?: (sql: string) => void };

/**
 * The API as the server's tests run it: a fresh database (Postgres when DATABASE_URL is set, else PGlite), a free
 * port on 127.0.0.1 and cookies without `Secure` (plain HTTP); any option can be overridden.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const { onQuery, ...rest } = options;
  const db = await createTestDatabase();
  try {
    const app = await startApp({
      host: '127.0.0.1',
      port: 0,
      secureCookies: false,
      ...rest,
      database: onQuery ? { ...db.config, onQuery } : db.config,
    });
    return {
      app,
      db,
      stop: async () => {
        await app.stop();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/**
 * startTestApp serving the models bundled in `bundledDir`, its model registry and engine cache in a fresh temporary
 * folder named from `prefix`; stop() also removes that folder.
 */
export async function startModelTestApp(
  bundledDir: string,
  prefix: string,
  options: TestAppOptions = {},
): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const test = await startTestApp({
      models: { bundledDir, registryDir: join(dir, 'registry') },
      engineCacheDir: join(dir, 'engine-cache'),
      ...options,
    });
    return {
      ...test,
      stop: async () => {
        await test.stop();
        await removeDir();
      },
    };
  } catch (error) {
    await removeDir();
    throw error;
  }
}
