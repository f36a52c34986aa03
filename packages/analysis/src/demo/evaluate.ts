/**
 * Evaluation of the demo model and its SAEs: subject-verb agreement accuracy on prompt pairs, and per SAE the L0,
 * fraction of variance explained, share of the LM loss recovered when spliced in, and share of dead features.
 */
import type { SvaPair } from '../data/sva.js';
import type { HookedGPT2 } from '../model/hooked.js';
import type { OrtModule } from '../runtime/session.js';
import { SaeSession } from '../sae/graph.js';
import type { Sae } from '../sae/sae.js';
import type { TextTokenizer } from '../tokenizer/tokenizer.js';

export interface SaeMetrics {
  hook: string;
  l0: number;
  fve: number;
  ce_recovered: number;
  dead_fraction: number;
  /** Next-token cross-entropies behind ce_recovered. */
  ce_clean: number;
  ce_spliced: number;
  ce_zero_ablation: number;
}

/** Single token id of a word (with its leading space); throws when the tokenizer splits it. */
export function singleToken(tokenizer: TextTokenizer, text: string): number {
  const ids = tokenizer.encode(text);
  if (ids.length !== 1) throw new Error(`"${text}" is ${ids.length} tokens for this tokenizer; answers must be one`);
  return ids[0]!;
}

/**
 * Share of pairs where the model ranks the right verb form above the wrong one on BOTH prefixes (clean prefix:
 * clean answer over patch answer; patch prefix: the reverse). BOS is prepended, as in training.
 */
export async function svaAccuracy(
  model: HookedGPT2,
  tokenizer: TextTokenizer,
  pairs: readonly SvaPair[],
  batch = 64,
): Promise<number> {
  if (pairs.length === 0) return Number.NaN;
  const bos = model.config.bosTokenId;
  const V = model.config.vocabSize;
  let correct = 0;
  for (let start = 0; start < pairs.length; start += batch) {
    const chunk = pairs.slice(start, start + batch);
    const seqs: number[][] = [];
    for (const p of chunk) {
      seqs.push(tokenizer.encode(p.clean_prefix, { bos }), tokenizer.encode(p.patch_prefix, { bos }));
    }
    const out = await model.run(seqs);
    const T = out.logits!.shape[1]!;
    const logits = out.logits!.data;
    chunk.forEach((p, i) => {
      const a = singleToken(tokenizer, p.clean_answer);
      const b = singleToken(tokenizer, p.patch_answer);
      const at = (row: number, tok: number) => logits[(row * T + seqs[row]!.length - 1) * V + tok]!;
      if (at(2 * i, a) > at(2 * i, b) && at(2 * i + 1, b) > at(2 * i + 1, a)) correct++;
    });
  }
  return correct / pairs.length;
}

/** Mean next-token cross-entropy of rows [n, seq + 1] (inputs = first seq tokens, targets = the next ones). */
export function crossEntropy(logits: Float32Array, rows: Int32Array, n: number, seq: number, V: number): number {
  let total = 0;
  let count = 0;
  for (let b = 0; b < n; b++) {
    for (let t = 0; t < seq; t++) {
      const y = rows[b * (seq + 1) + t + 1]!;
      if (y < 0 || rows[b * (seq + 1) + t]! < 0) continue;
      const off = (b * seq + t) * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits[off + v]!);
      let s = 0;
      for (let v = 0; v < V; v++) s += Math.exp(logits[off + v]! - max);
      total += Math.log(s) + max - logits[off + y]!;
      count++;
    }
  }
  return total / count;
}

/**
 * SAE metrics on token rows [n, seq + 1] (full rows, no padding: every position is scored). Batches of `batch`
 * rows go through the model with the hook's activations read, then replaced by the SAE's reconstruction, then by
 * zeros.
 */
export async function saeMetrics(
  model: HookedGPT2,
  saes: readonly Sae[],
  rows: Int32Array,
  options: { ort: OrtModule; batch?: number; threads?: number },
): Promise<SaeMetrics[]> {
  const seq = model.config.nCtx;
  const V = model.config.vocabSize;
  const n = rows.length / (seq + 1);
  const batch = options.batch ?? 16;
  const hooks = saes.map((s) => s.config.hookName);
  const acc = saes.map((s) => ({
    active: 0,
    tokens: 0,
    se: 0,
    sum: new Float64Array(s.config.dIn),
    sumSq: 0,
    fired: new Uint8Array(s.config.dSae),
    ceClean: 0,
    ceSpliced: 0,
    ceZero: 0,
    batches: 0,
  }));
  const sessions = await Promise.all(
    saes.map((s) =>
      SaeSession.create(options.ort, s, { rows: batch * seq, reconstruction: true, threads: options.threads }),
    ),
  );
  try {
    for (let start = 0; start + batch <= n; start += batch) {
      const chunk = rows.subarray(start * (seq + 1), (start + batch) * (seq + 1));
      const tokens = Array.from({ length: batch }, (_, b) =>
        Array.from(chunk.subarray(b * (seq + 1), b * (seq + 1) + seq)),
      );
      const clean = await model.run(tokens, { hooks });
      const ceClean = crossEntropy(clean.logits!.data, chunk, batch, seq, V);
      for (let h = 0; h < saes.length; h++) {
        const sae = saes[h]!;
        const a = acc[h]!;
        const d = sae.config.dIn;
        const x = clean.hooks.get(hooks[h]!)!.data;
        const { features, reconstruction } = await sessions[h]!.encode(x, batch * seq);
        for (let r = 0; r < batch * seq; r++) {
          for (let j = 0; j < sae.config.dSae; j++) {
            if (features[r * sae.config.dSae + j]! > 0) {
              a.active++;
              a.fired[j] = 1;
            }
          }
          for (let i = 0; i < d; i++) {
            const v = x[r * d + i]!;
            a.se += (v - reconstruction![r * d + i]!) ** 2;
            a.sum[i]! += v;
            a.sumSq += v * v;
          }
        }
        a.tokens += batch * seq;
        const spliced = await model.run(tokens, {
          interventions: [{ hook: hooks[h]!, mode: 'replace', value: reconstruction! }],
        });
        const zero = await model.run(tokens, {
          interventions: [{ hook: hooks[h]!, mode: 'replace', value: new Float32Array(x.length) }],
        });
        a.ceClean += ceClean;
        a.ceSpliced += crossEntropy(spliced.logits!.data, chunk, batch, seq, V);
        a.ceZero += crossEntropy(zero.logits!.data, chunk, batch, seq, V);
        a.batches++;
      }
    }
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
  return saes.map((sae, h) => {
    const a = acc[h]!;
    let meanSq = 0;
    for (const s of a.sum) meanSq += (s / a.tokens) ** 2;
    const variance = a.sumSq / a.tokens - meanSq;
    const ceClean = a.ceClean / a.batches;
    const ceSpliced = a.ceSpliced / a.batches;
    const ceZero = a.ceZero / a.batches;
    let dead = 0;
    for (const f of a.fired) if (!f) dead++;
    return {
      hook: sae.config.hookName,
      l0: a.active / a.tokens,
      fve: 1 - a.se / a.tokens / variance,
      ce_recovered: (ceZero - ceSpliced) / (ceZero - ceClean),
      dead_fraction: dead / sae.config.dSae,
      ce_clean: ceClean,
      ce_spliced: ceSpliced,
      ce_zero_ablation: ceZero,
    };
  });
}
