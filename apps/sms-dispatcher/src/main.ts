import { createLogger, runService } from '@sms-survey/service-kit';
import { loadDispatcherConfig } from './config.js';
import { SERVICE, startDispatcher } from './dispatcher.js';

runService({
  name: SERVICE,
  logger: createLogger(SERVICE),
  shutdownTimeoutMs: 9000,
  async start() {
    const config = loadDispatcherConfig();
    return startDispatcher(config, createLogger(SERVICE, config.LOG_LEVEL));
  },
});
