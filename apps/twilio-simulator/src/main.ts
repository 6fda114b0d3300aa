import { loadSimulatorConfig } from './config.js';
import { buildSimulator } from './simulator.js';

const config = loadSimulatorConfig();
const { app } = buildSimulator({ ...config, logger: true });
await app.listen({ host: config.host, port: config.port });
app.log.info({ accountSid: config.accountSid, inboundWebhookUrl: config.inboundWebhookUrl }, 'Twilio simulator ready');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  });
}
