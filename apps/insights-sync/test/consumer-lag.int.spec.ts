import { randomUUID } from 'node:crypto';
import { Topics } from '@sms-survey/contracts';
import { createEventProducer, createKafka, type EventProducer } from '@sms-survey/kafka';
import { type WorkerHandle } from '@sms-survey/service-kit';
import { createTestTopics, eventually, type TestTopics } from '@sms-survey/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadInsightsSyncConfig, startInsightsSync } from '../src/index.js';
import { startHarness, type Harness } from './helpers.js';

// The lag metrics as every worker service wires them (libs/service-kit/src/worker.ts), seen on GET /metrics.

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

describe('insights-sync /metrics: consumer group lag per topic and partition', () => {
  let h: Harness;
  let topics: TestTopics;
  let service: WorkerHandle;
  let producer: EventProducer;
  const groupId = `insights-${randomUUID()}`;
  const followUpGroupId = `follow-up-${randomUUID()}`;

  beforeAll(async () => {
    h = await startHarness();
    topics = await createTestTopics();
    const env = {
      KAFKA_BROKERS: topics.brokers.join(','),
      KAFKA_TOPIC_PREFIX: topics.prefix,
      DATABASE_URL: h.database.url,
      TWILIO_API_BASE_URL: h.simulatorUrl,
      PORT: '0',
      KAFKA_GROUP_ID: groupId,
      KAFKA_FOLLOW_UP_GROUP_ID: followUpGroupId,
    };
    service = await startInsightsSync(loadInsightsSyncConfig(env), h.logger, (e) => {
      throw e;
    });
    producer = createEventProducer(createKafka({ brokers: topics.brokers, clientId: 'insights-lag-test' }, h.logger), { topicPrefix: topics.prefix });
    await producer.connect();
    await eventually(async () => (await fetch(`${service.url}/readyz`)).ok, { what: 'insights-sync ready', timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await service?.stop();
    await topics?.delete();
    await h?.close();
  });

  const scrape = async () => {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const sample = (text: string, name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels},service="insights-sync"} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it("shows each of its groups' lag on every partition of the topics it consumes, and follows consumption", async () => {
    const sessions = topics.prefix + Topics.surveySessions.name;
    const answers = topics.prefix + Topics.surveyAnswers.name;
    const group = topics.prefix + groupId;
    const followUps = topics.prefix + followUpGroupId;
    const text = await eventually(
      async () => {
        const t = await scrape();
        return sample(t, 'kafka_consumer_group_lag_read_ok', `group="${group}"`) === 1 && sample(t, 'kafka_consumer_group_lag_read_ok', `group="${followUps}"`) === 1 && t;
      },
      { what: 'a lag read on /metrics', timeoutMs: 20_000, intervalMs: 500 },
    );
    for (const partition of [0, 1]) {
      expect(sample(text, 'kafka_consumer_group_lag', `group="${group}",topic="${sessions}",partition="${partition}"`)).toBe(0);
      expect(sample(text, 'kafka_consumer_group_lag', `group="${followUps}",topic="${answers}",partition="${partition}"`)).toBe(0);
    }
    expect(sample(text, 'kafka_consumer_group_lag', `group="${group}",topic="${answers}",partition="0"`)).toBeUndefined();

    // Not JSON: dead-lettered and committed, whatever the handler would do.
    await producer.publishRaw([{ topic: sessions, key: 'k', value: 'not json' }]);
    await eventually(
      async () => {
        const t = await scrape();
        const consumed = [0, 1].filter((p) => sample(t, 'kafka_consumer_group_committed_offset', `group="${group}",topic="${sessions}",partition="${p}"`) === 1);
        return consumed.length === 1 && sample(t, 'kafka_consumer_group_lag', `group="${group}",topic="${sessions}",partition="${consumed[0]}"`) === 0;
      },
      { what: 'the committed offset on /metrics', timeoutMs: 20_000, intervalMs: 500 },
    );
  });
});
