import { createLogger, runService } from '@sms-survey/service-kit';
import { loadOrchestratorConfig } from './config.js';
import { SERVICE, startOrchestrator } from './orchestrator.js';

runService({
  name: SERVICE,
  logger: createLogger(SERVICE),
  shutdownTimeoutMs: 9000,
  async start() {
    const config = loadOrchestratorConfig();
    return startOrchestrator(config, createLogger(SERVICE, config.LOG_LEVEL));
  },
});
