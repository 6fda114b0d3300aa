export * from './test-env.js';
export * from './infrastructure.js';
export * from './kafka-reader.js';
