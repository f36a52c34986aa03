// Copies onnxruntime-web's wasm build into public/ort so the browser loads it from this origin (cross-origin
// isolation forbids other origins, and bundling ORT's worker scripts is fragile). Runs before `next build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('onnxruntime-web/wasm'));
const out = new URL('../public/ort/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
for (const file of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
  copyFileSync(join(dist, file), join(out, file));
}
console.log(`onnxruntime-web copied to ${out}`);
