import { z } from 'zod';
import { allTopics, deadLetterTopicName, type MessageOf, type TopicDefinition, type Topics } from './topics.js';

/**
 * Version of the published event documentation (`info.version`). Bump the minor version when a field, message
 * type or topic is added, the major version when a topic version (`.v1`) is retired.
 */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

export const ASYNCAPI_TITLE = 'SMS surveys for Twilio Flex — Kafka events';

/** Every message that goes over Kafka: the union of the envelopes of all topics. */
export type AnyMessage = { [K in keyof typeof Topics]: MessageOf<(typeof Topics)[K]> }[keyof typeof Topics];
export type MessageType = AnyMessage['type'];

/** One example of a message as it is on the wire: the Kafka key and the (JSON) value. */
export interface MessageExample<M extends AnyMessage = AnyMessage> {
  /** Machine-friendly name, unique per message type. */
  readonly name: string;
  readonly summary: string;
  readonly key: string;
  readonly message: M;
}

/** At least one example for every message type; the compiler refuses a message type without one (libs/contracts/examples). */
export type MessageExamples = {
  readonly [M in AnyMessage as M['type']]: readonly [MessageExample<M>, ...MessageExample<M>[]];
};

/** One message type carried by a topic, with the schema of its envelope. */
export interface TopicMessage {
  readonly type: string;
  readonly schemaVersion: number;
  readonly schema: z.ZodObject;
}

/**
 * The message types of a topic: its schema is one `eventSchema` envelope, or a (discriminated) union of them,
 * which gives one message per member.
 */
export function topicMessages(topic: TopicDefinition): TopicMessage[] {
  return envelopes(topic.schema, topic.name).map((schema) => {
    const type = literalOf(schema, 'type', topic.name);
    const schemaVersion = literalOf(schema, 'schemaVersion', topic.name);
    if (typeof type !== 'string' || typeof schemaVersion !== 'number') {
      throw new Error(`${topic.name}: an envelope needs a string "type" and a numeric "schemaVersion" literal`);
    }
    return { type, schemaVersion, schema };
  });
}

function envelopes(schema: z.ZodType, topicName: string): z.ZodObject[] {
  if (schema instanceof z.ZodUnion) return (schema.options as readonly z.ZodType[]).flatMap((option) => envelopes(option, topicName));
  if (schema instanceof z.ZodObject) return [schema];
  throw new Error(`${topicName}: a topic schema must be an eventSchema envelope or a union of them, not ${schema.def.type}`);
}

function literalOf(schema: z.ZodObject, field: string, topicName: string): unknown {
  const fieldSchema = schema.shape[field];
  if (!(fieldSchema instanceof z.ZodLiteral) || fieldSchema.values.size !== 1) {
    throw new Error(`${topicName}: envelope field "${field}" must be a single literal`);
  }
  return fieldSchema.value;
}

/** What each message type is, for readers of the document. */
const MESSAGE_SUMMARIES: Record<MessageType, string> = {
  'survey.send.requested': 'Start a survey session with one customer (from the SendSurvey API or a Flex wrap-up).',
  'sms.inbound.received': "A customer's SMS, received from Twilio's messaging webhook.",
  'sms.status.reported': 'A Twilio delivery status callback for an SMS we sent.',
  'sms.send.requested': 'A command to send one SMS to a customer; `commandId` is its idempotency key.',
  'sms.send.accepted': 'Twilio accepted a send command and gave it a MessageSid.',
  'sms.send.failed': 'A send command failed; `permanent` tells whether retrying could help.',
  'survey.answer.recorded': 'One answer recorded in a survey session (for BI).',
  'survey.session.ended': 'A survey session ended, with every answer it collected (for BI and insights-sync).',
  'flex.task.lifecycle': 'A Flex task wrapped up, completed or was canceled (TaskRouter event callback), or the Flex plugin asked for a survey (`plugin.transfer`); the orchestrator starts surveys from these by policy.',
};

