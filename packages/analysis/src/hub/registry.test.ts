import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRegisteredModels, readRegistry, registryPath, resolveCacheDir } from './registry.js';

describe('model registry', () => {
  it('resolves the cache folder from --cache-dir, then WORKBENCH_MODELS_DIR, then .data/models', () => {
    expect(resolveCacheDir('x', { WORKBENCH_MODELS_DIR: '/y' }, '/work')).toBe(resolve('/work/x'));
    expect(resolveCacheDir(undefined, { WORKBENCH_MODELS_DIR: '/y' }, '/work')).toBe(resolve('/y'));
    expect(resolveCacheDir(undefined, {}, '/work')).toBe(resolve('/work/.data/models'));
  });

  it('lists nothing without a registry and rejects a malformed one with its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-'));
    expect(await listRegisteredModels(dir, {})).toEqual({ cacheDir: dir, models: [], saes: [] });
    await writeFile(registryPath(dir), JSON.stringify({ version: 1, entries: [{ id: 'x', kind: 'model' }] }));
    await expect(readRegistry(dir)).rejects.toThrow(`${registryPath(dir)} is not a model registry: entries.0.`);
    await writeFile(registryPath(dir), '{');
    await expect(readRegistry(dir)).rejects.toThrow('is not valid JSON');
    expect(await readFile(registryPath(dir), 'utf8')).toBe('{');
  });
});
