/**
 * Messages per second Twilio allows a sender, by kind of sender (Twilio's documented queue rates): US/Canada
 * long codes 1, toll-free 3, short codes 100, international long codes and alphanumeric sender ids 10.
 * Configured per-sender rates take precedence.
 */
export type SenderKind = 'us-ca-long-code' | 'toll-free' | 'short-code' | 'international-long-code' | 'alphanumeric';

export const DEFAULT_RATE_BY_KIND: Readonly<Record<SenderKind, number>> = {
  'us-ca-long-code': 1,
  'toll-free': 3,
  'short-code': 100,
  'international-long-code': 10,
  alphanumeric: 10,
};

const NANP_TOLL_FREE = /^\+1(800|833|844|855|866|877|888)\d{7}$/;

export function senderKind(sender: string): SenderKind {
  if (!sender.startsWith('+')) return /^\d{3,8}$/.test(sender) ? 'short-code' : 'alphanumeric';
  if (NANP_TOLL_FREE.test(sender)) return 'toll-free';
  if (/^\+1\d{10}$/.test(sender)) return 'us-ca-long-code';
  return 'international-long-code';
}

export function messagesPerSecond(sender: string, configured: Readonly<Record<string, number>> = {}): number {
  return configured[sender] ?? DEFAULT_RATE_BY_KIND[senderKind(sender)];
}
