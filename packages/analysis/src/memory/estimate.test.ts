import { describe, expect, it } from 'vitest';
import { emptyDashboardState } from '../dashboards/state.js';
import { GPT2_SMALL } from '../model/config.js';
import {
  type CircuitMemoryInput,
  type DashboardMemoryInput,
  dashboardStateBytes,
  estimateCircuitMemory,
  estimateDashboardMemory,
  estimatePromptGraphMemory,
  formatBytes,
  gpt2WeightBytes,
  MIB,
  saeWeightBytes,
} from './estimate.js';

const mib = (bytes: number) => Math.round(bytes / MIB);
/** peak_rss_mb of that calibration run (2026-12-01). */
const IG_MEASURED_MB = 3989;
const saes = (n: number, dSae = 24576) => Array.from({ length: n }, () => ({ dSae }));

describe('sizes', () => {
  it("counts GPT-2 small's 124,439,808 parameters and an SAE's four tensors", () => {
    expect(gpt2WeightBytes(GPT2_SMALL)).toBe(4 * 124_439_808);
    expect(gpt2WeightBytes({ ...GPT2_SMALL, untied: true })).toBe(4 * (124_439_808 + 50257 * 768));
    expect(saeWeightBytes(768, 24576)).toBe(4 * (2 * 768 * 24576 + 24576 + 768));
  });

  it('counts the bytes emptyDashboardState allocates', () => {
    const shape = { dSae: 100, topK: 10, reservoir: 40, contextTokens: 32, histogramBins: 28 };
    const state = emptyDashboardState(shape, [[1, 2, 3]], 1);
    const allocated = Object.values(state)
      .filter((v): v is Float32Array => ArrayBuffer.isView(v))
      .reduce((n, a) => n + a.byteLength, 0);
    expect(dashboardStateBytes(100, shape)).toBe(allocated);
    // The README's "about 160 MB of dashboard state" per 24,576-feature SAE.
    expect(mib(dashboardStateBytes(24576, shape))).toBe(163);
  });

  it('formats MiB below a GiB and GiB with one decimal above', () => {
    expect(formatBytes(1 * MIB)).toBe('1 MB');
    expect(formatBytes(230.2 * MIB)).toBe('231 MB');
    expect(formatBytes(2.6 * 1024 * MIB)).toBe('2.6 GB');
  });
});

describe('dashboard estimates', () => {
  const base: DashboardMemoryInput = {
    model: GPT2_SMALL,
    saes: saes(2),
    contexts: 3125,
    contextTokens: 32,
    corpusBytes: 1_000_000,
  };

  it('lie within 0.9-1.5x of the peaks bench:dashboards measured on GPT-2 small with SAEs of 24,576', () => {
    // peak_rss_mb of `npm run bench:dashboards` (2-core VM): 2,048 tokens x 1 and x 2 SAEs (2026-12-01, this
    // change), 4,096 and 100,000 tokens x 2 SAEs (the README's Benchmarks table).
    for (const [tokens, n, measured] of [
      [2048, 1, 1891],
      [2048, 2, 1970],
      [4096, 2, 1992],
      [100_000, 2, 2483],
    ] as const) {
      const estimate = mib(estimateDashboardMemory({ model: GPT2_SMALL, saes: saes(n), contexts: tokens / 32 }).bytes);
      expect(estimate / measured, `${tokens} tokens x ${n} SAEs: ${estimate} MB`).toBeGreaterThanOrEqual(0.9);
      expect(estimate / measured, `${tokens} tokens x ${n} SAEs: ${estimate} MB`).toBeLessThanOrEqual(1.5);
    }
  });

  it('grow with every size', () => {
    const bytes = (input: DashboardMemoryInput) => estimateDashboardMemory(input).bytes;
    const b = bytes(base);
    expect(bytes({ ...base, saes: saes(3) })).toBeGreaterThan(b);
    expect(bytes({ ...base, saes: saes(2, 49152) })).toBeGreaterThan(b);
    expect(bytes({ ...base, contexts: 31250 })).toBeGreaterThan(b);
    expect(bytes({ ...base, contextTokens: 64 })).toBeGreaterThan(b);
    expect(bytes({ ...base, corpusBytes: 100_000_000 })).toBeGreaterThan(b);
    expect(bytes({ ...base, batchSize: 64 })).toBeGreaterThan(b);
    expect(bytes({ ...base, topContexts: 20 })).toBeGreaterThan(b);
    expect(bytes({ ...base, reservoir: 80 })).toBeGreaterThan(b);
    expect(bytes({ ...base, histogramBins: 56 })).toBeGreaterThan(b);
    expect(bytes({ ...base, logitChunk: 512 })).toBeGreaterThan(b);
    expect(bytes({ ...base, checkpoints: true })).toBeGreaterThan(b);
    for (const key of ['nLayers', 'dModel', 'vocabSize', 'nCtx'] as const) {
      expect(bytes({ ...base, model: { ...GPT2_SMALL, [key]: GPT2_SMALL[key] * 2 } }), key).toBeGreaterThan(b);
    }
  });

  it('count an SAE of twice the features as about twice the per-SAE share', () => {
    const one = estimateDashboardMemory({ ...base, saes: saes(1) }).bytes;
    const two = estimateDashboardMemory({ ...base, saes: saes(2) }).bytes;
    const wide = estimateDashboardMemory({ ...base, saes: saes(1, 49152) }).bytes;
    // Weights, encoder, state and activations scale with d_sae: one SAE of 49,152 costs what two of 24,576 do,
    // give or take the logit-effects chunk (the same 256 rows for both).
    expect(Math.abs(wide - two) / MIB).toBeLessThan(5);
    expect(mib(two - one)).toBeGreaterThan(400);
  });
});

