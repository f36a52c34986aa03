import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { DatabaseConfig } from './db/database.js';

/** What QUEUE_PREFIX may be: it starts every Redis key and channel name of a deployment, so no glob characters. */
export const QUEUE_PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Where the database is, without credentials: Postgres host, port and database name, or PGlite's folder. Null for an
 * in-memory PGlite, which no other process can reach.
 */
export function databaseIdentity(database: DatabaseConfig): string | null {
  if (database.kind === 'pglite') return database.dataDir ? `pglite:${resolve(database.dataDir)}` : null;
  let url: URL;
  try {
    url = new URL(database.url);
  } catch {
    return `postgres:${database.url}`; // not a URL (a libpq keyword string): the whole of it names the database
  }
  // A Unix-socket host is written as ?host=/path; libpq's defaults fill in what the URL leaves out.
  const host = (decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost').toLowerCase();
  const port = url.port || url.searchParams.get('port') || '5432';
  const name = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  return `postgres:${host}:${port}/${name}`;
}

/**
 * The Redis namespace (QUEUE_PREFIX's default) of the deployment on this database: a short hash of the database's
 * identity, so an API server and its workers agree without being told (they share DATABASE_URL), and deployments on
 * different databases never share a job queue, an event channel or a rate-limit bucket. An in-memory database
 * belongs to this process alone, and so does its namespace.
 */
export function defaultQueuePrefix(database: DatabaseConfig): string {
  const identity = databaseIdentity(database) ?? `memory:${process.pid}:${randomBytes(8).toString('hex')}`;
  return `workbench-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
