import { type DatabaseConfig, openDatabase } from './db/database.js';
import { InProcessEventBus } from './events/bus.js';
import { type ApiServer, startApiServer } from './http/server.js';
import { createServices } from './services/index.js';

export interface AppOptions {
  database: DatabaseConfig;
  host: string;
  port: number;
  secureCookies: boolean;
}

export interface RunningApp extends ApiServer {
  stop(): Promise<void>;
}

/** Opens (and migrates) the database, wires the services and serves the API. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const database = await openDatabase(options.database);
  const services = createServices(database, new InProcessEventBus());
  try {
    const server = await startApiServer({ services, ...options });
    return {
      ...server,
      stop: async () => {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
