import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqlPool, poolSql, purgeExpired, startRetention, type Sql } from '@sms-survey/db';
import { createTestDatabase, eventually, type TestDatabase } from '@sms-survey/testing';
import type pg from 'pg';
import { orchestratorRetention } from '../src/orchestrator.js';

// The orchestrator's retention on a real database: de-duplication records and published outbox rows go once
// they are old enough; everything younger, and every unpublished outbox row, stays.

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

describe('orchestrator retention', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let sql: Sql;
  const rules = orchestratorRetention({ PROCESSED_EVENT_RETENTION_DAYS: 14, OUTBOX_RETENTION_HOURS: 24 });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createSqlPool({ databaseUrl: database.url, poolSize: 2 });
    sql = poolSql(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function seed(): Promise<{ processed: Record<string, string>; outbox: Record<string, string> }> {
    const processed = { old: randomUUID(), older: randomUUID(), oldest: randomUUID(), recent: randomUUID() };
    for (const [name, id] of Object.entries(processed)) {
      const age = { old: '15 days', older: '20 days', oldest: '400 days', recent: '13 days' }[name];
      await pool.query(`INSERT INTO processed_message (consumer_group, message_id, processed_at) VALUES ('g', $1, now() - $2::interval)`, [id, age]);
    }
    const outbox: Record<string, string> = {};
    const rows = { publishedOld: ['2 days', '25 hours'], publishedRecent: ['2 days', '23 hours'], unpublishedOld: ['30 days', null] } as const;
    for (const [name, [created, published]] of Object.entries(rows)) {
      const { rows: [row] } = await pool.query<{ id: string }>(
        `INSERT INTO outbox_event (topic, key, payload, created_at, available_at, published_at)
         VALUES ('sms.send.v1', 'k', '{}', now() - $1::interval, now() - $1::interval, now() - $2::interval) RETURNING id`,
        [created, published],
      );
      outbox[name] = row!.id;
    }
    return { processed, outbox };
  }

  const remaining = async () => ({
    processed: (await pool.query<{ id: string }>('SELECT message_id::text AS id FROM processed_message')).rows.map((r) => r.id).sort(),
    outbox: (await pool.query<{ id: string }>('SELECT id::text FROM outbox_event')).rows.map((r) => r.id).sort(),
  });

  it('deletes processed events older than 14 days and outbox rows published over 24 hours ago, in batches', async () => {
    const { processed, outbox } = await seed();
    // A batch of 2 makes the three old processed rows take two statements.
    expect(await purgeExpired(sql, rules[0]!, 2)).toBe(3);
    expect(await purgeExpired(sql, rules[1]!, 2)).toBe(1);
    expect(await remaining()).toEqual({ processed: [processed.recent].sort(), outbox: [outbox.publishedRecent!, outbox.unpublishedOld!].sort() });
    expect(await purgeExpired(sql, rules[0]!)).toBe(0);
  });

  it('runs on its interval until stopped', async () => {
    await pool.query('DELETE FROM processed_message; DELETE FROM outbox_event');
    const { processed } = await seed();
    const purged: [string, number][] = [];
    const retention = startRetention(sql, rules, { intervalMs: 50, onPurged: (table, rows) => purged.push([table, rows]), onError: (e) => { throw e; } });
    await eventually(() => purged.length === 2, { timeoutMs: 5000, what: 'both rules to run' });
    await retention.stop();
    expect(purged).toEqual([['processed_message', 3], ['outbox_event', 1]]);
    expect((await remaining()).processed).toEqual([processed.recent]);
  });
});
