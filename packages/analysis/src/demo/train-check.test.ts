import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSvaDatasets } from '../data/sva.js';
import { corpusVocabulary } from '../data/tokenizer.js';
import { loadHookedGPT2 } from '../model/load.js';
import { nodeOrt } from '../runtime/node.js';
import { SaeSession } from '../sae/graph.js';
import { referenceEncode } from '../sae/sae.js';
import { tokenizeLine } from '../train/gpt2.js';
import { auxKSettings, CHECK_CONFIG, demoSaeHooks, loadDemoSaes, retrainDemoSaes, trainDemo } from './pipeline.js';
import { checkLossesDecreased } from './train.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('demo training (check size)', () => {
  it('trains a model and its SAEs whose losses go down, and writes files that load', async () => {
    const out = await mkdtemp(join(tmpdir(), 'demo-check-test-'));
    dirs.push(out);
    const manifest = await trainDemo(out, CHECK_CONFIG, { progress: false, threads: 1 });
    expect(() => checkLossesDecreased(manifest)).not.toThrow();
    expect(manifest.losses.model_last).toBeLessThan(manifest.losses.model_first - 0.5);

    // manifest hashes are the files' hashes
    for (const [rel, { sha256, bytes }] of Object.entries(manifest.files)) {
      const data = await readFile(join(out, rel));
      expect(data.byteLength, rel).toBe(bytes);
      expect(createHash('sha256').update(data).digest('hex'), rel).toBe(sha256);
    }
    const log = (await readFile(join(out, 'train_log.jsonl'), 'utf8')).trim().split('\n');
    expect(log.length).toBeGreaterThanOrEqual(CHECK_CONFIG.train.steps);

    // the model loads as a Hugging Face folder, and its tokenizer agrees with the training tokenisation
    const { model, tokenizer, config } = await loadHookedGPT2(join(out, 'model'), { cacheDir: join(out, 'cache') });
    expect(config).toMatchObject({ nLayers: 2, dModel: 48, vocabSize: corpusVocabulary().length, bosTokenId: 0 });
    const vocab = new Map(corpusVocabulary().map((t, i) => [t, i]));
    const pair = generateSvaDatasets({ testSize: 5 })[1]!.test[0]!;
    expect(tokenizer!.encode(pair.clean_prefix)).toEqual(tokenizeLine(pair.clean_prefix, vocab));
    const tokens = tokenizer!.encode(pair.clean_prefix, { bos: 0 });
    const run = await model.run([tokens], { hooks: ['blocks.1.hook_resid_post'] });
    expect(run.logits!.data.every(Number.isFinite)).toBe(true);

    // one SAE per hook, in SAELens layout; the ONNX encoder agrees with the reference on real activations
    const saes = await loadDemoSaes(out);
    expect(saes.map((s) => s.config.hookName)).toEqual(demoSaeHooks(2));
    const sae = saes.find((s) => s.config.hookName === 'blocks.1.hook_resid_post')!;
    expect(sae.config).toMatchObject({ architecture: 'topk', k: CHECK_CONFIG.sae.k, dIn: 48 });
    const x = run.hooks.get('blocks.1.hook_resid_post')!.data;
    const session = await SaeSession.create(nodeOrt, sae, { rows: tokens.length });
    const { features } = await session.encode(x, tokens.length);
    await session.release();
    const ref = referenceEncode(sae, x, tokens.length).features;
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i]! - features[i]!));
    expect(diff).toBeLessThan(1e-4);
    await model.dispose();

    for (const m of manifest.metrics.saes) {
      expect(m.l0).toBeGreaterThan(0);
      expect(m.l0).toBeLessThanOrEqual(CHECK_CONFIG.sae.k);
      expect(m.fve).toBeGreaterThan(0.5);
    }

    // --saes-only: one SAE retrained on the model in place, twice: the same bytes each time (deterministic from the
    // seed), the model files untouched, keys and files of other bundle parts kept, the log without the old run.
    const hook = 'blocks.1.hook_resid_post';
    const saeFile = `saes/${hook}/sae_weights.safetensors`;
    const written = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    written.transcoders = { kept: true };
    written.metrics.external = { nounpp: 0.75 }; // measured earlier with files this run is not given
    written.files['transcoders/x/cfg.json'] = { sha256: '0'.repeat(64), bytes: 2 };
    await writeFile(join(out, 'manifest.json'), JSON.stringify(written));
    const hash = async (rel: string) =>
      createHash('sha256')
        .update(await readFile(join(out, rel)))
        .digest('hex');
    const retrained: string[] = [];
    for (let run = 0; run < 2; run++) {
      const sae = { ...CHECK_CONFIG.sae, auxK: auxKSettings(48), resampleEvery: 0 };
      const m = await retrainDemoSaes(out, { ...CHECK_CONFIG, sae }, { hooks: [hook], progress: false, threads: 1 });
      retrained.push(await hash(saeFile));
      expect(m.files[saeFile]!.sha256).toBe(retrained[run]);
      expect(m.config.sae.auxK).toEqual({ k: 24, coefficient: 1 / 32, deadSteps: 16 });
      expect(m.metrics.saes.map((s) => s.hook)).toEqual(demoSaeHooks(2));
    }
    expect(retrained[1]).toBe(retrained[0]);
    expect(retrained[0]).not.toBe(manifest.files[saeFile]!.sha256); // AuxK changed the training
    const after = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(after.transcoders).toEqual({ kept: true });
    expect(after.metrics.external).toEqual({ nounpp: 0.75 });
    expect(after.files['transcoders/x/cfg.json']).toEqual({ sha256: '0'.repeat(64), bytes: 2 });
    for (const rel of Object.keys(manifest.files).filter((f) => f.startsWith('model/')))
      expect(await hash(rel), rel).toBe(manifest.files[rel]!.sha256);
    const other = 'saes/blocks.0.hook_mlp_out/sae_weights.safetensors';
    expect(await hash(other)).toBe(manifest.files[other]!.sha256);
    const lines = (await readFile(join(out, 'train_log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.hook === hook && l.loss !== undefined).map((l) => l.step);
    expect(steps).toEqual([...new Set(steps)]); // one run's steps, not three
    expect(lines.filter((l) => l.phase === 'model')).toHaveLength(CHECK_CONFIG.train.steps);
  }, 240_000);
});
