import { randomUUID } from 'node:crypto';
import { Topics, deadLetterTopicName } from '@sms-survey/contracts';
import { createEventProducer, createKafka, type EventProducer } from '@sms-survey/kafka';
import { type WorkerHandle } from '@sms-survey/service-kit';
import { createTestTopics, eventually, type TestTopics } from '@sms-survey/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInsightsSyncConfig, startInsightsSync } from '../src/index.js';
import { answerRecordedEvent, createCallbackWorkflow, sessionEndedEvent, startHarness, type Harness } from './helpers.js';

const texts = { completion: { en: 'Thanks!' }, unavailable: { en: 'U' }, notFound: { en: 'N' }, invalidReply: { en: 'I' }, tooManyInvalid: { en: 'T' } };

describe('insights-sync service: both consumers over the real broker, dead letters with a reason', () => {
  let h: Harness;
  let topics: TestTopics;
  let service: WorkerHandle;
  let producer: EventProducer;
  let dlqReader: Consumer;
  const deadLetters: { key: string | null; reason: string }[] = [];
  let goodVersion: number;
  let badVersion: number;

  beforeAll(async () => {
    h = await startHarness();
    topics = await createTestTopics();
    const workflowSid = await createCallbackWorkflow(h.twilio, h.simulator.state.defaultWorkspaceSid);
    const survey = (workflow: string) => ({
      id: 'nps',
      name: 'NPS',
      defaultLanguage: 'en' as const,
      languages: ['en' as const],
      elements: [{ id: 'recommend', type: 'nps' as const, text: { en: 'Recommend us?' } }],
      texts,
      insights: { measures: { recommend: 4 } },
      followUp: { when: { elementId: 'recommend', condition: { op: 'lte' as const, value: 6 } }, workflowSid: workflow, taskChannel: 'voice' },
    });
    goodVersion = await h.saveSurvey(survey(workflowSid));
    badVersion = await h.saveSurvey(survey('WW11111111111111111111111111111111'));
    const env = {
      KAFKA_BROKERS: topics.brokers.join(','),
      KAFKA_TOPIC_PREFIX: topics.prefix,
      DATABASE_URL: h.database.url,
      TWILIO_API_BASE_URL: h.simulatorUrl,
      PORT: '0',
      KAFKA_GROUP_ID: `insights-${randomUUID()}`,
      KAFKA_FOLLOW_UP_GROUP_ID: `follow-up-${randomUUID()}`,
    };
    service = await startInsightsSync(loadInsightsSyncConfig(env), h.logger, (e) => {
      throw e;
    });
    const kafka = createKafka({ brokers: topics.brokers, clientId: 'insights-test' }, h.logger);
    producer = createEventProducer(kafka, { topicPrefix: topics.prefix });
    await producer.connect();
    dlqReader = new Kafka({ clientId: 'dlq-reader', brokers: topics.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `dlq-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: [topics.prefix + deadLetterTopicName(Topics.surveyAnswers.name)], fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        deadLetters.push({ key: message.key?.toString() ?? null, reason: message.headers?.['dlq-reason']?.toString() ?? '' });
      },
    });
    await eventually(async () => (await fetch(`${service.url}/readyz`)).ok, { what: 'insights-sync ready', timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await dlqReader?.disconnect();
    await producer?.disconnect();
    await service?.stop();
    await topics?.delete();
    await h?.close();
  });

  it('creates the follow-up task for a low score and the linked survey task when the session ends', async () => {
    const sessionId = randomUUID();
    const ref = { sessionId, surveyId: 'nps', surveyVersion: goodVersion, origin: { kind: 'flex-task' as const, taskSid: 'WT7' } };
    const answer = answerRecordedEvent(ref, ['recommend', 'nps', 3]);
    await producer.publish([{ topic: Topics.surveyAnswers, key: sessionId, message: answer }]);
    await producer.publish([{ topic: Topics.surveySessions, key: sessionId, message: sessionEndedEvent(ref, [['recommend', 'nps', 3]]) }]);
    const tasks = await eventually(() => {
      const mine = h.simulator.state.tasks.filter((t) => t.attributes.includes(sessionId));
      return mine.length === 2 ? mine : undefined;
    }, { what: 'follow-up and survey task' });
    const followUp = tasks.find((t) => t.taskChannelUniqueName === 'voice')!;
    expect(JSON.parse(followUp.attributes)).toMatchObject({ type: 'survey-follow-up', answers: { recommend: 3 } });
    const linked = tasks.find((t) => t.taskChannelUniqueName === 'survey')!;
    expect(JSON.parse(linked.attributes).conversations).toEqual({ conversation_id: 'WT7', conversation_measure_4: 3 });
  });

  it('dead-letters an answer whose follow-up task Twilio rejects, with the reason', async () => {
    const sessionId = randomUUID();
    const answer = answerRecordedEvent({ sessionId, surveyId: 'nps', surveyVersion: badVersion }, ['recommend', 'nps', 1]);
    await producer.publish([{ topic: Topics.surveyAnswers, key: sessionId, message: answer }]);
    const dead = await eventually(() => deadLetters.find((d) => d.key === sessionId), { what: 'dead letter' });
    expect(dead.reason).toMatch(/^handler failed after 1 attempt\(s\): Error: follow-up task for session .* not created: Twilio rejected the task: invalid parameter \(Twilio error 20001\)$/);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/insights_follow_up_tasks_total\{[^}]*outcome="dead-lettered"[^}]*\} 1/);
  });
});
