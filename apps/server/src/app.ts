import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseConfig, openDatabase } from './db/database.js';
import { createEventBus } from './events/redis-bus.js';
import { type ApiServer, startApiServer } from './http/server.js';
import { type CatalogSources, discoverCatalog } from './models/catalog.js';
import { ModelService } from './models/service.js';
import { createServices } from './services/index.js';

export interface AppOptions {
  database: DatabaseConfig;
  host: string;
  port: number;
  secureCookies: boolean;
  /** Events cross server instances through Redis when set; otherwise they stay in this process. */
  redisUrl?: string;
  /** Where models and SAEs come from (default: none). */
  models?: CatalogSources;
  /** Packed weights and compiled graphs (default: a folder in the OS temp dir). */
  engineCacheDir?: string;
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
    const catalog = options.models ? await discoverCatalog(options.models) : { models: [], saes: [] };
    const models = new ModelService(catalog, options.engineCacheDir ?? join(tmpdir(), 'workbench-engine'));
    await models.syncRegistry(database.prisma);
    const services = createServices(database, events, models);
    const server = await startApiServer({ services, ...options });
    return {
      ...server,
      stop: async () => {
        await server.close();
        await models.dispose();
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
