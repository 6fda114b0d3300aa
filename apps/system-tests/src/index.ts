export * from './system.js';
export * from './kafka-reader.js';
export * from './service-process.js';
export * from './promql.js';
export * from './harness-env.js';
