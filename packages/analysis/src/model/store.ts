/**
 * Node-only: packed weight files in a cache directory, so ORT sessions read weights straight from disk as
 * external initializers (pre-packed, fast) and JavaScript never holds the whole model.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readSafetensorsHeader, tensorToFloat32 } from '../io/safetensors.js';
import { type GPT2Config, gpt2TensorKey, gpt2WeightShapes, missingWhy, parseGPT2Config } from './config.js';
import { packLayout, type WeightSource } from './weights.js';

export function defaultCacheDir(): string {
  return process.env.WORKBENCH_ENGINE_CACHE ?? join(homedir(), '.cache', 'workbench-engine');
}

type PackedFile = Extract<WeightSource, { kind: 'file' }>;

const LAYOUT = 'layout.json';
const WEIGHTS = 'weights.bin';

async function existing(dir: string): Promise<PackedFile | null> {
  try {
    const layout = JSON.parse(await readFile(join(dir, LAYOUT), 'utf8'));
    await stat(join(dir, WEIGHTS));
    return { kind: 'file', dir, file: WEIGHTS, entries: layout.entries, key: layout.key };
  } catch {
    return null;
  }
}

/**
 * Reads a packed weights file into memory once: one buffer, a Float32Array view per tensor (entries are 64-byte
 * aligned), for feeding every graph the same arrays as inputs.
 */
export async function readPackedWeights(source: PackedFile): Promise<Map<string, Float32Array>> {
  const bytes = await readFile(join(source.dir, source.file));
  const tensors = new Map<string, Float32Array>();
  for (const [name, e] of Object.entries(source.entries)) {
    if (e.offset + e.length > bytes.byteLength)
      throw new Error(`${join(source.dir, source.file)}: "${name}" lies past the end of the file`);
    tensors.set(name, new Float32Array(bytes.buffer, bytes.byteOffset + e.offset, e.length / 4));
  }
  return tensors;
}

/** Writes in-memory weights to `<cacheDir>/<content hash>/weights.bin` (once) and returns the file source. */
export async function weightsToFile(
  weights: Map<string, Float32Array>,
  cacheDir = defaultCacheDir(),
): Promise<WeightSource> {
  const hash = createHash('sha256');
  for (const [name, data] of weights) {
    hash.update(name);
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const key = hash.digest('hex').slice(0, 24);
  const dir = join(cacheDir, key);
  const found = await existing(dir);
  if (found) return found;
  const { entries } = packLayout([...weights].map(([n, d]) => [n, d.length] as [string, number]));
  await writePacked(dir, key, entries, async (name) => weights.get(name)!);
  return (await existing(dir))!;
}

/**
 * Converts a Hugging Face GPT-2 folder's model.safetensors into a packed float32 file in the cache (once per
 * file version), one tensor at a time: the whole model is never in JavaScript memory.
 */
export async function gpt2WeightsFile(
  modelDir: string,
  cacheDir = defaultCacheDir(),
): Promise<{ config: GPT2Config; source: PackedFile }> {
  const config = parseGPT2Config(JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')));
  const path = join(modelDir, 'model.safetensors');
  const header = await readSafetensorsHeader(path);
  const info = await stat(path);
  const key = createHash('sha256')
    // the config is part of the key: it decides which tensors are packed (lm_head.weight when untied)
    .update(`${path}\n${info.size}\n${info.mtimeMs}\n${JSON.stringify(header.tensors)}\n${JSON.stringify(config)}`)
    .digest('hex')
    .slice(0, 24);
  const dir = join(cacheDir, key);
  const found = await existing(dir);
  if (found) return { config, source: found };
  const shapes = gpt2WeightShapes(config);
  const byName = new Map<string, string>();
  for (const [name, t] of Object.entries(header.tensors)) {
    const short = gpt2TensorKey(config, shapes, name, path);
    if (short === null) continue;
    const want = shapes.get(short)!;
    if (want.join() !== t.shape.join())
      throw new Error(`${path}: "${name}" has shape [${t.shape}], expected [${want}]`);
    byName.set(short, name);
  }
  for (const name of shapes.keys())
    if (!byName.has(name)) throw new Error(`${path}: missing tensor "${name}"${missingWhy(name)}`);
  const { entries } = packLayout([...shapes].map(([n, s]) => [n, s.reduce((a, b) => a * b, 1)] as [string, number]));
  const handle = await open(path, 'r');
  try {
    await writePacked(dir, key, entries, async (name) => {
      const t = header.tensors[byName.get(name)!]!;
      const raw = new Uint8Array(t.data_offsets[1] - t.data_offsets[0]);
      await handle.read(raw, 0, raw.byteLength, header.dataStart + t.data_offsets[0]);
      return tensorToFloat32(raw, t.dtype, name);
    });
  } finally {
    await handle.close();
  }
  return { config, source: (await existing(dir))! };
}

async function writePacked(
  dir: string,
  key: string,
  entries: Record<string, { offset: number; length: number }>,
  read: (name: string) => Promise<Float32Array>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${WEIGHTS}.${process.pid}.tmp`);
  const out = await open(tmp, 'w');
  try {
    for (const [name, e] of Object.entries(entries)) {
      const data = await read(name);
      if (data.byteLength !== e.length) throw new Error(`${name}: ${data.byteLength} bytes, expected ${e.length}`);
      await out.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 0, data.byteLength, e.offset);
    }
  } finally {
    await out.close();
  }
  await rename(tmp, join(dir, WEIGHTS));
  await writeFile(join(dir, LAYOUT), JSON.stringify({ key, entries }));
}
