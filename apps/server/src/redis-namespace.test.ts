import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { defaultQueuePrefix, QUEUE_PREFIX_PATTERN } from './redis-namespace.js';

const postgres = (url: string) => defaultQueuePrefix({ kind: 'postgres', url });
const pglite = (dataDir?: string) => defaultQueuePrefix({ kind: 'pglite', dataDir });

describe('the default Redis namespace (QUEUE_PREFIX unset)', () => {
  it('is the same for every process on one Postgres database, however its URL names the user or options', () => {
    const prefix = postgres('postgresql://postgres@127.0.0.1:5432/wb_alpha');
    expect(prefix).toMatch(QUEUE_PREFIX_PATTERN);
    expect(postgres('postgresql://postgres@127.0.0.1:5432/wb_alpha')).toBe(prefix);
    expect(postgres('postgres://worker:s3cret@127.0.0.1/wb_alpha?sslmode=disable')).toBe(prefix);
    expect(postgres('postgresql://postgres@127.0.0.1:5432/wb_alpha?application_name=worker')).toBe(prefix);
  });

  it('differs between databases: another name, server or port', () => {
    const prefixes = [
      'postgresql://postgres@127.0.0.1:5432/wb_alpha',
      'postgresql://postgres@127.0.0.1:5432/wb_beta',
      'postgresql://postgres@db.internal:5432/wb_alpha',
      'postgresql://postgres@127.0.0.1:5433/wb_alpha',
    ].map(postgres);
    expect(new Set(prefixes).size).toBe(4);
  });

  it('never shows the password', () => {
    expect(postgres('postgresql://app:hunter2@127.0.0.1:5432/wb_alpha')).not.toContain('hunter2');
  });

  it('follows the PGlite folder, and is a process’s own for an in-memory database', () => {
    expect(pglite('.data/pglite')).toBe(pglite(`${process.cwd()}/.data/pglite`));
    expect(pglite('.data/pglite')).not.toBe(pglite('/srv/other/pglite'));
    expect(pglite()).toMatch(QUEUE_PREFIX_PATTERN);
    expect(pglite()).not.toBe(pglite());
    expect(pglite('.data/pglite')).not.toBe(postgres('postgresql://postgres@127.0.0.1:5432/pglite'));
  });
});

describe('QUEUE_PREFIX', () => {
  it('is taken as given when set, and unset when empty', () => {
    expect(loadConfig({ QUEUE_PREFIX: 'lab-staging' }).QUEUE_PREFIX).toBe('lab-staging');
    expect(loadConfig({ QUEUE_PREFIX: '' }).QUEUE_PREFIX).toBeUndefined();
    expect(loadConfig({}).QUEUE_PREFIX).toBeUndefined();
  });

  it('refuses characters that Redis patterns would read as globs', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'lab*' })).toThrow(
      'bad environment variable QUEUE_PREFIX: letters, digits and _ . : - only (up to 100)',
    );
  });
});
