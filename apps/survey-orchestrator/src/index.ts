export { startOrchestrator, SERVICE } from './orchestrator.js';
export { loadOrchestratorConfig } from './config.js';
