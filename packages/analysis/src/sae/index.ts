export * from './config.js';
export * from './graph.js';
export * from './sae.js';
