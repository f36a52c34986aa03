import { type DatabaseConfig, openDatabase } from './db/database.js';
import { createEventBus } from './events/redis-bus.js';
import { type ApiServer, startApiServer } from './http/server.js';
import { createServices } from './services/index.js';

export interface AppOptions {
  database: DatabaseConfig;
  host: string;
  port: number;
  secureCookies: boolean;
  /** Events cross server instances through Redis when set; otherwise they stay in this process. */
  redisUrl?: string;
}

export interface RunningApp extends ApiServer {
  stop(): Promise<void>;
}

/** Opens (and migrates) the database, wires the services and serves the API. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const database = await openDatabase(options.database);
  let events: Awaited<ReturnType<typeof createEventBus>> | undefined;
  try {
    events = await createEventBus(options.redisUrl);
    const services = createServices(database, events);
    const server = await startApiServer({ services, ...options });
    return {
      ...server,
      stop: async () => {
        await server.close();
        await events?.close?.();
        await database.close();
      },
    };
  } catch (error) {
    await events?.close?.();
    await database.close();
    throw error;
  }
}
