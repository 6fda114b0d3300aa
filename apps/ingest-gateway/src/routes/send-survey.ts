import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  SurveyPathParams,
  DEFAULT_SURVEY_EXPIRY_MS,
  E164,
  SendSurveyAccepted,
  SendSurveyRequest,
  SurveySendRequested,
  Topics,
  createMessage,
  uuidFromName,
} from '@sms-survey/contracts';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import { senderProblem } from '@sms-survey/survey-domain';
import type { EventProducer } from '@sms-survey/kafka';
import { Counter, type Registry } from 'prom-client';
import { mobileNumberProblem } from '../api/mobile-number.js';
import type { SuppressionList } from '../api/suppressions.js';
import { HttpError, zodIssues } from '../http-errors.js';
import { bodyAnswers, error, json } from '../openapi.js';

export interface SendSurveyOptions {
  surveys: SurveyDefinitionRepository;
  /** Customers who opted out (texted STOP): SendSurvey refuses them with 409. */
  suppressions: SuppressionList;
  producer: EventProducer;
  registry: Registry;
}

/** The contract's request, with the identifier also checked to be a mobile number (E.164 form first). */
const SendSurveyBody = SendSurveyRequest.extend({
  identifier: E164.pipe(
    z.string().check((ctx) => {
      const problem = mobileNumberProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    }),
  ),
});

const IdempotencyKey = z.string().min(1).max(200).optional();

export const OPTED_OUT = 'the customer has opted out of surveys (texted STOP); they must text START to receive surveys again';

/**
 * SendSurvey (mounted under /v1): validates the request, refuses a customer on the suppression list (409),
 * picks the survey's latest version and a session id,
 * and writes one `survey.send.requested` command keyed by the customer's number; 202 once Kafka has it (acks=all).
 * With an `Idempotency-Key` header the session id (and the command's event id) derive from the key, so a
 * retried request names the same session and the orchestrator drops the copy.
 */
export function registerSendSurveyRoute(api: FastifyInstance, options: SendSurveyOptions): void {
  const requests = new Counter({
    name: 'gateway_survey_send_requests_total',
    help: 'SendSurvey requests, by outcome',
    labelNames: ['outcome'],
    registers: [options.registry],
  });

  const schema = {
    tags: ['surveys'],
    summary: 'SendSurvey: text a survey to a customer',
    description:
      "Starts a session with the survey's latest version; 202 once the command is on Kafka. With an `Idempotency-Key` the session id derives from it, so a retried request names the same session and is applied once (docs/surveys.md).",
    params: SurveyPathParams,
    headers: z.object({ 'idempotency-key': IdempotencyKey.meta({ description: 'makes retries safe: the same key names the same session (1–200 characters)' }) }),
    body: SendSurveyBody,
    response: {
      202: json('accepted: the session that will text the customer', SendSurveyAccepted),
      ...bodyAnswers('a field is missing or bad (each named in `problems`: e.g. `identifier` not a mobile number, a `sender` that cannot receive replies for a survey with questions)'),
      404: error('no such survey'),
      409: error('the customer has opted out (texted STOP)'),
    },
  };
  api.post('/surveys/:surveyId/send', { schema }, async (request, reply) => {
    const params = SurveyPathParams.safeParse(request.params);
    const body = SendSurveyBody.safeParse(request.body);
    const header = request.headers['idempotency-key'];
    const key = IdempotencyKey.safeParse(Array.isArray(header) ? header.join(',') : header);
    const problems = [
      ...(params.success ? [] : zodIssues(params.error)),
      ...(body.success ? [] : zodIssues(body.error)),
      ...(key.success ? [] : key.error.issues.map((i) => `Idempotency-Key: ${i.message}`)),
    ];
    if (!params.success || !body.success || !key.success) {
      requests.inc({ outcome: 'invalid' });
      throw new HttpError(400, 'invalid request', problems);
    }
    const send = body.data;
    const { surveyId } = params.data;

    const survey = await options.surveys.latest(surveyId);
    if (!survey) {
      requests.inc({ outcome: 'unknown-survey' });
      throw new HttpError(404, `survey ${surveyId} not found`);
    }

    const senderRefused = send.sender === undefined ? undefined : senderProblem(send.sender, survey.definition);
    if (senderRefused) {
      requests.inc({ outcome: 'invalid' });
      throw new HttpError(400, 'invalid request', [`sender: ${senderRefused}`]);
    }

    if (await options.suppressions.isSuppressed(send.identifier)) {
      requests.inc({ outcome: 'opted-out' });
      throw new HttpError(409, OPTED_OUT);
    }

    const idempotencyKey = key.data;
    const sessionId = idempotencyKey ? uuidFromName(`send:${surveyId}:${idempotencyKey}`) : randomUUID();
    const expiresAt = new Date(send.expiryTime ? Date.parse(send.expiryTime) : Date.now() + DEFAULT_SURVEY_EXPIRY_MS).toISOString();
    const command = createMessage(SurveySendRequested, {
      ...(idempotencyKey ? { id: uuidFromName(`survey.send.requested:${sessionId}`) } : {}),
      type: 'survey.send.requested',
      schemaVersion: 1,
      payload: {
        sessionId,
        surveyId,
        surveyVersion: survey.version,
        customer: send.identifier,
        clientReference: send.clientReference,
        expiresAt,
        userSessionVariables: send.userSessionVariables ?? [],
        content: send.content,
        language: send.language,
        ...(send.sender !== undefined && { sender: send.sender }),
        origin: { kind: 'api' },
      },
    });
    await options.producer.publish([{ topic: Topics.surveyCommands, key: send.identifier, message: command }]);
    requests.inc({ outcome: 'accepted' });
    request.log.info({ sessionId, surveyId, surveyVersion: survey.version, customer: send.identifier }, 'survey send requested');
    const accepted: z.infer<typeof SendSurveyAccepted> = { sessionId, surveyId, surveyVersion: survey.version, expiresAt };
    return reply.code(202).send(accepted);
  });
}
