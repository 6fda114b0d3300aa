import type { OutboundSmsTaskCreated, OutboundSmsTaskRequest } from '@sms-survey/contracts';
import {
  classifyTwilioError,
  createOutboundSmsInteraction,
  ensureOutboundSmsWorkflow,
  findWorkersByPhone,
  type TwilioClient,
} from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { HttpError } from '../http-errors.js';

export interface OutboundSmsTasksOptions {
  twilio: TwilioClient;
  logger: Logger;
  /** TWILIO_WORKSPACE_SID; unset: the account's first workspace. */
  workspaceSid?: string | undefined;
  /** FLEX_OUTBOUND_WORKFLOW_SID; unset: against the simulator the "Match Worker" workflow is found or created, otherwise it is required. */
  workflowSid?: string | undefined;
  /** Twilio is the local simulator. */
  simulated: boolean;
  /** FLEX_OUTBOUND_TASK_CHANNEL (`sms`). */
  taskChannel: string;
}

export interface OutboundSmsTasks {
  create(request: OutboundSmsTaskRequest): Promise<OutboundSmsTaskCreated>;
}

export const OUTBOUND_NOT_CONFIGURED = 'outbound SMS tasks are not configured: set FLEX_OUTBOUND_WORKFLOW_SID to the workflow that routes on task.targetWorkerPhone == worker.phone';

/**
 * The names of what `POST /v1/flex/outbound-sms-tasks` can answer, for `gateway_outbound_sms_tasks_total{outcome}`;
 * routes/flex-outbound-sms.ts says which status each has and when.
 */
export const OUTBOUND_SMS_TASK_OUTCOMES = [
  'created',
  'invalid',
  'unauthorized',
  'no-worker',
  'several-workers',
  'twilio-rejected',
  'twilio-auth-failed',
  'misconfigured',
  'twilio-error',
  'twilio-unavailable',
  'not-configured',
  'error',
] as const;
export type OutboundSmsTaskOutcome = (typeof OUTBOUND_SMS_TASK_OUTCOMES)[number];

/** Seconds a client is asked to wait (`Retry-After`) before trying again while Twilio is unavailable. */
export const TWILIO_UNAVAILABLE_RETRY_AFTER_S = 5;

/** An answer of the outbound SMS task route other than 201, with its outcome name. */
export class OutboundSmsTaskError extends HttpError {
  constructor(
    statusCode: number,
    readonly outcome: OutboundSmsTaskOutcome,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(statusCode, message);
  }
}

/** The Twilio call that failed: what the gateway asked of Twilio, and whose the named resources are. */
export type TwilioStep = 'workspace' | 'workflow' | 'channel' | 'workers' | 'interaction';

export interface TwilioStepNames {
  workspaceSid?: string | undefined;
  workflowSid?: string | undefined;
  taskChannel?: string | undefined;
}

const WHAT: Record<TwilioStep, string> = {
  workspace: 'cannot resolve the TaskRouter workspace',
  workflow: 'cannot resolve the outbound SMS workflow',
  channel: 'cannot resolve the outbound SMS task channel',
  workers: 'cannot list the TaskRouter workers',
  interaction: 'cannot create the interaction',
};

/** A Twilio 404 on what the gateway's own configuration names: which setting is wrong. */
function notFoundInConfiguration(step: Exclude<TwilioStep, 'interaction'>, names: TwilioStepNames): string {
  switch (step) {
    case 'workspace':
      return 'the Twilio account has no TaskRouter workspace; set TWILIO_WORKSPACE_SID';
    case 'workflow':
      return `FLEX_OUTBOUND_WORKFLOW_SID ${names.workflowSid ?? ''} is not a workflow of workspace ${names.workspaceSid ?? ''} (check it and TWILIO_WORKSPACE_SID)`;
    case 'channel':
      return `FLEX_OUTBOUND_TASK_CHANNEL "${names.taskChannel ?? ''}" is not a task channel of workspace ${names.workspaceSid ?? ''}`;
    case 'workers':
      return `workspace ${names.workspaceSid ?? ''} was not found (check TWILIO_WORKSPACE_SID)`;
  }
}

/**
 * A Twilio failure as the route's answer. Whose problem it is decides the status:
 * - Twilio unavailable (5xx, 429, network, timeout): 503, retry;
 * - Twilio refusing the gateway's credentials: 502;
 * - Twilio refusing the interaction (400), or not finding a resource it names (404): 422, the client's — the
 *   workspace, workflow and channel the gateway configures were found on first use, so what is left is what the
 *   client named (`fromNumber`, `toNumber`);
 * - Twilio not finding what the gateway's configuration names (workspace, workflow, task channel): 502;
 * - anything else Twilio answers: 502.
 */
