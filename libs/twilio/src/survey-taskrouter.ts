import type { TwilioClient } from './client.js';

export interface SurveyTaskRouterNames {
  queue: string;
  workflow: string;
  /** Unique name of the survey task channel. */
  channel: string;
}

export const DEFAULT_SURVEY_TASKROUTER_NAMES: SurveyTaskRouterNames = { queue: 'Survey', workflow: 'Survey', channel: 'survey' };

export interface SurveyTaskRouter {
  workspaceSid: string;
  queueSid: string;
  workflowSid: string;
  channelSid: string;
  channelUniqueName: string;
  created: string[];
}

/** The workspace to use: the configured one, else the account's only (or first) workspace. */
export async function resolveWorkspaceSid(client: TwilioClient, configured?: string): Promise<string> {
  if (configured) return configured;
  const [first] = await client.taskrouter.v1.workspaces.list({ limit: 1 });
  if (!first) throw new Error('no TaskRouter workspace found; set TWILIO_WORKSPACE_SID');
  return first.sid;
}

/**
 * Finds or creates, by name, what survey tasks need in Flex (seed 000): a "Survey" queue no worker matches
 * (`1 == 0`), a "Survey" workflow routing to it with a 3 s timeout, and a "survey" task channel. Idempotent:
 * running it twice creates nothing the second time.
 */
export async function ensureSurveyTaskRouter(
  client: TwilioClient,
  workspaceSid: string,
  names: SurveyTaskRouterNames = DEFAULT_SURVEY_TASKROUTER_NAMES,
): Promise<SurveyTaskRouter> {
  const ws = client.taskrouter.v1.workspaces(workspaceSid);
  const created: string[] = [];

  let queue = (await ws.taskQueues.list({ friendlyName: names.queue, limit: 50 })).find((q) => q.friendlyName === names.queue);
  if (!queue) {
    queue = await ws.taskQueues.create({ friendlyName: names.queue, targetWorkers: '1 == 0' });
    created.push(`TaskQueue ${queue.sid}`);
  }

  let workflow = (await ws.workflows.list({ friendlyName: names.workflow, limit: 50 })).find((w) => w.friendlyName === names.workflow);
  if (!workflow) {
    const configuration = {
      task_routing: {
        filters: [{ filter_friendly_name: 'Survey', expression: '1 == 1', targets: [{ queue: queue.sid, timeout: 3 }] }],
        default_filter: { queue: queue.sid },
      },
    };
    workflow = await ws.workflows.create({ friendlyName: names.workflow, configuration: JSON.stringify(configuration), taskReservationTimeout: 3 });
    created.push(`Workflow ${workflow.sid}`);
  }

  let channel = (await ws.taskChannels.list({ limit: 200 })).find((c) => c.uniqueName === names.channel);
  if (!channel) {
    channel = await ws.taskChannels.create({ friendlyName: names.queue, uniqueName: names.channel });
    created.push(`TaskChannel ${channel.sid}`);
  }

  return { workspaceSid, queueSid: queue.sid, workflowSid: workflow.sid, channelSid: channel.sid, channelUniqueName: channel.uniqueName, created };
}
