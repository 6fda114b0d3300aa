export { startInsightsSync, SERVICE } from './insights-sync.js';
export { loadInsightsSyncConfig } from './config.js';
