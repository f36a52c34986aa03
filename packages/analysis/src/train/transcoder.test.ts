import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/prng.js';
import { nodeOrt } from '../runtime/node.js';
import { referenceTranscode } from '../sae/sae.js';
import { normalSampler } from './optim.js';
import { trainTopKTranscoder } from './transcoder.js';

const dIn = 6;
const hidden = 10;
const dOut = 5;

/** A small ReLU "MLP" y = relu(x A) B + x C (C: a linear path a skip connection can take), on normal inputs. */
function mlpData(rows: number, seed: number, linear: number) {
  const normal = normalSampler(mulberry32(seed));
  const fixed = normalSampler(mulberry32(99));
  const A = Float64Array.from({ length: dIn * hidden }, () => fixed());
  const B = Float64Array.from({ length: hidden * dOut }, () => fixed() / 2);
  const C = Float64Array.from({ length: dIn * dOut }, () => fixed() * linear);
  const x = Float32Array.from({ length: rows * dIn }, () => normal());
  const y = new Float32Array(rows * dOut);
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < hidden; h++) {
      let pre = 0;
      for (let i = 0; i < dIn; i++) pre += x[r * dIn + i]! * A[i * hidden + h]!;
      if (pre <= 0) continue;
      for (let o = 0; o < dOut; o++) y[r * dOut + o]! += pre * B[h * dOut + o]!;
    }
    for (let o = 0; o < dOut; o++) for (let i = 0; i < dIn; i++) y[r * dOut + o]! += x[r * dIn + i]! * C[i * dOut + o]!;
  }
  return { x, y };
}

/** Fraction of the variance of y [rows, dOut] that `pred` explains. */
function fve(y: Float32Array, pred: Float64Array): number {
  const rows = y.length / dOut;
  let se = 0;
  let total = 0;
  for (let o = 0; o < dOut; o++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += y[r * dOut + o]! / rows;
    for (let r = 0; r < rows; r++) {
      se += (y[r * dOut + o]! - pred[r * dOut + o]!) ** 2;
      total += (y[r * dOut + o]! - mean) ** 2;
    }
  }
  return 1 - se / total;
}

describe('trainTopKTranscoder', () => {
  for (const skip of [false, true]) {
    it(`learns a small MLP${skip ? ' with a linear path (skip transcoder)' : ''}; held-out rows predicted`, async () => {
      const train = mlpData(2048, 1, skip ? 1 : 0);
      const r = await trainTopKTranscoder({
        hookIn: 'blocks.0.ln2.hook_normalized',
        hookOut: 'blocks.0.hook_mlp_out',
        inputs: train.x,
        targets: train.y,
        dIn,
        dOut,
        dSae: 32,
        k: 6,
        skip,
        steps: 300,
        batch: 128,
        maxLr: 1e-2,
        seed: 3,
        ort: nodeOrt,
        threads: 1,
        progress: false,
        resampleEvery: 100,
      });
      const tc = r.transcoder;
      expect(tc.config.transcoder).toEqual({ hookName: 'blocks.0.hook_mlp_out', hookLayer: 0, dOut, skip });
      expect(tc.weights.W_skip !== undefined).toBe(skip);
      const n = r.losses.length;
      expect(r.losses.slice(-20).reduce((a, b) => a + b) / 20).toBeLessThan(
        (0.3 * r.losses.slice(0, 20).reduce((a, b) => a + b)) / 20,
      );
      expect(n).toBe(300);
      // The saved weights (scales folded in) predict unscaled held-out targets from unscaled inputs.
      const test = mlpData(512, 2, skip ? 1 : 0);
      expect(fve(test.y, referenceTranscode(tc, test.x, 512).output)).toBeGreaterThan(0.9);
    });
  }
});

describe('trainTopKTranscoder with revive', () => {
  /** Features of a 128-wide TopK(4) transcoder that never fire on 512 held-out rows. */
  async function deadFeatures(revive: { deadSteps: number; biasStep: number } | null) {
    const r = await trainTopKTranscoder({
      hookIn: 'blocks.0.ln2.hook_normalized',
      hookOut: 'blocks.0.hook_mlp_out',
      ...(({ x, y }) => ({ inputs: x, targets: y }))(mlpData(2048, 1, 0)),
      dIn,
      dOut,
      dSae: 128,
      k: 4,
      skip: false,
      steps: 300,
      batch: 128,
      maxLr: 1e-2,
      seed: 3,
      ort: nodeOrt,
      threads: 1,
      progress: false,
      resampleEvery: 0,
      revive,
    });
    const features = referenceTranscode(r.transcoder, mlpData(512, 2, 0).x, 512).features;
    const fired = new Uint8Array(128);
    for (let j = 0; j < features.length; j++) if (features[j]! > 0) fired[j % 128] = 1;
    return fired.filter((f) => !f).length;
  }

  it('raises dead features’ encoder biases until they fire (the SAE trainer’s reviveDeadFeatures)', async () => {
    // Measured: 46 of 128 dead without, 14 with the demo's settings (a feature dead 4 steps gains 0.003 a step).
    expect(await deadFeatures(null)).toBeGreaterThan(30);
    expect(await deadFeatures({ deadSteps: 4, biasStep: 0.003 })).toBeLessThan(20);
  });
});
