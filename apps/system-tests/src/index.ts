export * from './system.js';
export * from './kafka-reader.js';
