import { createBrokerProbe, createEventProducer, createKafka } from '@sms-survey/kafka';
import { createMetricsRegistry, retryUntilSuccess, type ServiceHandle } from '@sms-survey/service-kit';
import type { Logger } from 'pino';
import { buildGateway } from './app.js';
import type { GatewayConfig } from './config.js';

export const SERVICE = 'ingest-gateway';

export interface GatewayHandle extends ServiceHandle {
  url: string;
}

/** Starts the HTTP server at once; Kafka is connected in the background and /readyz says when it is. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<GatewayHandle> {
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: SERVICE }, logger);
  const producer = createEventProducer(kafka, { topicPrefix: config.KAFKA_TOPIC_PREFIX, publishTimeoutMs: config.KAFKA_PUBLISH_TIMEOUT_MS });
  const broker = createBrokerProbe(kafka);
  let producerConnected = false;
  const connecting = new AbortController();

  const app = await buildGateway({
    logger,
    producer,
    registry: createMetricsRegistry(SERVICE),
    readiness: [
      { name: 'kafka-producer', check: () => producerConnected },
      { name: 'kafka-broker', check: () => broker.check() },
    ],
    publicBaseUrl: config.PUBLIC_BASE_URL,
    twilioAuthTokens: config.twilio.authTokens,
    maxBodyBytes: config.MAX_BODY_BYTES,
  });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ url, publicBaseUrl: config.PUBLIC_BASE_URL, simulatedTwilio: config.twilio.simulated }, `${SERVICE} listening`);
  const connection = retryUntilSuccess('connect to Kafka', async () => { await producer.connect(); return true; }, logger, connecting.signal).then(
    (connected) => { producerConnected = connected === true; },
  );

  return {
    url,
    async stop() {
      connecting.abort();
      await connection;
      await app.close(); // stops accepting and waits for in-flight requests, their Kafka writes included
      await producer.disconnect();
      await broker.close();
    },
  };
}
