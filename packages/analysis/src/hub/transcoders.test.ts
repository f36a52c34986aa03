import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../cli/models.js';
import { readSafetensors } from '../io/safetensors.js';
import { nodeOrt } from '../runtime/node.js';
import { SaeSession } from '../sae/graph.js';
import { loadSae } from '../sae/sae.js';
import { readRegistry } from './registry.js';
import { FakeHub, tinyGpt2Files, tinySaeFiles, writeFolder } from './testing.js';

const GPT2 = 'openai-community/gpt2';
const ARENA = 'callummcdougall/arena-demos-transcoder';
const model = tinyGpt2Files({ nEmbd: 8, nLayer: 2 });

// Stand-ins for ARENA's files: cfg.json of a "standard" SAE on ln2.hook_normalized, as published.
const arena = (layer: number) =>
  tinySaeFiles({
    seed: 60 + layer,
    hook: `blocks.${layer}.ln2.hook_normalized`,
    cfg: { hook_layer: layer, activation_fn_str: 'relu', normalize_activations: 'none' },
  });
const folderOf = (layer: number) => `gpt2-small-layer-${layer}-mlp-transcoder-folded-b_dec_out`;
const prefixed = (folder: string, files: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(files).map(([name, content]) => [`${folder}/${name}`, content]));

const hub = new FakeHub();
hub.addRepo(GPT2, model);
hub.addRepo(ARENA, { ...prefixed(folderOf(0), arena(0)), ...prefixed(folderOf(1), arena(1)) });

beforeAll(async () => {
  await hub.start();
});
afterAll(async () => {
  await hub.close();
});

let root: string;
let cacheDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'transcoders-'));
  cacheDir = join(root, 'cache');
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModelsCli([...args, '--cache-dir', cacheDir], {
    env: { HF_ENDPOINT: hub.url },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    bars: false,
    retryDelayMs: 5,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('transcoders in the hub', () => {
  it('models fetch --saes arena-transcoders registers MLP transcoders that predict hook_mlp_out', async () => {
    const run = await cli(['fetch', 'gpt2-small', '--saes', 'arena-transcoders', '--layers', '0,1']);
    expect(run.err).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const saes = (await readRegistry(cacheDir)).entries.filter((e) => e.kind === 'sae');
    expect(saes.map((e) => e.id)).toEqual([
      'arena-demos-transcoder/blocks.0.ln2.hook_normalized',
      'arena-demos-transcoder/blocks.1.ln2.hook_normalized',
    ]);
    expect(saes[1]).toMatchObject({
      release: ARENA,
      hook: 'blocks.1.ln2.hook_normalized',
      d_in: 8,
      d_sae: 16,
      architecture: 'standard',
      applyBDecToInput: true,
      transcoder: { hookOut: 'blocks.1.hook_mlp_out', dOut: 8, skip: false },
    });
    expect(saes[1]?.files.map((f) => f.path).sort()).toEqual([
      'cfg.json',
      'cfg.overrides.json',
      'sae_weights.safetensors',
    ]);

    // The engine loads the folder as a transcoder and computes what SAELens computes on these files:
    // relu((x - b_dec) W_enc + b_enc) W_dec + b_dec (written out here, in float64).
    const folder = join(cacheDir, 'callummcdougall--arena-demos-transcoder', folderOf(1));
    const tc = await loadSae(folder);
    expect(tc.config.transcoder).toEqual({ hookName: 'blocks.1.hook_mlp_out', hookLayer: 1, dOut: 8, skip: false });
    const { tensors } = await readSafetensors(join(folder, 'sae_weights.safetensors'));
    const w = (name: string) => tensors.get(name)!.data;
    const x = Float32Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i) * 2);
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      const f = Array.from({ length: 16 }, (_, j) => {
        let v = w('b_enc')[j]!;
        for (let i = 0; i < 8; i++) v += (x[r * 8 + i]! - w('b_dec')[i]!) * w('W_enc')[i * 16 + j]!;
        return Math.max(0, v);
      });
      for (let i = 0; i < 8; i++) {
        let y = w('b_dec')[i]!;
        for (let j = 0; j < 16; j++) y += f[j]! * w('W_dec')[j * 8 + i]!;
        expected.push(y);
      }
    }
    const session = await SaeSession.create(nodeOrt, tc, { rows: 3, reconstruction: true, threads: 1 });
    const out = await session.encode(x, 3);
    await session.release();
    const diff = Math.max(...expected.map((v, i) => Math.abs(v - out.reconstruction![i]!)));
    expect(diff).toBeLessThan(1e-4);

    const listed = await cli(['list']);
    expect(listed.out).toMatch(
      /^tc +arena-demos-transcoder\/blocks\.1\.ln2\.hook_normalized .* blocks\.1\.ln2\.hook_normalized -> blocks\.1\.hook_mlp_out$/m,
    );

    // removing the release deletes its files, the overrides included
    expect((await cli(['remove', 'arena-demos-transcoder'])).code).toBe(0);
    await expect(readFile(join(folder, 'cfg.overrides.json'))).rejects.toThrow(/ENOENT/);
  });

  const skipTranscoder = (override: Record<string, number[] | null> = {}, cfg: Record<string, unknown> = {}) =>
    tinySaeFiles({
      seed: 5,
      hook: 'blocks.0.ln2.hook_normalized',
      cfg: {
        architecture: 'skip_transcoder',
        d_out: 8,
        hook_name_out: 'blocks.0.hook_mlp_out',
        apply_b_dec_to_input: false,
        ...cfg,
      },
      override: { W_skip: [8, 8], ...override },
    });

  it('models add registers a SAELens skip transcoder, checking W_skip and both hooks against the model', async () => {
    const modelDir = await writeFolder(join(root, 'gpt2-small'), model);
    expect((await cli(['add', modelDir, '--id', 'gpt2-small'])).code).toBe(0);
    const ok = await writeFolder(join(root, 'tc', 'blocks.0'), skipTranscoder());
    const added = await cli(['add', ok, '--model', 'gpt2-small']);
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    const entry = (await readRegistry(cacheDir)).entries.find((e) => e.id === 'tc/blocks.0');
    expect(entry).toMatchObject({
      kind: 'sae',
      hook: 'blocks.0.ln2.hook_normalized',
      applyBDecToInput: false,
      transcoder: { hookOut: 'blocks.0.hook_mlp_out', dOut: 8, skip: true },
    });

    const noSkip = await writeFolder(join(root, 'bad', 'no-skip'), skipTranscoder({ W_skip: null }));
    const r1 = await cli(['add', noSkip, '--model', 'gpt2-small']);
    expect(r1.code).not.toBe(0);
    expect(r1.err).toMatch(/no tensor "W_skip" \(expected shape \[8, 8\], d_out x d_in, the skip connection\)/);

    const wide = await writeFolder(
      join(root, 'bad', 'wide'),
      skipTranscoder({ W_dec: [16, 12], b_dec: [12], W_skip: [12, 8] }, { d_out: 12 }),
    );
    const r2 = await cli(['add', wide, '--model', 'gpt2-small']);
    expect(r2.code).not.toBe(0);
    expect(r2.err).toMatch(/d_out is 12 but model "gpt2-small" has width 8 at blocks\.0\.hook_mlp_out/);
  });
});
