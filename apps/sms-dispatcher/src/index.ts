export { startDispatcher, SERVICE } from './dispatcher.js';
export { DispatcherEnv, loadDispatcherConfig } from './config.js';
