export * from './test-env.js';
export * from './infrastructure.js';
