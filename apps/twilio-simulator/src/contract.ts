import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Params } from './params.js';

/** The write operations the simulator implements, located in Twilio's OpenAPI specs. */
const OPERATIONS = {
  CreateMessage: { spec: 'twilio_api_v2010.json', path: '/2010-04-01/Accounts/{AccountSid}/Messages.json' },
  CreateTask: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/Tasks' },
  UpdateTask: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/Tasks/{Sid}' },
  CreateTaskQueue: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues' },
  UpdateTaskQueue: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/TaskQueues/{Sid}' },
  CreateWorkflow: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/Workflows' },
  UpdateWorkflow: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/Workflows/{Sid}' },
  CreateTaskChannel: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/TaskChannels' },
  CreateWorker: { spec: 'twilio_taskrouter_v1.json', path: '/v1/Workspaces/{WorkspaceSid}/Workers' },
  CreateInteraction: { spec: 'twilio_flex_v1.json', path: '/v1/Interactions' },
} as const;

export type OperationId = keyof typeof OPERATIONS;

export interface ParamContract {
  type: string;
  isArray: boolean;
  enum?: string[];
  pattern?: RegExp;
}

export interface OperationContract {
  operationId: OperationId;
  params: Map<string, ParamContract>;
  required: string[];
}

export interface ContractViolation {
  kind: 'unknown' | 'missing' | 'enum' | 'type';
  param: string;
  message: string;
}

type JsonSchema = {
  $ref?: string;
  type?: string;
  enum?: string[];
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};
type OpenApiSpec = {
  paths: Record<string, Record<string, { operationId?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export function twilioSpecDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('@twilio-alpha/mcp/package.json');
  return path.join(path.dirname(packageJson), 'twilio-oai', 'spec', 'json');
}

function resolveRef(spec: OpenApiSpec, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = spec.components?.schemas?.[name];
  if (!target) throw new Error(`Twilio spec: unresolved $ref ${schema.$ref}`);
  return resolveRef(spec, target);
}

function toParamContract(spec: OpenApiSpec, raw: JsonSchema): ParamContract {
  const schema = resolveRef(spec, raw);
  const isArray = schema.type === 'array';
  const valueSchema = isArray && schema.items ? resolveRef(spec, schema.items) : schema;
  return {
    type: valueSchema.type ?? 'string',
    isArray,
    ...(valueSchema.enum && { enum: valueSchema.enum }),
    ...(valueSchema.pattern && { pattern: new RegExp(valueSchema.pattern) }),
  };
}

function extractOperation(spec: OpenApiSpec, operationId: OperationId): OperationContract {
  const operation = spec.paths[OPERATIONS[operationId].path]?.post;
  if (operation?.operationId !== operationId) throw new Error(`Twilio spec: operation ${operationId} not found`);
  const body = operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
  const schema = body ? resolveRef(spec, body) : {};
  const params = new Map<string, ParamContract>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) params.set(name, toParamContract(spec, property));
  return { operationId, params, required: schema.required ?? [] };
}

let loaded: Map<OperationId, OperationContract> | undefined;

/**
 * Reads the specs once per process and keeps only the operations we implement (the files are a few MB of
 * JSON; parsing them takes some tens of ms).
 */
export function loadContracts(specDir: string = twilioSpecDir()): Map<OperationId, OperationContract> {
  if (loaded) return loaded;
  const specs = new Map<string, OpenApiSpec>();
  const contracts = new Map<OperationId, OperationContract>();
  for (const operationId of Object.keys(OPERATIONS) as OperationId[]) {
    const file = OPERATIONS[operationId].spec;
    let spec = specs.get(file);
    if (!spec) {
      spec = JSON.parse(readFileSync(path.join(specDir, file), 'utf8')) as OpenApiSpec;
      specs.set(file, spec);
    }
    contracts.set(operationId, extractOperation(spec, operationId));
  }
  loaded = contracts;
  return contracts;
}

function checkValue(name: string, contract: ParamContract, value: string): ContractViolation | undefined {
  if (contract.enum && !contract.enum.includes(value)) {
    return { kind: 'enum', param: name, message: `Invalid value '${value}' for ${name}; must be one of: ${contract.enum.join(', ')}` };
  }
  const typeOk =
    contract.type === 'integer' ? /^-?\d+$/.test(value)
    : contract.type === 'number' ? value.trim() !== '' && Number.isFinite(Number(value))
    : contract.type === 'boolean' ? /^(true|false)$/i.test(value)
    : true;
  if (!typeOk) return { kind: 'type', param: name, message: `Invalid value '${value}' for ${name}; must be ${contract.type === 'integer' ? 'an' : 'a'} ${contract.type}` };
  if (contract.pattern && !contract.pattern.test(value)) {
    return { kind: 'type', param: name, message: `Invalid value '${value}' for ${name}; must match ${contract.pattern.source}` };
  }
  return undefined;
}

/** The first way `params` breaks the operation's request-body schema, if any. */
export function checkRequestParams(contract: OperationContract, params: Params): ContractViolation | undefined {
  for (const [name, value] of Object.entries(params)) {
    const paramContract = contract.params.get(name);
    if (!paramContract) return { kind: 'unknown', param: name, message: `Unknown parameter ${name} for ${contract.operationId}` };
    const values = Array.isArray(value) ? value : [value];
    if (values.length > 1 && !paramContract.isArray) {
      return { kind: 'type', param: name, message: `Parameter ${name} may be given only once` };
    }
    for (const v of values) {
      const violation = checkValue(name, paramContract, v);
      if (violation) return violation;
    }
  }
  for (const name of contract.required) {
    const value = params[name];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      return { kind: 'missing', param: name, message: `Missing required parameter ${name} in the post body` };
    }
  }
  return undefined;
}
