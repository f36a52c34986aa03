export { loadDemo } from './eval.js';
export * from './evaluate.js';
export * from './pipeline.js';
export { checkLossesDecreased, metricsLine } from './train.js';
