import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../model/config.js';
import { HookedGPT2, type Intervention } from '../model/hooked.js';
import { randomGPT2Weights } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import { referenceDecode, referenceEncode } from '../sae/sae.js';
import { type DiscoverOptions, discoverCircuit, type PromptPair } from './discover.js';
import { parseNodeId } from './nodes.js';
import { circuitHooks, randomCircuitSae, randomPairs } from './testing.js';

const config: GPT2Config = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 16, vocabSize: 24, lnEps: 1e-5, bosTokenId: 0 };
const model = new HookedGPT2(config, randomGPT2Weights(config, 3, 0.4), nodeOrt);
const saes = circuitHooks(config.nLayers).map((h, i) => randomCircuitSae(h, config.dModel, 20, 100 + i));
const saeAt = (h: string) => saes.find((s) => s.config.hookName === h)!;
// Pairs of two lengths, so padding and positions past a shorter prompt are exercised.
const pairs = [...randomPairs(config, 3, 5, 7), ...randomPairs(config, 2, 4, 8)];
const D = config.dModel;

/** logit[patch answer] - logit[clean answer] at the last position of one clean prompt, with interventions. */
async function metricWith(p: PromptPair, interventions: Intervention[] = []): Promise<number> {
  const out = await model.run([p.clean], { interventions });
  const V = config.vocabSize;
  const off = (p.clean.length - 1) * V;
  return out.logits!.data[off + p.patchAnswer]! - out.logits!.data[off + p.cleanAnswer]!;
}

/** The hook's value on a prompt and its float64 SAE features and error (x - x_hat) per position. */
async function saeView(hook: string, tokens: number[]) {
  const x = (await model.run([tokens], { hooks: [hook], logits: false })).hooks.get(hook)!.data;
  const sae = saeAt(hook);
  const rows = tokens.length;
  const { features } = referenceEncode(sae, x, rows);
  const recon = referenceDecode(sae, features, rows);
  const err = x.map((v, i) => v - recon[i]!);
  return { features, err, S: sae.config.dSae };
}

/**
 * The node's effect the slow way: for every pair, the clean run with the hook's value changed by that node's patch -
 * clean difference (a feature: (f_patch - f_clean) times its decoder row; the error node: err_patch - err_clean) at
 * the node's position(s), one model.run per pair; mean over pairs.
 */
async function patchedOneByOne(id: string): Promise<number> {
  const { hook, feature, position } = parseNodeId(id);
  const W_dec = saeAt(hook).weights.W_dec;
  let total = 0;
  for (const p of pairs) {
    const c = await saeView(hook, p.clean);
    const q = await saeView(hook, p.patch);
    const positions = position === null ? p.clean.map((_, t) => t) : position < p.clean.length ? [position] : [];
    const value = new Float32Array(p.clean.length * D);
    for (const t of positions) {
      for (let k = 0; k < D; k++) {
        value[t * D + k] =
          feature === null
            ? q.err[t * D + k]! - c.err[t * D + k]!
            : (q.features[t * c.S + feature]! - c.features[t * c.S + feature]!) * W_dec[feature * D + k]!;
      }
    }
    total += (await metricWith(p, [{ hook, mode: 'add', value }])) - (await metricWith(p));
  }
  return total / pairs.length;
}

describe('exact activation patching', () => {
  for (const aggregation of ['position', 'sum'] as const) {
    it(`a node's effect is the metric change of running the model with that node patched (${aggregation})`, async () => {
      const options: DiscoverOptions = { method: 'exact', nodeThreshold: 0, edges: false, aggregation, batch: 8 };
      const r = await discoverCircuit(model, saes, pairs, options);
      const nodes = r.nodes.filter((n) => n.kind !== 'metric');
      // The strongest feature and error node of each sublayer kind, embedding included.
      const picked = ['hook_embed', 'blocks.0.hook_attn_out', 'blocks.0.hook_mlp_out', 'blocks.1.hook_resid_post']
        .flatMap((h) =>
          (['feature', 'error'] as const).map(
            (kind) =>
              nodes
                .filter((n) => n.hook === h && n.kind === kind)
                .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))[0],
          ),
        )
        .filter((n) => n !== undefined);
      expect(picked.length).toBe(8);
      for (const n of picked) {
        const want = await patchedOneByOne(n.id);
        expect(Math.abs(want), n.id).toBeGreaterThan(1e-3);
        expect(Math.abs(n.effect - want), n.id).toBeLessThan(1e-5);
      }
      // A feature that never changes between clean and patch (one absent from the result) has no effect at all.
      const h = 'blocks.0.hook_mlp_out';
      const listed = new Set(nodes.filter((n) => n.hook === h).map((n) => n.id));
      const quiet = Array.from({ length: 20 }, (_, j) => `${h}:${j}:${aggregation === 'position' ? 0 : '*'}`).find(
        (id) => !listed.has(id),
      );
      if (quiet) expect(Math.abs(await patchedOneByOne(quiet))).toBeLessThan(1e-6);
    });
  }

  it('agrees with attribution patching where the metric is linear in the hook', async () => {
    // A direction on the last residual stream: patching a node there changes the metric by exactly its linear term.
    const vector = Array.from({ length: D }, (_, k) => Math.cos(k + 0.5));
    const opts: DiscoverOptions = { nodeThreshold: 0, edges: false, metric: { kind: 'direction', vector } };
    const exact = await discoverCircuit(model, saes, pairs, { ...opts, method: 'exact' });
    const atp = await discoverCircuit(model, saes, pairs, { ...opts, method: 'atp' });
    const last = exact.nodes.filter((n) => n.hook === 'blocks.1.hook_resid_post');
    expect(last.length).toBeGreaterThan(5);
    for (const n of last) expect(n.effect, n.id).toBeCloseTo(atp.nodes.find((m) => m.id === n.id)!.effect, 5);
    // Upstream, the model is not linear: the two methods differ somewhere.
    const upstream = exact.nodes.filter((n) => n.hook === 'blocks.0.hook_mlp_out');
    const gap = Math.max(
      ...upstream.map((n) => Math.abs(n.effect - (atp.nodes.find((m) => m.id === n.id)?.effect ?? 0))),
    );
    expect(gap).toBeGreaterThan(1e-3);
  });
});
