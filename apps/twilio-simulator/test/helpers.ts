import { createTwilioClient, type TwilioClient } from '@sms-survey/twilio';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildSimulator, parseFormBody, type Params, type Simulator, type SimulatorOptions } from '../src/index.js';

// Response bodies are asserted field by field in tests; typing each Twilio shape here would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const accountSid = 'AC0123456789abcdef0123456789abcdef';
export const authToken = 'sim-test-token';

export interface RunningSimulator extends Simulator {
  baseUrl: string;
  client: TwilioClient;
  /** fetch against the simulator with the account's basic auth. */
  api(path: string, init?: { method?: string; form?: Record<string, string | string[]>; auth?: string }): Promise<{ status: number; json: Json }>;
  close(): Promise<void>;
}

export async function startSimulator(opts: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const simulator = buildSimulator({ accountSid, authToken, statusCallbackDelayMs: 10, callbackRetryDelayMs: 10, ...opts });
  const baseUrl = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
  const client = createTwilioClient({ accountSid, authToken, apiBaseUrl: baseUrl, timeoutMs: 5000 });
  return {
    ...simulator,
    baseUrl,
    client,
    async api(path, init = {}) {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(init.form ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
      }
      const response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers: {
          authorization: `Basic ${Buffer.from(init.auth ?? `${accountSid}:${authToken}`).toString('base64')}`,
          ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(init.form && { body: body.toString() }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    close: () => simulator.app.close(),
  };
}

export interface ReceivedWebhook {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params: Params;
}

export interface WebhookReceiver {
  baseUrl: string;
  received: ReceivedWebhook[];
  /** Status codes to answer with, one per request, before falling back to 200. */
  failNext: number[];
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A stand-in for our gateway: records every form-encoded POST it gets. */
export async function startReceiver(replyBody = '<Response/>'): Promise<WebhookReceiver> {
  const app = Fastify();
  const received: ReceivedWebhook[] = [];
  const failNext: number[] = [];
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseFormBody(body as string));
  });
  app.post('/*', async (request, reply) => {
    received.push({ url: request.url, headers: request.headers, params: request.body as Params });
    const status = failNext.shift() ?? 200;
    return reply.code(status).type('text/xml').send(replyBody);
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return { baseUrl, received, failNext, app, close: () => app.close() };
}

/** A URL nothing listens on (fetch refuses well-known "bad" ports such as 1, so take a fresh ephemeral one). */
export async function unreachableUrl(path = '/unreachable'): Promise<string> {
  const app = Fastify();
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.close();
  return `${baseUrl}${path}`;
}
