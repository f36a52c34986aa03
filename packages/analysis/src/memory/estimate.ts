/**
 * Estimates of a job's peak resident memory (RSS) from the sizes that drive it, so that a job too large for its
 * machine is refused before it loads anything. Each estimate is a sum of named parts (what the job holds at its
 * peak: weights, compiled graphs, per-feature state, activations, buffers of one batch) times a slack for the
 * allocator and the garbage collector. It is meant to be a little above the measured peak, not exact: calibrated
 * against the benchmarks' peak_rss_mb (README, Benchmarks) and a GPT-2-small-shaped integrated-gradients run, it
 * lands within 1.0-1.35x of them (estimate.test.ts lists the measured figures).
 */

/** Bytes in a MiB: the benchmarks' peak_rss_mb are MiB (maxRSS / 1024). */
export const MIB = 2 ** 20;

/** The shape of a GPT-2 (as in a registry entry or GPT2Config). */
export interface ModelShape {
  nLayers: number;
  dModel: number;
  nHeads: number;
  /** Learned positions. */
  nCtx: number;
  vocabSize: number;
  /** MLP width (default 4 x dModel). */
  dMlp?: number;
  /** A separate lm_head.weight (tie_word_embeddings: false). */
  untied?: boolean;
}

export interface MemoryEstimate {
  /** The estimated peak RSS in bytes (the parts' sum times the slack). */
  bytes: number;
  /** What makes it up, in bytes, before the slack. */
  parts: Record<string, number>;
}

/** Node, onnxruntime and the server's own heap (Prisma, Apollo, the embedded database) before a job loads anything. */
const RUNTIME_BYTES = 200 * MIB;
/** An onnxruntime session holding a graph's weights as initializers keeps about this many times their bytes. */
const SESSION_WEIGHT_FACTOR = 1.1;
/** Allocator fragmentation and garbage not yet collected (measured peaks run 0-25% above the parts' sum). */
const SLACK = 1.15;

const F32 = 4;
const F64 = 8;
/** A JavaScript number in an array (8 bytes) plus per-array overhead shared out. */
const JS_NUMBER = 8;

const dMlpOf = (m: ModelShape) => m.dMlp ?? 4 * m.dModel;

/** Parameters of one transformer block (layer norms, attention, MLP, their biases). */
function blockParams(m: ModelShape): number {
  const d = m.dModel;
  const f = dMlpOf(m);
  return 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d);
}

/** Bytes of a GPT-2's fp32 weights (embeddings, blocks, final layer norm, and lm_head when untied). */
export function gpt2WeightBytes(m: ModelShape): number {
  const d = m.dModel;
  const embeddings = m.vocabSize * d + m.nCtx * d;
  return F32 * (embeddings + m.nLayers * blockParams(m) + 2 * d + (m.untied ? m.vocabSize * d : 0));
}

/** Bytes of an SAE's weights (W_enc, W_dec, b_enc, b_dec). */
export function saeWeightBytes(dIn: number, dSae: number): number {
  return F32 * (2 * dIn * dSae + dSae + dIn);
}

const sum = (parts: Record<string, number>) => Object.values(parts).reduce((a, b) => a + b, 0);
const finish = (parts: Record<string, number>): MemoryEstimate => ({
  bytes: Math.ceil(sum(parts) * SLACK),
  parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.ceil(v)])),
});

export interface DashboardMemoryInput {
  model: ModelShape;
  /** The SAEs of one pass (d_in = the model's d_model). */
  saes: readonly { dSae: number }[];
  /** Contexts the pass reads. */
  contexts: number;
  /** Tokens per context (default 32). */
  contextTokens?: number;
  /** Bytes of corpus text read and tokenized to make the contexts (the whole text is tokenized first). */
  corpusBytes?: number;
  /** As DashboardOptions (defaults: 16, 10, 40, 28, 10). */
  batchSize?: number;
  topContexts?: number;
  reservoir?: number;
  histogramBins?: number;
  logitTokens?: number;
  /** Decoder rows per logit-effects run (default 256). */
  logitChunk?: number;
  /** The state is written to checkpoints (one encoded copy of every SAE's state at a time). */
  checkpoints?: boolean;
}

