export * from './api.js';
export * from './discover.js';
export * from './evaluate.js';
export * from './format.js';
export * from './neuronpedia.js';
export * from './nodes.js';
export * from './toy.js';
