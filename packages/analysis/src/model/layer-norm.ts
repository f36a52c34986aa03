/**
 * TransformerLens' `blocks.L.ln2.hook_normalized` (and ln1's), the activation a transcoder reads: the residual
 * stream centred and divided by its LayerNorm scale sqrt(var + eps), WITHOUT LayerNorm's weight and bias. That is
 * what TransformerLens hooks with its default fold_ln (the weight and bias then live in the MLP's input matrix),
 * which the published GPT-2 transcoders were trained on; the MLP computes mlp(hook_normalized * w + b).
 */

/** Rows of `x` [rows, d] LayerNorm-normalised without affine: (x - mean) / sqrt(var + eps), in float32. */
export function layerNormNormalized(x: Float32Array, d: number, eps: number): Float32Array {
  const rows = x.length / d;
  if (!Number.isInteger(rows)) throw new Error(`layerNormNormalized: ${x.length} values are not rows of ${d}`);
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[r * d + i]!;
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[r * d + i]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let i = 0; i < d; i++) out[r * d + i] = (x[r * d + i]! - mean) * inv;
  }
  return out;
}
