/**
 * Messages per second Twilio allows a sender, by kind of sender (Twilio's documented queue rates): US/Canada
 * long codes 1, toll-free 3, short codes 100, international long codes and alphanumeric sender ids 10.
 * A Messaging Service (`MG…`) has one queue for the whole service, whose rate is the sum of its senders' (or
 * its A2P 10DLC campaign's): unknown here, so the default is that of a service with one US long code, 1.
 * Configured per-sender rates take precedence (`SENDER_RATES="MG…=10"`).
 */
export type SenderKind = 'us-ca-long-code' | 'toll-free' | 'short-code' | 'international-long-code' | 'alphanumeric' | 'messaging-service';

export const DEFAULT_RATE_BY_KIND: Readonly<Record<SenderKind, number>> = {
  'us-ca-long-code': 1,
  'toll-free': 3,
  'short-code': 100,
  'international-long-code': 10,
  alphanumeric: 10,
  'messaging-service': 1,
};

const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

const NANP_TOLL_FREE = /^\+1(800|833|844|855|866|877|888)\d{7}$/;

export function senderKind(sender: string): SenderKind {
  if (MESSAGING_SERVICE_SID.test(sender)) return 'messaging-service';
  if (!sender.startsWith('+')) return /^\d{3,8}$/.test(sender) ? 'short-code' : 'alphanumeric';
  if (NANP_TOLL_FREE.test(sender)) return 'toll-free';
  if (/^\+1\d{10}$/.test(sender)) return 'us-ca-long-code';
  return 'international-long-code';
}

export function messagesPerSecond(sender: string, configured: Readonly<Record<string, number>> = {}): number {
  return configured[sender] ?? DEFAULT_RATE_BY_KIND[senderKind(sender)];
}
