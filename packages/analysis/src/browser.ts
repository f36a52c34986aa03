/**
 * Browser entry: the engine without Node-only parts (file loaders, onnxruntime-node). Pair it with
 * onnxruntime-web through `webOrt`.
 */
export * from './circuits/toy.js';
export * from './graph/autodiff.js';
export * from './graph/graph.js';
export { interpret } from './graph/interpret.js';
export { type ExportedModel, type ExportOptions, toOnnx } from './graph/onnx.js';
export * as ops from './graph/ops.js';
export * from './hooks.js';
export * from './model/config.js';
export * from './model/gpt2-graph.js';
export * from './model/hooked.js';
export * from './model/reference.js';
export * from './model/weights.js';
export * from './runtime/session.js';
export * from './runtime/web.js';
export * from './tokenizer/tokenizer.js';
