import { createLogger, runService } from '@sms-survey/service-kit';
import { loadGatewayConfig } from './config.js';
import { SERVICE, startGateway } from './gateway.js';

runService({
  name: SERVICE,
  logger: createLogger(SERVICE),
  shutdownTimeoutMs: 9000,
  async start() {
    const config = loadGatewayConfig();
    return startGateway(config, createLogger(SERVICE, config.LOG_LEVEL));
  },
});
