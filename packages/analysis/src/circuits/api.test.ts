import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusVocabulary, writeDemoTokenizer } from '../data/tokenizer.js';
import type { GPT2Config } from '../model/config.js';
import { randomGPT2Weights, writeGPT2Checkpoint } from '../model/random.js';
import { saveSae } from '../sae/sae.js';
import { computeCircuit } from './api.js';
import { type CircuitFile, circuitToJson, readCircuitJson } from './format.js';
import { toNeuronpedia } from './neuronpedia.js';
import { circuitHooks, randomCircuitSae } from './testing.js';

/**
 * The circuit's Neuronpedia export, node by node and edge by edge, against circuit-tracer's conventions written out
 * here: hooks are exchange layers 0..n-1 in the circuit's order, a feature is `{layer}_{index}_{ctx}` with `feature`
 * the Cantor pairing (l + i)(l + i + 1)/2 + i, an error `{layer}_-1_{ctx}`, the metric the target logit at layer
 * n + 1 and the last prompt position; influence is the node's effect, activation its mean activation.
 */
function expectNeuronpediaExportOf(c: CircuitFile): void {
  const g = toNeuronpedia(c);
  const tokens = c.dataset.promptTokens!;
  expect(g.metadata.prompt_tokens).toEqual(tokens);
  expect(g.metadata.prompt).toBe(tokens.join(''));
  expect(g.metadata.scan).toBe(c.model.name);
  expect(g.nodes).toHaveLength(c.nodes.length);
  const exchangeId = new Map<string, string>();
  const kinds = new Map<string, number>();
  for (const [i, n] of c.nodes.entries()) {
    const out = g.nodes[i]!;
    kinds.set(n.kind, (kinds.get(n.kind) ?? 0) + 1);
    const ctx = n.position ?? 0;
    const layer = c.hooks.indexOf(n.hook);
    let expected: Record<string, unknown>;
    if (n.kind === 'feature') {
      expect(layer, n.id).toBeGreaterThanOrEqual(0);
      const f = n.feature!;
      expected = {
        node_id: `${layer}_${f}_${ctx}`,
        feature: ((layer + f) * (layer + f + 1)) / 2 + f,
        layer: String(layer),
        feature_type: 'cross layer transcoder',
        jsNodeId: `${layer}_${f}-0`,
        is_target_logit: false,
        activation: n.activation ?? null,
      };
    } else if (n.kind === 'error') {
      expect(layer, n.id).toBeGreaterThanOrEqual(0);
      expected = {
        node_id: `${layer}_-1_${ctx}`,
        feature: -1,
        layer: String(layer),
        feature_type: 'mlp reconstruction error',
        is_target_logit: false,
      };
    } else {
      expect(n.kind).toBe('metric');
      const answer = c.method.metric.kind === 'tokens' ? c.method.metric.answer : 0;
      const last = tokens.length - 1;
      expected = {
        node_id: `${c.hooks.length + 1}_${answer}_${last}`,
        feature: answer,
        layer: String(c.hooks.length + 1),
        ctx_idx: last,
        feature_type: 'logit',
        is_target_logit: true,
      };
    }
    expect(out, n.id).toMatchObject({ ctx_idx: ctx, influence: n.effect, ...expected });
    exchangeId.set(n.id, expected.node_id as string);
  }
  // The small circuit has features and error nodes at several hooks, and the metric.
  expect(kinds.get('metric')).toBe(1);
  expect(kinds.get('feature')).toBeGreaterThan(2);
  expect(kinds.get('error')).toBeGreaterThan(0);
  expect(new Set(c.nodes.filter((n) => n.kind === 'feature').map((n) => n.hook)).size).toBeGreaterThan(1);
  expect(c.edges.length).toBeGreaterThan(0);
  expect(g.links).toEqual(
    c.edges.map((e) => ({ source: exchangeId.get(e.source), target: exchangeId.get(e.target), weight: e.weight })),
  );
}

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
    expectNeuronpediaExportOf(c);
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
