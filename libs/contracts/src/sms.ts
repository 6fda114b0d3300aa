import { z } from 'zod';
import { E164, IsoDateTime, Sender, Sid, eventSchema, Text } from './common.js';

/** A customer's SMS, received by the gateway from Twilio's messaging webhook. */
export const InboundSmsReceived = eventSchema(
  'sms.inbound.received',
  1,
  z.object({
    messageSid: Sid('(SM|MM)'),
    accountSid: Sid('AC'),
    from: E164,
    to: E164,
    body: Text(1600),
    /** Twilio's Advanced Opt-Out classification (STOP / START / HELP), when the account has it on. */
    optOutType: z.enum(['STOP', 'START', 'HELP']).optional(),
    receivedAt: IsoDateTime,
  }),
);
export type InboundSmsReceived = z.infer<typeof InboundSmsReceived>;

export const MessageStatus = z.enum([
  'accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'receiving', 'received', 'canceled',
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** A Twilio status callback for a message we sent. `commandId` comes back from the callback URL we set. */
export const MessageStatusReported = eventSchema(
  'sms.status.reported',
  1,
  z.object({
    messageSid: Sid('(SM|MM)'),
    commandId: z.uuid().optional(),
    status: MessageStatus,
    errorCode: z.number().int().optional(),
    to: E164,
    /** The number (or alphanumeric id) the message was sent from; for a Messaging Service, the number Twilio chose. */
    from: Sender,
    reportedAt: IsoDateTime,
  }),
);
export type MessageStatusReported = z.infer<typeof MessageStatusReported>;

/**
 * A command to text a customer. `commandId` is the idempotency key: the dispatcher sends each command id at
 * most once. `notBefore` holds the message until that time; `priority` lets replies to a customer who just
 * answered overtake first questions of new surveys.
 */
export const SmsSendRequested = eventSchema(
  'sms.send.requested',
  1,
  z.object({
    commandId: z.uuid(),
    sessionId: z.uuid().optional(),
    /** A number, a Messaging Service sid (sent with `MessagingServiceSid`; the lane and the rate are the service's) or an alphanumeric id. */
    from: Sender,
    to: E164,
    body: Text(1600).min(1),
    notBefore: IsoDateTime.optional(),
    /** At least this long after the previous SMS from the same sender to the same customer (seed: 2 s). */
    spacingSeconds: z.number().min(0).max(60).optional(),
    priority: z.enum(['reply', 'new-survey']).default('reply'),
    /** Seconds Twilio may keep trying to deliver; a survey question must never arrive hours late. */
    validityPeriodSeconds: z.number().int().min(1).max(36000).optional(),
  }),
);
export type SmsSendRequested = z.infer<typeof SmsSendRequested>;

export const SmsSent = eventSchema(
  'sms.send.accepted',
  1,
  z.object({
    commandId: z.uuid(),
    sessionId: z.uuid().optional(),
    messageSid: Sid('(SM|MM)'),
    /** The sender Twilio sent from: for a Messaging Service, the number it chose (the service's sid if not known, on a redelivered command). */
    from: Sender,
    /** The command's Messaging Service, when it was sent through one. */
    messagingServiceSid: Sid('MG').optional(),
    to: E164,
    status: MessageStatus,
  }),
);
export type SmsSent = z.infer<typeof SmsSent>;

export const SmsSendFailed = eventSchema(
  'sms.send.failed',
  1,
  z.object({
    commandId: z.uuid(),
    sessionId: z.uuid().optional(),
    /** The command's sender. */
    from: Sender,
    to: E164,
    errorCode: z.number().int().optional(),
    reason: Text(2000),
    /** True when retrying cannot help (invalid number, unsubscribed recipient, ...). */
    permanent: z.boolean(),
  }),
);
export type SmsSendFailed = z.infer<typeof SmsSendFailed>;

export const SmsSendResult = z.discriminatedUnion('type', [SmsSent, SmsSendFailed]);
export type SmsSendResult = z.infer<typeof SmsSendResult>;
