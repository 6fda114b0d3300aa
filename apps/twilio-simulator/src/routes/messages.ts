import type { FastifyInstance } from 'fastify';
import { enforceContract, type ApiContext } from '../api-context.js';
import { api2010Page } from '../paging.js';
import { param, paramValues } from '../params.js';
import { countSegments } from '../segments.js';
import { newSid } from '../sids.js';
import { chooseServiceNumber, serviceNumbers } from '../messaging-services.js';
import { optOutKey, type SimMessage } from '../state.js';
import { TwilioApiError, invalidParameter, notFound } from '../twilio-error.js';
import { messageResource } from '../views.js';

const MAX_BODY_CHARS = 1600;

/** Twilio's magic test numbers: sending to them fails the way the real API does. */
const MAGIC_TO_NUMBERS: Record<string, { code: number; message: string }> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number is not currently reachable via SMS." },
  '+15005550003': { code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number.' },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

export function registerMessageRoutes(api: FastifyInstance, ctx: ApiContext): void {
  const { state } = ctx;
  const prefix = '/api/2010-04-01/Accounts/:AccountSid';

  api.addHook('preHandler', async (request) => {
    const accountSid = (request.params as { AccountSid?: string }).AccountSid;
    if (accountSid !== undefined && accountSid !== state.accountSid) throw notFound(request.url.split('?')[0]!);
  });

  api.post(`${prefix}/Messages.json`, async (request, reply) => {
    const params = ctx.paramsOf(request);
    enforceContract(ctx, 'CreateMessage', params);
    const to = param(params, 'To')!;
    const from = param(params, 'From');
    const messagingServiceSid = param(params, 'MessagingServiceSid');
    const body = param(params, 'Body') ?? '';
    const mediaUrls = paramValues(params, 'MediaUrl');
    if (!from && !messagingServiceSid) throw new TwilioApiError(400, 21603, "A 'From' phone number is required.");
    if (!body && mediaUrls.length === 0 && !param(params, 'ContentSid')) throw new TwilioApiError(400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY_CHARS) {
      throw new TwilioApiError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const validityPeriod = param(params, 'ValidityPeriod');
    if (validityPeriod !== undefined && (Number(validityPeriod) < 1 || Number(validityPeriod) > 36000)) {
      throw invalidParameter('ValidityPeriod must be between 1 and 36000 seconds');
    }
    const magic = MAGIC_TO_NUMBERS[to];
    if (magic) throw new TwilioApiError(400, magic.code, magic.message);
    if (!from && messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) {
      throw new TwilioApiError(400, 21701, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
    }
    // Through a Messaging Service, Twilio picks the number (sticky per customer) and reports it as `From`.
    const sender = from ?? chooseServiceNumber(state, messagingServiceSid!, to);
    // Twilio's opt-outs through a Messaging Service cover all its numbers.
    const blocked = from
      ? state.optOuts.has(optOutKey(to, from))
      : serviceNumbers(state, messagingServiceSid!).some((n) => state.optOuts.has(optOutKey(to, n)));
    if (blocked) {
      throw new TwilioApiError(400, 21610, 'Attempt to send to unsubscribed recipient');
    }

    const now = new Date();
    const message: SimMessage = {
      sid: newSid(mediaUrls.length > 0 ? 'MM' : 'SM'),
      accountSid: state.accountSid,
      direction: 'outbound-api',
      from: sender,
      to,
      body,
      status: from ? 'queued' : 'accepted',
      numSegments: countSegments(body),
      numMedia: mediaUrls.length,
      messagingServiceSid: messagingServiceSid ?? null,
      statusCallback: param(params, 'StatusCallback') ?? null,
      validityPeriod: validityPeriod !== undefined ? Number(validityPeriod) : null,
      errorCode: null,
      errorMessage: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    state.messages.push(message);
    ctx.lifecycle.start(message);
    return reply.code(201).send(messageResource(message));
  });

  api.get(`${prefix}/Messages/:Sid.json`, async (request) => {
    const { Sid } = request.params as { Sid: string };
    const message = state.messages.find((m) => m.sid === Sid);
    if (!message) throw notFound(request.url.split('?')[0]!);
    return messageResource(message);
  });

  api.get(`${prefix}/Messages.json`, async (request) => {
    const params = ctx.paramsOf(request);
    const to = param(params, 'To');
    const from = param(params, 'From');
    const matching = state.messages
      .filter((m) => (to === undefined || m.to === to) && (from === undefined || m.from === from))
      .reverse(); // newest first, like Twilio
    const filters = { ...(to !== undefined && { To: to }), ...(from !== undefined && { From: from }) };
    return api2010Page('messages', matching.map(messageResource), `/2010-04-01/Accounts/${state.accountSid}/Messages.json`, filters, params);
  });
}
