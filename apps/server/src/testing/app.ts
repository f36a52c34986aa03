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
