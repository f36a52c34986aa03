// Issue 18: the one-prompt graph of a subject-verb prompt puts the subject's number features on the top influence
// path to the verb logit. On the bundled demo model and demo transcoders, with two definitions fixed before any
// graph was looked at, on a prompt set fixed the same way:
// - number feature: compare "The X" with "The Xs" at the noun's position for the 36 subject nouns of lexicon.ts; a
//   feature fires clearly more on one form for a pair when it is active on that form at >= 3x its activation on the
//   other; it is a plural (singular) number feature when that holds on at least half of the pairs;
// - top influence path: from the subject token's embedding node to the target logit(right verb) - logit(wrong verb),
//   the path whose product of circuit-tracer's row-normalised |edge| weights is the largest.
// Prompts: the first 12 test pairs of the `simple` template (the path starting at "The" instead passes too: in a
// two-word prompt every path funnels through the subject's position, where the verb is predicted). On `nounpp`
// ("The poets beside the window") the claim fails on 12 of 12 (number crosses the phrase through the attention
// patterns, which the graph freezes), so the second test states what does hold there: a number feature of the
// subject's number at the verb position is among the strongest direct inputs to the target, pushing it the right
// way (it follows the subject, not the noun right before the verb: "The man by the boats" has singular 475 there).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModelWeights } from '../circuits/graphs.js';
import { SUBJECTS } from '../data/lexicon.js';
import { type GrammaticalNumber, generateSvaDataset, type SvaPair } from '../data/sva.js';
import { singleToken } from '../demo/evaluate.js';
import { DEMO_ASSETS_DIR } from '../demo/pipeline.js';
import { loadDemoTranscoders } from '../demo/transcoders.js';
import { gpt2WeightShapes } from '../model/config.js';
import type { HookedGPT2 } from '../model/hooked.js';
import { layerNormNormalized } from '../model/layer-norm.js';
import { loadHookedGPT2 } from '../model/load.js';
import { referenceTranscode, type Sae } from '../sae/sae.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';
import { type AttributionGraph, attribute, nodeLayout } from './attribution.js';
import { normalizeRows } from './prune.js';

const RATIO = 3;
const SHARE = 0.5;
/** "Among the strongest direct inputs": this many feature nodes at the verb position, by |direct edge|. */
const TOP_DIRECT = 5;
const PROMPTS = 12;

let model: HookedGPT2;
let tokenizer: TextTokenizer;
let transcoders: Sae[];
let weights: Map<string, Float32Array>;
/** 'layer:feature' -> the number it fires for. */
let numberOf: Map<string, GrammaticalNumber>;

const key = (layer: number, feature: number) => `${layer}:${feature}`;

