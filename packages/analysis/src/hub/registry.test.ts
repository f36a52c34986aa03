import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGPT2Config } from '../model/config.js';
import { addLocalFolder } from './add.js';
import { listRegisteredModels, readRegistry, registryPath, resolveCacheDir } from './registry.js';
import { tinyGpt2Files, writeFolder } from './testing.js';

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

  it("stores a model's config as the engine's GPT2Config and reads it back through the engine's parser", async () => {
    const root = await mkdtemp(join(tmpdir(), 'registry-config-'));
    const cacheDir = join(root, 'cache');
    const files = tinyGpt2Files({ nEmbd: 8, nHead: 2, override: { 'lm_head.weight': [16, 8] } });
    const hfConfig = {
      ...JSON.parse(new TextDecoder().decode(files['config.json'])),
      scale_attn_by_inverse_layer_idx: true,
      tie_word_embeddings: false,
      bos_token_id: 15,
    };
    files['config.json'] = new TextEncoder().encode(JSON.stringify(hfConfig));
    const folder = await writeFolder(join(root, 'options-gpt2'), files);
    await addLocalFolder(folder, { cacheDir });

    // Written out by hand: what the engine computes with (model/config.ts), options only when not GPT-2's default.
    const engineConfig = {
      nLayers: 2,
      dModel: 8,
      nHeads: 2,
      nCtx: 8,
      vocabSize: 16,
      lnEps: 1e-5,
      bosTokenId: 15,
      scaleAttnByInverseLayerIdx: true,
      tieWordEmbeddings: false,
    };
    const stored = JSON.parse(await readFile(registryPath(cacheDir), 'utf8'));
    expect(stored.entries[0].config).toEqual(engineConfig);
    expect(parseGPT2Config(hfConfig)).toEqual(engineConfig);
    expect((await listRegisteredModels(cacheDir, {})).models[0]!.config).toEqual(engineConfig);

    // A hand-edited entry meets the engine's own checks, and the old summary's field names are not this shape.
    const edit = async (config: Record<string, unknown>) => {
      stored.entries[0].config = config;
      await writeFile(registryPath(cacheDir), JSON.stringify(stored));
    };
    await edit({ ...engineConfig, nHeads: 3 });
    await expect(readRegistry(cacheDir)).rejects.toThrow('n_embd 8 is not divisible by n_head 3');
    await edit({ ...engineConfig, nInner: 32 });
    await expect(readRegistry(cacheDir)).rejects.toThrow('entries.0.config');

    // A registry from before (a summary without lnEps and bosTokenId) is read again from the folder's config.json.
    await edit({ nLayer: 2, nEmbd: 8, nHead: 2, vocabSize: 16, nPositions: 8, nInner: 32 });
    expect((await readRegistry(cacheDir)).entries[0]).toMatchObject({ kind: 'model', config: engineConfig });
  });
});
