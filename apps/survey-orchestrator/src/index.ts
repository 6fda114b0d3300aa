export { startOrchestrator, SERVICE } from './orchestrator.js';
export { OrchestratorEnv, loadOrchestratorConfig } from './config.js';
