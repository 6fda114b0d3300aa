export { buildSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { deliverInboundSms, inboundSmsParams, optOutTypeOf, type InboundSmsOptions, type InboundSmsResult } from './inbound.js';
export type { InboundSmsInput } from './routes/control.js';
export { taskRouterEventParams, type TaskRouterEventInput, type TaskRouterEventResult } from './taskrouter-events.js';
export { SimulatorEnv, loadSimulatorConfig, type SimulatorConfig } from './config.js';
export { loadContracts, checkRequestParams, twilioSpecDir, type OperationId, type ContractViolation } from './contract.js';
export { parseFormBody, type Params } from './params.js';
export type * from './state.js';
