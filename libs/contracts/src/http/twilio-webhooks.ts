import { z } from 'zod';
import { E164, Sid } from '../common.js';
import { MessageStatus } from '../sms.js';

/** Twilio's incoming-message webhook (form-encoded). Only the fields we use; Twilio sends many more. */
export const TwilioInboundSmsForm = z.looseObject({
  MessageSid: Sid('(SM|MM)'),
  AccountSid: Sid('AC'),
  From: E164,
  To: E164,
  Body: z.string().max(1600).default(''),
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional(),
});
export type TwilioInboundSmsForm = z.infer<typeof TwilioInboundSmsForm>;

/** Twilio's message status callback (form-encoded). */
export const TwilioStatusCallbackForm = z.looseObject({
  MessageSid: Sid('(SM|MM)'),
  MessageStatus: MessageStatus,
  From: E164,
  To: E164,
  ErrorCode: z.coerce.number().int().optional(),
});
export type TwilioStatusCallbackForm = z.infer<typeof TwilioStatusCallbackForm>;

export const StatusCallbackQuery = z.object({ commandId: z.uuid().optional() });
