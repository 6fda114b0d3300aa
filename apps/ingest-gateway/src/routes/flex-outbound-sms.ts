import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { E164, OutboundSmsTaskRequest } from '@sms-survey/contracts';
import { Counter, type Registry } from 'prom-client';
import { createApiKeyCheck } from '../api/api-keys.js';
import { mobileNumberProblem } from '../api/mobile-number.js';
import type { OutboundSmsTasks } from '../api/outbound-sms-tasks.js';
import { HttpError, zodIssues } from '../http-errors.js';

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
 * `POST /v1/flex/outbound-sms-tasks` (API key, like the rest of /v1): seed 003's "outbound SMS task for an
 * agent", on Flex Conversations' Interactions API. 201 with the interaction, task and conversation sids; 400
 * naming a bad field; 422 when no worker has `fromNumber` as their phone (409 when several do); 503 when Twilio
 * is unavailable or the feature is not configured. Not idempotent: a repeated request opens another conversation.
 */
export async function registerOutboundSmsTaskRoute(app: FastifyInstance, options: OutboundSmsTaskRouteOptions): Promise<void> {
  const requests = new Counter({
    name: 'gateway_outbound_sms_tasks_total',
    help: 'Outbound SMS task requests (POST /v1/flex/outbound-sms-tasks), by outcome',
    labelNames: ['outcome'],
    registers: [options.registry],
  });
  const authorized = createApiKeyCheck(options.apiKeys);
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (authorized(request.headers.authorization)) return;
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid API key' });
      });
      api.post('/flex/outbound-sms-tasks', async (request, reply) => {
        const body = OutboundSmsTaskBody.safeParse(request.body);
        if (!body.success) {
          requests.inc({ outcome: 'invalid' });
          throw new HttpError(400, 'invalid request', zodIssues(body.error));
        }
        try {
          const created = await options.tasks.create(body.data);
          requests.inc({ outcome: 'created' });
          request.log.info({ interactionSid: created.interactionSid, taskSid: created.taskSid, workerSid: created.workerSid }, 'outbound SMS task created');
          return await reply.code(201).send(created);
        } catch (error) {
          requests.inc({ outcome: error instanceof HttpError ? String(error.statusCode) : 'error' });
          throw error;
        }
      });
    },
    { prefix: '/v1' },
  );
}