export function twilioFailure(error: unknown, step: TwilioStep, names: TwilioStepNames = {}): OutboundSmsTaskError {
  const verdict = classifyTwilioError(error);
  const detail = `${verdict.reason}${verdict.code !== undefined ? ` (Twilio error ${verdict.code})` : ''}`;
  const what = WHAT[step];
  if (verdict.kind === 'retryable') {
    return new OutboundSmsTaskError(503, 'twilio-unavailable', `${what}: Twilio is unavailable right now (${detail}); retry`, TWILIO_UNAVAILABLE_RETRY_AFTER_S);
  }
  if (verdict.status === 401 || verdict.code === 20003) {
    return new OutboundSmsTaskError(502, 'twilio-auth-failed', `${what}: Twilio refused the gateway's credentials (${detail}); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`);
  }
  if (step === 'interaction' && (verdict.status === 400 || verdict.status === 404)) {
    const message = error instanceof Error ? error.message : verdict.reason;
    const code = verdict.code !== undefined ? ` (Twilio error ${verdict.code})` : '';
    const hint = verdict.status === 404 ? '; is fromNumber a number of this Twilio account that Flex Conversations can use?' : '';
    return new OutboundSmsTaskError(422, 'twilio-rejected', `${what}: Twilio rejected the request: ${message}${code}${hint}`);
  }
  if (verdict.status === 404 && step !== 'interaction') {
    return new OutboundSmsTaskError(502, 'misconfigured', `${what}: ${notFoundInConfiguration(step, names)} (${detail})`);
  }
  return new OutboundSmsTaskError(502, 'twilio-error', `${what}: ${detail}`);
}

/**
 * Seed 003 on Flex Conversations: finds the worker whose `phone` attribute is `fromNumber`, then opens an
 * agent-initiated SMS Interaction whose task (targetWorkerPhone, autoAnswer) only that worker gets.
 */
export function createOutboundSmsTasks(options: OutboundSmsTasksOptions): OutboundSmsTasks {
  const { twilio } = options;
  const step = <T>(name: TwilioStep, names: TwilioStepNames, call: () => Promise<T>): Promise<T> =>
    call().catch((e: unknown) => {
      throw e instanceof HttpError ? e : twilioFailure(e, name, names);
    });
  let routing: Promise<{ workspaceSid: string; workflowSid: string }> | undefined;
  // Resolved once, on first use, and each configured resource looked up: a Twilio 404 later, on the interaction,
  // is then about what the client named, not about our configuration.
  const resolveRouting = () =>
    (routing ??= (async () => {
      const workspaceSid = options.workspaceSid ?? (await step('workspace', {}, async () => (await twilio.taskrouter.v1.workspaces.list({ limit: 1 }))[0]?.sid));
      if (!workspaceSid) throw new OutboundSmsTaskError(502, 'misconfigured', `${WHAT.workspace}: ${notFoundInConfiguration('workspace', {})}`);
      let workflowSid = options.workflowSid;
      const names = { workspaceSid, workflowSid, taskChannel: options.taskChannel };
      if (workflowSid) {
        await step('workflow', names, () => twilio.taskrouter.v1.workspaces(workspaceSid).workflows(workflowSid!).fetch());
      } else {
        if (!options.simulated) throw new OutboundSmsTaskError(503, 'not-configured', OUTBOUND_NOT_CONFIGURED);
        const ensured = await step('workflow', names, () => ensureOutboundSmsWorkflow(twilio, workspaceSid));
        if (ensured.created.length) options.logger.info({ created: ensured.created }, 'created the outbound SMS workflow in the simulator');
        workflowSid = ensured.workflowSid;
      }
      await step('channel', names, () => twilio.taskrouter.v1.workspaces(workspaceSid).taskChannels(options.taskChannel).fetch());
      return { workspaceSid, workflowSid };
    })().catch((e: unknown) => {
      routing = undefined;
      throw e;
    }));

  return {
    async create(request) {
      const { workspaceSid, workflowSid } = await resolveRouting();
      const names = { workspaceSid, workflowSid, taskChannel: options.taskChannel };
      const workers = await step('workers', names, () => findWorkersByPhone(twilio, workspaceSid, request.fromNumber));
      if (workers.length === 0) {
        throw new OutboundSmsTaskError(422, 'no-worker', `fromNumber ${request.fromNumber}: no worker in workspace ${workspaceSid} has it as their "phone" attribute`);
      }
      if (workers.length > 1) {
        throw new OutboundSmsTaskError(
          409,
          'several-workers',
          `fromNumber ${request.fromNumber}: ${workers.length} workers have it as their "phone" attribute (${workers.map((w) => w.sid).join(', ')}); each worker needs a number of their own`,
        );
      }
      const worker = workers[0]!;
      const created = await step('interaction', names, () =>
        createOutboundSmsInteraction(twilio, {
          workspaceSid,
          workflowSid,
          taskChannel: options.taskChannel,
          fromNumber: request.fromNumber,
          toNumber: request.toNumber,
          toName: request.toName,
          extraAttributes: { targetWorkerSid: worker.sid },
        }),
      );
      return {
        interactionSid: created.interactionSid,
        ...(created.channelSid !== undefined && { interactionChannelSid: created.channelSid }),
        ...(created.taskSid !== undefined && { taskSid: created.taskSid }),
        ...(created.conversationSid !== undefined && { conversationSid: created.conversationSid }),
        workerSid: worker.sid,
        workspaceSid,
        workflowSid,
      };
    },
  };
}
