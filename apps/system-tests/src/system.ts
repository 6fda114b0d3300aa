import { startGateway, loadGatewayConfig, type GatewayHandle } from '@sms-survey/ingest-gateway';
import { loadInsightsSyncConfig, startInsightsSync } from '@sms-survey/insights-sync';
import { loadDispatcherConfig, startDispatcher } from '@sms-survey/sms-dispatcher';
import { loadOrchestratorConfig, startOrchestrator } from '@sms-survey/survey-orchestrator';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN, type WorkerHandle } from '@sms-survey/service-kit';
import { createTestDatabase, createTestTopics, freePort, silentLogger, type TestDatabase } from '@sms-survey/testing';

export { freePort };
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';


export interface RunningSystem {
  database: TestDatabase;
  topicPrefix: string;
  simulator: Simulator;
  simulatorUrl: string;
  gateway: GatewayHandle;
  orchestrator: WorkerHandle;
  dispatcher: WorkerHandle;
  insightsSync: WorkerHandle;
  /** The environment every service was configured with (for starting extra replicas). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The four services, in this process, against the real Kafka broker and PostgreSQL, with their own topics
 * (a unique prefix) and their own database, and the Twilio simulator in place of Twilio.
 */
export async function startSystem(extraEnv: Record<string, string> = {}): Promise<RunningSystem> {
  const database = await createTestDatabase();
  const topics = await createTestTopics();
  const { prefix, brokers } = topics;
  const simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, statusCallbackDelayMs: 20 });
  const simulatorUrl = await simulator.app.listen({ port: 0, host: '127.0.0.1' });
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    TWILIO_API_BASE_URL: simulatorUrl,
    PUBLIC_BASE_URL: gatewayUrl,
    STATUS_CALLBACK_BASE_URL: gatewayUrl,
    PORT: '0',
    ...extraEnv,
  };
  const logger = silentLogger();
  const fatal = (e: unknown) => { throw e; };
  const gateway = await startGateway(loadGatewayConfig({ ...env, PORT: String(gatewayPort) }), logger.child({ service: 'ingest-gateway' }));
  const orchestrator = await startOrchestrator(loadOrchestratorConfig(env), logger.child({ service: 'survey-orchestrator' }), fatal);
  const dispatcher = await startDispatcher(loadDispatcherConfig(env), logger.child({ service: 'sms-dispatcher' }), fatal);
  const insightsSync = await startInsightsSync(loadInsightsSyncConfig(env), logger.child({ service: 'insights-sync' }), fatal);
  const system: RunningSystem = {
    database,
    topicPrefix: prefix,
    simulator,
    simulatorUrl,
    gateway,
    orchestrator,
    dispatcher,
    insightsSync,
    env,
    async stop() {
      // The services running now: a test may have replaced one (a restart), and the replacement must stop too.
      const running = [system.gateway, system.orchestrator, system.dispatcher, system.insightsSync];
      await Promise.allSettled(running.map((service) => service.stop()));
      await simulator.app.close();
      await database.drop();
      await topics.delete();
    },
  };
  return system;
}

/** Waits until every service says it is ready. */
export async function waitUntilReady(system: RunningSystem, timeoutMs = 30_000): Promise<void> {
  const urls = [system.gateway.url, system.orchestrator.url, system.dispatcher.url, system.insightsSync.url];
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      if (res?.ok) break;
      if (Date.now() > deadline) throw new Error(`${url} not ready: ${res ? await res.text() : 'no answer'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
