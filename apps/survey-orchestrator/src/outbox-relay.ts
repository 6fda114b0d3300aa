import { allTopics, type TopicDefinition } from '@sms-survey/contracts';
import type { Prisma, PrismaClient } from '@sms-survey/db';
import type { EventProducer, OutgoingEvent } from '@sms-survey/kafka';
import type { Logger } from 'pino';

export interface OutboxEntry {
  topic: TopicDefinition;
  key: string;
  message: { id: string; type: string };
}

type Tx = Prisma.TransactionClient;

/** Writes events to the outbox inside the caller's transaction; they are published after it commits. */
export async function enqueue(tx: Tx, entries: readonly OutboxEntry[]): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (const e of entries) {
    const row = await tx.outboxEvent.create({
      data: { topic: e.topic.name, key: e.key, payload: e.message as unknown as Prisma.InputJsonValue },
      select: { id: true },
    });
    ids.push(row.id);
  }
  return ids;
}

const topicsByName = new Map(allTopics.map((t) => [t.name, t]));
const SWEEP_LOCK = 4_242_001;

/**
 * Publishes outbox rows. The handler that wrote them publishes them at once (`publish(ids)`); a sweep every
 * second publishes anything left behind by a crash, under an advisory lock so one replica sweeps at a time.
 * A row can be published twice (fast path and sweep racing, or a crash before it is marked): consumers
 * de-duplicate by event id.
 */
export function createOutboxRelay(prisma: PrismaClient, producer: EventProducer, logger: Logger, options: { sweepIntervalMs?: number; sweepAgeMs?: number } = {}) {
  const sweepAgeMs = options.sweepAgeMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  async function publishRows(rows: { id: bigint; topic: string; key: string; payload: unknown }[]): Promise<void> {
    if (rows.length === 0) return;
    const events: OutgoingEvent[] = rows.map((r) => {
      const topic = topicsByName.get(r.topic);
      if (!topic) throw new Error(`outbox row ${r.id} names unknown topic ${r.topic}`);
      return { topic, key: r.key, message: r.payload as OutgoingEvent['message'] };
    });
    await producer.publish(events);
    await prisma.outboxEvent.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { publishedAt: new Date() } });
  }

  async function sweep(): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`;
      if (!lock?.locked) return;
      const rows = await tx.outboxEvent.findMany({
        where: { publishedAt: null, createdAt: { lt: new Date(Date.now() - sweepAgeMs) } },
        orderBy: { id: 'asc' },
        take: 500,
      });
      if (rows.length) logger.info({ count: rows.length }, 'publishing outbox rows left behind');
      await publishRows(rows);
    }, { timeout: 30_000 });
  }

  return {
    async publish(ids: readonly bigint[]): Promise<void> {
      if (ids.length === 0) return;
      const rows = await prisma.outboxEvent.findMany({ where: { id: { in: [...ids] }, publishedAt: null }, orderBy: { id: 'asc' } });
      await publishRows(rows);
    },
    start(): void {
      timer = setInterval(() => {
        sweeping ??= sweep()
          .catch((e) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'outbox sweep failed'))
          .finally(() => { sweeping = undefined; });
      }, options.sweepIntervalMs ?? 1000);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await sweeping;
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
