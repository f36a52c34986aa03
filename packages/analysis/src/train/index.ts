export * from './gpt2.js';
export * from './optim.js';
export * from './sae.js';
export * from './trainer.js';
export * from './transcoder.js';
