/**
 * The walkthrough's toy (/learn): the seed article's subject-verb network, trained in the page by the engine's own
 * code (the same seeds as `npm run circuit -- --toy`), its SAE, and its circuit as editor content.
 */
import {
  defaultToy,
  TOY_INPUTS,
  TOY_OUTPUTS,
  type ToyInput,
  type ToyNetwork,
  type ToySae,
  toyCircuit,
  toyData,
  toyForward,
  toySaeDecode,
  toySaeEncode,
} from '@workbench/analysis/browser';
import type { Annotations, CircuitContent } from './graph';

export { TOY_INPUTS, TOY_OUTPUTS, type ToyInput };

/** What one input does: the hidden units, the SAE's features and reconstruction, the logits. */
export interface ToyPass {
  hidden: number[];
  features: number[];
  reconstruction: number[];
  logits: number[];
}

export interface ToyRun {
  net: ToyNetwork;
  sae: ToySae;
  trainMs: number;
  trainExamples: number;
  /** On 200 held-out examples (another seed). */
  accuracy: number;
  /** The SAE's squared reconstruction error over the hidden units' squared norm, held out. */
  relativeError: number;
  /** Features active per example, on average, held out. */
  l0: number;
  passes: Record<ToyInput, ToyPass>;
}

const HELD_OUT = toyData(200, 99);

function pass(net: ToyNetwork, sae: ToySae, x: readonly number[]): ToyPass {
  const { hidden, logits } = toyForward(net, x);
  const features = toySaeEncode(sae, hidden);
  return {
    hidden: [...hidden],
    features: [...features],
    reconstruction: [...toySaeDecode(sae, features)],
    logits: [...logits],
  };
}

/** Trains the network and its SAE (a few hundred milliseconds) and measures them on held-out examples. */
export function trainToy(): ToyRun {
  const t0 = performance.now();
  const { net, sae, train } = defaultToy();
  const trainMs = performance.now() - t0;
  let correct = 0;
  let error = 0;
  let norm = 0;
  let active = 0;
  for (const ex of HELD_OUT) {
    const p = pass(net, sae, ex.x);
    if ((p.logits[1]! > p.logits[0]! ? 1 : 0) === ex.label) correct++;
    active += p.features.filter((f) => f > 0).length;
    p.hidden.forEach((h, i) => {
      error += (p.reconstruction[i]! - h) ** 2;
      norm += h ** 2;
    });
  }
  return {
    net,
    sae,
    trainMs,
    trainExamples: train.length,
    accuracy: correct / HELD_OUT.length,
    relativeError: error / norm,
    l0: active / HELD_OUT.length,
    passes: {
      singular: pass(net, sae, TOY_INPUTS.singular.x),
      plural: pass(net, sae, TOY_INPUTS.plural.x),
    },
  };
}

/** Names the toy's nodes as the article does, for the drawing (the ids stay the engine's). */
function toyAnnotations(): Annotations {
  const nodes: Annotations['nodes'] = {
    'toy.input:0:0': { label: 'x₀ singular cue' },
    'toy.input:1:0': { label: 'x₁ plural cue' },
    'toy.sae:error:0': { label: 'SAE error' },
  };
  for (let h = 0; h < 4; h++) nodes[`toy.hidden:${h}:0`] = { label: `hidden ${h}` };
  for (let o = 0; o < 2; o++) nodes[`toy.output:${o}:0`] = { label: `logit “${TOY_OUTPUTS[o]!.trim()}”` };
  return { nodes, edges: {} };
}

/** The toy circuit on one input, as the editor's content: the engine's circuit file, with readable node names. */
export function toyContent(run: ToyRun, input: ToyInput): CircuitContent & { logits: number[]; bias: number[] } {
  const { circuit, logits, bias } = toyCircuit(run.net, run.sae, TOY_INPUTS[input].x);
  const annotations = toyAnnotations();
  for (let j = 0; j < run.sae.dSae; j++) annotations.nodes[`toy.sae:${j}:0`] = { label: `feature ${j}` };
  return {
    graph: circuit as unknown as CircuitContent['graph'],
    layout: {},
    groups: [],
    annotations,
    logits: [...logits],
    bias: [...bias],
  };
}

/** The demo circuit's strongest feature nodes by |effect| (the ones the walkthrough names and links). */
export function topFeatureNodes(graph: CircuitContent['graph'], count: number) {
  return graph.nodes
    .filter((n) => n.kind === 'feature' && typeof n.effect === 'number')
    .sort((a, b) => Math.abs(Number(b.effect)) - Math.abs(Number(a.effect)))
    .slice(0, count);
}
