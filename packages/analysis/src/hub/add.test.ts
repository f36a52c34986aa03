import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runModelsCli } from '../cli/models.js';
import { addLocalFolder } from './add.js';
import { ShapeError } from './errors.js';
import { sha256Hex } from './hash.js';
import { listRegisteredModels, readRegistry } from './registry.js';
import { tinyGpt2Files, tinySaeFiles, writeFolder } from './testing.js';

let root: string;
let cacheDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'models-add-'));
  cacheDir = join(root, 'cache');
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // No HF_ENDPOINT at all: adding must not touch the network.
  const code = await runModelsCli([...args, '--cache-dir', cacheDir], {
    env: {},
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    bars: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const addModel = async (name = 'tiny-gpt2', options: Parameters<typeof tinyGpt2Files>[0] = {}) => {
  const folder = await writeFolder(join(root, name), tinyGpt2Files(options));
  return cli(['add', folder]);
};

describe('models add (offline)', () => {
  it('registers a GPT-2 checkpoint folder in place, with sizes and hashes', async () => {
    const files = tinyGpt2Files({ nEmbd: 12, nLayer: 3, nHead: 3 });
    const folder = await writeFolder(join(root, 'my-gpt2'), files);
    const run = await cli(['add', folder]);
    expect(run.err).toBe('');
    expect(run.out).toContain('registered model my-gpt2 (3 layers, d_model 12)');
    const { models } = await listRegisteredModels(cacheDir, {});
    expect(models).toHaveLength(1);
    const entry = models[0];
    expect(entry).toMatchObject({
      id: 'my-gpt2',
      source: 'local',
      repo: null,
      absolutePath: folder,
      config: { nLayers: 3, dModel: 12, nHeads: 3, nCtx: 8, vocabSize: 16, lnEps: 1e-5 },
    });
    expect(entry?.files.find((f) => f.path === 'model.safetensors')?.sha256).toBe(
      sha256Hex(files['model.safetensors'] as Uint8Array),
    );
    // remove forgets a local folder but leaves the user's files alone
    expect((await cli(['remove', 'my-gpt2'])).code).toBe(0);
    expect((await readRegistry(cacheDir)).entries).toEqual([]);
    expect((await cli(['add', folder, '--id', 'again'])).code).toBe(0);
  });

  it('rejects a checkpoint whose tensor shapes disagree with config.json, naming file, tensor and shapes', async () => {
    const run = await addModel('broken', { nEmbd: 8, override: { 'h.1.attn.c_attn.weight': [8, 16] } });
    expect(run.code).toBe(1);
    expect(run.err).toContain(join(root, 'broken', 'model.safetensors'));
    expect(run.err).toContain('tensor "h.1.attn.c_attn.weight" has shape [8, 16], expected [8, 24]');
    expect((await readRegistry(cacheDir)).entries).toEqual([]);
  });

  it('rejects a config that is not GPT-2', async () => {
    const files = tinyGpt2Files();
    files['config.json'] = new TextEncoder().encode(JSON.stringify({ model_type: 'llama', n_embd: 8 }));
    const run = await cli(['add', await writeFolder(join(root, 'llama'), files)]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/config\.json: not a GPT-2 config\.json: n_layer: /);
  });

  it('rejects options the engine does not implement, and an untied head missing from the weights', async () => {
    const files = tinyGpt2Files();
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    const withConfig = async (name: string, extra: Record<string, unknown>) => {
      files['config.json'] = new TextEncoder().encode(JSON.stringify({ ...config, ...extra }));
      return cli(['add', await writeFolder(join(root, name), files)]);
    };
    const relu = await withConfig('relu', { activation_function: 'relu' });
    expect(relu.code).toBe(1);
    expect(relu.err).toContain('activation_function = "relu" is not supported');
    expect((await withConfig('cross', { add_cross_attention: true })).err).toContain('add_cross_attention = true');
    const untied = await withConfig('untied', { tie_word_embeddings: false });
    expect(untied.code).toBe(1);
    expect(untied.err).toContain('no tensor "lm_head.weight" (expected shape [16, 8], tie_word_embeddings: false)');
    expect((await readRegistry(cacheDir)).entries).toEqual([]);
  });

  it('registers an SAE checked against the model its cfg names, with its conventions', async () => {
    await addModel('tiny-gpt2');
    const folder = await writeFolder(
      join(root, 'saes', 'blocks.1.hook_resid_pre'),
      tinySaeFiles({ cfg: { model_name: 'tiny-gpt2' } }),
    );
    const run = await cli(['add', folder]);
    expect(run.err).toBe('');
    expect(run.out).toContain('checked against tiny-gpt2');
    const sae = (await readRegistry(cacheDir)).entries.find((e) => e.kind === 'sae');
    expect(sae).toMatchObject({
      id: 'saes/blocks.1.hook_resid_pre',
      model: 'tiny-gpt2',
      hook: 'blocks.1.hook_resid_pre',
      d_in: 8,
      d_sae: 16,
      architecture: 'standard',
      k: null,
      conventions: { prependBos: true, centerResidual: true, normalize: 'none' },
    });
  });

  it('reads JumpReLU and old-style TopK configs', async () => {
    await addModel('tiny-gpt2');
    const jump = await addLocalFolder(
      await writeFolder(join(root, 'jump'), tinySaeFiles({ jumprelu: true, cfg: { prepend_bos: false } })),
      { cacheDir, model: 'tiny-gpt2' },
    );
    expect(jump.entry).toMatchObject({ architecture: 'jumprelu', conventions: { prependBos: false } });
    const topk = await addLocalFolder(
      await writeFolder(
        join(root, 'topk'),
        tinySaeFiles({
          cfg: {
            hook_name: undefined,
            hook_point: 'blocks.0.hook_mlp_out',
            architecture: undefined,
            activation_fn_str: 'topk',
            activation_fn_kwargs: { k: 3 },
            normalize_activations: 'layer_norm',
          },
        }),
      ),
      { cacheDir, model: 'tiny-gpt2' },
    );
    expect(topk.entry).toMatchObject({
      hook: 'blocks.0.hook_mlp_out',
      architecture: 'topk',
      k: 3,
      conventions: { centerResidual: false, normalize: 'layer_norm' },
    });
    const noThreshold = tinySaeFiles({ jumprelu: true, override: { threshold: null } });
    await expect(addLocalFolder(await writeFolder(join(root, 'nothr'), noThreshold), { cacheDir })).rejects.toThrow(
      /sae_weights\.safetensors: no tensor "threshold" \(expected shape \[16\]/,
    );
  });

  it('rejects SAE options the engine does not implement, and a missing finetuning scale', async () => {
    const add = async (name: string, cfg: Record<string, unknown>) =>
      addLocalFolder(await writeFolder(join(root, name), tinySaeFiles({ cfg })), { cacheDir });
    await expect(add('head', { hook_head_index: 2 })).rejects.toThrow(/hook_head_index = 2 is not supported/);
    await expect(add('tanh', { activation_fn_str: 'tanh-relu' })).rejects.toThrow(/activation_fn_str = "tanh-relu"/);
    await expect(add('scaled', { finetuning_scaling_factor: true })).rejects.toThrow(
      /no tensor "finetuning_scaling_factor" \(expected shape \[16\]/,
    );
    expect((await readRegistry(cacheDir)).entries).toEqual([]);
  });

  it('rejects an SAE whose d_in does not match the model, or whose tensors disagree with cfg.json', async () => {
    await addModel('tiny-gpt2');
    const wide = await writeFolder(join(root, 'wide'), tinySaeFiles({ dIn: 6 }));
    const run = await cli(['add', wide, '--model', 'tiny-gpt2']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `${join(wide, 'cfg.json')}: d_in is 6 but model "tiny-gpt2" has width 8 at blocks.1.hook_resid_pre (n_embd 8`,
    );

    const bad = await writeFolder(join(root, 'bad'), tinySaeFiles({ override: { W_dec: [16, 7] } }));
    const error = await addLocalFolder(bad, { cacheDir, model: 'tiny-gpt2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toBe(
      `${join(bad, 'sae_weights.safetensors')}: tensor "W_dec" has shape [16, 7], expected [16, 8] (d_sae x d_in from cfg.json)`,
    );

    const beyond = await writeFolder(join(root, 'beyond'), tinySaeFiles({ hook: 'blocks.5.hook_resid_pre' }));
    expect((await cli(['add', beyond, '--model', 'tiny-gpt2'])).err).toContain(
      'hook blocks.5.hook_resid_pre is beyond the 2 blocks of model "tiny-gpt2"',
    );
    expect((await cli(['add', wide, '--model', 'nope'])).err).toContain(
      '--model nope: no such registered model (registered: tiny-gpt2)',
    );
    expect((await readRegistry(cacheDir)).entries.map((e) => e.id)).toEqual(['tiny-gpt2']);
  });

  it('registers an SAE without a matching model with a warning', async () => {
    const folder = await writeFolder(join(root, 'lonely'), tinySaeFiles({ cfg: { model_name: 'pythia-70m' } }));
    const run = await cli(['add', folder, '--id', 'lonely-sae']);
    expect(run.code).toBe(0);
    expect(run.err).toContain('warning: d_in was not checked against a model: cfg.json\'s model_name "pythia-70m"');
    const listed = await cli(['list']);
    expect(listed.out).toMatch(/sae\s+lonely-sae\s+standard 8x16/);
  });
});
