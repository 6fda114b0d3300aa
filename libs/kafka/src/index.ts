export * from './kafka-client.js';
export * from './producer.js';
export * from './consumer.js';
export * from './errors.js';
export type { PartitionContext, TopicPartition } from './generation.js';
export * from './metrics.js';
export * from './consumer-lag.js';
export * from './topics-admin.js';
export * from './health.js';
