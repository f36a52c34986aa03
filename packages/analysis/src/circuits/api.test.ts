import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusVocabulary, writeDemoTokenizer } from '../data/tokenizer.js';
import type { GPT2Config } from '../model/config.js';
import { randomGPT2Weights, writeGPT2Checkpoint } from '../model/random.js';
import { saveSae } from '../sae/sae.js';
import { computeCircuit } from './api.js';
import { circuitToJson, readCircuitJson } from './format.js';
import { toNeuronpedia } from './neuronpedia.js';
import { circuitHooks, randomCircuitSae } from './testing.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'circuit-api-'));
  const vocab = corpusVocabulary();
  const config: GPT2Config = {
    nLayers: 1,
    dModel: 16,
    nHeads: 2,
    nCtx: 32,
    vocabSize: vocab.length,
    lnEps: 1e-5,
    bosTokenId: 0,
  };
  await writeGPT2Checkpoint(join(dir, 'model'), config, randomGPT2Weights(config, 4, 0.3));
  await writeDemoTokenizer(join(dir, 'model'), vocab);
  for (const [i, h] of circuitHooks(1).entries()) {
    const sae = randomCircuitSae(h, 16, 12, 40 + i, 'topk');
    sae.config.prependBos = true;
    await saveSae(join(dir, 'saes', h), sae);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('computeCircuit (the job runner API)', () => {
  it('loads model, SAEs and a dataset, reports progress and returns a valid circuit file', async () => {
    const stages: [string, number][] = [];
    const c = await computeCircuit(
      {
        model: join(dir, 'model'),
        saes: dir,
        dataset: 'nounpp',
        n: 6,
        method: 'ig',
        steps: 2,
        nodeThreshold: 0.001,
        edgeThreshold: 0.0001,
        cacheDir: join(dir, 'cache'),
      },
      { onProgress: (s, p) => stages.push([s, p]) },
    );
    expect(c.dataset.pairs).toBe(6);
    expect(c.saes.map((s) => s.hook)).toEqual(circuitHooks(1));
    expect(c.dataset.promptTokens?.[0]).toBe('<|endoftext|>');
    expect(c.metrics.faithfulness).not.toBeNull();
    expect(readCircuitJson(circuitToJson(c))).toEqual(c);
    toNeuronpedia(c);
    const pct = stages.map(([, p]) => p);
    expect(pct.every((p, i) => i === 0 || p >= pct[i - 1]! - 1e-9)).toBe(true);
    expect(stages.at(-1)).toEqual(['done', 100]);
    expect(new Set(stages.map(([s]) => s))).toEqual(
      new Set(['loading', 'activations', 'integrated gradients', 'node effects', 'edges', 'evaluation', 'done']),
    );
  });

  it('stops when aborted and says why on bad input', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled by user'));
    const base = { model: join(dir, 'model'), saes: dir, n: 2, cacheDir: join(dir, 'cache') };
    await expect(computeCircuit({ ...base, dataset: 'nounpp' }, { signal: ac.signal })).rejects.toThrow(
      /cancelled by user/,
    );
    await expect(computeCircuit({ ...base, dataset: join(dir, 'nope.jsonl') })).rejects.toThrow(/not a template/);
  });
});
