export { buildGateway, type GatewayDeps } from './app.js';
export { startGateway, type GatewayHandle } from './gateway.js';
export { GatewayEnv, loadGatewayConfig, type GatewayConfig } from './config.js';
export { createSuppressionList, type SuppressionList } from './api/suppressions.js';
