export { loadDemo } from './eval.js';
export * from './evaluate.js';
export * from './pipeline.js';
export { checkLossesDecreased, metricsLine } from './train.js';
export {
  DEMO_TRANSCODER_CONFIG,
  type DemoTranscoderConfig,
  type DemoTranscodersManifest,
  evaluateDemoTranscoders,
  loadDemoTranscoders,
  type TranscoderMetrics,
  trainDemoTranscoders,
  transcoderHooks,
  transcoderMetrics,
} from './transcoders.js';
