import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addLocalFolder, type Sae, saveSae } from '@workbench/analysis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModelFixture } from '../testing/fixtures.js';
import { discoverCatalog } from './catalog.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'catalog-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A ReLU transcoder of layer 1's MLP of the tiny fixture model (d_model 16), 8 features. */
const transcoder = (): Sae => ({
  config: {
    architecture: 'standard',
    dIn: 16,
    dSae: 8,
    hookName: 'blocks.1.ln2.hook_normalized',
    hookLayer: 1,
    k: null,
    applyBDecToInput: false,
    normalization: 'none',
    prependBos: true,
    extra: {},
    transcoder: { hookName: 'blocks.1.hook_mlp_out', hookLayer: 1, dOut: 16, skip: false },
  },
  weights: {
    W_enc: Float32Array.from({ length: 16 * 8 }, (_, i) => Math.sin(i)),
    b_enc: new Float32Array(8),
    W_dec: Float32Array.from({ length: 8 * 16 }, (_, i) => Math.cos(i)),
    b_dec: new Float32Array(16),
  },
});

describe('model catalog', () => {
  it('offers a registered transcoder as a transcoder of its model, never as an SAE', async () => {
    const fixture = join(dir, 'tiny');
    await writeTinyModelFixture(fixture);
    const registryDir = join(dir, 'registry');
    await addLocalFolder(join(fixture, 'model'), { cacheDir: registryDir, id: 'tiny' });
    const folder = join(dir, 'tc', 'blocks.1');
    await saveSae(folder, transcoder());
    await addLocalFolder(folder, { cacheDir: registryDir, model: 'tiny' });
    await addLocalFolder(join(fixture, 'saes', 'blocks.1.hook_resid_post'), { cacheDir: registryDir, model: 'tiny' });

    const catalog = await discoverCatalog({ bundledDir: null, registryDir });
    expect(catalog.models.map((m) => m.id)).toEqual(['tiny']);
    expect(catalog.saes.map((s) => s.hook)).toEqual(['blocks.1.hook_resid_post']);
    expect(catalog.transcoders).toEqual([
      {
        id: 'tc/blocks.1',
        modelId: 'tiny',
        path: folder,
        hookIn: 'blocks.1.ln2.hook_normalized',
        hookOut: 'blocks.1.hook_mlp_out',
        dIn: 16,
        dOut: 16,
        dSae: 8,
        architecture: 'standard',
        k: null,
        skip: false,
        fileHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });
});
