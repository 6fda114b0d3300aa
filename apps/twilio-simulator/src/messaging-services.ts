import { createHash } from 'node:crypto';
import type { SimulatorState } from './state.js';

/**
 * Messaging Services (`MessagingServiceSid` instead of `From`): Twilio picks one of the service's numbers for each
 * message. Here a service's numbers are configured with `POST /__sim/messaging-services`; an unconfigured service
 * has one number derived from its sid (`+1555` and 7 digits), so tests need no setup. Like Twilio's sticky
 * sender, a customer keeps the number they were last texted from; a first message takes the pool number the
 * customer's number hashes to.
 */
export function fakeServiceNumber(serviceSid: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(serviceSid).digest('hex').slice(0, 12)}`) % 10_000_000n;
  return `+1555${digits.toString().padStart(7, '0')}`;
}

export function serviceNumbers(state: SimulatorState, serviceSid: string): readonly string[] {
  const configured = state.messagingServices.get(serviceSid);
  return configured && configured.length > 0 ? configured : [fakeServiceNumber(serviceSid)];
}

export function chooseServiceNumber(state: SimulatorState, serviceSid: string, to: string): string {
  const pool = serviceNumbers(state, serviceSid);
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i]!;
    if (m.direction === 'outbound-api' && m.messagingServiceSid === serviceSid && m.to === to && m.from !== null && pool.includes(m.from)) return m.from;
  }
  const hash = createHash('sha256').update(to).digest().readUInt32BE(0);
  return pool[hash % pool.length]!;
}
