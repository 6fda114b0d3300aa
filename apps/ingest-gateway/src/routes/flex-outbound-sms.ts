import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { E164, OutboundSmsTaskRequest, type OutboundSmsTaskCreated } from '@sms-survey/contracts';
import { Counter, type Registry } from 'prom-client';
import { createApiKeyCheck } from '../api/api-keys.js';
import { mobileNumberProblem } from '../api/mobile-number.js';
import { OUTBOUND_SMS_TASK_OUTCOMES, OutboundSmsTaskError, type OutboundSmsTaskOutcome, type OutboundSmsTasks } from '../api/outbound-sms-tasks.js';
import { HttpError, zodIssues } from '../http-errors.js';
import { documentApiKey, error, json, type DocumentedAnswer } from '../openapi.js';

export interface OutboundSmsTaskRouteOptions {
  apiKeys: readonly string[];
  tasks: OutboundSmsTasks;
  registry: Registry;
}

/** The contract's request, with `toNumber` also checked to be a mobile number (E.164 form first). */
const OutboundSmsTaskBody = OutboundSmsTaskRequest.extend({
  toNumber: E164.pipe(
    z.string().check((ctx) => {
      const problem = mobileNumberProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem.replace('a survey SMS needs', 'an SMS conversation needs'), input: ctx.value });
    }),
  ),
});

/**
 * Every answer of `POST /v1/flex/outbound-sms-tasks`: its status, the `outcome` it is counted under in
 * `gateway_outbound_sms_tasks_total`, and when. docs/flex.md has the same table; the route schema is built from it.
 */
export const OUTBOUND_SMS_TASK_ANSWERS: ReadonlyArray<{ status: number; outcome: OutboundSmsTaskOutcome; when: string }> = [
  { status: 201, outcome: 'created', when: "the interaction, its conversation and the agent's task were created" },
  { status: 400, outcome: 'invalid', when: 'a field is missing or bad (each named in `problems`), or the body is not JSON' },
  { status: 401, outcome: 'unauthorized', when: 'no valid API key' },
  { status: 409, outcome: 'several-workers', when: 'several workers have `fromNumber` as their `phone`' },
  { status: 413, outcome: 'invalid', when: 'the body is larger than MAX_BODY_BYTES' },
  { status: 415, outcome: 'invalid', when: 'the content type is neither JSON nor a form (plain text is read, and is a 400)' },
  { status: 422, outcome: 'no-worker', when: 'no worker has `fromNumber` as their `phone`' },
  {
    status: 422,
    outcome: 'twilio-rejected',
    when: 'Twilio refused the interaction for what the request names: a 400, or a 404 for a resource Twilio does not have (e.g. `fromNumber` is not a number of the account); Twilio\'s message is in `error`',
  },
  { status: 500, outcome: 'error', when: 'a fault in the gateway; `requestId` finds it in the log' },
  { status: 502, outcome: 'twilio-auth-failed', when: "Twilio refused the gateway's credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)" },
  { status: 502, outcome: 'misconfigured', when: 'Twilio has no such workspace, workflow or task channel as configured (TWILIO_WORKSPACE_SID, FLEX_OUTBOUND_WORKFLOW_SID, FLEX_OUTBOUND_TASK_CHANNEL)' },
  { status: 502, outcome: 'twilio-error', when: 'any other Twilio answer that retrying will not change' },
  { status: 503, outcome: 'twilio-unavailable', when: 'Twilio is unavailable (5xx, 429, network error, timeout): retry after `Retry-After` seconds' },
  { status: 503, outcome: 'not-configured', when: 'a real Twilio account and no FLEX_OUTBOUND_WORKFLOW_SID' },
];

/** The 201 answer (the contracts' OutboundSmsTaskCreated), for the OpenAPI document. */
const CreatedAnswer = z.object({
  interactionSid: z.string().meta({ description: 'KD…: the Interaction' }),
  interactionChannelSid: z.string().optional().meta({ description: 'UO…: its channel' }),
  taskSid: z.string().optional().meta({ description: "WT…: the agent's task, when Twilio's answer names it" }),
  conversationSid: z.string().optional().meta({ description: 'CH…: the Conversation carrying the messages, when the task attributes name it' }),
  workerSid: z.string().meta({ description: 'WK…: the worker whose `phone` is `fromNumber`' }),
  workspaceSid: z.string(),
  workflowSid: z.string(),
}) satisfies z.ZodType<OutboundSmsTaskCreated>;

