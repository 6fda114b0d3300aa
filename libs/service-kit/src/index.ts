export * from './mask.js';
export * from './logger.js';
export * from './config.js';
export * from './ops-routes.js';
export * from './lifecycle.js';
export * from './twilio-config.js';
export * from './worker.js';
export * from './tracing.js';
