/**
 * The hooked GPT-2: batched forward passes that return logits and any TransformerLens hook, interventions at hook
 * points, and gradients of a logit difference with respect to hooks. Graphs are built once per (shape class,
 * hooks, interventions, options) and cached; weights are fed as graph inputs, so no copy of them is made.
 * Runtime-agnostic: pass onnxruntime-node's or onnxruntime-web's module.
 */

import { toOnnx } from '../graph/onnx.js';
import type { FloatTensor } from '../io/safetensors.js';
import { CompiledGraph, type FeedValue, type OrtModule } from '../runtime/session.js';
import type { GPT2Config } from './config.js';
import { buildGPT2Graph, type GPT2GraphSpec, hookShape } from './gpt2-graph.js';
import type { WeightSource } from './weights.js';

export interface Intervention {
  hook: string;
  /** replace: h = value; add: h = h + value. */
  mode: 'replace' | 'add';
  /** Batch rows it applies to (default: all). */
  batch?: number[];
  /** Positions it applies to (default: all). Not for attention patterns. */
  positions?: number[];
  /**
   * Either one position's worth of values (e.g. d_model numbers; for attn.hook_pattern one example's
   * [heads, seq, seq]), broadcast over the chosen rows and positions, or the whole hook [batch, seq, ...].
   */
  value: ArrayLike<number>;
}

export interface RunOptions {
  hooks?: string[];
  interventions?: Intervention[];
  /** TransformerLens-style centring of everything written to the residual stream (default false). */
  centerResid?: boolean;
  /** Prepend the BOS token to every sequence (default false). */
  prependBos?: boolean;
  /** Return logits (default true). */
  logits?: boolean;
}

export interface RunOutput {
  /** Token ids as run (after BOS, before padding). */
  tokens: number[][];
  /** [batch, seq, vocab]; seq is the longest sequence; shorter ones are right-padded (ignore their tail). */
  logits: FloatTensor | null;
  hooks: Map<string, FloatTensor>;
}

export interface GradientOptions extends RunOptions {
  /** Differentiate with respect to these hooks. */
  gradHooks: string[];
  /** Metric: logit[answer] - logit[wrong] at `position` (default: each sequence's last token), summed over the batch. */
  metric:
    | { answer: number | number[]; wrong: number | number[]; position?: number | number[] }
    /** sum(hook * weights) per example; `weights` has the hook's full shape [batch, seq, ...]. */
    | { hook: string; weights: ArrayLike<number> };
  /** Hooks held constant in the backward pass (direct-path gradients). */
  detach?: string[];
  freezeAttention?: boolean;
  freezeLayerNorm?: boolean;
}

export interface GradientOutput extends RunOutput {
  /** Per example. */
  metric: Float32Array;
  grads: Map<string, FloatTensor>;
}

export interface HookedModelOptions {
  threads?: number;
  /** Sequence lengths are padded up to one of these (capped at the context length) so graphs are reused. */
  seqBuckets?: number[];
  /** Compiled graphs kept (least recently used are released); each holds its own copy of initializer weights. */
  maxGraphs?: number;
  /** Node: writes a model file next to on-disk weights (cached by key) and returns its path. */
  writeModel?: (weights: WeightSource & { kind: 'file' }, key: string, bytes: Uint8Array) => Promise<string>;
}

const DEFAULT_BUCKETS = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];

export class HookedGPT2 {
  private readonly graphs = new Map<string, Promise<CompiledGraph>>();
  private readonly weightFeeds: Record<string, Float32Array> = {};
  readonly weights: WeightSource;

  /**
   * `weights`: a Map is fed as graph inputs (no copy; slower matmuls); a WeightSource from packWeights (browser)
   * or from store.ts (Node, on disk) becomes pre-packed initializers.
   */
  constructor(
    readonly config: GPT2Config,
    weights: Map<string, Float32Array> | WeightSource,
    readonly ort: OrtModule,
    readonly options: HookedModelOptions = {},
  ) {
    this.weights = weights instanceof Map ? { kind: 'inputs', tensors: weights } : weights;
    if (this.weights.kind === 'inputs') for (const [name, data] of this.weights.tensors) this.weightFeeds[name] = data;
  }

  /** Compiled graphs currently cached. */
  get cachedGraphs(): number {
    return this.graphs.size;
  }

  /** Releases every cached session. */
  async dispose(): Promise<void> {
    const all = [...this.graphs.values()];
    this.graphs.clear();
    await Promise.all(all.map(async (c) => (await c.catch(() => null))?.release()));
  }

  /** Padded sequence length for a batch whose longest sequence has `seq` tokens. */
  bucket(seq: number): number {
    if (seq > this.config.nCtx)
      throw new Error(`sequence of ${seq} tokens exceeds the context length ${this.config.nCtx}`);
    const b = (this.options.seqBuckets ?? DEFAULT_BUCKETS).find((x) => x >= seq) ?? seq;
    return Math.min(b, this.config.nCtx);
  }

