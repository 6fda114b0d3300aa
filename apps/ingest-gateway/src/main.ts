import { createBrokerProbe, createEventProducer, createKafka } from '@sms-survey/kafka';
import { createLogger, createMetricsRegistry, retryUntilSuccess, runService } from '@sms-survey/service-kit';
import { buildGateway } from './app.js';
import { loadGatewayConfig } from './config.js';

const SERVICE = 'ingest-gateway';

runService({
  name: SERVICE,
  logger: createLogger(SERVICE),
  shutdownTimeoutMs: 9000,
  async start() {
    const config = loadGatewayConfig();
    const logger = createLogger(SERVICE, config.LOG_LEVEL);
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
    await app.listen({ port: config.PORT, host: config.HOST });
    logger.info({ port: config.PORT, simulatedTwilio: config.twilio.simulated }, `${SERVICE} listening`);
    // Not ready until the broker takes writes; the HTTP server is up meanwhile so probes can say so.
    void retryUntilSuccess('connect to Kafka', async () => { await producer.connect(); return true; }, logger, connecting.signal).then(
      (connected) => { producerConnected = connected === true; },
    );

    return {
      async stop() {
        connecting.abort();
        await app.close(); // stops accepting, waits for in-flight requests (their Kafka writes included)
        await producer.disconnect();
        await broker.close();
      },
    };
  },
});
