import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../apps/server/src/testing/database.js';
import { startProcess, stopProcesses } from './processes.mjs';

export { startProcess, startProcessUntil, stopProcesses } from './processes.mjs';

export interface Stack {
  /** The web app's origin, e.g. http://127.0.0.1:40123 */
  webUrl: string;
  apiUrl: string;
  /** Stops the API server, runs `whileDown`, and starts it again on the same port (the web app keeps running). */
  restartApi(whileDown?: () => Promise<void>): Promise<void>;
  /** Another API server on the same database (Postgres only: PGlite allows one process); its GraphQL URL. */
  startExtraApi(): Promise<{ apiUrl: string; stop(): Promise<void> }>;
  /**
   * Runs one SQL statement on the stack's database, for a state no API call can make (an invitation past its
   * expiry). With PGlite, which one process opens at a time, the API server is restarted around it.
   */
  sql(statement: string, params?: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real app as users run it: the built API server and web app as separate processes on free ports, on a fresh
 * database (a throwaway Postgres database when DATABASE_URL is set, else PGlite in a temporary folder).
 */
export async function startStack(options: { apiEnv?: NodeJS.ProcessEnv } = {}): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-e2e-'));
  const database: TestDatabase = await createTestDatabase();
  const databaseUrl = database.config.kind === 'postgres' ? database.config.url : undefined;
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' };
  delete baseEnv.DATABASE_URL;
  const apiEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    API_PORT: '0',
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.apiEnv,
  };
  let api = await startProcess('apps/server/dist/main.js', apiEnv, 'API ready at');
  const extras: ChildProcess[] = [];
  const web = await startProcess(
    'apps/web/server.mjs',
    { ...baseEnv, WEB_PORT: '0', API_URL: api.url },
    'Web app ready at',
  );
  const restartApi = async (whileDown?: () => Promise<void>) => {
    await stopProcesses([api.child]);
    await whileDown?.();
    const port = new URL(api.url).port;
    api = await startProcess('apps/server/dist/main.js', { ...apiEnv, API_PORT: port }, 'API ready at');
  };
  return {
    webUrl: web.url,
    apiUrl: `${api.url}/graphql`,
    restartApi,
    sql: async (statement, params = []) => {
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(statement, params);
        } finally {
          await client.end();
        }
        return;
      }
      // The API server persists its PGlite under DATA_DIR/pglite (databaseConfigFromEnv).
      await restartApi(async () => {
        const pglite = await PGlite.create(join(dataDir, 'pglite'));
        try {
          await pglite.query(statement, params);
        } finally {
          await pglite.close();
        }
      });
    },
    startExtraApi: async () => {
      if (!databaseUrl) throw new Error('a second API server needs Postgres (set DATABASE_URL)');
      const extra = await startProcess('apps/server/dist/main.js', apiEnv, 'API ready at');
      extras.push(extra.child);
      return { apiUrl: `${extra.url}/graphql`, stop: () => stopProcesses([extra.child]) };
    },
    stop: async () => {
      await stopProcesses([web.child, api.child, ...extras]);
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
