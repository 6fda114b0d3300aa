import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messageExamples } from '../examples/messages.js';
import { ASYNCAPI_DOCUMENT_VERSION, ASYNCAPI_TITLE, buildAsyncApiDocument, topicMessages, type MessageExample } from '../src/asyncapi.js';
import { allTopics, Topics } from '../src/topics.js';

type Json = Record<string, unknown>;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ASYNCAPI_YAML_PATH = `${repoRoot}docs/asyncapi.yaml`;

const doc = buildAsyncApiDocument(messageExamples) as {
  asyncapi: string;
  info: { title: string; version: string };
  channels: Record<string, { address: string; description: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { messages: Record<string, { name: string; payload: Json; examples: { name: string; payload: unknown; headers: Json }[] }> };
};

const allMessages = allTopics.flatMap((topic) => topicMessages(topic).map((m) => ({ topic, ...m })));

function examplesOf(type: string): readonly MessageExample[] {
  return (messageExamples as unknown as Record<string, readonly MessageExample[] | undefined>)[type] ?? [];
}

/** Follows a local `$ref` such as `#/channels/sms.send.v1/messages/sms.send.failed` (no `/` inside names). */
function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);
}

describe('AsyncAPI document', () => {
  it('is AsyncAPI 3.0 with the product title and the document version', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toMatchObject({ title: ASYNCAPI_TITLE, version: ASYNCAPI_DOCUMENT_VERSION });
    expect(ASYNCAPI_TITLE).toBe('SMS surveys for Twilio Flex — Kafka events');
  });

  it('has one channel per topic, addressed by the topic name, describing its key and dead-letter topic', () => {
    expect(Object.keys(doc.channels).sort()).toEqual(allTopics.map((t) => t.name).sort());
    for (const topic of allTopics) {
      const channel = doc.channels[topic.name]!;
      expect(channel.address).toBe(topic.name);
      expect(channel.description).toContain(topic.key);
      expect(channel.description).toContain(`${topic.name}.dlq`);
      for (const header of ['dlq-reason', 'dlq-original-topic', 'dlq-original-partition', 'dlq-original-offset', 'dlq-consumer-group', 'dlq-failed-at']) {
        expect(channel.description).toContain(header);
      }
    }
  });

  it('has a message for every message type, one per member of a union', () => {
    expect(topicMessages(Topics.smsSendResult).map((m) => m.type)).toEqual(['sms.send.accepted', 'sms.send.failed']);
    expect(Object.keys(doc.components.messages).sort()).toEqual(allMessages.map((m) => m.type).sort());
    for (const { topic, type } of allMessages) {
      const channelMessage = doc.channels[topic.name]!.messages[type];
      expect(channelMessage, `${topic.name} lists ${type}`).toBeDefined();
      expect(resolve(channelMessage!.$ref)).toBe(doc.components.messages[type]);
      const payload = doc.components.messages[type]!.payload as { properties: { type: { const: string } } };
      expect(payload.properties.type.const).toBe(type);
    }
  });

  it('has a send operation for the producer and a receive operation for every consumer, each on its channel', () => {
    for (const topic of allTopics) {
      const ops = Object.values(doc.operations).filter((op) => op.channel.$ref === `#/channels/${topic.name}`);
      expect(ops.filter((op) => op.action === 'send')).toHaveLength(1);
      expect(ops.filter((op) => op.action === 'receive')).toHaveLength(topic.consumers.length);
    }
    for (const op of Object.values(doc.operations)) {
      expect(resolve(op.channel.$ref)).toBeDefined();
      for (const message of op.messages) expect(resolve(message.$ref), message.$ref).toBeDefined();
    }
  });

  it('does not forbid unknown fields in payload schemas (fields may be added within a version)', () => {
    expect(JSON.stringify(doc.components.messages)).not.toContain('"additionalProperties":false');
  });
});

describe('message examples', () => {
  it.each(allMessages.map((m) => [m.type, m] as const))('%s: every example parses with its schema and is in the document', (type, { schema }) => {
    const examples = examplesOf(type);
    expect(examples.length, `${type} needs at least one example in libs/contracts/examples/messages.ts`).toBeGreaterThan(0);
    expect(new Set(examples.map((e) => e.name)).size).toBe(examples.length);
    for (const example of examples) {
      const parsed = schema.safeParse(example.message);
      expect(parsed.error?.issues ?? [], `${type} example "${example.name}"`).toEqual([]);
      // Examples show what a consumer reads: parsing adds no defaults and strips nothing.
      expect(parsed.data).toEqual(example.message);
      expect(example.key).not.toBe('');
    }
    expect(doc.components.messages[type]!.examples.map((e) => e.payload)).toEqual(examples.map((e) => e.message));
    for (const e of doc.components.messages[type]!.examples) expect(e.headers).toEqual({ 'message-type': type });
  });

  it('are keyed like the real events: result events by session id', () => {
    for (const e of [...messageExamples['survey.answer.recorded'], ...messageExamples['survey.session.ended']]) {
      expect(e.key).toBe(e.message.payload.sessionId);
    }
    expect(new Set(messageExamples['survey.session.ended'].map((e) => e.message.payload.status))).toEqual(
      new Set(['completed', 'expired', 'superseded', 'opted-out', 'failed', 'abandoned']),
    );
  });
});

describe('docs/asyncapi.yaml', () => {
  it('is up to date with the contracts', () => {
    const hint = 'docs/asyncapi.yaml is out of date with libs/contracts: run `npm run docs:asyncapi` and commit the result';
    // The generator itself (tools/ is outside every project, so it is run rather than imported).
    const fresh = execFileSync(process.execPath, ['--import', 'tsx', 'tools/asyncapi/generate.ts', '--stdout'], { cwd: repoRoot, encoding: 'utf8' });
    expect(fresh).toContain('asyncapi: 3.0.0');
    expect(existsSync(ASYNCAPI_YAML_PATH), hint).toBe(true);
    expect(readFileSync(ASYNCAPI_YAML_PATH, 'utf8'), hint).toBe(fresh);
  }, 30_000);
});

describe('docs/events.md', () => {
  it('shows a result event of each kind; every JSON event in it parses with its schema and is one of the examples', () => {
    const markdown = readFileSync(`${repoRoot}docs/events.md`, 'utf8');
    const events = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => JSON.parse(match[1]!) as unknown)
      .filter((value): value is { type: string } => typeof value === 'object' && value !== null && typeof (value as Json)['type'] === 'string');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['survey.answer.recorded', 'survey.session.ended']));
    for (const event of events) {
      const message = allMessages.find((m) => m.type === event.type);
      expect(message, `docs/events.md shows an unknown message type ${event.type}`).toBeDefined();
      const parsed = message!.schema.safeParse(event);
      expect(parsed.error?.issues ?? [], `docs/events.md example of ${event.type}`).toEqual([]);
      expect(examplesOf(event.type).map((e) => e.message), 'copy it from libs/contracts/examples/messages.ts').toContainEqual(event);
    }
  });
});
