import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ApiContext } from './api-context.js';
import { loadContracts } from './contract.js';
import { deliverInboundSms, optOutTypeOf, type InboundSmsResult } from './inbound.js';
import { parseFormBody, toParams, param, type Params } from './params.js';
import { registerControlRoutes, type InboundSmsInput } from './routes/control.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerTaskRouterRoutes } from './routes/taskrouter.js';
import { countSegments } from './segments.js';
import { newSid } from './sids.js';
import { createState, optOutKey, type RecordedRequest, type SimulatorState } from './state.js';
import { MessageLifecycle } from './status-callbacks.js';
import { TwilioApiError, twilioErrorBody } from './twilio-error.js';

export interface SimulatorOptions {
  accountSid: string;
  authToken: string;
  logger?: boolean;
  /** Pause before each message status change (queued → sent → delivered). Default 50 ms. */
  statusCallbackDelayMs?: number;
  /** Where `POST /__sim/inbound` delivers customer SMS when the request names no URL. */
  inboundWebhookUrl?: string;
  /** Attempts per status callback before it is recorded as undelivered. Default 3. */
  callbackMaxAttempts?: number;
  /** Pause before the n-th callback retry is n × this. Default 100 ms. */
  callbackRetryDelayMs?: number;
}

export interface Simulator {
  app: FastifyInstance;
  state: SimulatorState;
  /** What `POST /__sim/inbound` does: records the SMS, applies STOP/START, delivers the signed webhook. */
  sendInboundSms(input: InboundSmsInput): Promise<InboundSmsResult>;
}

function authorized(header: string | undefined, accountSid: string, authToken: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8') === `${accountSid}:${authToken}`;
}

export function buildSimulator(opts: SimulatorOptions): Simulator {
  const contracts = loadContracts();
  const state = createState(opts.accountSid);
  const app = Fastify({ logger: opts.logger ?? false });
  const lifecycle = new MessageLifecycle({
    state,
    authToken: opts.authToken,
    log: app.log,
    delayMs: opts.statusCallbackDelayMs ?? 50,
    callbackMaxAttempts: opts.callbackMaxAttempts ?? 3,
    callbackRetryDelayMs: opts.callbackRetryDelayMs ?? 100,
  });
  app.addHook('onClose', async () => lifecycle.stopAll());

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseFormBody(body as string));
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof TwilioApiError) return reply.code(error.status).send(twilioErrorBody(error.status, error.code, error.message));
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'simulator error');
    const message = error instanceof Error ? error.message : String(error);
    return reply.code(status).send(twilioErrorBody(status, status >= 500 ? 20500 : 20001, message));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    return reply.code(404).send(twilioErrorBody(404, 20404, `The requested resource ${path} was not found`));
  });

  const records = new WeakMap<FastifyRequest, RecordedRequest>();
  const ctx: ApiContext = {
    state,
    contracts,
    lifecycle,
    paramsOf: (request) => records.get(request)?.params ?? toParams(request.query),
  };

  app.register(async (api) => {
    // Recorded before the auth check, so rejected requests show up in state.requests too.
    api.addHook('onRequest', async (request, reply) => {
      const record: RecordedRequest = { time: Date.now(), method: request.method, path: request.url.split('?')[0]!, params: toParams(request.query) };
      records.set(request, record);
      state.requests.push(record);
      if (!authorized(request.headers.authorization, opts.accountSid, opts.authToken)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Basic realm="Twilio API"')
          .send(twilioErrorBody(401, 20003, 'Authenticate'));
      }
    });
    api.addHook('preValidation', async (request) => {
      const record = records.get(request);
      if (!record) return;
      const body: Params = toParams(request.body);
      record.params = { ...record.params, ...body };
      const from = param(record.params, 'From');
      if (from !== undefined) record.from = from;
      const faultIndex = state.apiFaults.findIndex(
        (f) => (f.method === undefined || f.method === request.method) && (f.pathContains === undefined || record.path.includes(f.pathContains)),
      );
      // Faults set up through /__sim/faults/api answer instead of the route, once per `count`.
      const fault = state.apiFaults[faultIndex];
      if (fault) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) state.apiFaults.splice(faultIndex, 1);
        throw new TwilioApiError(fault.status, fault.code, fault.message);
      }
    });
    api.addHook('onResponse', async (request, reply) => {
      const record = records.get(request);
      if (record) record.statusCode = reply.statusCode;
    });
    await api.register(async (scope) => registerMessageRoutes(scope, ctx));
    await api.register(async (scope) => registerTaskRouterRoutes(scope, ctx));
  });

  async function sendInboundSms(input: InboundSmsInput): Promise<InboundSmsResult> {
    const url = input.url ?? opts.inboundWebhookUrl;
    if (!url) throw new Error('no inbound webhook URL: pass url or configure inboundWebhookUrl');
    const now = new Date();
    const messageSid = newSid('SM');
    state.messages.push({
      sid: messageSid,
      accountSid: opts.accountSid,
      direction: 'inbound',
      from: input.from,
      to: input.to,
      body: input.body,
      status: 'received',
      numSegments: countSegments(input.body),
      numMedia: 0,
      messagingServiceSid: null,
      statusCallback: null,
      validityPeriod: null,
      errorCode: null,
      errorMessage: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: now,
    });
    const optOutType = optOutTypeOf(input.body);
    if (optOutType === 'STOP') state.optOuts.add(optOutKey(input.from, input.to));
    if (optOutType === 'START') state.optOuts.delete(optOutKey(input.from, input.to));
    return deliverInboundSms({ url, authToken: opts.authToken, accountSid: opts.accountSid, from: input.from, to: input.to, body: input.body, messageSid });
  }

  app.register(async (control) => registerControlRoutes(control, { state, lifecycle, sendInboundSms }), { prefix: '/__sim' });

  return { app, state, sendInboundSms };
}
