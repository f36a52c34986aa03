import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GPT2Config } from './config.js';
import { gpt2WeightShapes } from './config.js';
import { loadHookedGPT2 } from './load.js';
import { configToJson, randomGPT2Weights } from './random.js';
import { referenceForward } from './reference.js';

const config: GPT2Config = { nLayers: 1, dModel: 8, nHeads: 2, nCtx: 8, vocabSize: 9, lnEps: 1e-5, bosTokenId: 8 };

/** float -> IEEE half bits, for values exactly representable (multiples of 1/64 in [-2, 2]). */
function halfBits(x: number): number {
  if (x === 0) return 0;
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

/** A model.safetensors with the given dtype per tensor (F16 / BF16), written by hand. */
function encodeMixed(weights: Map<string, Float32Array>, dtypeOf: (name: string) => 'F16' | 'BF16'): Uint8Array {
  const shapes = gpt2WeightShapes(config);
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of weights) {
    const dtype = dtypeOf(name);
    const bytes = new Uint8Array(data.length * 2);
    const view = new DataView(bytes.buffer);
    const f32 = new DataView(data.buffer);
    for (let i = 0; i < data.length; i++) {
      const bits = dtype === 'F16' ? halfBits(data[i]!) : f32.getUint32(i * 4, true) >>> 16;
      view.setUint16(i * 2, bits, true);
    }
    header[`transformer.${name}`] = { dtype, shape: shapes.get(name), data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('GPT-2 checkpoints in fp16 and bf16', () => {
  it('loads F16 and BF16 tensors and runs them as float32', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpt2-half-'));
    dirs.push(dir);
    const weights = randomGPT2Weights(config, 5);
    for (const data of weights.values()) for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * 64) / 64;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify(configToJson(config)));
    await writeFile(
      join(dir, 'model.safetensors'),
      encodeMixed(weights, (name) => (name.includes('attn') || name.startsWith('wte') ? 'F16' : 'BF16')),
    );
    const { model } = await loadHookedGPT2(dir, { cacheDir: join(dir, 'cache'), threads: 1 });
    const tokens = [[1, 2, 3, 8]];
    const out = await model.run(tokens, { hooks: ['blocks.0.hook_attn_out'] });
    const ref = referenceForward(config, weights, tokens);
    let m = 0;
    for (let i = 0; i < ref.logits.length; i++) m = Math.max(m, Math.abs(out.logits!.data[i]! - ref.logits[i]!));
    expect(m).toBeLessThan(1e-4);
    await model.dispose();
  });
});
