import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ApiContext } from './api-context.js';
import { loadContracts } from './contract.js';
import { deliverInboundSms, optOutTypeOf, type InboundSmsResult } from './inbound.js';
import { parseFormBody, toParams, param, type Params } from './params.js';
import { registerControlRoutes, type InboundSmsInput } from './routes/control.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerFlexRoutes } from './routes/flex.js';
import { registerSimulatorPage } from './routes/page.js';
import { registerTaskRouterRoutes } from './routes/taskrouter.js';
import { countSegments } from './segments.js';
import { registerTaskRouterEventControl } from './taskrouter-events.js';
import { newSid } from './sids.js';
import { createState, optOutKey, type ApiDelay, type RecordedRequest, type SimulatorState } from './state.js';
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
  // Requests held by an ApiDelay are let go when the simulator closes, so closing never waits for a delay.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  const hold = (ms: number) => sleep(ms, undefined, { signal: closing.signal }).catch(() => undefined);

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
  /** Answers held back by an ApiDelay in phase `after`. */
  const heldAnswers = new WeakMap<FastifyRequest, number>();

  /** The first delay set up through /__sim/delays/api that matches, counted as used. */
  function takeDelay(request: FastifyRequest, record: RecordedRequest): ApiDelay | undefined {
    const index = state.apiDelays.findIndex(
      (d) =>
        (d.method === undefined || d.method === request.method) &&
        (d.pathContains === undefined || record.path.includes(d.pathContains)) &&
        (d.from === undefined || d.from === param(record.params, 'From')) &&
        (d.to === undefined || d.to === param(record.params, 'To')),
    );
    const delay = state.apiDelays[index];
    if (!delay) return undefined;
    delay.remaining -= 1;
    if (delay.remaining <= 0) state.apiDelays.splice(index, 1);
    return delay;
  }
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
    api.addHook('preValidation', async (request, reply) => {
      const record = records.get(request);
      if (!record) return;
      const body: Params = toParams(request.body);
      record.params = { ...record.params, ...body };
      const from = param(record.params, 'From');
      if (from !== undefined) record.from = from;
      const delay = takeDelay(request, record);
      if (delay?.phase === 'after') heldAnswers.set(request, delay.delayMs);
      if (delay?.phase === 'before') {
        await hold(delay.delayMs);
        // The client gave up (or died) while the request was held: it never reached "Twilio".
        if (request.raw.socket.destroyed) {
          record.dropped = true;
          reply.hijack();
          return reply;
        }
      }
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
    api.addHook('onSend', async (request, _reply, payload) => {
      const held = heldAnswers.get(request);
      if (held !== undefined) await hold(held);
      return payload;
    });
    api.addHook('onResponse', async (request, reply) => {
      const record = records.get(request);
      if (record) record.statusCode = reply.statusCode;
    });
    await api.register(async (scope) => registerMessageRoutes(scope, ctx));
    await api.register(async (scope) => registerTaskRouterRoutes(scope, ctx));
    await api.register(async (scope) => registerFlexRoutes(scope, ctx));
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
    // Twilio honours its opt-out keywords whether or not it reports them (OptOutType) to the webhook.
    const optOutType = input.optOutType ?? optOutTypeOf(input.body);
    if (optOutType === 'STOP') state.optOuts.add(optOutKey(input.from, input.to));
    if (optOutType === 'START') state.optOuts.delete(optOutKey(input.from, input.to));
    return deliverInboundSms({
      url,
      authToken: opts.authToken,
      accountSid: opts.accountSid,
      from: input.from,
      to: input.to,
      body: input.body,
      messageSid,
      optOutType: input.optOutType === null ? null : optOutType,
    });
  }

  app.register(async (control) => registerControlRoutes(control, { state, lifecycle, sendInboundSms }), { prefix: '/__sim' });
  app.register(async (control) => registerTaskRouterEventControl(control, { state, authToken: opts.authToken }), { prefix: '/__sim' });
  app.register(async (page) => registerSimulatorPage(page, { state }), { prefix: '/__sim' });

  return { app, state, sendInboundSms };
}
