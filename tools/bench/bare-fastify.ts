/**
 * The gateway benchmark's baseline: a bare fastify "hello world" on the same machine. It parses the same
 * form-encoded webhook body (the gateway's body parser, @fastify/formbody) and answers the same empty TwiML,
 * but checks no signature, validates nothing and writes nothing to Kafka: the HTTP floor of this machine.
 *   PORT=3100 node --import tsx tools/bench/bare-fastify.ts
 */
import formbody from '@fastify/formbody';
import Fastify from 'fastify';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const app = Fastify({ logger: false });
await app.register(formbody);
app.get('/readyz', async () => ({ status: 'ready' }));
app.post('/twilio/messaging/inbound', async (_request, reply) => reply.type('text/xml').send(EMPTY_TWIML));
await app.listen({ port: Number(process.env['PORT'] ?? 3100), host: process.env['HOST'] ?? '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
