import { describe, expect, it } from 'vitest';
import { fromNeuronpedia, neuronpediaValidator, toNeuronpedia } from './neuronpedia.js';
import { sharedNeuronpediaSchema } from './testing.js';
import { toyCircuit, toyData, toyForward, toySaeDecode, toySaeEncode, trainToyNetwork, trainToySae } from './toy.js';

const validate = neuronpediaValidator(sharedNeuronpediaSchema() ?? undefined);

describe('toy feature circuit (2 inputs -> 4 ReLU -> 2 outputs, SAE over the hidden units)', () => {
  const train = toyData(64, 1);
  const test = toyData(200, 99);
  const net = trainToyNetwork(train);
  const sae = trainToySae(net, train);

  it('classifies singular vs plural and the SAE reconstructs the hidden units', () => {
    let correct = 0;
    let err = 0;
    let norm = 0;
    for (const ex of test) {
      const { hidden, logits } = toyForward(net, ex.x);
      if ((logits[1]! > logits[0]! ? 1 : 0) === ex.label) correct++;
      const xh = toySaeDecode(sae, toySaeEncode(sae, hidden));
      for (let h = 0; h < 4; h++) {
        err += (xh[h]! - hidden[h]!) ** 2;
        norm += hidden[h]! ** 2;
      }
    }
    expect(correct / test.length).toBe(1);
    expect(err / norm).toBeLessThan(0.1);
  });

  it('the edges into each output add up to its logit minus the bias: an exact decomposition', () => {
    for (const ex of test.slice(0, 20)) {
      const { circuit, logits, bias } = toyCircuit(net, sae, ex.x);
      for (let o = 0; o < 2; o++) {
        const target = `toy.output:${o}:0`;
        const sum = circuit.edges.filter((e) => e.target === target).reduce((s, e) => s + e.weight, 0);
        expect(sum + bias[o]!).toBeCloseTo(logits[o]!, 10);
      }
      // features and the error node both feed the outputs; the active hidden units feed the features
      expect(circuit.edges.some((e) => e.source.startsWith('toy.sae:error'))).toBe(true);
      expect(circuit.edges.some((e) => e.source.startsWith('toy.input:') && e.target.startsWith('toy.hidden:'))).toBe(
        true,
      );
      // node effects on the metric: features + error = what the hidden layer adds beyond the biases
      const m = circuit.nodes.filter((n) => n.hook === 'toy.sae').reduce((s, n) => s + n.effect, 0);
      expect(m + (bias[1]! - bias[0]!)).toBeCloseTo(logits[1]! - logits[0]!, 10);
    }
  });

  it('exports as graph JSON (Neuronpedia schema) and imports back', () => {
    const { circuit } = toyCircuit(net, sae, [1, 0.1]);
    const g = toNeuronpedia(circuit, { slug: 'toy' });
    expect(validate(g)).toBe(true);
    expect(g.nodes.filter((n) => n.feature_type === 'embedding').map((n) => n.node_id)).toEqual(['E_0_0', 'E_1_0']);
    expect(g.nodes.filter((n) => n.feature_type === 'logit').map((n) => n.clerp)).toEqual([' runs', ' run']);
    const back = fromNeuronpedia(g);
    expect(back.nodes.map((n) => n.id)).toEqual(circuit.nodes.map((n) => n.id));
    expect(back.edges).toEqual(circuit.edges);
  });
});
