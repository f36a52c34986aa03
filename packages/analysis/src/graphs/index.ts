export {
  computePromptGraph,
  type PromptGraphOptions,
  type PromptGraphResult,
  transcoderSourcesFromDir,
} from './api.js';
export {
  type ActiveFeature,
  type AttributionGraph,
  type AttributionOptions,
  attribute,
  type LogitTarget,
  nodeLayout,
  type PromptModel,
  selectLogits,
} from './attribution.js';
export { type GraphFileMeta, graphToCircuit } from './export.js';
export { findThreshold, type GraphScores, graphScores, type PruneResult, pruneGraph } from './prune.js';
export { capturePrompt, type PromptState, type TranscoderSource, transcoderLayer } from './replacement.js';
