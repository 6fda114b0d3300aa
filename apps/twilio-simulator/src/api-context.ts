import type { FastifyRequest } from 'fastify';
import { checkRequestParams, type OperationContract, type OperationId } from './contract.js';
import type { Params } from './params.js';
import type { SimulatorState } from './state.js';
import type { MessageLifecycle } from './status-callbacks.js';
import { TwilioApiError, invalidParameter } from './twilio-error.js';

export interface ApiContext {
  state: SimulatorState;
  contracts: Map<OperationId, OperationContract>;
  lifecycle: MessageLifecycle;
  /** Query and body parameters of each API request, set by the recording hook. */
  paramsOf(request: FastifyRequest): Params;
}

/** Rejects requests that break Twilio's published request schema, the way Twilio reports it. */
export function enforceContract(ctx: ApiContext, operationId: OperationId, params: Params): void {
  const contract = ctx.contracts.get(operationId);
  if (!contract) throw new Error(`no contract loaded for ${operationId}`);
  const violation = checkRequestParams(contract, params);
  if (!violation) return;
  if (operationId === 'CreateMessage' && violation.kind === 'missing' && violation.param === 'To') {
    throw new TwilioApiError(400, 21604, "A 'To' phone number is required.");
  }
  throw invalidParameter(violation.message);
}
