// The bundled demo's transcoders: the files are the ones the manifest hashed, each predicts its layer's MLP output
// from the MLP's normalised input as the manifest recorded (>= 0.9 variance explained and loss recovered), and that
// input is what the MLP reads.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerNormNormalized } from '../model/layer-norm.js';
import { loadHookedGPT2 } from '../model/load.js';
import { loadGPT2Checkpoint } from '../model/loader.js';
import { nodeOrt } from '../runtime/node.js';
import { DEMO_ASSETS_DIR, type DemoConfig } from './pipeline.js';
import {
  type DemoTranscodersManifest,
  evalRows,
  loadDemoTranscoders,
  transcoderHooks,
  transcoderMetrics,
} from './transcoders.js';

const manifestPath = join(DEMO_ASSETS_DIR, 'manifest.json');
const manifest = existsSync(manifestPath)
  ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { transcoders?: DemoTranscodersManifest; config: DemoConfig })
  : null;
const present = manifest?.transcoders !== undefined;
if (!present)
  console.warn('demo/transcoders.test.ts: SKIPPED — no transcoders in the bundle (npm run train:demo:transcoders)');

describe.skipIf(!present)('the demo bundle’s transcoders', () => {
  const recorded = manifest!.transcoders!;

  it('are the files the manifest hashed, one per layer, reading ln2.hook_normalized and predicting hook_mlp_out', async () => {
    for (const [rel, { sha256, bytes }] of Object.entries(recorded.files)) {
      const data = readFileSync(join(DEMO_ASSETS_DIR, rel));
      expect(data.byteLength, rel).toBe(bytes);
      expect(createHash('sha256').update(data).digest('hex'), rel).toBe(sha256);
    }
    const transcoders = await loadDemoTranscoders();
    expect(transcoders.map((t) => [t.config.hookName, t.config.transcoder?.hookName])).toEqual(
      [0, 1, 2, 3].map((l) => [transcoderHooks(l).input, transcoderHooks(l).output]),
    );
    for (const m of recorded.metrics) {
      expect(m.fve, `layer ${m.layer} fve`).toBeGreaterThanOrEqual(0.9);
      expect(m.ce_recovered, `layer ${m.layer} loss recovered`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('hook_normalized is the MLP input: gelu((x * ln_2.w + ln_2.b) W_fc + b_fc) W_proj + b_proj = hook_mlp_out', async () => {
    const { config, weights } = await loadGPT2Checkpoint(join(DEMO_ASSETS_DIR, 'model'));
    const { model } = await loadHookedGPT2(join(DEMO_ASSETS_DIR, 'model'), { threads: 1 });
    try {
      const tokens = [[0, 5, 17, 40, 3, 9, 22, 11]];
      const layer = 2;
      const out = await model.run(tokens, {
        hooks: [`blocks.${layer}.hook_resid_mid`, `blocks.${layer}.hook_mlp_out`],
      });
      const D = config.dModel;
      const x = layerNormNormalized(out.hooks.get(`blocks.${layer}.hook_resid_mid`)!.data, D, config.lnEps);
      const w = (name: string) => weights.get(`h.${layer}.${name}`)!;
      const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      const mlpOut = out.hooks.get(`blocks.${layer}.hook_mlp_out`)!.data;
      let worst = 0;
      for (let t = 0; t < tokens[0]!.length; t++) {
        const input = Array.from({ length: D }, (_, i) => x[t * D + i]! * w('ln_2.weight')[i]! + w('ln_2.bias')[i]!);
        const hidden = Array.from({ length: 4 * D }, (_, j) => {
          let v = w('mlp.c_fc.bias')[j]!;
          for (let i = 0; i < D; i++) v += input[i]! * w('mlp.c_fc.weight')[i * 4 * D + j]!;
          return gelu(v);
        });
        for (let o = 0; o < D; o++) {
          let v = w('mlp.c_proj.bias')[o]!;
          for (let j = 0; j < 4 * D; j++) v += hidden[j]! * w('mlp.c_proj.weight')[j * D + o]!;
          worst = Math.max(worst, Math.abs(v - mlpOut[t * D + o]!));
        }
      }
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await model.dispose();
    }
  });

  it('reproduces the recorded metrics of layer 1 (variance explained, loss recovered, L0, dead share)', async () => {
    const { model } = await loadHookedGPT2(join(DEMO_ASSETS_DIR, 'model'), { threads: 1, maxGraphs: 64 });
    try {
      const transcoders = (await loadDemoTranscoders()).filter((t) => t.config.hookLayer === 1);
      const rows = evalRows(manifest!.config, model);
      const [got] = await transcoderMetrics(model, transcoders, rows, { ort: nodeOrt, threads: 1 });
      const want = recorded.metrics.find((m) => m.layer === 1)!;
      expect(Math.abs(got!.fve - want.fve)).toBeLessThan(1e-3);
      expect(Math.abs(got!.ce_recovered - want.ce_recovered)).toBeLessThan(1e-3);
      expect(Math.abs(got!.l0 - want.l0)).toBeLessThan(0.01);
      expect(Math.abs(got!.dead_fraction - want.dead_fraction)).toBeLessThanOrEqual(2 / 1024);
    } finally {
      await model.dispose();
    }
  });
});
