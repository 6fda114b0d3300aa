import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, createSurveyDefinitionRepository, type PrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, waitUntilReady, type RunningSystem } from '../src/index.js';

const CUSTOMER = '+4791234567';
const SENDER = '+4759440000';
const text = (en: string) => ({ en });
const ONE_QUESTION_SURVEY = {
  id: 'skeleton',
  name: 'One question',
  defaultLanguage: 'en',
  languages: ['en'],
  elements: [{ id: 'q1', type: 'nps', text: text('How likely are you to recommend us?') }],
  texts: {
    completion: text('Thank you for your feedback!'),
    unavailable: text('This survey is closed.'),
    notFound: text('Sorry, we could not find an active survey for this number.'),
    invalidReply: text('Please answer with a number from 0 to 10.'),
    tooManyInvalid: text('We will stop here. Thank you.'),
  },
};

describe('walking skeleton: one reply travels through all four services', () => {
  let system: RunningSystem;
  let prisma: PrismaClient;

  beforeAll(async () => {
    system = await startSystem();
    prisma = createPrismaClient({ databaseUrl: system.database.url });
    await waitUntilReady(system);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await system?.stop();
  });

  it('signed inbound webhook → Kafka → orchestrator (PostgreSQL) → dispatcher → Twilio → status callback → insights-sync task', async () => {
    const sessionId = randomUUID();
    const { version } = await createSurveyDefinitionRepository(prisma).save('skeleton', ONE_QUESTION_SURVEY);
    await prisma.surveySession.create({
      data: {
        id: sessionId,
        surveyId: 'skeleton',
        surveyVersion: version,
        customer: CUSTOMER,
        senderNumber: SENDER,
        status: 'active',
        currentElementId: 'q1',
        language: 'en',
        origin: { kind: 'flex-task', taskSid: 'WT' + 'a'.repeat(32) },
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });

    const reply = await system.simulator.sendInboundSms({ from: CUSTOMER, to: SENDER, body: '9', url: `${system.gateway.url}/twilio/messaging/inbound` });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<Response>');

    // The orchestrator stored the reply and completed the session.
    const inbound = await eventually(() => prisma.inboundMessage.findUnique({ where: { messageSid: reply.messageSid } }), { what: 'inbound message stored' });
    expect(inbound?.sessionId).toBe(sessionId);
    const answers = await eventually(async () => {
      const rows = await prisma.surveyAnswer.findMany({ where: { sessionId } });
      return rows.length ? rows : undefined;
    });
    expect(answers[0]?.rawReply).toBe('9');

    // The dispatcher sent the answer SMS through the twilio SDK to the simulator.
    const sent = await eventually(() => system.simulator.state.messages.find((m) => m.direction === 'outbound-api' && m.to === CUSTOMER), { what: 'SMS at Twilio' });
    expect(sent.from).toBe(SENDER);
    expect(sent.body).toBe('Thank you for your feedback!');
    expect(sent.statusCallback).toContain('/twilio/messaging/status?commandId=');

    // The simulator's signed status callbacks reached the gateway and the status was recorded.
    const delivered = await eventually(async () => {
      const row = await prisma.outboundMessage.findFirst({ where: { sessionId, messageSid: sent.sid } });
      return row?.status === 'delivered' ? row : undefined;
    }, { what: 'delivered status recorded' });
    expect(delivered.messageSid).toBe(sent.sid);

    // insights-sync created the linked survey task and ended it.
    const task = await eventually(() => system.simulator.state.tasks.find((t) => JSON.parse(t.attributes).survey?.session_id === sessionId), { what: 'survey task' });
    const attributes = JSON.parse(task.attributes);
    expect(attributes.conversations.conversation_id).toBe('WT' + 'a'.repeat(32));
    expect(task.workflowFriendlyName).toBe('Survey');
    expect(task.taskChannelUniqueName).toBe('survey');
    expect(task.attributes).not.toContain(CUSTOMER);
    await eventually(() => system.simulator.state.tasks.find((t) => t.sid === task.sid && t.assignmentStatus === 'canceled'), { what: 'task ended' });
    const link = await prisma.linkedTask.findUnique({ where: { sessionId } });
    expect(link?.taskSid).toBe(task.sid);
  });

  it('a reply from a number with no session gets the "survey not found" SMS', async () => {
    const stranger = '+4798765432';
    const reply = await system.simulator.sendInboundSms({ from: stranger, to: SENDER, body: 'hello?', url: `${system.gateway.url}/twilio/messaging/inbound` });
    expect(reply.status).toBe(200);
    const sent = await eventually(() => system.simulator.state.messages.find((m) => m.direction === 'outbound-api' && m.to === stranger), { what: 'not-found SMS' });
    expect(sent.body).toMatch(/could not find an active survey/);
  });
});
