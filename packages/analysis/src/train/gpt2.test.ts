import { describe, expect, it } from 'vitest';
import { corpusVocabulary } from '../data/tokenizer.js';
import type { GPT2Config } from '../model/config.js';
import { nodeOrt } from '../runtime/node.js';
import { batchRows, lmFeeds, tokenizeCorpus, trainGPT2 } from './gpt2.js';

describe('GPT-2 language-model training', () => {
  const vocabulary = corpusVocabulary();
  const text = 'The cat runs.\nThe cats run.\n\nThe boys that the chef likes are here.\n';
  const stream = tokenizeCorpus(text, vocabulary, 0);

  it('tokenises sentences with BOS before each and builds rows from sentence starts', () => {
    expect(stream.starts.length).toBe(3);
    for (const s of stream.starts) expect(stream.tokens[s]).toBe(0);
    expect(stream.tokens).not.toContain(1); // no unknown pieces
    const rows = batchRows(stream, [stream.starts[2]!], 16);
    expect(Array.from(rows.subarray(0, 3))).toEqual([0, vocabulary.indexOf('The'), vocabulary.indexOf('Ġboys')]);
    expect(rows.at(-1)).toBe(-1); // padded past the end of the stream
  });

  it('targets: one distribution per scored position, weighted to a mean; label smoothing keeps the mass', () => {
    const V = vocabulary.length;
    const rows = batchRows(stream, [stream.starts[0]!, stream.starts[2]!], 12);
    for (const ls of [0, 0.1]) {
      const { targets } = lmFeeds(rows, 2, 12, V, ls);
      let total = 0;
      for (let p = 0; p < 24; p++) {
        const row = targets.subarray(p * V, (p + 1) * V);
        const sum = row.reduce((a, b) => a + b, 0);
        total += sum;
        const next = rows[Math.floor(p / 12) * 13 + (p % 12) + 1]!;
        if (next >= 0 && sum > 0) expect(row.indexOf(Math.max(...row))).toBe(next);
      }
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('the loss of a tiny model goes down', async () => {
    const config: GPT2Config = {
      nLayers: 1,
      dModel: 16,
      nHeads: 2,
      nCtx: 16,
      vocabSize: vocabulary.length,
      lnEps: 1e-5,
      bosTokenId: 0,
    };
    const r = await trainGPT2({
      config,
      stream,
      steps: 40,
      batch: 4,
      seq: 16,
      maxLr: 1e-2,
      warmupSteps: 4,
      seed: 1,
      ort: nodeOrt,
      threads: 1,
      progress: false,
    });
    expect(r.losses[0]!).toBeGreaterThan(5);
    expect(r.losses.slice(-5).reduce((a, b) => a + b, 0) / 5).toBeLessThan(r.losses[0]! - 2);
  });
});
