export * from './client.js';
export * from './http-client.js';
export * from './webhooks.js';
export * from './messages.js';
export * from './errors.js';
export * from './taskrouter.js';
export * from './survey-taskrouter.js';
export * from './flex-interactions.js';
