import { allTopics, type TopicDefinition } from '@sms-survey/contracts';
import type { Prisma, PrismaClient } from '@sms-survey/db';
import type { EventProducer, OutgoingEvent } from '@sms-survey/kafka';
import type { Logger } from 'pino';

export interface OutboxEntry {
  topic: TopicDefinition;
  key: string;
  message: { id: string; type: string };
  /** Publish no earlier than this (a durable timer); now when absent. */
  availableAt?: Date;
}

type Tx = Prisma.TransactionClient;
type OutboxRow = { id: bigint; topic: string; key: string; payload: unknown };

/** Writes events to the outbox inside the caller's transaction; they are published after it commits. */
export async function enqueue(tx: Tx, entries: readonly OutboxEntry[]): Promise<bigint[]> {
  if (entries.length === 0) return [];
  const rows = await tx.outboxEvent.createManyAndReturn({
    data: entries.map((e) => ({
      topic: e.topic.name,
      key: e.key,
      payload: e.message as unknown as Prisma.InputJsonValue,
      ...(e.availableAt && { availableAt: e.availableAt }),
    })),
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

const topicsByName = new Map(allTopics.map((t) => [t.name, t]));
const SWEEP_LOCK = 4_242_001;

/**
 * Publishes outbox rows. The handler that wrote them publishes the due ones at once (`publish(ids)`); a sweep
 * every `sweepIntervalMs` publishes rows that became due (scheduled SMS) or were left behind by a crash. Rows
 * are locked while published (FOR UPDATE SKIP LOCKED), and the sweep runs on one replica at a time (advisory
 * lock), so in normal operation each row is published once and in order. After a crash between publishing and
 * marking, a row is published again: consumers de-duplicate by event id.
 */
export function createOutboxRelay(prisma: PrismaClient, producer: EventProducer, logger: Logger, options: { sweepIntervalMs?: number } = {}) {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  async function publishLocked(tx: Tx, rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const events: OutgoingEvent[] = rows.map((r) => {
      const topic = topicsByName.get(r.topic);
      if (!topic) throw new Error(`outbox row ${r.id} names unknown topic ${r.topic}`);
      return { topic, key: r.key, message: r.payload as OutgoingEvent['message'] };
    });
    await producer.publish(events);
    await tx.outboxEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { publishedAt: new Date() } });
  }

  async function sweep(): Promise<void> {
    await prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`;
        if (!lock?.locked) return;
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, topic, key, payload FROM outbox_event
          WHERE published_at IS NULL AND available_at <= now()
          ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`;
        await publishLocked(tx, rows);
      },
      { timeout: 30_000 },
    );
  }

  return {
    async publish(ids: readonly bigint[]): Promise<void> {
      if (ids.length === 0) return;
      await prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<OutboxRow[]>`
          SELECT id, topic, key, payload FROM outbox_event
          WHERE id = ANY(${[...ids]}::bigint[]) AND published_at IS NULL AND available_at <= now()
          ORDER BY id FOR UPDATE SKIP LOCKED`;
        await publishLocked(tx, rows);
      }, { timeout: 30_000 });
    },
    start(): void {
      timer = setInterval(() => {
        sweeping ??= sweep()
          .catch((e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'outbox sweep failed'))
          .finally(() => {
            sweeping = undefined;
          });
      }, options.sweepIntervalMs ?? 200);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await sweeping;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
