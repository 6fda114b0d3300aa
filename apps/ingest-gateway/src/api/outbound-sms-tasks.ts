import type { OutboundSmsTaskCreated, OutboundSmsTaskRequest } from '@sms-survey/contracts';
import {
  classifyTwilioError,
  createOutboundSmsInteraction,
  ensureOutboundSmsWorkflow,
  findWorkersByPhone,
  resolveWorkspaceSid,
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

/** A Twilio failure as an HTTP answer: retryable → 503; Twilio refusing what it was asked → 422 with its reason; our set-up → 502. */
function twilioFailure(error: unknown, what: string): HttpError {
  const verdict = classifyTwilioError(error);
  const detail = `${verdict.reason}${verdict.code !== undefined ? ` (Twilio error ${verdict.code})` : ''}`;
  if (verdict.retryable) return new HttpError(503, `${what}: Twilio is unavailable right now (${detail}); retry`);
  if (verdict.status === 400) return new HttpError(422, `${what}: Twilio rejected the request: ${error instanceof Error ? error.message : detail}`);
  return new HttpError(502, `${what}: ${detail}`);
}

/**
 * Seed 003 on Flex Conversations: finds the worker whose `phone` attribute is `fromNumber`, then opens an
 * agent-initiated SMS Interaction whose task (targetWorkerPhone, autoAnswer) only that worker gets.
 */
export function createOutboundSmsTasks(options: OutboundSmsTasksOptions): OutboundSmsTasks {
  const { twilio } = options;
  let routing: Promise<{ workspaceSid: string; workflowSid: string }> | undefined;
  const resolveRouting = () =>
    (routing ??= (async () => {
      const workspaceSid = await resolveWorkspaceSid(twilio, options.workspaceSid);
      if (options.workflowSid) return { workspaceSid, workflowSid: options.workflowSid };
      if (!options.simulated) throw new HttpError(503, OUTBOUND_NOT_CONFIGURED);
      const ensured = await ensureOutboundSmsWorkflow(twilio, workspaceSid);
      if (ensured.created.length) options.logger.info({ created: ensured.created }, 'created the outbound SMS workflow in the simulator');
      return { workspaceSid, workflowSid: ensured.workflowSid };
    })().catch((e: unknown) => {
      routing = undefined;
      throw e instanceof HttpError ? e : twilioFailure(e, 'cannot resolve the TaskRouter workspace and workflow');
    }));

  return {
    async create(request) {
      const { workspaceSid, workflowSid } = await resolveRouting();
      const workers = await findWorkersByPhone(twilio, workspaceSid, request.fromNumber).catch((e: unknown) => {
        throw twilioFailure(e, 'cannot list the TaskRouter workers');
      });
      if (workers.length === 0) {
        throw new HttpError(422, `fromNumber ${request.fromNumber}: no worker in workspace ${workspaceSid} has it as their "phone" attribute`);
      }
      if (workers.length > 1) {
        throw new HttpError(409, `fromNumber ${request.fromNumber}: ${workers.length} workers have it as their "phone" attribute (${workers.map((w) => w.sid).join(', ')}); each worker needs a number of their own`);
      }
      const worker = workers[0]!;
      const created = await createOutboundSmsInteraction(twilio, {
        workspaceSid,
        workflowSid,
        taskChannel: options.taskChannel,
        fromNumber: request.fromNumber,
        toNumber: request.toNumber,
        toName: request.toName,
        extraAttributes: { targetWorkerSid: worker.sid },
      }).catch((e: unknown) => {
        throw twilioFailure(e, 'cannot create the interaction');
      });
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