/** Bytes of one SAE's dashboard state: what emptyDashboardState allocates per feature. */
export function dashboardStateBytes(
  dSae: number,
  shape: { topK: number; reservoir: number; contextTokens: number; histogramBins: number },
): number {
  const { topK, reservoir, contextTokens: L, histogramBins } = shape;
  const perFeature =
    F64 + // fires
    4 * histogramBins + // hist
    2 + // topCount
    topK * (2 + 4 + 4 + 4 * L) + // topHeap, topMax, topContext, topValues
    F64 + // seenContexts
    2 + // resCount
    reservoir * (4 + 4 + 4 * L); // resMax, resContext, resValues
  return dSae * perFeature;
}

/**
 * Peak memory of computeDashboardsForSaes over a corpus (and of the server's dashboards job, which runs it for one
 * SAE): the model's compiled forward graph, the unembedding and its logit-effects session, and per SAE its weights,
 * encoder session, dashboard state and one batch's feature activations.
 */
export function estimateDashboardMemory(input: DashboardMemoryInput): MemoryEstimate {
  const m = input.model;
  const d = m.dModel;
  const L = input.contextTokens ?? 32;
  const batch = input.batchSize ?? 16;
  const rows = batch * L;
  const k = input.logitTokens ?? 10;
  const maxDSae = Math.max(0, ...input.saes.map((s) => s.dSae));
  const chunk = Math.min(input.logitChunk ?? 256, Math.max(1, maxDSae));
  const shape = {
    topK: input.topContexts ?? 10,
    reservoir: input.reservoir ?? 40,
    contextTokens: L,
    histogramBins: input.histogramBins ?? 28,
  };
  const states = input.saes.reduce((n, s) => n + dashboardStateBytes(s.dSae, shape), 0);
  const corpusBytes = input.corpusBytes ?? 0;
  // Tokenizing holds the text, its lines and every token id; about 2 bytes of text per token is a high count.
  const corpusTokens = corpusBytes / 2;
  return finish({
    runtime: RUNTIME_BYTES,
    modelGraph: SESSION_WEIGHT_FACTOR * gpt2WeightBytes(m),
    // One batch through the model: each layer's widest intermediates, and the hooks it returns.
    forwardBatch: 2 * rows * F32 * (3 * d + dMlpOf(m) + m.nHeads * L) + input.saes.length * rows * d * F32,
    // The unembedding read for the logit effects, its session's copy, and a chunk's [chunk, vocab] logits.
    unembedding: 2 * m.vocabSize * d * F32 + 3 * chunk * m.vocabSize * F32,
    saeWeights: input.saes.reduce((n, s) => n + saeWeightBytes(d, s.dSae), 0),
    // Each encoder session keeps W_enc packed.
    saeEncoders: input.saes.reduce((n, s) => n + d * s.dSae * F32, 0),
    // A batch's [rows, d_sae] activations per SAE: onnxruntime's output and the previous batch's, not yet collected.
    saeActivations: input.saes.reduce((n, s) => n + 2 * rows * s.dSae * F32, 0),
    dashboardState: states,
    checkpoint: input.checkpoints ? states : 0,
    logitEffects: input.saes.reduce((n, s) => n + 4 * k * s.dSae * F32, 0),
    // Contexts as arrays of numbers, their decoded token texts once dashboards are written, and the tokenized text.
    contexts: input.contexts * L * (JS_NUMBER + 40) + corpusBytes * 2 + corpusTokens * 3 * JS_NUMBER,
  });
}

