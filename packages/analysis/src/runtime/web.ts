/** onnxruntime-web (WebAssembly): the browser runtime, also usable in Node (set `numThreads` there). */
import * as ort from 'onnxruntime-web';
import type { OrtModule } from './session.js';

export const webOrt: OrtModule = ort as unknown as OrtModule;

/** Sets wasm threads (1 avoids worker threads that keep Node alive) and, for browsers, where the .wasm files live. */
export function configureWebOrt(options: { numThreads?: number; wasmPaths?: string } = {}): void {
  if (options.numThreads !== undefined) ort.env.wasm.numThreads = options.numThreads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
}
