export * from './segments.js';
export * from './sender-rate.js';
export * from './rate-window.js';
export * from './send-order.js';
export * from './sending-hours.js';
