import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  parseSafetensorsHeader,
  readSafetensors,
  readSafetensorsHeader,
  tensorToFloat32,
} from './safetensors.js';

describe('safetensors', () => {
  it('round-trips float32 tensors and reads the header alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'st-'));
    const path = join(dir, 'w.safetensors');
    const a = { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, 7]) };
    await writeFile(path, encodeSafetensors({ a, b: { shape: [1], data: Float32Array.from([42]) } }, { format: 'pt' }));
    const header = await readSafetensorsHeader(path);
    expect(header.tensors.a?.shape).toEqual([2, 3]);
    expect(header.metadata).toEqual({ format: 'pt' });
    const { tensors } = await readSafetensors(path);
    expect(Array.from(tensors.get('a')?.data ?? [])).toEqual(Array.from(a.data));
    expect(tensors.get('b')?.data[0]).toBe(42);
  });

  it('decodes fp16 and bf16', () => {
    // fp16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800; bf16: 1.0 = 0x3f80, -3.0 = 0xc040
    expect(Array.from(tensorToFloat32(Uint8Array.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]), 'F16'))).toEqual([
      1, -2, 0.5,
    ]);
    expect(Array.from(tensorToFloat32(Uint8Array.from([0x80, 0x3f, 0x40, 0xc0]), 'BF16'))).toEqual([1, -3]);
  });

  it('names the problem in a truncated or malformed file', () => {
    const good = encodeSafetensors({ w: { shape: [4], data: new Float32Array(4) } });
    expect(() => parseSafetensorsHeader(good.subarray(0, good.byteLength - 4), good.byteLength - 4, 'w.st')).toThrow(
      /tensor "w" ends at byte .*truncated/,
    );
    expect(() => parseSafetensorsHeader(good.subarray(0, 4), 4, 'w.st')).toThrow(/truncated/);
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setBigUint64(0, 8n, true);
    garbage.set(new TextEncoder().encode('{notjson'), 8);
    expect(() => parseSafetensorsHeader(garbage, 16, 'w.st')).toThrow(/not valid JSON/);
  });
});
