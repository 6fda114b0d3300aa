import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enforceContract, type ApiContext } from '../api-context.js';
import { param } from '../params.js';
import { newSid } from '../sids.js';
import type { SimInteraction, SimTask, SimulatorState } from '../state.js';
import { invalidParameter, notFound } from '../twilio-error.js';
import { createSimTask, jsonObjectParam } from './taskrouter.js';

export const FLEX_API_BASE = 'https://flex-api.twilio.com/v1';

/** Channel types the simulator's Interactions carry (messaging only). */
const CHANNEL_TYPES = new Set(['sms', 'whatsapp']);
const INITIATED_BY = new Set(['agent', 'customer', 'api']);
const E164 = /^\+[1-9]\d{6,14}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-object parameter (the SDK sends Channel and Routing as JSON text). */
function objectParam(name: string, raw: string | undefined, required: boolean): Json | undefined {
  if (raw === undefined || raw === '') {
    if (required) throw invalidParameter(`Missing required parameter ${name} in the post body`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`${name} must be valid JSON`);
  }
  if (!isObject(parsed)) throw invalidParameter(`${name} must be a JSON object`);
  return parsed;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** `routing.properties` as Twilio answers it: the task's fields, attributes as JSON text. */
function taskProperties(state: SimulatorState, task: SimTask) {
  return {
    account_sid: state.accountSid,
    addons: '{}',
    age: Math.floor((Date.now() - task.dateCreated.getTime()) / 1000),
    age_in_queue: 0,
    assignmentCounter: 0,
    assignment_status: task.assignmentStatus,
    attributes: task.attributes,
    date_created: epochSeconds(task.dateCreated),
    date_updated: epochSeconds(task.dateUpdated),
    priority: task.priority,
    queue_name: task.taskQueueFriendlyName,
    queue_sid: task.taskQueueSid,
    reason: task.reason,
    routing_target: null,
    sid: task.sid,
    task_channel_sid: task.taskChannelSid,
    task_channel_unique_name: task.taskChannelUniqueName,
    task_queue_entered_date: task.taskQueueEnteredDate ? epochSeconds(task.taskQueueEnteredDate) : null,
    timeout: task.timeout,
    workflow_name: task.workflowFriendlyName,
    workflow_sid: task.workflowSid,
    workspace_sid: task.workspaceSid,
  };
}

export function interactionResource(state: SimulatorState, interaction: SimInteraction) {
  const url = `${FLEX_API_BASE}/Interactions/${interaction.sid}`;
  const task = state.tasks.find((t) => t.sid === interaction.taskSid);
  return {
    sid: interaction.sid,
    channel: { ...interaction.channel, sid: interaction.channelSid },
    routing: { reservation: null, properties: task ? taskProperties(state, task) : interaction.routing['properties'] ?? null },
    interaction_context_sid: null,
    webhook_ttid: null,
    url,
    links: { channels: `${url}/Channels` },
  };
}

interface Participant {
  address: string;
  proxyAddress: string | null;
}

function participantsOf(channel: Json, channelType: string, initiatedBy: string): Participant[] {
  const raw = channel['participants'];
  if (raw === undefined && initiatedBy !== 'agent') return [];
  if (!Array.isArray(raw) || raw.length === 0) throw invalidParameter('Channel.participants is required for an agent-initiated interaction: [{ "address", "proxy_address" }]');
  return raw.map((p: unknown, index) => {
    if (!isObject(p) || typeof p['address'] !== 'string') throw invalidParameter(`Channel.participants[${index}].address is required`);
    const proxy = p['proxy_address'];
    if (initiatedBy === 'agent' && typeof proxy !== 'string') throw invalidParameter(`Channel.participants[${index}].proxy_address is required for an agent-initiated interaction`);
    const strip = (address: string) => (channelType === 'whatsapp' ? address.replace(/^whatsapp:/, '') : address);
    if (!E164.test(strip(p['address']))) throw invalidParameter(`Channel.participants[${index}].address ${p['address']} is not a valid ${channelType} address`);
    if (typeof proxy === 'string' && !E164.test(strip(proxy))) {
      throw invalidParameter(`Channel.participants[${index}].proxy_address ${proxy} is not a valid ${channelType} address`);
    }
    return { address: p['address'], proxyAddress: typeof proxy === 'string' ? proxy : null };
  });
}

/**
 * Flex Conversations' Interactions API (`flex-api.twilio.com/v1/Interactions`): creating one opens a Conversation
 * between the participants and creates a TaskRouter task from `Routing.properties`, whose attributes get what
 * Twilio adds (conversationSid, flexInteractionSid, customerAddress, direction…).
 */
export function registerFlexRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const { state } = ctx;
  const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

  api.post('/flex-api/v1/Interactions', async (request, reply) => {
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateInteraction', params);
    const channel = objectParam('Channel', param(params, 'Channel'), true)!;
    const routing = objectParam('Routing', param(params, 'Routing'), false) ?? {};

    const channelType = channel['type'];
    if (typeof channelType !== 'string' || !CHANNEL_TYPES.has(channelType)) {
      throw invalidParameter(`Channel.type must be one of: ${[...CHANNEL_TYPES].join(', ')}`);
    }
    const initiatedBy = channel['initiated_by'] ?? 'customer';
    if (typeof initiatedBy !== 'string' || !INITIATED_BY.has(initiatedBy)) {
      throw invalidParameter(`Channel.initiated_by must be one of: ${[...INITIATED_BY].join(', ')}`);
    }
    const participants = participantsOf(channel, channelType, initiatedBy);

    const properties = routing['properties'];
    if (!isObject(properties)) throw invalidParameter('Routing.properties is required');
    const workspaceSid = properties['workspace_sid'];
    const workspace = state.workspaces.find((w) => w.sid === workspaceSid);
    if (!workspace) throw invalidParameter(`Routing.properties.workspace_sid ${String(workspaceSid)} is not a workspace of this account`);
    const workflowSid = properties['workflow_sid'];
    if (typeof workflowSid !== 'string') throw invalidParameter('Routing.properties.workflow_sid is required');
    const taskChannel = properties['task_channel_unique_name'] ?? properties['task_channel_sid'] ?? 'default';
    if (typeof taskChannel !== 'string') throw invalidParameter('Routing.properties.task_channel_unique_name must be a string');
    const rawAttributes = properties['attributes'];
    const routingAttributes: Json = typeof rawAttributes === 'string' ? JSON.parse(jsonObjectParam('Routing.properties.attributes', rawAttributes)) as Json : isObject(rawAttributes) ? rawAttributes : {};

    const interactionSid = newSid('KD');
    const channelSid = newSid('UO');
    const conversationSid = newSid('CH');
    const customer = participants[0];
    const direction = initiatedBy === 'agent' ? 'outbound' : 'inbound';
    const attributes = {
      ...(customer && { customerAddress: customer.address, customerName: customer.address, from: customer.address }),
      channelType,
      initiatedBy,
      direction,
      ...routingAttributes,
      conversationSid,
      flexInteractionSid: interactionSid,
      flexInteractionChannelSid: channelSid,
      conversations: {
        ...(isObject(routingAttributes['conversations']) ? routingAttributes['conversations'] : {}),
        initiated_by: initiatedBy === 'agent' ? 'Agent' : initiatedBy === 'api' ? 'API' : 'Customer',
        communication_channel: channelType === 'sms' ? 'Sms' : 'WhatsApp',
        direction: direction === 'outbound' ? 'Outbound' : 'Inbound',
        media: [{ conversation_sid: conversationSid }],
      },
    };
    const intOf = (name: string, fallback: number, max: number) => {
      const value = properties[name];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw invalidParameter(`Routing.properties.${name} must be an integer from 0 to ${max}`);
      return value;
    };
    const task = createSimTask(state, workspace, {
      attributes: jsonObjectParam('Routing.properties.attributes', JSON.stringify(attributes)),
      workflowSid,
      taskChannel,
      priority: intOf('priority', 0, 2 ** 31 - 1),
      timeout: intOf('timeout', 86_400, 2_592_000),
    });

    const now = new Date();
    state.conversations.push({ sid: conversationSid, interactionSid, channelType, participants, state: 'active', dateCreated: now });
    const interaction: SimInteraction = { sid: interactionSid, channelSid, channel, routing, taskSid: task.sid, conversationSid, dateCreated: now };
    state.interactions.push(interaction);
    return reply.code(201).send(interactionResource(state, interaction));
  });

  api.get('/flex-api/v1/Interactions/:Sid', async (request) => {
    const { Sid } = request.params as { Sid: string };
    const interaction = state.interactions.find((i) => i.sid === Sid);
    if (!interaction) throw notFound(pathOf(request));
    return interactionResource(state, interaction);
  });
}
