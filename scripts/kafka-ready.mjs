// Exits 0 once the broker at argv[2] answers a metadata request (used by scripts/kafka.sh).
import { Kafka, logLevel } from 'kafkajs';

const kafka = new Kafka({ clientId: 'kafka-ready', brokers: [process.argv[2]], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
const admin = kafka.admin();
try {
  await admin.connect();
  await admin.describeCluster();
  await admin.disconnect();
  process.exit(0);
} catch {
  process.exit(1);
}
