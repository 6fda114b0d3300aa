import { randomUUID } from 'node:crypto';
import {
  SmsSendRequested,
  SurveySessionEnded,
  Topics,
  createMessage,
  type InboundSmsReceived,
  type RecordedAnswer,
} from '@sms-survey/contracts';
import type { Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';

export interface InboundSmsTexts {
  surveyNotFound: string;
}

/** Queues an SMS to the customer and records it as an outbound message we are tracking. */
export async function queueSms(
  tx: Tx,
  sms: { sessionId?: string; from: string; to: string; body: string; priority?: 'reply' | 'new-survey'; notBefore?: string },
): Promise<OutboxEntry> {
  const commandId = randomUUID();
  await tx.outboundMessage.create({
    data: { commandId, sessionId: sms.sessionId, customer: sms.to, fromNumber: sms.from, body: sms.body, status: 'requested' },
  });
  const message = createMessage(SmsSendRequested, {
    type: 'sms.send.requested',
    schemaVersion: 1,
    payload: { commandId, sessionId: sms.sessionId, from: sms.from, to: sms.to, body: sms.body, priority: sms.priority ?? 'reply', notBefore: sms.notBefore },
  });
  return { topic: Topics.smsSend, key: sms.from, message };
}

/**
 * Walking-skeleton reply handling: a reply to an active session is stored and completes it; a reply with no
 * session gets the "survey not found" text. The survey engine (issue: two-way SMS survey) replaces the middle.
 */
export async function handleInboundSms(tx: Tx, event: InboundSmsReceived, texts: InboundSmsTexts): Promise<OutboxEntry[]> {
  const { payload: sms } = event;
  const receivedAt = new Date(sms.receivedAt);
  const session =
    (await tx.surveySession.findFirst({ where: { customer: sms.from, senderNumber: sms.to, status: 'active' }, orderBy: { startedAt: 'desc' } })) ??
    (await tx.surveySession.findFirst({ where: { customer: sms.from, status: 'active' }, orderBy: { startedAt: 'desc' } }));
  await tx.inboundMessage.createMany({
    data: [{ messageSid: sms.messageSid, customer: sms.from, toNumber: sms.to, body: sms.body, sessionId: session?.id, receivedAt }],
    skipDuplicates: true,
  });
  if (!session) return [await queueSms(tx, { from: sms.to, to: sms.from, body: texts.surveyNotFound })];

  const answer: RecordedAnswer = {
    elementId: session.currentElementId ?? 'reply',
    elementType: 'free-text',
    rawReply: sms.body,
    value: sms.body.trim(),
    answeredAt: receivedAt.toISOString(),
  };
  await tx.surveyAnswer.create({ data: { sessionId: session.id, ...answer, answeredAt: receivedAt } });
  const ended = await tx.surveySession.update({
    where: { id: session.id },
    data: { status: 'completed', currentElementId: null, endedAt: receivedAt, endReason: 'completed' },
  });
  const sessionEnded = createMessage(SurveySessionEnded, {
    type: 'survey.session.ended',
    schemaVersion: 1,
    payload: {
      sessionId: ended.id,
      surveyId: ended.surveyId,
      surveyVersion: ended.surveyVersion,
      clientReference: ended.clientReference ?? undefined,
      language: ended.language,
      userSessionVariables: ended.userSessionVariables as { key: string; value: string }[],
      origin: (ended.origin ?? undefined) as SurveySessionEnded['payload']['origin'],
      status: 'completed',
      customer: ended.customer,
      answers: [answer],
      startedAt: ended.startedAt.toISOString(),
      endedAt: receivedAt.toISOString(),
    },
  });
  return [
    await queueSms(tx, { sessionId: session.id, from: session.senderNumber, to: session.customer, body: 'Thank you for your feedback!' }),
    { topic: Topics.surveySessions, key: session.id, message: sessionEnded },
  ];
}
