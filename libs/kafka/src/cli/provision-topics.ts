// Creates every topic in the contracts (and its dead-letter topic) with its configured partitions and
// settings. Idempotent; run before the services start (npm start does, and a Kubernetes job should).
import pino from 'pino';
import { allTopics } from '@sms-survey/contracts';
import { createKafka } from '../kafka-client.js';
import { provisionTopics } from '../topics-admin.js';
import { loadProvisionConfig } from './provision-config.js';

const config = loadProvisionConfig();
const logger = pino({ level: 'warn' });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'topic-provisioner' }, logger);
const report = await provisionTopics(kafka, allTopics, {
  prefix: config.KAFKA_TOPIC_PREFIX,
  partitions: config.KAFKA_TOPIC_PARTITIONS,
  replicationFactor: config.KAFKA_REPLICATION_FACTOR,
});
console.log(
  `topics: ${report.created.length} created, ${report.partitionsIncreased.length} grown, ${report.existing.length} already as configured`,
);
for (const t of report.created) console.log(`  created ${t}`);
for (const t of report.partitionsIncreased) console.log(`  grew ${t}`);