export interface CircuitMemoryInput {
  model: ModelShape;
  /** An SAE per hook the circuit reads (GPT-2 small: 36, attn_out, mlp_out and resid_post of every layer). */
  saes: readonly { dSae: number }[];
  pairs: number;
  /** Tokens of the longest prompt. */
  tokens: number;
  method?: 'ig' | 'atp' | 'exact';
  /** Integrated-gradients steps (default 10). */
  steps?: number;
  /** At most this many nodes (per hook while discovering, then in all). */
  maxNodes?: number;
  /** Default 0.1; 0 keeps every feature, so without maxNodes every (feature, position) becomes a candidate. */
  nodeThreshold?: number;
  aggregation?: 'position' | 'sum';
  /** Sequences per engine run (default 32). */
  batch?: number;
  /** Faithfulness and completeness afterwards (default true: computeCircuitWith's). */
  evaluate?: boolean;
  /** Compiled model graphs the model keeps (HookedModelOptions.maxGraphs; default 4). */
  maxGraphs?: number;
  /** Distinct SAE weight sets held at once while discovering (default 2: the hook's, and the previous one's garbage). */
  saeWeightsHeld?: number;
}

/**
 * Candidate nodes per hook assumed when a threshold is set but no maxNodes (how many pass it is known only after the
 * work): 3,600 nodes on GPT-2 small's 36 hooks, 20 times the demo circuit's.
 */
const ASSUMED_NODES_PER_HOOK = 100;
/** Bucketed sequence lengths, as HookedGPT2 pads them. */
const bucket = (t: number) => [8, 16, 32, 64, 128, 256, 512, 1024, 2048].find((b) => b >= t) ?? t;

/**
 * Peak memory of discovering (and evaluating) a sparse feature circuit (computeCircuitWith, the server's circuit
 * job): compiled model graphs, every hook's clean and patch activations and gradients, one engine batch's forward
 * and backward, per-hook node effects and statistics, the kept candidates, the edges' weights and buffers, and for
 * the evaluation every SAE's weights at once in the spliced model.
 */
export function estimateCircuitMemory(input: CircuitMemoryInput): MemoryEstimate {
  const m = input.model;
  const d = m.dModel;
  const L = m.nLayers;
  const H = input.saes.length;
  const P = input.pairs;
  const T = input.tokens;
  const Tb = bucket(T);
  const ig = (input.method ?? 'ig') === 'ig';
  // Exact patching runs a graph per hook as integrated gradients does, each batch full of patched variants.
  const exact = input.method === 'exact';
  const steps = ig ? Math.max(1, input.steps ?? 10) : 1;
  const evaluate = input.evaluate ?? true;
  const S = Math.max(0, ...input.saes.map((s) => s.dSae));
  const positions = (input.aggregation ?? 'position') === 'position' ? T : 1;
  const weights = gpt2WeightBytes(m);
  const W = saeWeightBytes(d, S);

  // Clean and patch gradient graphs, and one graph per hook for integrated gradients, as many as the model keeps.
  const graphs = Math.min(input.maxGraphs ?? 4, 2 + (ig || exact ? H : 0));
  const batchRows = (exact ? (input.batch ?? 32) : Math.min(input.batch ?? 32, ig ? P * steps : P)) * Tb;
  const perHookNodes =
    input.maxNodes !== undefined
      ? Math.min(input.maxNodes, positions * (S + 1))
      : (input.nodeThreshold ?? 0.1) > 0
        ? Math.min(ASSUMED_NODES_PER_HOOK, positions * (S + 1))
        : positions * (S + 1);
  const candidates = H * perHookNodes;
  const kept = Math.min(candidates, input.maxNodes ?? candidates);
  const R = Math.min(256, 2 ** Math.ceil(Math.log2(Math.max(8, P * T))));
  const hooksStored = H + 2 * L;
  return finish({
    runtime: RUNTIME_BYTES,
    modelGraphs: graphs * SESSION_WEIGHT_FACTOR * weights,
    // xc at every SAE hook and each layer's resid_pre and resid_mid; xp and the gradients at the SAE hooks.
    activations: (hooksStored + 2 * H) * P * T * d * F32,
    // One forward and backward of a batch: each layer's saved intermediates, and the hooks and gradients returned.
    engineBatch:
      batchRows * L * F32 * (12 * d + 3 * dMlpOf(m) + 3 * m.nHeads * Tb) + 2 * hooksStored * batchRows * d * F32,
    saeWeights: (input.saeWeightsHeld ?? 2) * W,
    // The node graph's [R, d_sae] outputs and intermediates.
    saeNodeGraph: 6 * R * S * F32,
    // Per hook while it is scored: gradient and difference per (row, feature), aggregates, magnitudes, picks.
    nodeEffects: 2 * P * T * S * F32 + T * S * (F64 + F32 + F64) + perHookNodes * 100,
    // Kept for every hook: mean features and errors (mean ablation), and the error nodes' seeds and deltas.
    hookStats: H * T * (S + d) * F32 + 2 * H * P * T * d * F32,
    // Each candidate feature keeps its gradient and delta per (pair, position) and its encoder column and decoder row.
    candidates: candidates * ((2 * P * T + 2 * d) * F32 + 200),
    // Every layer's attention and MLP weights for the vector-Jacobian products; the MLP's per-row results; the edge sums.
    edges:
      L * blockParams(m) * F32 +
      (kept / Math.max(1, L)) * P * (positions === 1 ? T : 1) * (d * F32 + 120) +
      (3 * kept * kept * 150) / Math.max(1, H),
    // The spliced model: the model's weights as inputs, every SAE's weights, masks, and a batch's features per hook.
    evaluation: evaluate
      ? weights +
        input.saes.reduce((n, s) => n + saeWeightBytes(d, s.dSae), 0) +
        4 * H * T * S * F32 +
        6 * Math.min(input.batch ?? 32, P) * Tb * S * F32
      : 0,
  });
}

