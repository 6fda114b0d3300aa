export { startDispatcher, SERVICE } from './dispatcher.js';
export { loadDispatcherConfig } from './config.js';
