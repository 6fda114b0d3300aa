import type { TwilioClient } from './client.js';
import { inTwilioSpan } from './tracing.js';

/** A TaskRouter worker whose attributes name a phone number. */
export interface WorkerByPhone {
  sid: string;
  friendlyName: string;
}

function phoneOf(attributes: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(attributes);
    const phone = typeof parsed === 'object' && parsed !== null ? (parsed as { phone?: unknown }).phone : undefined;
    return typeof phone === 'string' ? phone.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The workers whose `phone` attribute (seed 003: each agent's own Twilio number, e.g. `"phone": "+18885551212"`)
 * is `phone`. Reads every worker of the workspace (all pages) and compares the attribute exactly.
 */
export async function findWorkersByPhone(client: TwilioClient, workspaceSid: string, phone: string): Promise<WorkerByPhone[]> {
  const workers = await client.taskrouter.v1.workspaces(workspaceSid).workers.list({ pageSize: 1000 });
  return workers.filter((w) => phoneOf(w.attributes) === phone).map((w) => ({ sid: w.sid, friendlyName: w.friendlyName }));
}

export interface OutboundSmsInteractionParams {
  workspaceSid: string;
  /** A workflow that routes `targetWorkerPhone` tasks to the worker with that phone (`task.targetWorkerPhone == worker.phone`). */
  workflowSid: string;
  /** The task channel of the agent's task; `sms` in Flex. */
  taskChannel?: string;
  /** The agent's Twilio number: the customer sees it, and replies to it. */
  fromNumber: string;
  toNumber: string;
  /** The customer's name, shown on the task and in the conversation. */
  toName: string;
  /** Added to the task attributes (never replacing the ones set here). */
  extraAttributes?: Record<string, unknown>;
}

export interface OutboundSmsInteraction {
  /** KD… */
  interactionSid: string;
  /** UO…: the interaction's channel. */
  channelSid?: string;
  /** WT…: the agent's task, when Twilio's answer names it. */
  taskSid?: string;
  /** CH…: the Conversation carrying the messages, when the task attributes name it. */
  conversationSid?: string;
}

/** The task attributes of an agent-initiated SMS: routed to the agent's own worker (seed 003), auto-accepted. */
export function outboundSmsTaskAttributes(params: Pick<OutboundSmsInteractionParams, 'fromNumber' | 'toNumber' | 'toName' | 'extraAttributes'>) {
  return {
    ...params.extraAttributes,
    name: params.toName,
    customerName: params.toName,
    customerAddress: params.toNumber,
    targetWorkerPhone: params.fromNumber,
    autoAnswer: true,
  };
}

type RoutingProperties = { sid?: unknown; attributes?: unknown };

/**
 * Starts an agent-initiated ("outbound") SMS conversation with Flex Conversations' Interactions API
 * (`POST https://flex-api.twilio.com/v1/Interactions`): Twilio creates the Conversation with the customer's
 * number (`address`) and the agent's Twilio number (`proxy_address`), and a task in `workflowSid` with the
 * routing attributes, which the workflow routes to the worker whose `phone` is `fromNumber`.
 */
export async function createOutboundSmsInteraction(client: TwilioClient, params: OutboundSmsInteractionParams): Promise<OutboundSmsInteraction> {
  const interaction = await inTwilioSpan(
    'flex.interactions.create',
    { 'http.request.method': 'POST', 'url.template': '/v1/Interactions', 'twilio.workspace_sid': params.workspaceSid, 'twilio.workflow_sid': params.workflowSid },
    () =>
      client.flexApi.v1.interaction.create({
        channel: {
          type: 'sms',
          initiated_by: 'agent',
          participants: [{ address: params.toNumber, proxy_address: params.fromNumber }],
        },
        routing: {
          properties: {
            workspace_sid: params.workspaceSid,
            workflow_sid: params.workflowSid,
            task_channel_unique_name: params.taskChannel ?? 'sms',
            attributes: outboundSmsTaskAttributes(params),
          },
        },
      }),
    (created, span) => span.setAttribute('twilio.interaction_sid', created.sid),
  );
  const channel = interaction.channel as { sid?: unknown } | null;
  const properties = (interaction.routing as { properties?: RoutingProperties } | null)?.properties;
  let taskAttributes: { conversationSid?: unknown } = {};
  if (typeof properties?.attributes === 'string') {
    try {
      taskAttributes = JSON.parse(properties.attributes) as { conversationSid?: unknown };
    } catch {
      // Not JSON: the conversation sid is then unknown.
    }
  } else if (typeof properties?.attributes === 'object' && properties.attributes !== null) {
    taskAttributes = properties.attributes as { conversationSid?: unknown };
  }
  return {
    interactionSid: interaction.sid,
    ...(typeof channel?.sid === 'string' && { channelSid: channel.sid }),
    ...(typeof properties?.sid === 'string' && { taskSid: properties.sid }),
    ...(typeof taskAttributes.conversationSid === 'string' && { conversationSid: taskAttributes.conversationSid }),
  };
}

export interface OutboundSmsWorkflowNames {
  workflow: string;
  queue: string;
}

export const DEFAULT_OUTBOUND_SMS_WORKFLOW_NAMES: OutboundSmsWorkflowNames = { workflow: 'Match Worker', queue: 'Everyone' };

/**
 * Finds or creates, by name, seed 003's "Match Worker" workflow: tasks with a `targetWorkerPhone` go to the
 * "Everyone" queue (`1 == 1`), to the worker matching `task.targetWorkerPhone == worker.phone` only.
 */
export async function ensureOutboundSmsWorkflow(
  client: TwilioClient,
  workspaceSid: string,
  names: OutboundSmsWorkflowNames = DEFAULT_OUTBOUND_SMS_WORKFLOW_NAMES,
): Promise<{ workflowSid: string; queueSid: string; created: string[] }> {
  const ws = client.taskrouter.v1.workspaces(workspaceSid);
  const created: string[] = [];
  let queue = (await ws.taskQueues.list({ friendlyName: names.queue, limit: 50 })).find((q) => q.friendlyName === names.queue);
  if (!queue) {
    queue = await ws.taskQueues.create({ friendlyName: names.queue, targetWorkers: '1 == 1' });
    created.push(`TaskQueue ${queue.sid}`);
  }
  let workflow = (await ws.workflows.list({ friendlyName: names.workflow, limit: 50 })).find((w) => w.friendlyName === names.workflow);
  if (!workflow) {
    const configuration = {
      task_routing: {
        filters: [
          {
            filter_friendly_name: 'Target Worker Phone',
            expression: 'targetWorkerPhone != null',
            targets: [{ queue: queue.sid, expression: 'task.targetWorkerPhone == worker.phone' }],
          },
        ],
        default_filter: { queue: queue.sid },
      },
    };
    workflow = await ws.workflows.create({ friendlyName: names.workflow, configuration: JSON.stringify(configuration) });
    created.push(`Workflow ${workflow.sid}`);
  }
  return { workflowSid: workflow.sid, queueSid: queue.sid, created };
}