const ENVELOPE_FIELD_DESCRIPTIONS: Record<string, string> = {
  type: 'The message type; also sent as the `message-type` Kafka header.',
  schemaVersion: 'Version of this message type. A breaking change gets a new version on a new topic (`.v2`).',
  id: 'Unique event id. A redelivered or republished copy has the same id: de-duplicate on it.',
  occurredAt: 'When the event was created (ISO 8601).',
  payload: 'The event data.',
};

const DEAD_LETTER_HEADERS: readonly (readonly [string, string])[] = [
  ['dlq-reason', 'why it was dead-lettered (at most 4000 characters): `not JSON: …`, `schema validation failed: <field>: <problem>; …` or `handler failed after <n> attempt(s): …`'],
  ['dlq-original-topic', 'the topic it was read from (including the environment prefix `KAFKA_TOPIC_PREFIX`, if any)'],
  ['dlq-original-partition', 'its partition there (decimal)'],
  ['dlq-original-offset', 'its offset there (decimal)'],
  ['dlq-consumer-group', 'the consumer group that gave up on it'],
  ['dlq-failed-at', 'when it was dead-lettered (ISO 8601)'],
];

const KAFKA_BINDING_VERSION = '0.5.0';

type Json = Record<string, unknown>;

/**
 * The JSON Schema (draft 7, which AsyncAPI schemas extend) of what a consumer reads: the output type, so fields
 * with a default are required. Objects do not forbid unknown properties: fields may be added within a schema
 * version, and our own parsers ignore fields they do not know.
 */
function jsonSchemaOf(schema: z.ZodType): Json {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'output',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'object' && zodSchema._zod.def.catchall === undefined) delete jsonSchema.additionalProperties;
    },
  }) as Json;
  delete generated['$schema'];
  const properties = generated['properties'] as Record<string, Json> | undefined;
  if (properties) {
    for (const [field, description] of Object.entries(ENVELOPE_FIELD_DESCRIPTIONS)) {
      const property = properties[field];
      if (property) properties[field] = { description, ...property };
    }
  }
  return generated;
}

function days(ms: string): string {
  const n = Number(ms) / (24 * 3600 * 1000);
  return Number.isInteger(n) ? `${n} day${n === 1 ? '' : 's'}` : `${ms} ms`;
}

function channelDescription(topic: TopicDefinition, messages: readonly TopicMessage[]): string {
  const config = Object.entries(topic.config).map(([name, value]) => `\`${name}\`=${value}`).join(', ');
  const retention = topic.config['retention.ms'];
  const dlq = deadLetterTopicName(topic.name);
  return [
    topic.description,
    '',
    `- **Key:** ${topic.key}. Messages with the same key go to the same partition and are read in the order they were written.`,
    `- **Partitions:** ${topic.partitions}`,
    `- **Retention:** ${retention ? days(retention) : 'broker default'} (${config})`,
    `- **Producer:** ${topic.producer}`,
    `- **Consumers:** ${topic.consumers.join(', ')}`,
    `- **Message types:** ${messages.map((m) => `\`${m.type}\` (schemaVersion ${m.schemaVersion})`).join(', ')}` +
      (messages.length > 1 ? '; tell them apart by the `type` field or the `message-type` header' : ''),
    '',
    // Partitions and retention of dead-letter topics: provisionTopics in libs/kafka/src/topics-admin.ts.
    `**Dead letters.** When a consumer built on \`libs/kafka\` cannot process a message (not JSON, fails its schema, or its handler ` +
      `keeps failing), it copies it to \`${dlq}\` (1 partition, 30 days retention) and moves on. The copy keeps the original key, ` +
      'value (the bytes as read) and headers, and adds:',
    ...DEAD_LETTER_HEADERS.map(([name, what]) => `- \`${name}\`: ${what}`),
  ].join('\n');
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function messageExamplesOf(examples: MessageExamples, type: string): readonly MessageExample[] {
  return (examples as unknown as Record<string, readonly MessageExample[] | undefined>)[type] ?? [];
}

