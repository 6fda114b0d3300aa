/**
 * Child process (forked with IPC): consumes `<prefix>sms.send.v1` with kafkajs and reports, for every
 * `sms.send.requested` to a benchmark customer, when it arrived here (a process of its own, so the load
 * generator does not delay the timestamps) and the Kafka CreateTime the orchestrator's producer stamped on it.
 * It also reports the CreateTime of each benchmark customer's `sms.inbound.received` on `<prefix>sms.inbound.v1`
 * (stamped by the gateway's producer), which splits a reply's latency into gateway and orchestrator.
 * Options come as JSON in argv[2].
 */
import { Kafka, logLevel } from 'kafkajs';

export interface WatcherOptions {
  brokers: string[];
  topic: string;
  inboundTopic: string;
  groupId: string;
  /** Only sends to customers whose number starts with this. */
  customerPrefix: string;
}

export interface SeenSend {
  to: string;
  /** The question number ([Qn] in the body), or 0 when there is none. */
  question: number;
  /** Date.now() when this consumer got it. */
  receivedAt: number;
  /** Kafka CreateTime (ms). */
  createdAt: number;
}

export interface SeenInbound {
  messageSid: string;
  /** Kafka CreateTime (ms). */
  createdAt: number;
}

export type WatcherMessage =
  | { kind: 'ready' }
  | { kind: 'sends'; sends: SeenSend[] }
  | { kind: 'inbound'; inbound: SeenInbound[] }
  | { kind: 'stopped' }
  | { kind: 'error'; error: string };

const options = JSON.parse(process.argv[2] ?? '{}') as WatcherOptions;
const kafka = new Kafka({ clientId: 'bench-send-watcher', brokers: options.brokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
const post = (m: WatcherMessage) => process.send?.(m);

consumer.on(consumer.events.GROUP_JOIN, () => post({ kind: 'ready' }));

try {
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  // Only the inbound events from now on (scenario 1 left hundreds of thousands on this topic).
  await consumer.subscribe({ topic: options.inboundTopic, fromBeginning: false });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      if (batch.topic === options.inboundTopic) {
        const inbound: SeenInbound[] = [];
        for (const message of batch.messages) {
          const value = JSON.parse(message.value?.toString('utf8') ?? '{}') as { type?: string; payload?: { from?: string; messageSid?: string } };
          if (value.type !== 'sms.inbound.received' || !value.payload?.from?.startsWith(options.customerPrefix) || !value.payload.messageSid) continue;
          inbound.push({ messageSid: value.payload.messageSid, createdAt: Number(message.timestamp) });
        }
        if (inbound.length) post({ kind: 'inbound', inbound });
        return;
      }
      const sends: SeenSend[] = [];
      for (const message of batch.messages) {
        const value = JSON.parse(message.value?.toString('utf8') ?? '{}') as { type?: string; payload?: { to?: string; body?: string } };
        const to = value.payload?.to;
        if (value.type !== 'sms.send.requested' || !to?.startsWith(options.customerPrefix)) continue;
        const question = Number(/\[Q(\d+)\]/.exec(value.payload?.body ?? '')?.[1] ?? 0);
        sends.push({ to, question, receivedAt, createdAt: Number(message.timestamp) });
      }
      if (sends.length) post({ kind: 'sends', sends });
    },
  });
} catch (e) {
  post({ kind: 'error', error: e instanceof Error ? e.message : String(e) });
}

process.on('message', (m: unknown) => {
  if (m === 'stop') {
    void consumer.disconnect().finally(() => {
      post({ kind: 'stopped' });
      process.disconnect?.();
    });
  }
});
// The benchmark went away without saying stop: do not linger.
process.on('disconnect', () => void consumer.disconnect().finally(() => process.exit(0)));
