export * from './hooks.js';
export * from './hub/index.js';
