import { Counter, Histogram, type Registry } from 'prom-client';

export interface ConsumerMetrics {
  handled: Counter<'topic' | 'group' | 'outcome'>;
  deadLettered: Counter<'topic' | 'group'>;
  handleSeconds: Histogram<'topic' | 'group'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    handled: new Counter({ name: 'kafka_messages_handled_total', help: 'Messages handled, by outcome', labelNames: ['topic', 'group', 'outcome'], registers: [registry] }),
    deadLettered: new Counter({ name: 'kafka_messages_dead_lettered_total', help: 'Messages sent to a dead-letter topic', labelNames: ['topic', 'group'], registers: [registry] }),
    handleSeconds: new Histogram({ name: 'kafka_message_handle_seconds', help: 'Time to handle one message', labelNames: ['topic', 'group'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] }),
  };
}
