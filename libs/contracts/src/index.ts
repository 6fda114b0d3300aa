export * from './common.js';
export * from './sms.js';
export * from './survey.js';
export * from './topics.js';
export * from './message.js';
export * from './http/twilio-webhooks.js';
export * from './http/send-survey.js';
