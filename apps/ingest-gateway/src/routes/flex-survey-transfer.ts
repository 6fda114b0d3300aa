import type { FastifyInstance } from 'fastify';
import {
  FlexSurveyTransferAccepted,
  FlexSurveyTransferRequest,
  FlexTaskLifecycle,
  Topics,
  createMessage,
} from '@sms-survey/contracts';
import type { EventProducer } from '@sms-survey/kafka';
import { normalizeCustomerAddress } from '@sms-survey/survey-domain';
import { Counter, type Registry } from 'prom-client';
import { HttpError, zodIssues } from '../http-errors.js';
import { bodyAnswers, json } from '../openapi.js';
import { taskEventId } from './taskrouter-events.js';

export interface FlexSurveyTransferOptions {
  producer: EventProducer;
  registry: Registry;
}

/**
 * `POST /v1/flex/survey-transfer` (mounted under /v1, API key): for teams that keep the seed's Flex plugin, which
 * calls this at wrap-up instead of its `sms-survey-transfer` function. It writes a `plugin.transfer` flex task
 * event, so the survey goes through the same policies and the same one-survey-per-task rule as the TaskRouter
 * events; the event id derives from the task sid, so the plugin retrying sends nothing twice.
 */
export function registerFlexSurveyTransferRoute(api: FastifyInstance, options: FlexSurveyTransferOptions): void {
  const requests = new Counter({
    name: 'gateway_flex_survey_transfers_total',
    help: 'Flex plugin survey transfers, by outcome',
    labelNames: ['outcome'],
    registers: [options.registry],
  });

  const schema = {
    tags: ['flex'],
    summary: "The seed Flex plugin's survey transfer at wrap-up (JSON or a form)",
    description:
      'Writes a `plugin.transfer` flex task event; the orchestrator decides by policy whether the customer gets a survey (FLEX_SURVEY_POLICIES, docs/flex.md). One survey per task, however often this is sent.',
    consumes: ['application/json', 'application/x-www-form-urlencoded'],
    body: FlexSurveyTransferRequest,
    response: {
      202: json('accepted: the event was written', FlexSurveyTransferAccepted),
      ...bodyAnswers('a field is missing or bad (each named in `problems`)'),
    },
  };
  api.post('/flex/survey-transfer', { schema }, async (request, reply) => {
    const parsed = FlexSurveyTransferRequest.safeParse(request.body);
    const problems = parsed.success ? [] : zodIssues(parsed.error);
    const customer = parsed.success ? normalizeCustomerAddress(parsed.data.customerAddress) : undefined;
    if (parsed.success && !customer) problems.push('customerAddress: must be an E.164 phone number such as +4791234567 (a whatsapp: or sms: prefix is allowed)');
    if (!parsed.success || !customer) {
      requests.inc({ outcome: 'invalid' });
      throw new HttpError(400, 'invalid request', problems);
    }
    const body = parsed.data;
    const attributes: Record<string, unknown> = { ...body.taskAttributes, customerAddress: customer };
    if (body.channelType) attributes.channelType = body.channelType;
    if (body.conversationId) {
      const conversations = attributes.conversations;
      attributes.conversations = { ...(conversations && typeof conversations === 'object' ? conversations : {}), conversation_id: body.conversationId };
    }
    const now = new Date().toISOString();
    const event = createMessage(FlexTaskLifecycle, {
      id: taskEventId(body.taskSid, 'plugin.transfer'),
      occurredAt: now,
      type: 'flex.task.lifecycle',
      schemaVersion: 1,
      payload: {
        eventType: 'plugin.transfer',
        taskSid: body.taskSid,
        taskAttributes: attributes,
        taskQueueSid: body.taskQueueSid,
        taskQueueName: body.taskQueueName,
        workflowSid: body.workflowSid,
        workflowName: body.workflowName,
        taskChannelUniqueName: body.taskChannelUniqueName,
        workerSid: body.workerSid,
        workerName: body.workerName,
        surveySenderNumber: body.surveySmsPhoneNumber,
        occurredAt: now,
      },
    });
    await options.producer.publish([{ topic: Topics.flexTaskEvents, key: body.taskSid, message: event }]);
    requests.inc({ outcome: 'accepted' });
    request.log.info({ taskSid: body.taskSid, eventId: event.id }, 'flex survey transfer accepted');
    const accepted: FlexSurveyTransferAccepted = { taskSid: body.taskSid, eventId: event.id };
    return reply.code(202).send(accepted);
  });
}