/**
 * The AsyncAPI 3.0 document of every Kafka topic: one channel per topic (address = topic name), one message per
 * message type with its JSON Schema and examples, a `send` operation for the producer and a `receive` operation
 * per consumer, with `examples` (libs/contracts/examples/messages.ts) as each message's examples. Pure: the same
 * contracts and examples give the same document.
 */
export function buildAsyncApiDocument(examples: MessageExamples): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};

  for (const topic of allTopics) {
    const topicMsgs = topicMessages(topic);
    const channelMessages: Json = {};
    for (const m of topicMsgs) {
      if (m.type in messages) throw new Error(`message type ${m.type} is on more than one topic`);
      channelMessages[m.type] = { $ref: `#/components/messages/${m.type}` };
      const headers = {
        type: 'object',
        properties: { 'message-type': { description: 'The message type, as in the `type` field.', type: 'string', const: m.type } },
        required: ['message-type'],
      };
      messages[m.type] = {
        name: m.type,
        title: `${m.type} v${m.schemaVersion}`,
        summary: MESSAGE_SUMMARIES[m.type as MessageType] ?? m.type,
        contentType: 'application/json',
        headers,
        payload: jsonSchemaOf(m.schema),
        bindings: { kafka: { key: { type: 'string', description: topic.key }, bindingVersion: KAFKA_BINDING_VERSION } },
        examples: messageExamplesOf(examples, m.type).map((example) => ({
          name: example.name,
          summary: `${example.summary} (key ${example.key})`,
          headers: { 'message-type': m.type },
          payload: example.message,
        })),
      };
    }

    const topicConfiguration: Json = {};
    const retention = topic.config['retention.ms'];
    if (retention !== undefined) topicConfiguration['retention.ms'] = Number(retention);
    const cleanup = topic.config['cleanup.policy'];
    if (cleanup !== undefined) topicConfiguration['cleanup.policy'] = cleanup.split(',');

    channels[topic.name] = {
      address: topic.name,
      title: topic.name,
      summary: topic.description,
      description: channelDescription(topic, topicMsgs),
      messages: channelMessages,
      bindings: { kafka: { topic: topic.name, partitions: topic.partitions, topicConfiguration, bindingVersion: KAFKA_BINDING_VERSION } },
    };

    const channelRef = { $ref: `#/channels/${topic.name}` };
    const messageRefs = topicMsgs.map((m) => ({ $ref: `#/channels/${topic.name}/messages/${m.type}` }));
    operations[`${topic.name}.send`] = {
      action: 'send',
      channel: channelRef,
      title: `${topic.producer} publishes to ${topic.name}`,
      summary: `Keyed by ${topic.key}; idempotent producer, acks=all.`,
      tags: [{ name: topic.producer }],
      messages: messageRefs,
    };
    for (const consumer of topic.consumers) {
      operations[`${topic.name}.receive.${slug(consumer)}`] = {
        action: 'receive',
        channel: channelRef,
        title: `${consumer} consumes ${topic.name}`,
        summary: 'At-least-once: de-duplicate by `id`.',
        tags: [{ name: consumer }],
        messages: messageRefs,
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: ASYNCAPI_TITLE,
      version: ASYNCAPI_DOCUMENT_VERSION,
      description: [
        'The Kafka topics of the SMS survey services, generated from the zod contracts in `libs/contracts` (`npm run docs:asyncapi`).',
        'Consumers of survey results: see `docs/events.md`.',
        '',
        'Every message value is a JSON envelope `{ type, schemaVersion, id, occurredAt, payload }`; the `message-type` header repeats `type`.',
        'Delivery is at-least-once: the same event can arrive more than once, always with the same `id`, so de-duplicate by `id`.',
        'Within a schema version fields may be added (ignore fields you do not know); a breaking change is published as a new topic (`.v2`).',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
