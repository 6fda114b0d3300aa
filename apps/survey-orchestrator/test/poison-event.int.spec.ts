import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inboundSms, surveySendRequested } from './events.js';
import { SurveyUnavailableError, createSqlPool, createSurveyCatalog, poolSql } from '@sms-survey/db';
import { createTestDatabase, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import { applyConsumedOnce, type ConsumedEvent, type EngineDeps } from '../src/apply-events.js';
import type { OutboxEntry, OutboxRelay } from '../src/outbox-relay.js';

// A batch holding one event that cannot be applied (its session's survey version is unusable) fails whole and
// leaves nothing behind; applied again one event at a time, as the consumer's fallback does, the others go
// through and only that one fails, with an error that says not to retry (so it is dead-lettered).

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as { id: string };
const SENDER = '+14155550100';

describe('a poison event in a batch', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let deps: EngineDeps;
  const published: OutboxEntry[] = [];
  const relay = { publishCommitted: async (_ids: readonly bigint[], entries: readonly OutboxEntry[]) => void published.push(...entries) } as unknown as OutboxRelay;
  const apply = (events: readonly ConsumedEvent[]) => applyConsumedOnce(pool, relay, 'poison', events, deps);

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    await pool.query(`INSERT INTO survey_definition (survey_id, version, definition, content_hash) VALUES ($1, 1, $2, 'a'), ('broken', 1, '{"id":"broken"}', 'b')`, [csat.id, JSON.stringify(csat)]);
    deps = { catalog: createSurveyCatalog(poolSql(pool)), senders: { defaultSender: SENDER, subnumberPool: [] }, sending: { zonesOf: () => [] }, flexPolicies: [] };
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const send = (customer: string) => surveySendRequested(customer, { id: csat.id, version: 1 });
  const reply = (customer: string, body: string) => inboundSms(customer, SENDER, body);
  const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  it('fails the batch whole; one by one, only the poison event fails, not to be retried', async () => {
    const [a, b, poisoned] = ['+14155601001', '+14155601002', '+14155601003'];
    await apply([send(a)]);
    await apply([send(b)]);
    // A session on a survey version whose stored definition is not a valid survey.
    await pool.query(
      `INSERT INTO survey_session (id, survey_id, survey_version, customer, sender_number, status, current_element_id, language, expires_at)
       VALUES ($1, 'broken', 1, $2, $3, 'active', 'q1', 'en', now() + interval '1 hour')`,
      [randomUUID(), poisoned, SENDER],
    );
    const batch = [reply(a, '5'), reply(poisoned, '5'), reply(b, '4')];
    const before = { answers: await count('survey_answer'), inbound: await count('inbound_message'), processed: await count('processed_message'), published: published.length };

    await expect(apply(batch)).rejects.toBeInstanceOf(SurveyUnavailableError);
    expect({ answers: await count('survey_answer'), inbound: await count('inbound_message'), processed: await count('processed_message'), published: published.length }).toEqual(before);

    const outcomes = await Promise.allSettled(batch.map((event) => apply([event])));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failure = (outcomes[1] as PromiseRejectedResult).reason as SurveyUnavailableError;
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('survey broken@1 is invalid');
    expect(await count('survey_answer')).toBe(before.answers + 2);
    expect(await count('processed_message')).toBe(before.processed + 2);
  });
});
