import { z } from 'zod';
import { E164, Sender, Sid, toStorableText } from '../common.js';
import { MessageStatus } from '../sms.js';

/** Twilio's incoming-message webhook (form-encoded). Only the fields we use; Twilio sends many more. */
export const TwilioInboundSmsForm = z.looseObject({
  MessageSid: Sid('(SM|MM)'),
  AccountSid: Sid('AC'),
  From: E164,
  To: E164,
  /**
   * What the customer wrote. Twilio was told the message was taken once we answer 200, so it must be stored
   * and applied: a NUL or an unpaired surrogate (which PostgreSQL cannot store) becomes U+FFFD. The signature
   * was checked against the original parameters before this.
   */
  Body: z.string().max(1600).default('').transform(toStorableText),
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional(),
});
export type TwilioInboundSmsForm = z.infer<typeof TwilioInboundSmsForm>;

/** Twilio's message status callback (form-encoded). */
export const TwilioStatusCallbackForm = z.looseObject({
  MessageSid: Sid('(SM|MM)'),
  MessageStatus: MessageStatus,
  /** Our number (for a Messaging Service, the one Twilio chose) or alphanumeric sender id. */
  From: Sender,
  To: E164,
  ErrorCode: z.coerce.number().int().optional(),
});
export type TwilioStatusCallbackForm = z.infer<typeof TwilioStatusCallbackForm>;

export const StatusCallbackQuery = z.object({ commandId: z.uuid().optional() });
