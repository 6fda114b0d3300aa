import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  InboundSmsReceived,
  MessageStatusReported,
  StatusCallbackQuery,
  Topics,
  TwilioInboundSmsForm,
  TwilioStatusCallbackForm,
  createMessage,
  uuidFromName,
} from '@sms-survey/contracts';
import type { EventProducer } from '@sms-survey/kafka';
import { validateTwilioWebhook } from '@sms-survey/twilio';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { HttpError } from '../http-errors.js';
import { TWILIO_SIGNATURE_SECURITY, commonAnswers, error, type DocumentedAnswer } from '../openapi.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** What a Twilio webhook answers (the same for the TaskRouter events but for the 2xx), for the OpenAPI document. */
export function twilioWebhookAnswers(accepted: [number, DocumentedAnswer]): Record<number, DocumentedAnswer> {
  return {
    [accepted[0]]: accepted[1],
    400: error('a parameter is missing or bad (each named in `problems`)'),
    403: error('missing or invalid `X-Twilio-Signature` for PUBLIC_BASE_URL + path (logged with the URL checked)'),
    413: commonAnswers.tooLarge,
    415: commonAnswers.unsupportedType,
    500: commonAnswers.internal,
    503: error('Kafka cannot take the event right now: Twilio retries', { 'retry-after': { description: 'seconds', schema: z.string() } }),
  };
}

const TWIML_ACCEPTED: [number, DocumentedAnswer] = [
  200,
  { description: 'taken: the event is on Kafka (empty TwiML: no reply from here)', content: { 'text/xml': { schema: z.literal(EMPTY_TWIML) } } },
];

const webhookSchema = (summary: string, description: string) => ({
  tags: ['twilio'],
  summary,
  description,
  security: TWILIO_SIGNATURE_SECURITY,
  consumes: ['application/x-www-form-urlencoded'],
  response: twilioWebhookAnswers(TWIML_ACCEPTED),
});

const INBOUND_SCHEMA = {
  ...webhookSchema(
    "Twilio's incoming-message webhook (the number's or Messaging Service's A MESSAGE COMES IN URL)",
    'Signature-checked, validated and written to `sms.inbound.v1` (acks=all) before the answer. Only the fields used are listed; Twilio sends more, which are accepted.',
  ),
  body: TwilioInboundSmsForm,
};

const STATUS_SCHEMA = {
  ...webhookSchema(
    "Twilio's message status callback (the StatusCallback of the SMS the dispatcher sends)",
    'Signature-checked, validated and written to `sms.status.v1` (acks=all) before the answer; `commandId` in the query is the send command the dispatcher put in the callback URL.',
  ),
  querystring: StatusCallbackQuery,
  body: TwilioStatusCallbackForm,
};

export interface TwilioWebhookOptions {
  publicBaseUrl: string;
  authTokens: readonly string[];
  producer: EventProducer;
  registry: Registry;
}

/**
 * Twilio's messaging webhooks. Each request is signature-checked against the public URL, validated, written
 * to Kafka (acks=all), and only then acknowledged with empty TwiML; if Kafka cannot take it we answer 503 so
 * Twilio retries. Event ids derive from the MessageSid, so a retried webhook yields the same event id and is
 * dropped by the consumer's de-duplication.
 */
/**
 * Throws a 403 unless the request carries Twilio's signature for the URL Twilio was configured with
 * (`publicBaseUrl` + the path and query). The refusal is logged with that URL: a `PUBLIC_BASE_URL` that is not
 * the URL Twilio calls makes every webhook fail this way.
 */
export function assertTwilioSignature(request: FastifyRequest, options: { publicBaseUrl: string; authTokens: readonly string[] }, onRefused: () => void): void {
  const url = options.publicBaseUrl + request.url;
  const signature = request.headers['x-twilio-signature'] as string | undefined;
  if (validateTwilioWebhook({ authTokens: [...options.authTokens], url, signature, params: (request.body ?? {}) as Record<string, string | string[]> })) return;
  onRefused();
  request.log.warn({ checkedUrl: url, signed: signature !== undefined }, 'Twilio webhook refused (403): the signature does not match this URL; PUBLIC_BASE_URL must be the base URL Twilio calls');
  throw new HttpError(403, 'missing or invalid X-Twilio-Signature');
}

export function registerTwilioWebhooks(app: FastifyInstance, options: TwilioWebhookOptions): void {
  const received = new Counter({
    name: 'gateway_twilio_webhooks_total',
    help: 'Twilio webhooks received, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [options.registry],
  });

  // Label sets bound once: `inc({ kind, outcome })` would look the series up by its labels on every webhook.
  const inboundAccepted = received.labels({ kind: 'inbound', outcome: 'accepted' });
  const statusAccepted = received.labels({ kind: 'status', outcome: 'accepted' });
  const authTokens = [...options.authTokens];

  function assertSigned(request: FastifyRequest, kind: string): void {
    assertTwilioSignature(request, { publicBaseUrl: options.publicBaseUrl, authTokens }, () => received.inc({ kind, outcome: 'bad-signature' }));
  }

  app.post('/twilio/messaging/inbound', { schema: INBOUND_SCHEMA }, async (request, reply) => {
    assertSigned(request, 'inbound');
    const form = TwilioInboundSmsForm.parse(request.body);
    const event = createMessage(InboundSmsReceived, {
      id: uuidFromName(`inbound:${form.MessageSid}`),
      type: 'sms.inbound.received',
      schemaVersion: 1,
      payload: {
        messageSid: form.MessageSid,
        accountSid: form.AccountSid,
        from: form.From,
        to: form.To,
        body: form.Body,
        optOutType: form.OptOutType,
        receivedAt: new Date().toISOString(),
      },
    });
    // `event` was just parsed by createMessage with the topic's schema (InboundSmsReceived).
    await options.producer.publish([{ topic: Topics.inboundSms, key: form.From, message: event }], { validated: true });
    inboundAccepted.inc();
    return reply.type('text/xml').send(EMPTY_TWIML);
  });

  app.post('/twilio/messaging/status', { schema: STATUS_SCHEMA }, async (request, reply) => {
    assertSigned(request, 'status');
    const form = TwilioStatusCallbackForm.parse(request.body);
    const { commandId } = StatusCallbackQuery.parse(request.query);
    const event = createMessage(MessageStatusReported, {
      id: uuidFromName(`status:${form.MessageSid}:${form.MessageStatus}`),
      type: 'sms.status.reported',
      schemaVersion: 1,
      payload: {
        messageSid: form.MessageSid,
        commandId,
        status: form.MessageStatus,
        errorCode: form.ErrorCode,
        to: form.To,
        from: form.From,
        reportedAt: new Date().toISOString(),
      },
    });
    await options.producer.publish([{ topic: Topics.messageStatus, key: form.To, message: event }]);
    statusAccepted.inc();
    return reply.type('text/xml').send(EMPTY_TWIML);
  });
}