  /** Builds (or fetches from the cache) the compiled graph for a spec. */
  compile(spec: GPT2GraphSpec): Promise<CompiledGraph> {
    const key = JSON.stringify(spec);
    let compiled = this.graphs.get(key);
    if (compiled) {
      // most recently used last
      this.graphs.delete(key);
      this.graphs.set(key, compiled);
      return compiled;
    }
    compiled = this.createSession(spec, key);
    compiled.catch(() => this.graphs.delete(key));
    this.graphs.set(key, compiled);
    const max = this.options.maxGraphs ?? 4;
    while (this.graphs.size > max) {
      const [oldKey, old] = this.graphs.entries().next().value as [string, Promise<CompiledGraph>];
      this.graphs.delete(oldKey);
      void old.then((c) => c.release()).catch(() => undefined);
    }
    return compiled;
  }

  private async createSession(spec: GPT2GraphSpec, key: string): Promise<CompiledGraph> {
    const { graph, outputs } = buildGPT2Graph(this.config, spec);
    const threads = this.options.threads;
    const w = this.weights;
    if (w.kind === 'inputs') {
      return CompiledGraph.create(this.ort, toOnnx(graph, { outputs, weights: 'input', name: 'gpt2' }), { threads });
    }
    const location = w.kind === 'file' ? w.file : 'weights.bin';
    const model = toOnnx(graph, {
      outputs,
      weights: 'initializer',
      name: 'gpt2',
      externalWeight: (name) => {
        const e = w.entries[name];
        return e && { location, offset: e.offset, length: e.length };
      },
    });
    if (w.kind === 'buffer') {
      return CompiledGraph.create(this.ort, model, {
        threads,
        extra: { externalData: [{ path: location, data: w.bytes }] },
      });
    }
    // The config is part of the file's key: one weights file can serve configs that differ only in options.
    const path = await this.options.writeModel?.(w, `${JSON.stringify(this.config)}\n${key}`, model.bytes);
    if (!path)
      throw new Error('weights on disk need a Node model writer (use loadHookedGPT2 or hookedGPT2FromWeights)');
    return CompiledGraph.create(this.ort, model, { threads }, path);
  }

  async run(tokens: number[][], options: RunOptions = {}): Promise<RunOutput> {
    const { out } = await this.execute(tokens, options, undefined);
    return out;
  }

  async gradients(tokens: number[][], options: GradientOptions): Promise<GradientOutput> {
    const { out, raw, B } = await this.execute(tokens, { logits: false, ...options }, options);
    const grads = new Map<string, FloatTensor>();
    const T = out.tokens.reduce((m, t) => Math.max(m, t.length), 0);
    for (const name of options.gradHooks)
      grads.set(name, this.crop(raw[`grad.${name}`]!, hookShape(this.config, name, B, T)));
    return { ...out, metric: raw.metric!.data, grads };
  }

  private async execute(tokens: number[][], options: RunOptions, gradient: GradientOptions | undefined) {
    if (tokens.length === 0) throw new Error('no sequences to run');
    const seqs = tokens.map((t) => (options.prependBos ? [this.config.bosTokenId, ...t] : [...t]));
    for (const s of seqs) {
      if (s.length === 0) throw new Error('empty sequence');
      for (const id of s) {
        if (!Number.isInteger(id) || id < 0 || id >= this.config.vocabSize)
          throw new Error(`token id ${id} is outside the vocabulary (${this.config.vocabSize})`);
      }
    }
    const B = seqs.length;
    const T = Math.max(...seqs.map((s) => s.length));
    const Tb = this.bucket(T);
    const interventions = options.interventions ?? [];
    const spec: GPT2GraphSpec = {
      batch: B,
      seq: Tb,
      hooks: [...new Set(options.hooks ?? [])],
      interventions: [...new Set(interventions.map((i) => i.hook))].sort(),
      logits: options.logits ?? true,
      centerResid: options.centerResid ?? false,
      ...(gradient
        ? {
            gradient: {
              hooks: [...new Set(gradient.gradHooks)],
              freezeAttention: gradient.freezeAttention ?? false,
              freezeLayerNorm: gradient.freezeLayerNorm ?? false,
              detach: [...new Set(gradient.detach ?? [])].sort(),
              ...('hook' in gradient.metric ? { metricHook: gradient.metric.hook } : {}),
            },
          }
        : {}),
    };
    const compiled = await this.compile(spec);
    const feeds: Record<string, FeedValue> = { ...this.weightFeeds };
    const ids = new BigInt64Array(B * Tb);
    seqs.forEach((s, b) => {
      s.forEach((id, t) => {
        ids[b * Tb + t] = BigInt(id);
      });
    });
    feeds.tokens = ids;
    for (const name of spec.interventions) {
      const { keep, add } = this.interventionArrays(
        name,
        interventions.filter((i) => i.hook === name),
        B,
        T,
        Tb,
      );
      feeds[`${name}.keep`] = keep;
      feeds[`${name}.add`] = add;
    }
    if (gradient && 'hook' in gradient.metric) {
      const { hook, weights } = gradient.metric;
      const full = hookShape(this.config, hook, B, T);
      if (weights.length !== full.reduce((a, b) => a * b, 1)) {
        throw new Error(
          `metric weights for ${hook} need ${full.reduce((a, b) => a * b, 1)} numbers ([${full}]), got ${weights.length}`,
        );
      }
      feeds['metric.weights'] = copyBlock(Float32Array.from(weights), full, hookShape(this.config, hook, B, Tb));
    } else if (gradient) {
      const metric = gradient.metric as Exclude<GradientOptions['metric'], { hook: string }>;
      const select = new Float32Array(B * Tb);
      const pairs = new BigInt64Array(B * 2);
      const pick = (v: number | number[] | undefined, b: number, fallback: number) =>
        v === undefined ? fallback : Array.isArray(v) ? (v[b] ?? fallback) : v;
      for (let b = 0; b < B; b++) {
        const pos = pick(metric.position, b, seqs[b]!.length - 1);
        if (pos < 0 || pos >= seqs[b]!.length) throw new Error(`metric position ${pos} is outside sequence ${b}`);
        select[b * Tb + pos] = 1;
        pairs[2 * b] = BigInt(pick(metric.answer, b, -1));
        pairs[2 * b + 1] = BigInt(pick(metric.wrong, b, -1));
        for (const id of [pairs[2 * b]!, pairs[2 * b + 1]!]) {
          if (id < 0n || id >= BigInt(this.config.vocabSize))
            throw new Error(`metric token ${id} is outside the vocabulary`);
        }
      }
      feeds['metric.select'] = select;
      feeds['metric.tokens'] = pairs;
    }
    const raw = await compiled.run(feeds);
    const hooks = new Map<string, FloatTensor>();
    for (const name of spec.hooks) hooks.set(name, this.crop(raw[name]!, hookShape(this.config, name, B, T)));
    const V = this.config.vocabSize;
    const logits = raw.logits ? this.crop({ data: raw.logits.data, dims: [B, Tb, V] }, [B, T, V]) : null;
    return { out: { tokens: seqs, logits, hooks } as RunOutput, raw, B };
  }

