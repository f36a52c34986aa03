import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCircuitFile } from '../circuits/format.js';
import { defaultToy } from '../circuits/toy.js';
import { main } from './circuit.js';

/**
 * The toy's forward pass written out here, apart from toy.ts: hidden = ReLU(b1 + x W1), logit_o = b2_o + hidden W2,
 * and what the circuit's edges leave out of each logit: b2_o + b_dec W2 (the SAE's decoder bias read by the output).
 */
function expectedLogitsMinusBias(x: [number, number]): number[] {
  const { net, sae } = defaultToy();
  const hidden = [0, 1, 2, 3].map((h) => Math.max(0, net.b1[h]! + x[0] * net.W1[h]! + x[1] * net.W1[4 + h]!));
  return [0, 1].map((o) => {
    let logit = net.b2[o]!;
    let bias = net.b2[o]!;
    for (let h = 0; h < 4; h++) {
      logit += hidden[h]! * net.W2[h * 2 + o]!;
      bias += sae.b_dec[h]! * net.W2[h * 2 + o]!;
    }
    return logit - bias;
  });
}

describe('npm run circuit -- --toy', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toy-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  for (const [input, x, subject] of [
    ['singular', [1, 0.1], ' cat'],
    ['plural', [0.1, 1], ' cats'],
  ] as const) {
    it(`writes the ${input} input's circuit: a circuit file whose edges into each output sum to its logit minus bias`, async () => {
      const out = join(dir, `${input}.json`);
      const graph = join(dir, `${input}.graph.json`);
      await main(['--toy', '--input', input, '--out', out, '--neuronpedia', graph]);
      const file = parseCircuitFile(JSON.parse(await readFile(out, 'utf8')), out);
      expect(file.model.name).toBe('toy-sva-mlp');
      expect(file.dataset.promptTokens).toEqual([subject]);
      const inputs = file.nodes.filter((n) => n.kind === 'input').map((n) => n.activation);
      expect(inputs).toEqual([...x]);
      const expected = expectedLogitsMinusBias([...x]);
      for (let o = 0; o < 2; o++) {
        const into = file.edges.filter((e) => e.target === `toy.output:${o}:0`);
        // the SAE's active features and the error node feed each output
        expect(into.length).toBeGreaterThanOrEqual(2);
        expect(into.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(expected[o]!, 9);
      }
      // the right answer wins: " runs" (output 0) for the singular subject, " run" (output 1) for the plural
      const logits = file.nodes.filter((n) => n.kind === 'output').map((n) => n.effect);
      expect(input === 'singular' ? logits[0]! > logits[1]! : logits[1]! > logits[0]!).toBe(true);
      const exchange = JSON.parse(await readFile(graph, 'utf8'));
      expect(exchange.nodes.filter((n: { feature_type: string }) => n.feature_type === 'logit')).toHaveLength(2);
    });
  }

  it('refuses an input it does not know, naming the flag', async () => {
    await expect(main(['--toy', '--input', 'dual', '--out', join(dir, 'x.json')])).rejects.toThrow(
      '--input must be singular or plural, got "dual"',
    );
  });
});
