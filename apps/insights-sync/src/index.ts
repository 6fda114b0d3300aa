export { startInsightsSync, SERVICE } from './insights-sync.js';
export { InsightsSyncEnv, loadInsightsSyncConfig } from './config.js';
