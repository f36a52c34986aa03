/**
 * Where a model's weights live when its graphs run. `inputs`: fed on every run (shared by all graphs, no copy, but
 * ORT cannot pre-pack them: slow). `buffer`: one packed byte buffer handed to ORT as external data (browser).
 * `file`: a packed file on disk that ORT reads as external data (Node; nothing held in JS).
 */
export interface WeightEntry {
  offset: number;
  length: number;
}

export type WeightSource =
  | { kind: 'inputs'; tensors: Map<string, Float32Array> }
  | { kind: 'buffer'; bytes: Uint8Array; entries: Record<string, WeightEntry> }
  | { kind: 'file'; dir: string; file: string; entries: Record<string, WeightEntry>; key: string };

/** Byte layout of packed float32 weights, each tensor 64-byte aligned. */
export function packLayout(sizes: Iterable<[string, number]>): { entries: Record<string, WeightEntry>; total: number } {
  const entries: Record<string, WeightEntry> = {};
  let offset = 0;
  for (const [name, count] of sizes) {
    entries[name] = { offset, length: count * 4 };
    offset = Math.ceil((offset + count * 4) / 64) * 64;
  }
  return { entries, total: offset };
}

/** Packs weights into one buffer (for onnxruntime-web's externalData). */
export function packWeights(weights: Map<string, Float32Array>): WeightSource {
  const { entries, total } = packLayout([...weights].map(([n, d]) => [n, d.length] as [string, number]));
  const bytes = new Uint8Array(total);
  for (const [name, data] of weights)
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), entries[name]!.offset);
  return { kind: 'buffer', bytes, entries };
}