/** The route's schema: what it answers, each status described by the outcomes it carries. The body is checked with zod in the handler. */
export const OUTBOUND_SMS_TASK_ROUTE_SCHEMA = {
  tags: ['flex'],
  summary: 'Open an SMS conversation from an agent to a customer, as a task only that agent gets (seed 003)',
  description: 'Not idempotent: a repeated request opens another conversation. Each answer is counted in `gateway_outbound_sms_tasks_total{outcome}` (docs/flex.md).',
  body: OutboundSmsTaskBody,
  response: Object.fromEntries(
    [...new Set(OUTBOUND_SMS_TASK_ANSWERS.map((a) => a.status))].map((status) => {
      const description = OUTBOUND_SMS_TASK_ANSWERS.filter((a) => a.status === status)
        .map((a) => `${a.outcome}: ${a.when}`)
        .join('; ');
      return [status, status === 201 ? json(description, CreatedAnswer) : error(description, status === 503 ? { 'retry-after': { description: 'seconds to wait before retrying', schema: z.string() } } : undefined)];
    }),
  ) as Record<number, DocumentedAnswer>,
};

/** The outcome of an answer no handler named (fastify's own 400/413/415, the error handler's 500). */
function outcomeOfStatus(status: number): OutboundSmsTaskOutcome {
  if (status === 201) return 'created';
  if (status === 401) return 'unauthorized';
  if (status >= 400 && status < 500) return 'invalid';
  return 'error';
}

/**
 * `POST /v1/flex/outbound-sms-tasks` (API key, like the rest of /v1): seed 003's "outbound SMS task for an
 * agent", on Flex Conversations' Interactions API. Answers: OUTBOUND_SMS_TASK_ANSWERS. Not idempotent: a repeated
 * request opens another conversation.
 */
export async function registerOutboundSmsTaskRoute(app: FastifyInstance, options: OutboundSmsTaskRouteOptions): Promise<void> {
  const requests = new Counter({
    name: 'gateway_outbound_sms_tasks_total',
    help: 'Outbound SMS task requests (POST /v1/flex/outbound-sms-tasks), by outcome (docs/flex.md)',
    labelNames: ['outcome'],
    registers: [options.registry],
  });
  for (const outcome of OUTBOUND_SMS_TASK_OUTCOMES) requests.inc({ outcome }, 0);
  const outcomes = new WeakMap<FastifyRequest, OutboundSmsTaskOutcome>();
  const authorized = createApiKeyCheck(options.apiKeys);
  await app.register(
    async (api) => {
      documentApiKey(api);
      api.addHook('onRequest', async (request, reply) => {
        if (authorized(request.headers.authorization)) return;
        outcomes.set(request, 'unauthorized');
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid API key' });
      });
      // Every answer is counted once, whoever gave it: the handler, the hook above, fastify's body parsing, the error handler.
      api.addHook('onSend', async (request, reply, payload) => {
        requests.inc({ outcome: outcomes.get(request) ?? outcomeOfStatus(reply.statusCode) });
        return payload;
      });
      api.post('/flex/outbound-sms-tasks', { schema: OUTBOUND_SMS_TASK_ROUTE_SCHEMA }, async (request, reply) => {
        const body = OutboundSmsTaskBody.safeParse(request.body);
        if (!body.success) {
          outcomes.set(request, 'invalid');
          throw new HttpError(400, 'invalid request', zodIssues(body.error));
        }
        try {
          const created = await options.tasks.create(body.data);
          outcomes.set(request, 'created');
          request.log.info({ interactionSid: created.interactionSid, taskSid: created.taskSid, workerSid: created.workerSid }, 'outbound SMS task created');
          return await reply.code(201).send(created);
        } catch (error) {
          if (error instanceof OutboundSmsTaskError) {
            outcomes.set(request, error.outcome);
            if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
            const level = error.statusCode >= 500 ? 'warn' : 'info';
            request.log[level]({ outcome: error.outcome, status: error.statusCode, reason: error.message }, 'outbound SMS task not created');
          }
          throw error;
        }
      });
    },
    { prefix: '/v1' },
  );
}