describe('circuit estimates', () => {
  const gpt2Hooks = saes(36);
  const base: CircuitMemoryInput = { model: GPT2_SMALL, saes: gpt2Hooks, pairs: 20, tokens: 12, maxNodes: 200 };

  it('lie within 0.9-1.5x of measured peaks on GPT-2-small shapes', () => {
    // bench:circuit's one pair, attribution patching, 36 hooks sharing 3 SAEs, 200 nodes, no evaluation: 2,098 MB.
    const atp = estimateCircuitMemory({
      model: GPT2_SMALL,
      saes: gpt2Hooks,
      pairs: 1,
      tokens: 12,
      method: 'atp',
      maxNodes: 200,
      nodeThreshold: 0,
      evaluate: false,
      saeWeightsHeld: 3,
    });
    expect(mib(atp.bytes) / 2098).toBeGreaterThanOrEqual(0.9);
    expect(mib(atp.bytes) / 2098).toBeLessThanOrEqual(1.5);
    // The server's job (integrated gradients, SAEs loaded per hook, evaluation) on 4 layers of GPT-2 small with
    // 12 SAEs of 24,576: 32 pairs of 12 tokens, 1 step, 100 nodes (a calibration run of computeCircuitWith).
    const ig = estimateCircuitMemory({
      model: { ...GPT2_SMALL, nLayers: 4 },
      saes: saes(12),
      pairs: 32,
      tokens: 12,
      steps: 1,
      maxNodes: 100,
    });
    expect(mib(ig.bytes) / IG_MEASURED_MB).toBeGreaterThanOrEqual(0.9);
    expect(mib(ig.bytes) / IG_MEASURED_MB).toBeLessThanOrEqual(1.5);
  });

  it('put a full GPT-2 small circuit job at 7-12 GB, most of it the evaluation holding all 36 SAEs', () => {
    const estimate = estimateCircuitMemory(base);
    expect(estimate.bytes / 1024 / MIB).toBeGreaterThan(7);
    expect(estimate.bytes / 1024 / MIB).toBeLessThan(12);
    expect(estimate.parts.evaluation! / MIB).toBeGreaterThan(36 * 144);
    expect(estimateCircuitMemory({ ...base, evaluate: false }).bytes).toBeLessThan(estimate.bytes / 2);
  });

  it('grow with every size', () => {
    const bytes = (input: CircuitMemoryInput) => estimateCircuitMemory(input).bytes;
    const b = bytes(base);
    expect(bytes({ ...base, saes: saes(37) })).toBeGreaterThan(b);
    expect(bytes({ ...base, saes: saes(36, 49152) })).toBeGreaterThan(b);
    expect(bytes({ ...base, pairs: 40 })).toBeGreaterThan(b);
    expect(bytes({ ...base, tokens: 24 })).toBeGreaterThan(b);
    expect(bytes({ ...base, steps: 20 })).toBeGreaterThanOrEqual(b);
    expect(bytes({ ...base, pairs: 2, steps: 20 })).toBeGreaterThan(bytes({ ...base, pairs: 2, steps: 10 }));
    expect(bytes({ ...base, maxNodes: 2000 })).toBeGreaterThan(b);
    expect(bytes({ ...base, maxGraphs: 8 })).toBeGreaterThan(b);
    expect(bytes({ ...base, method: 'atp' })).toBeLessThan(b);
    for (const key of ['nLayers', 'dModel', 'vocabSize', 'nCtx', 'nHeads'] as const) {
      expect(bytes({ ...base, model: { ...GPT2_SMALL, [key]: GPT2_SMALL[key] * 2 } }), key).toBeGreaterThan(b);
    }
  });

  it('count every (feature, position) as a candidate when nothing bounds the nodes', () => {
    // nodeThreshold 0 and no maxNodes keeps all 36 x 12 x 24,577 nodes: far beyond any machine.
    const unbounded = estimateCircuitMemory({ ...base, maxNodes: undefined, nodeThreshold: 0 });
    expect(unbounded.bytes / 1024 / MIB).toBeGreaterThan(1000);
    const thresholded = estimateCircuitMemory({ ...base, maxNodes: undefined });
    expect(thresholded.bytes / 1024 / MIB).toBeLessThan(15);
  });
});

describe('prompt graph memory', () => {
  const tc = (k: number | null, dSae = 24576) => Array.from({ length: 12 }, () => ({ dSae, k }));
  const bench = { model: GPT2_SMALL, transcoders: tc(32), tokens: 16 };
  /** bench:graph's peak RSS for that shape (README, Attribution graphs; 2026-12-01, under load). */
  const GRAPH_MEASURED_MB = 2058;

  it("lands a little above bench:graph's measured peak", () => {
    const ratio = mib(estimatePromptGraphMemory(bench).bytes) / GRAPH_MEASURED_MB;
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(1.5);
  });

  it('counts the dense adjacency of every feature node the cap allows', () => {
    // ReLU transcoders: any feature may be active, so the cap (7,500) bounds n: 7,500 + 12 x 16 + 16 + 10 nodes.
    const relu = estimatePromptGraphMemory({ ...bench, transcoders: tc(null) });
    expect(relu.parts.adjacency).toBe(3 * 7718 ** 2 * 4);
    const capped = estimatePromptGraphMemory({ ...bench, transcoders: tc(null), maxFeatureNodes: 100 });
    expect(capped.parts.adjacency).toBe(3 * 318 ** 2 * 4);
    expect(estimatePromptGraphMemory({ ...bench, tokens: 32 }).bytes).toBeGreaterThan(
      estimatePromptGraphMemory(bench).bytes,
    );
  });
});
