import { createLogger, runService } from '@sms-survey/service-kit';
import { loadInsightsSyncConfig } from './config.js';
import { SERVICE, startInsightsSync } from './insights-sync.js';

runService({
  name: SERVICE,
  logger: createLogger(SERVICE),
  shutdownTimeoutMs: 9000,
  async start() {
    const config = loadInsightsSyncConfig();
    return startInsightsSync(config, createLogger(SERVICE, config.LOG_LEVEL));
  },
});
