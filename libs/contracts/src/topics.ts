import type { z } from 'zod';
import { InboundSmsReceived, MessageStatusReported, SmsSendRequested, SmsSendResult } from './sms.js';
import { SurveyAnswerRecorded, SurveySendRequested, SurveySessionEnded } from './survey.js';
import { FlexTaskLifecycle } from './flex.js';

/**
 * One definition per Kafka topic: its name, the schema of every message on it, what the key is (the key gives
 * ordering: one customer's events stay in order), and the settings the provisioning step creates it with.
 * Producers and consumers only ever name a topic through these definitions.
 */
export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly key: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
  readonly producer: string;
  readonly consumers: readonly string[];
  readonly description: string;
}

const sevenDays = String(7 * 24 * 3600 * 1000);
const durable = { 'min.insync.replicas': '1', 'retention.ms': sevenDays, 'cleanup.policy': 'delete' } as const;

function topic<S extends z.ZodType>(def: TopicDefinition<S>): TopicDefinition<S> {
  return def;
}

export const Topics = {
  surveyCommands: topic({
    name: 'survey.commands.v1',
    schema: SurveySendRequested,
    key: 'customer phone',
    partitions: 6,
    config: durable,
    producer: 'ingest-gateway',
    consumers: ['survey-orchestrator'],
    description: 'Requests to send a survey to a customer (SendSurvey API, Flex wrap-up).',
  }),
  inboundSms: topic({
    name: 'sms.inbound.v1',
    schema: InboundSmsReceived,
    key: 'customer phone (From)',
    partitions: 6,
    config: durable,
    producer: 'ingest-gateway',
    consumers: ['survey-orchestrator'],
    description: 'Customer SMS replies received on a survey sender number.',
  }),
  messageStatus: topic({
    name: 'sms.status.v1',
    schema: MessageStatusReported,
    key: 'customer phone (To)',
    partitions: 6,
    config: durable,
    producer: 'ingest-gateway',
    consumers: ['survey-orchestrator'],
    description: 'Twilio delivery status callbacks for messages we sent.',
  }),
  smsSend: topic({
    name: 'sms.send.v1',
    schema: SmsSendRequested,
    key: 'sender phone (From), so one dispatcher replica owns each sender',
    partitions: 6,
    config: durable,
    producer: 'survey-orchestrator',
    consumers: ['sms-dispatcher'],
    description: 'Commands to send one SMS; the dispatcher sends each commandId at most once.',
  }),
  smsSendResult: topic({
    name: 'sms.send-result.v1',
    schema: SmsSendResult,
    key: 'customer phone (To)',
    partitions: 6,
    config: durable,
    producer: 'sms-dispatcher',
    consumers: ['survey-orchestrator'],
    description: 'Outcome of each send command: accepted by Twilio (with MessageSid) or failed.',
  }),
  surveyAnswers: topic({
    name: 'survey.answers.v1',
    schema: SurveyAnswerRecorded,
    key: 'session id',
    partitions: 6,
    config: { ...durable, 'retention.ms': String(30 * 24 * 3600 * 1000) },
    producer: 'survey-orchestrator',
    consumers: ['insights-sync', 'BI (downstream)'],
    description: 'One event per survey answer recorded, for BI and for follow-up tasks (insights-sync).',
  }),
  surveySessions: topic({
    name: 'survey.sessions.v1',
    schema: SurveySessionEnded,
    key: 'session id',
    partitions: 6,
    config: { ...durable, 'retention.ms': String(30 * 24 * 3600 * 1000) },
    producer: 'survey-orchestrator',
    consumers: ['insights-sync', 'BI (downstream)'],
    description: 'One event when a survey session ends (completed, expired, superseded, opted-out, failed), with all its answers.',
  }),
  flexTaskEvents: topic({
    name: 'flex.task-events.v1',
    schema: FlexTaskLifecycle,
    key: 'task sid',
    partitions: 6,
    config: durable,
    producer: 'ingest-gateway',
    consumers: ['survey-orchestrator'],
    description: 'Flex task wrap-up, completion and cancellation (TaskRouter event callback) and plugin survey transfers; the orchestrator starts surveys from them by policy.',
  }),
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics]['name'];
export type MessageOf<T extends TopicDefinition> = z.infer<T['schema']>;

/** Messages that fail validation or keep failing land here, with the reason and the original bytes. */
export function deadLetterTopicName(topicName: string): string {
  return `${topicName}.dlq`;
}

export const allTopics: readonly TopicDefinition[] = Object.values(Topics);