  /** Cuts a padded output [.., Tb, ..] down to `shape` (a no-op when no padding was added). */
  private crop(result: { data: Float32Array; dims: number[] }, shape: number[]): FloatTensor {
    if (result.dims.join() === shape.join()) return { shape, data: result.data };
    return { shape, data: copyBlock(result.data, result.dims, shape) };
  }

  private interventionArrays(name: string, list: Intervention[], B: number, T: number, Tb: number) {
    const full = hookShape(this.config, name, B, T);
    const padded = hookShape(this.config, name, B, Tb);
    const keep = new Float32Array(full.reduce((a, b) => a * b, 1)).fill(1);
    const add = new Float32Array(keep.length);
    const isPattern = name.endsWith('attn.hook_pattern');
    const perRow = keep.length / B;
    const perPos = isPattern ? perRow : perRow / T;
    for (const iv of list) {
      const rows = iv.batch ?? Array.from({ length: B }, (_, b) => b);
      if (isPattern && iv.positions) throw new Error(`${name}: interventions on attention patterns take no positions`);
      const positions = isPattern ? [0] : (iv.positions ?? Array.from({ length: T }, (_, t) => t));
      const whole = iv.value.length === keep.length;
      if (!whole && iv.value.length !== perPos) {
        throw new Error(
          `${name}: intervention value has ${iv.value.length} numbers; expected ${perPos} (one position) or ${keep.length} (whole hook)`,
        );
      }
      for (const b of rows) {
        if (b < 0 || b >= B) throw new Error(`${name}: batch row ${b} out of range`);
        for (const t of positions) {
          if (t < 0 || t >= T) throw new Error(`${name}: position ${t} out of range`);
          const base = b * perRow + t * perPos;
          for (let i = 0; i < perPos; i++) {
            const v = iv.value[whole ? base + i : i]!;
            if (iv.mode === 'replace') {
              keep[base + i] = 0;
              add[base + i] = v;
            } else add[base + i]! += v;
          }
        }
      }
    }
    if (Tb === T) return { keep, add };
    return { keep: copyBlock(keep, full, padded, 1), add: copyBlock(add, full, padded) };
  }
}

/** Copies the overlapping corner of an N-d array of shape `from` into a new one of shape `to` (rest = fill). */
export function copyBlock(src: Float32Array, from: readonly number[], to: readonly number[], fill = 0): Float32Array {
  const out = new Float32Array(to.reduce((a, b) => a * b, 1));
  if (fill) out.fill(fill);
  const rank = from.length;
  const common = from.map((d, i) => Math.min(d, to[i]!));
  const inner = common[rank - 1]!;
  const outer = common.slice(0, -1);
  const count = outer.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank - 1).fill(0);
  for (let n = 0; n < count; n++) {
    let s = 0;
    let d = 0;
    for (let k = 0; k < rank - 1; k++) {
      s = s * from[k]! + idx[k]!;
      d = d * to[k]! + idx[k]!;
    }
    out.set(src.subarray(s * from[rank - 1]!, s * from[rank - 1]! + inner), d * to[rank - 1]!);
    for (let k = rank - 2; k >= 0; k--) {
      if (++idx[k]! < outer[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}
