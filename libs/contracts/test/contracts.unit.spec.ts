import { describe, expect, it } from 'vitest';
import { InboundSmsReceived, SmsSendRequested, Topics, allTopics, createMessage, deadLetterTopicName, uuidFromName } from '../src/index.js';

describe('uuidFromName', () => {
  it('gives the same RFC 4122 version-5 id for the same name, different ids for different names', () => {
    const a = uuidFromName('inbound:SM123');
    expect(a).toBe(uuidFromName('inbound:SM123'));
    expect(a).not.toBe(uuidFromName('inbound:SM124'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('createMessage', () => {
  it('fills in id and occurredAt and validates the payload', () => {
    const m = createMessage(SmsSendRequested, {
      type: 'sms.send.requested',
      schemaVersion: 1,
      payload: { commandId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427', from: '+4759440000', to: '+4791234567', body: 'Hi' },
    });
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(m.occurredAt)).not.toBeNaN();
    expect(m.payload.priority).toBe('reply');
  });

  it('refuses a message that breaks its contract, naming the field', () => {
    expect(() =>
      createMessage(InboundSmsReceived, {
        type: 'sms.inbound.received',
        schemaVersion: 1,
        payload: { messageSid: 'SM' + 'a'.repeat(32), accountSid: 'AC' + 'a'.repeat(32), from: '91234567', to: '+4759440000', body: '', receivedAt: new Date().toISOString() },
      }),
    ).toThrow(/from/);
  });
});

describe('topics', () => {
  it('are uniquely named, versioned, and each has a dead-letter topic name', () => {
    const names = allTopics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/\.v\d+$/);
    expect(deadLetterTopicName(Topics.inboundSms.name)).toBe('sms.inbound.v1.dlq');
  });
});
