import { type FileHandle, open, readFile } from 'node:fs/promises';

/**
 * safetensors: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian data. Format: https://github.com/huggingface/safetensors
 */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range [start, end) relative to the end of the header. */
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Byte offset of the data section from the start of the file. */
  dataStart: number;
}

const BYTES_PER: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Parses and checks the header given the first bytes of a file (at least 8 + header length) and its size. */
export function parseSafetensorsHeader(
  head: Uint8Array,
  fileSize: number,
  source = 'safetensors file',
): SafetensorsHeader {
  if (fileSize < 8 || head.byteLength < 8)
    throw new SafetensorsError(`${source}: truncated (${fileSize} bytes, no header length)`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > 100_000_000 || 8 + headerLength > fileSize) {
    throw new SafetensorsError(
      `${source}: header length ${headerLength} does not fit in a ${fileSize}-byte file (truncated or not safetensors)`,
    );
  }
  if (head.byteLength < 8 + headerLength) throw new SafetensorsError(`${source}: header not fully read`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, TensorInfo> = {};
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const info = value as TensorInfo;
    const bytes = BYTES_PER[info?.dtype];
    if (!bytes)
      throw new SafetensorsError(`${source}: tensor "${name}" has unsupported dtype ${JSON.stringify(info?.dtype)}`);
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`${source}: tensor "${name}" has an invalid shape ${JSON.stringify(info.shape)}`);
    }
    const [start, end] = info.data_offsets ?? [];
    const expected = info.shape.reduce((a, b) => a * b, 1) * bytes;
    if (!Number.isInteger(start) || !Number.isInteger(end) || (end as number) - (start as number) !== expected) {
      throw new SafetensorsError(
        `${source}: tensor "${name}" byte range ${JSON.stringify(info.data_offsets)} does not match shape ${JSON.stringify(info.shape)} x ${bytes} bytes`,
      );
    }
    if (dataStart + (end as number) > fileSize) {
      throw new SafetensorsError(
        `${source}: tensor "${name}" ends at byte ${dataStart + (end as number)} but the file has ${fileSize} bytes (truncated)`,
      );
    }
    tensors[name] = { dtype: info.dtype, shape: info.shape, data_offsets: [start as number, end as number] };
  }
  return { tensors, metadata, dataStart };
}

/** Reads only the header of a safetensors file on disk (cheap: shapes without the weights). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const lengthBytes = new Uint8Array(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const headerLength = size >= 8 ? Number(new DataView(lengthBytes.buffer).getBigUint64(0, true)) : 0;
    const head = new Uint8Array(Math.min(size, 8 + Math.min(headerLength, 100_000_000)));
    await handle.read(head, 0, head.byteLength, 0);
    return parseSafetensorsHeader(head, size, path);
  } finally {
    await handle.close();
  }
}

/** Converts one tensor's raw bytes to float32 (F32, F16, BF16, F64). */
export function tensorToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, name = 'tensor'): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.byteLength / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F16': {
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    default:
      throw new SafetensorsError(`${name}: dtype ${dtype} cannot be read as floating point`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

/** Reads every tensor of a safetensors file as float32 (integer tensors are skipped). */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: Map<string, FloatTensor>; metadata: Record<string, string> }> {
  const file = await readFile(path);
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const header = parseSafetensorsHeader(bytes, bytes.byteLength, path);
  const tensors = new Map<string, FloatTensor>();
  for (const [name, info] of Object.entries(header.tensors)) {
    if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) continue;
    const raw = bytes.subarray(header.dataStart + info.data_offsets[0], header.dataStart + info.data_offsets[1]);
    tensors.set(name, { shape: info.shape, data: tensorToFloat32(raw, info.dtype, `${path}: ${name}`) });
  }
  return { tensors, metadata: header.metadata };
}

/** Serialises float32 tensors to safetensors bytes (F32). */
export function encodeSafetensors(
  tensors: Record<string, FloatTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.byteLength / 8) * 8; // data aligned to 8 bytes, as the reference writer does
  headerBytes = new Uint8Array([...headerBytes, ...new Array(padded - headerBytes.byteLength).fill(0x20)]);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Reads the chosen float tensors one at a time straight from disk: F32 data lands directly in the result
 * (no intermediate copy of the file), other dtypes pass through one tensor-sized buffer. `rename` may map names
 * (e.g. strip a prefix); return null from `select` to skip a tensor.
 */
export async function readSafetensorsLazy(
  path: string,
  select: (name: string, info: TensorInfo) => string | null = (name) => name,
): Promise<{ tensors: Map<string, FloatTensor>; metadata: Record<string, string> }> {
  const header = await readSafetensorsHeader(path);
  const handle = await open(path, 'r');
  const tensors = new Map<string, FloatTensor>();
  try {
    for (const [name, info] of Object.entries(header.tensors)) {
      if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) continue;
      const key = select(name, info);
      if (key === null) continue;
      const [start, end] = info.data_offsets;
      const length = end - start;
      const position = header.dataStart + start;
      let data: Float32Array;
      if (info.dtype === 'F32') {
        data = new Float32Array(length / 4);
        await readFully(handle, new Uint8Array(data.buffer), position);
      } else {
        const raw = new Uint8Array(length);
        await readFully(handle, raw, position);
        data = tensorToFloat32(raw, info.dtype, `${path}: ${name}`);
      }
      tensors.set(key, { shape: info.shape, data });
    }
  } finally {
    await handle.close();
  }
  return { tensors, metadata: header.metadata };
}

async function readFully(handle: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await handle.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) throw new SafetensorsError(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}
