import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { RecordedRequest } from '@sms-survey/twilio-simulator';
import { createPrismaClient } from '@sms-survey/db';
import { eventually } from '@sms-survey/testing';
import { startSystem, startTopicReader, waitUntilReady, type RunningSystem } from '../src/index.js';

// Helpers shared by the messaging-edge end-to-end tests (opt-out, delivery failure, rate limits, crashes).

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
export const csat = JSON.parse(readFileSync(join(repoRoot, 'examples/surveys/csat-en-no.json'), 'utf8')) as { id: string } & Record<string, unknown>;
export const API_KEY = 'test-api-key';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The public API of the system's gateway. */
export function publicApi(system: RunningSystem) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${system.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Every Messages create request that reached the simulator (sent or not), optionally only to / from a number. */
export function sendRequests(system: RunningSystem, filter: { to?: string; from?: string } = {}): RecordedRequest[] {
  return system.simulator.state.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path.endsWith('/Messages.json') &&
      (filter.to === undefined || r.params.To === filter.to) &&
      (filter.from === undefined || r.from === filter.from),
  );
}

/** The SMS Twilio accepted to `customer`, oldest first. */
export function smsTo(system: RunningSystem, customer: string) {
  return system.simulator.state.messages.filter((m) => m.direction === 'outbound-api' && m.to === customer);
}

let markers = 0;

/**
 * The positive marker for "nothing (more) was sent": a survey of the example CSAT to a fresh customer, from the
 * default sender, started once what is checked was applied. Its SMS go through the same partition of sms.send.v1
 * (keyed by sender) after anything queued before them, so once `count` of them are out, an SMS queued earlier
 * would be out too. With `count` 2 it also outlasts an SMS held for its two-second spacing (the marker's second
 * SMS is held as long). For systems without subnumbering (the sender does not depend on the customer).
 */
export async function sendSurveyMarker(system: RunningSystem, count = 1): Promise<void> {
  const customer = `+47919${String(markers++).padStart(5, '0')}`;
  const res = await publicApi(system)('POST', `/v1/surveys/${csat.id}/send`, { identifier: customer, identifierType: 'Phone', channel: 'SMS' });
  if (res.status !== 202) throw new Error(`the marker survey answered ${res.status}: ${JSON.stringify(res.body)}`);
  await eventually(() => smsTo(system, customer).length >= count, { what: `${count} SMS of the marker survey to ${customer}`, timeoutMs: 20_000 });
}

/** POSTs to the simulator's control API (`/__sim/...`). */
export async function simControl(system: RunningSystem, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${system.simulatorUrl}/__sim${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
}

/** Produces raw events onto one of the system's topics in one request (so they land in one fetch). */
export async function produce(system: RunningSystem, topicName: string, messages: { key: string; value: unknown }[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'messaging-e2e', brokers: system.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: system.topicPrefix + topicName, messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) });
  } finally {
    await producer.disconnect();
  }
}

/**
 * The largest number of requests in any one-second window [t, t + 1000 − toleranceMs) starting at a request.
 * `toleranceMs` allows for the transport: a request admitted 1000 ms after another can reach the simulator a
 * few ms less than 1000 ms after it, when the earlier one took longer on the way.
 */
export function busiestSecond(times: readonly number[], toleranceMs = 0): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && sorted[j]! < sorted[i]! + 1000 - toleranceMs; j++) n++;
    most = Math.max(most, n);
  }
  return most;
}

/**
 * The whole system with the example CSAT survey saved and a reader on some topics (names without the prefix):
 * what the survey end-to-end tests start from. `stop` undoes it all.
 */
export async function startSurveySystem(env: Record<string, string>, readTopics: string[] = []) {
  const system = await startSystem({ API_KEYS: API_KEY, ...env });
  const prisma = createPrismaClient({ databaseUrl: system.database.url });
  const api = publicApi(system);
  await waitUntilReady(system);
  const reader = await startTopicReader(system.env.KAFKA_BROKERS!.split(','), readTopics.map((t) => system.topicPrefix + t));
  const saved = await api('PUT', `/v1/surveys/${csat.id}`, csat);
  if (saved.status !== 201) throw new Error(`saving the example survey answered ${saved.status}: ${JSON.stringify(saved.body)}`);
  return {
    system,
    prisma,
    api,
    reader,
    async stop() {
      await reader.stop();
      await prisma.$disconnect();
      await system.stop();
    },
  };
}
