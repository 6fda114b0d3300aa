import { z } from 'zod';
import { E164, Text } from '../common.js';

/**
 * The body of `POST /v1/flex/outbound-sms-tasks` (seed 003): an agent wants to text a customer from Flex.
 * `fromNumber` is the agent's own Twilio number (the `phone` attribute of their TaskRouter worker); the
 * gateway also checks that `toNumber` is a mobile number.
 */
export const OutboundSmsTaskRequest = z.object({
  fromNumber: E164,
  /** Shown as the customer's name on the task and in the conversation. */
  toName: Text(100).trim().min(1),
  toNumber: E164,
});
export type OutboundSmsTaskRequest = z.infer<typeof OutboundSmsTaskRequest>;

/** 201 Created: what Twilio created (Flex Conversations' Interactions API). */
export interface OutboundSmsTaskCreated {
  /** KD…: the Interaction. */
  interactionSid: string;
  /** UO…: its channel. */
  interactionChannelSid?: string;
  /** WT…: the agent's task, when Twilio's answer names it. */
  taskSid?: string;
  /** CH…: the Conversation that carries the messages, when the task attributes name it. */
  conversationSid?: string;
  /** WK…: the worker whose `phone` is `fromNumber`, the only one the task is routed to. */
  workerSid: string;
  workspaceSid: string;
  workflowSid: string;
}
