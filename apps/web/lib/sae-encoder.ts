'use client';

import type * as Ort from 'onnxruntime-web';

/** Rows per encoder run, as the server exports the graph (ENCODER_ROWS in apps/server/src/models/encoders.ts). */
const ENCODER_ROWS = 64;
const CACHE_NAME = 'sae-encoders-v1';

let ortPromise: Promise<typeof Ort> | null = null;

/** onnxruntime-web's wasm build, served from /ort (copied there at build time), with 2 threads when isolated. */
function loadOrt(): Promise<typeof Ort> {
  ortPromise ??= (async () => {
    const ort = (await import(
      /* webpackIgnore: true */ /* turbopackIgnore: true */ '/ort/ort.wasm.min.mjs' as string
    )) as typeof Ort;
    ort.env.wasm.wasmPaths = '/ort/';
    // Threads need SharedArrayBuffer, which needs the COOP/COEP headers the web server sends.
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(2, navigator.hardwareConcurrency || 1) : 1;
    return ort;
  })();
  return ortPromise;
}

/** The encoder's bytes from Cache Storage, fetched once per version (the URL carries it). */
async function encoderBytes(url: string): Promise<ArrayBuffer> {
  const cache = 'caches' in globalThis ? await caches.open(CACHE_NAME) : null;
  const cached = await cache?.match(url);
  if (cached) return cached.arrayBuffer();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`SAE encoder ${url}: HTTP ${response.status} ${await response.text()}`);
  await cache?.put(url, response.clone());
  return response.arrayBuffer();
}

const sessions = new Map<string, Promise<Ort.InferenceSession>>();

export interface EncoderInfo {
  encoderUrl: string;
  dIn: number;
  dSae: number;
}

/** Encodes rows of activations [rows, dIn] into feature activations [rows, dSae] in the browser. */
export async function encodeInBrowser(sae: EncoderInfo, x: Float32Array, rows: number): Promise<Float32Array> {
  const ort = await loadOrt();
  let session = sessions.get(sae.encoderUrl);
  if (!session) {
    session = encoderBytes(sae.encoderUrl).then((bytes) => ort.InferenceSession.create(new Uint8Array(bytes)));
    session.catch(() => sessions.delete(sae.encoderUrl));
    sessions.set(sae.encoderUrl, session);
  }
  const encoder = await session;
  const features = new Float32Array(rows * sae.dSae);
  for (let start = 0; start < rows; start += ENCODER_ROWS) {
    const count = Math.min(ENCODER_ROWS, rows - start);
    const chunk = new Float32Array(ENCODER_ROWS * sae.dIn);
    chunk.set(x.subarray(start * sae.dIn, (start + count) * sae.dIn));
    // Pad with copies of the first row, not zeros: zero rows have no norm for normalising SAEs.
    for (let r = count; r < ENCODER_ROWS; r++) chunk.copyWithin(r * sae.dIn, 0, sae.dIn);
    const out = await encoder.run({ x: new ort.Tensor('float32', chunk, [ENCODER_ROWS, sae.dIn]) });
    const values = out.features?.data as Float32Array;
    features.set(values.subarray(0, count * sae.dSae), start * sae.dSae);
  }
  return features;
}

/** Decodes the API's base64 little-endian float32 payload. */
export function decodeFloat32(base64: string): Float32Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