export interface PromptGraphMemoryInput {
  model: ModelShape;
  /** The transcoders, one per layer (d_in = d_out = d_model). */
  transcoders: readonly { dSae: number; k?: number | null }[];
  /** Tokens of the prompt (with BOS when prepended). */
  tokens: number;
  /** Features that get rows (default 7,500): the graph's width is at most this plus errors, tokens and logits. */
  maxFeatureNodes?: number;
  /** Logit targets (default 10). */
  logits?: number;
  /** Targets per backward pass (default 128). */
  batch?: number;
}

/**
 * Peak memory of a one-prompt attribution graph (graphs/computePromptGraph, the server's graph job): the model's
 * weights as a map and in the compiled forward and layer-step graphs, one transcoder's weights at a time (and the
 * previous one's garbage), every layer's features on the prompt, one backward batch's rows, and the dense [n, n]
 * adjacency with the two working copies pruning makes. Against bench:graph's GPT-2-small-shaped run (TopK(32) x
 * 24,576 at 12 layers, 16 tokens: 2,058 MB peak RSS) it is about 1.25x.
 */
export function estimatePromptGraphMemory(input: PromptGraphMemoryInput): MemoryEstimate {
  const m = input.model;
  const d = m.dModel;
  const T = input.tokens;
  const S = Math.max(0, ...input.transcoders.map((t) => t.dSae));
  // Active features: at most k per (layer, position) for TopK, every feature otherwise; rows only up to the cap.
  const active = input.transcoders.reduce((n, t) => n + T * Math.min(t.k ?? t.dSae, t.dSae), 0);
  const features = Math.min(active, input.maxFeatureNodes ?? 7500);
  const n = features + m.nLayers * T + T + (input.logits ?? 10);
  const R = input.batch ?? 128;
  return finish({
    runtime: RUNTIME_BYTES,
    modelWeights: 2 * SESSION_WEIGHT_FACTOR * gpt2WeightBytes(m),
    transcoderWeights: 2 * saeWeightBytes(d, S),
    layerFeatures: m.nLayers * T * S * F32,
    // A batch's gradient rows through every layer: residual, attention value path and MLP input per position.
    backwardBatch: 4 * R * T * d * m.nLayers * F32,
    adjacency: 3 * n * n * F32,
  });
}

/** "2.6 GB" style, for messages: MiB below 1 GiB, else GiB with one decimal. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 * MIB ? `${Math.ceil(bytes / MIB)} MB` : `${(bytes / 1024 / MIB).toFixed(1)} GB`;
}
