import { describe, expect, it } from 'vitest';
import type { GPT2Config } from '../model/config.js';
import { HookedGPT2, type Intervention } from '../model/hooked.js';
import { randomGPT2Weights } from '../model/random.js';
import { nodeOrt } from '../runtime/node.js';
import { referenceEncode, type Sae } from '../sae/sae.js';
import { type DiscoverOptions, discoverCircuit, type PromptPair } from './discover.js';
import { evaluateNodeSet } from './evaluate.js';
import { nodeId, parseNodeId } from './nodes.js';
import { circuitHooks, randomCircuitSae, randomPairs } from './testing.js';

const base: GPT2Config = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 16, vocabSize: 24, lnEps: 1e-5, bosTokenId: 0 };
/** The same checks with every attention/unembedding option that differs from GPT-2's defaults (issue 17). */
const withOptions: GPT2Config = {
  ...base,
  scaleAttnByInverseLayerIdx: true,
  scaleAttnWeights: false,
  tieWordEmbeddings: false,
};

for (const [label, config] of [
  ['GPT-2 defaults', base],
  ['scale_attn_by_inverse_layer_idx, scale_attn_weights false, untied lm_head', withOptions],
] as const) {
  const model = new HookedGPT2(config, randomGPT2Weights(config, 3, 0.4), nodeOrt);
  const saes = circuitHooks(config.nLayers).map((h, i) => randomCircuitSae(h, config.dModel, 20, 100 + i));
  const saeAt = (h: string) => saes.find((s) => s.config.hookName === h)!;
  const pairs = randomPairs(config, 3, 5, 7);
  const D = config.dModel;

  /** Metric per pair from the engine's logits (logit[patch answer] - logit[clean answer], last position). */
  async function engineMetric(ps: PromptPair[], options: Parameters<HookedGPT2['run']>[1] = {}) {
    const out = await model.run(
      ps.map((p) => p.clean),
      options,
    );
    const [, T, V] = out.logits!.shape as [number, number, number];
    return ps.map((p, b) => {
      const off = (b * T + p.clean.length - 1) * V;
      return out.logits!.data[off + p.patchAnswer]! - out.logits!.data[off + p.cleanAnswer]!;
    });
  }

  const encodeAt = (sae: Sae, x: Float32Array, row: number) =>
    referenceEncode(sae, x.subarray(row * D, row * D + D), 1).features;

  describe(`feature circuits on a tiny random GPT-2 (${label})`, () => {
    it('attribution patching: feature effect = (W_dec g) * (f_patch - f_clean), error = g . delta err', async () => {
      const one = pairs.slice(0, 1);
      const r = await discoverCircuit(model, saes, one, { method: 'atp', nodeThreshold: 0, edges: false });
      const h = 'blocks.0.hook_mlp_out';
      const sae = saeAt(h);
      const p = one[0]!;
      const g = await model.gradients([p.clean], {
        gradHooks: [h],
        hooks: [h],
        metric: { answer: p.patchAnswer, wrong: p.cleanAnswer },
      });
      const xp = (await model.run([p.patch], { hooks: [h], logits: false })).hooks.get(h)!.data;
      const xc = g.hooks.get(h)!.data;
      const gr = g.grads.get(h)!.data;
      expect(r.cleanMetric).toBeCloseTo(g.metric[0]!, 4);
      let checked = 0;
      for (const t of [1, 4]) {
        const fc = encodeAt(sae, xc, t);
        const fp = encodeAt(sae, xp, t);
        for (let j = 0; j < sae.config.dSae; j++) {
          let gj = 0;
          for (let k = 0; k < D; k++) gj += sae.weights.W_dec[j * D + k]! * gr[t * D + k]!;
          const want = gj * (fp[j]! - fc[j]!);
          const node = r.nodes.find((n) => n.id === nodeId(h, j, t));
          if (want === 0) expect(node?.effect ?? 0).toBe(0);
          else {
            expect(node!.effect).toBeCloseTo(want, 4);
            checked++;
          }
        }
        // error node: g . (err_patch - err_clean), err = x - x_hat
        const recon = (x: Float32Array, f: Float64Array) =>
          Array.from({ length: D }, (_, k) => {
            let s = sae.weights.b_dec[k]!;
            for (let j = 0; j < sae.config.dSae; j++) s += f[j]! * sae.weights.W_dec[j * D + k]!;
            return x[t * D + k]! - s;
          });
        const ec = recon(xc, fc);
        const ep = recon(xp, fp);
        let want = 0;
        for (let k = 0; k < D; k++) want += gr[t * D + k]! * (ep[k]! - ec[k]!);
        const node = r.nodes.find((n) => n.id === nodeId(h, null, t));
        expect(node?.effect ?? 0).toBeCloseTo(want, 4);
      }
      expect(checked).toBeGreaterThan(3);
    });

    it('a metric linear in the hook: integrated gradients = attribution patching = the exact effect', async () => {
      // Metric: a direction on the last residual stream, linear in blocks.1.hook_resid_post.
      const vector = Array.from({ length: D }, (_, k) => Math.sin(k + 1));
      const opts: DiscoverOptions = {
        nodeThreshold: 0,
        edges: false,
        aggregation: 'sum',
        metric: { kind: 'direction', vector },
      };
      const ig = await discoverCircuit(model, saes, pairs, { ...opts, method: 'ig', steps: 3 });
      const atp = await discoverCircuit(model, saes, pairs, { ...opts, method: 'atp' });
      const h = 'blocks.1.hook_resid_post';
      const sum = (nodes: typeof ig.nodes) => nodes.filter((n) => n.hook === h).reduce((s, n) => s + n.effect, 0);
      // exact: patching the whole hook changes the metric by v . (x_patch - x_clean) at the last position
      expect(sum(ig.nodes)).toBeCloseTo(ig.patchMetric - ig.cleanMetric, 4);
      for (const n of ig.nodes.filter((x) => x.hook === h)) {
        expect(atp.nodes.find((m) => m.id === n.id)!.effect).toBeCloseTo(n.effect, 4);
      }
    });

    it('integrated gradients: the effects of a hook add up to the effect of patching it', async () => {
      const h = 'blocks.0.hook_attn_out';
      const r = await discoverCircuit(model, saes, pairs, {
        method: 'ig',
        steps: 24,
        nodeThreshold: 0,
        edges: false,
        aggregation: 'sum',
      });
      const total = r.nodes.filter((n) => n.hook === h).reduce((s, n) => s + n.effect, 0);
      const patched = await model.run(
        pairs.map((p) => p.patch),
        { hooks: [h], logits: false },
      );
      const clean = await engineMetric(pairs);
      const T = patched.hooks.get(h)!.shape[1]!;
      let exact = 0;
      for (const [b, p] of pairs.entries()) {
        const value = patched.hooks.get(h)!.data.slice(b * T * D, (b + 1) * T * D);
        const m = await engineMetric([p], { interventions: [{ hook: h, mode: 'replace', value }] });
        exact += (m[0]! - clean[b]!) / pairs.length;
      }
      expect(Math.abs(exact)).toBeGreaterThan(1e-3);
      expect(total).toBeCloseTo(exact, 2);
    });

    it('edge weights match finite-difference direct-path effects', async () => {
      const p = pairs[0]!;
      const r = await discoverCircuit(model, saes, [p], {
        method: 'atp',
        nodeThreshold: 0,
        edgeThreshold: 0,
      });
      const ids = new Set(r.nodes.map((n) => n.id));
      expect(ids.size).toBe(r.nodes.length);
      const g = await model.gradients([p.clean], {
        gradHooks: circuitHooks(config.nLayers),
        metric: { answer: p.patchAnswer, wrong: p.cleanAnswer },
      });
      const all = circuitHooks(config.nLayers);
      const acts = async (tokens: number[], interventions: Intervention[] = []) =>
        (await model.run([tokens], { hooks: all, logits: false, interventions })).hooks;
      const clean = await acts(p.clean);
      const patch = await acts(p.patch);
      /** Finite-difference edge weight u -> d (features), holding `hold` hooks at their clean values. */
      const fdEdge = async (uId: string, dId: string, hold: string[]) => {
        const u = parseNodeId(uId);
        const d = parseNodeId(dId);
        const su = saeAt(u.hook);
        const sd = saeAt(d.hook);
        const tu = u.position!;
        const dfu =
          encodeAt(su, patch.get(u.hook)!.data, tu)[u.feature!]! -
          encodeAt(su, clean.get(u.hook)!.data, tu)[u.feature!]!;
        const gd = (() => {
          const gr = g.grads.get(d.hook)!.data;
          let s = 0;
          for (let k = 0; k < D; k++) s += sd.weights.W_dec[d.feature! * D + k]! * gr[d.position! * D + k]!;
          return s;
        })();
        const eps = 1e-3;
        const fAt = async (scale: number) => {
          const value = su.weights.W_dec.slice(u.feature! * D, (u.feature! + 1) * D).map((v) => v * dfu * scale);
          const out = await acts(p.clean, [
            { hook: u.hook, mode: 'add', positions: [tu], value },
            ...hold.map((h) => ({ hook: h, mode: 'replace' as const, value: clean.get(h)!.data })),
          ]);
          return encodeAt(sd, out.get(d.hook)!.data, d.position!)[d.feature!]!;
        };
        return (gd * ((await fAt(eps)) - (await fAt(-eps)))) / (2 * eps);
      };
      const cases: [string, string, string[]][] = [
        ['blocks.1.hook_attn_out', 'blocks.1.hook_mlp_out', []],
        ['blocks.0.hook_resid_post', 'blocks.1.hook_mlp_out', ['blocks.1.hook_attn_out']],
        ['blocks.0.hook_resid_post', 'blocks.1.hook_attn_out', []],
        ['hook_embed', 'blocks.0.hook_attn_out', []],
        ['blocks.1.hook_attn_out', 'blocks.1.hook_resid_post', ['blocks.1.hook_mlp_out']],
      ];
      for (const [hu, hd, hold] of cases) {
        const candidates = r.edges
          .filter((e) => e.source.startsWith(`${hu}:`) && e.target.startsWith(`${hd}:`))
          .filter((e) => !e.source.includes(':error:') && !e.target.includes(':error:'))
          .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
        expect(candidates.length, `${hu} -> ${hd}`).toBeGreaterThan(0);
        for (const e of candidates.slice(0, 2)) {
          const fd = await fdEdge(e.source, e.target, hold);
          expect(e.weight, `${e.source} -> ${e.target}`).toBeCloseTo(fd, 3);
        }
      }
      // Edges into resid_{L-1}'s nodes from upstream add up to (about) the node's effect when everything is linear;
      // here we check the metric edges: resid_{L-1} -> metric = its effect.
      for (const e of r.edges.filter((x) => x.target === 'metric')) {
        expect(e.weight).toBe(r.nodes.find((n) => n.id === e.source)!.effect);
      }
    });

    it('spliced SAEs with error nodes leave the model exact; full set faithfulness 1, empty 0', async () => {
      const allIds = saes.flatMap((s) => [
        ...Array.from({ length: s.config.dSae }, (_, j) => nodeId(s.config.hookName, j, null)),
        nodeId(s.config.hookName, null, null),
      ]);
      const full = await evaluateNodeSet(model, saes, pairs, allIds);
      const engine = await engineMetric(pairs);
      const mean = engine.reduce((a, b) => a + b, 0) / engine.length;
      expect(full.fFull).toBeCloseTo(mean, 4);
      expect(full.fCircuit).toBeCloseTo(mean, 4);
      expect(full.faithfulness).toBeCloseTo(1, 4);
      expect(full.completeness).toBeCloseTo(0, 4);
      const empty = await evaluateNodeSet(model, saes, pairs, []);
      expect(empty.faithfulness).toBeCloseTo(0, 6);
      expect(empty.completeness).toBeCloseTo(1, 4);
      expect(Math.abs(empty.fFull - empty.fEmpty)).toBeGreaterThan(1e-3);
      // per-position ids work too and partial sets land in between
      const some = await evaluateNodeSet(model, saes, pairs, [nodeId('blocks.1.hook_resid_post', null, 4)]);
      expect(Number.isFinite(some.faithfulness)).toBe(true);
      await expect(evaluateNodeSet(model, saes, pairs, ['blocks.9.hook_mlp_out:1:2'])).rejects.toThrow(/no SAE/);
    });
  });
}