/** Every transcoder's feature activations [layer][feature] at the last position of each text (one batch). */
async function lastPositionFeatures(texts: string[]): Promise<Float64Array[][]> {
  const { nLayers, dModel, lnEps, bosTokenId } = model.config;
  const batch = texts.map((t) => tokenizer.encode(t, { bos: bosTokenId }));
  const T = batch[0]!.length;
  if (batch.some((b) => b.length !== T)) throw new Error('the texts must have the same number of tokens');
  const hooks = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.hook_resid_mid`);
  const out = await model.run(batch, { hooks, logits: false });
  return batch.map((_, b) =>
    transcoders.map((tc, l) => {
      const row = out.hooks.get(hooks[l]!)!.data.subarray((b * T + T - 1) * dModel, (b * T + T) * dModel);
      return referenceTranscode(tc, layerNormNormalized(row, dModel, lnEps), 1).features;
    }),
  );
}

/** The number features, by the definition above. */
async function findNumberFeatures(): Promise<Map<string, GrammaticalNumber>> {
  const singular = await lastPositionFeatures(SUBJECTS.map((n) => `The ${n.sg}`));
  const plural = await lastPositionFeatures(SUBJECTS.map((n) => `The ${n.pl}`));
  const clearlyMore = (a: number, b: number) => a > 0 && a >= RATIO * b;
  const found = new Map<string, GrammaticalNumber>();
  transcoders.forEach((tc, l) => {
    for (let f = 0; f < tc.config.dSae; f++) {
      const pl = SUBJECTS.filter((_, i) => clearlyMore(plural[i]![l]![f]!, singular[i]![l]![f]!)).length;
      const sg = SUBJECTS.filter((_, i) => clearlyMore(singular[i]![l]![f]!, plural[i]![l]![f]!)).length;
      if (pl >= SHARE * SUBJECTS.length) found.set(key(l, f), 'plural');
      else if (sg >= SHARE * SUBJECTS.length) found.set(key(l, f), 'singular');
    }
  });
  return found;
}

interface PromptGraph {
  pair: SvaPair;
  number: GrammaticalNumber;
  subjectPosition: number;
  graph: AttributionGraph;
  /** Row-normalised |A| with the right-minus-wrong target in logit row 0. */
  normalized: Float32Array;
  /** Signed direct edges into the right-minus-wrong target, by source node. */
  direct: Float32Array;
}

const graphs = new Map<string, PromptGraph>();

/** The graph of a pair's prompt, targeting logit(right) - logit(wrong) (exact by linearity), computed once. */
async function promptGraph(pair: SvaPair): Promise<PromptGraph> {
  const cached = graphs.get(pair.clean_prefix);
  if (cached) return cached;
  const { bosTokenId } = model.config;
  const tokens = tokenizer.encode(pair.clean_prefix, { bos: bosTokenId });
  const logitTokens = [pair.clean_answer, pair.patch_answer].map((t) => singleToken(tokenizer, t));
  const sources = transcoders.map((t) => ({ config: t.config, load: async () => t.weights }));
  const graph = await attribute({ config: model.config, weights, ort: model.ort }, sources, tokens, { logitTokens });
  const { n } = graph;
  const lay = nodeLayout(graph);
  const a = Float32Array.from(graph.adjacency);
  const right = lay.logit(0) * n;
  const wrong = lay.logit(1) * n;
  for (let j = 0; j < n; j++) {
    a[right + j]! -= a[wrong + j]!;
    a[wrong + j] = 0;
  }
  // the subject is the prompt's second word ("The fathers ..."): its last token
  const subject = pair.clean_prefix.split(' ').slice(0, 2).join(' ');
  const subjectPosition = tokenizer.encode(subject, { bos: bosTokenId }).length - 1;
  const entry: PromptGraph = {
    pair,
    number: pair.case.startsWith('plural') ? 'plural' : 'singular',
    subjectPosition,
    graph,
    normalized: normalizeRows(a, n),
    direct: a.slice(right, right + n),
  };
  graphs.set(pair.clean_prefix, entry);
  return entry;
}

/** The max-product path from `from` to the target (logit row 0), as node indices; features in topological order. */
function topInfluencePath(p: PromptGraph, from: number): number[] {
  const { n, features } = p.graph;
  const target = nodeLayout(p.graph).logit(0);
  const best = new Float64Array(n);
  const next = new Int32Array(n).fill(-1);
  best[target] = 1;
  // rows before their sources: the target, then features from the last (a feature only reads earlier layers)
  const order = [target, ...Array.from({ length: features.length }, (_, i) => features.length - 1 - i)];
  for (const i of order) {
    if (best[i] === 0) continue;
    for (let j = 0; j < n; j++) {
      const v = best[i]! * p.normalized[i * n + j]!;
      if (v > best[j]!) {
        best[j] = v;
        next[j] = i;
      }
    }
  }
  const path: number[] = [];
  for (let i = from; i !== -1; i = next[i]!) path.push(i);
  return path;
}

const numberOfNode = (p: PromptGraph, i: number) => {
  const f = p.graph.features[i];
  return f ? numberOf.get(key(f.layer, f.feature)) : undefined;
};
const describeNode = (p: PromptGraph, i: number) => {
  const f = p.graph.features[i];
  return f ? `L${f.layer}/${f.feature}@${f.position}(${numberOfNode(p, i) ?? '-'})` : `node ${i}`;
};

const firstPairs = (template: 'simple' | 'nounpp') => generateSvaDataset(template, { seed: 0 }).test.slice(0, PROMPTS);

describe('subject-verb prompts on the demo model', () => {
  beforeAll(async () => {
    const loaded = await loadHookedGPT2(join(DEMO_ASSETS_DIR, 'model'));
    model = loaded.model;
    tokenizer = loaded.tokenizer!;
    transcoders = await loadDemoTranscoders();
    weights = await readModelWeights(model, [...gpt2WeightShapes(model.config).keys()]);
    numberOf = await findNumberFeatures();
    return () => model.dispose();
  }, 120_000);

  it('number features of both numbers exist', () => {
    const numbers = [...numberOf.values()];
    expect(numbers.filter((v) => v === 'plural').length).toBeGreaterThan(0);
    expect(numbers.filter((v) => v === 'singular').length).toBeGreaterThan(0);
  });

  it('simple: the top influence path from the subject to the verb passes through a number feature of its number', async () => {
    for (const pair of firstPairs('simple')) {
      const p = await promptGraph(pair);
      const path = topInfluencePath(p, nodeLayout(p.graph).token(p.subjectPosition));
      const numbers = path.map((i) => numberOfNode(p, i)).filter((v) => v !== undefined);
      const what = `"${pair.clean_prefix}" ${pair.clean_answer}: ${path.map((i) => describeNode(p, i)).join(' -> ')}`;
      expect(numbers, what).toContain(p.number);
      expect(
        numbers.every((v) => v === p.number),
        what,
      ).toBe(true);
    }
  }, 120_000);

  it('nounpp: a number feature of the subject at the verb position is a top direct input, pushing the right verb', async () => {
    for (const pair of firstPairs('nounpp')) {
      const p = await promptGraph(pair);
      const last = p.graph.tokens.length - 1;
      const atVerb = p.graph.features.map((f, i) => ({ f, i })).filter(({ f }) => f.position === last);
      const top = atVerb
        .sort((x, y) => Math.abs(p.direct[y.i]!) - Math.abs(p.direct[x.i]!))
        .slice(0, TOP_DIRECT)
        .map(({ i }) => i);
      const what = `"${pair.clean_prefix}" ${pair.clean_answer}: ${top.map((i) => `${describeNode(p, i)} ${p.direct[i]!.toFixed(3)}`).join(', ')}`;
      expect(
        top.some((i) => numberOfNode(p, i) === p.number && p.direct[i]! > 0),
        what,
      ).toBe(true);
    }
  }, 120_000);
});
