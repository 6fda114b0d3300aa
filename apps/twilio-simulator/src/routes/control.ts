import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { InboundSmsResult, OptOutType } from '../inbound.js';
import { describeFetchError } from '../outbound-http.js';
import { serviceNumbers } from '../messaging-services.js';
import { resetState, type SimulatorState } from '../state.js';
import type { MessageLifecycle } from '../status-callbacks.js';
import { invalidParameter, notFound } from '../twilio-error.js';

export interface InboundSmsInput {
  from: string;
  to: string;
  body: string;
  /** Defaults to the simulator's configured inbound webhook URL. */
  url?: string;
  /**
   * Twilio's OptOutType for this message, as Advanced Opt-Out would set it for a custom keyword; derived from
   * the body when absent; null sends none (a number without Advanced Opt-Out), keywords still being honoured.
   */
  optOutType?: OptOutType | null;
}

const InboundSmsInputSchema = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  body: z.string(),
  url: z.url().optional(),
  optOutType: z.enum(['STOP', 'START', 'HELP']).nullable().optional(),
});
const MessagingServiceInput = z.object({
  sid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits'),
  numbers: z.array(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number')).max(400),
});
const ResetInput = z.object({ all: z.boolean().default(false) }).default({ all: false });
const TaskStatusInput = z.object({ assignmentStatus: z.enum(['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping']) });
const ApiFaultInput = z.object({
  status: z.number().int().min(400).max(599),
  code: z.number().int().default(20500),
  message: z.string().default('Simulated failure'),
  method: z.string().toUpperCase().optional(),
  pathContains: z.string().optional(),
  count: z.number().int().min(1).default(1),
});
const ApiDelayInput = z.object({
  delayMs: z.number().int().min(0).max(600_000),
  phase: z.enum(['before', 'after']).default('after'),
  method: z.string().toUpperCase().optional(),
  pathContains: z.string().optional(),
  from: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  count: z.number().int().min(1).default(1),
});
const StatusCallbackDelayInput = z.object({
  /** Without `to`, the delay applies to every message that has no delay of its own. */
  to: z.string().min(1).optional(),
  /** null removes the delay. */
  delayMs: z.number().int().min(0).max(600_000).nullable(),
});
const DeliveryFaultInput = z.object({
  to: z.string().min(1),
  status: z.enum(['undelivered', 'failed']).default('undelivered'),
  errorCode: z.number().int().default(30003),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw invalidParameter(z.prettifyError(result.error));
  return result.data;
}

/** Test and dev-stack controls under `/__sim` (no auth). */
export function registerControlRoutes(
  app: FastifyInstance,
  deps: { state: SimulatorState; lifecycle: MessageLifecycle; sendInboundSms(input: InboundSmsInput): Promise<InboundSmsResult> },
): void {
  const { state } = deps;

  app.get('/health', async () => ({ ok: true }));

  app.get('/requests', async () => ({ requests: state.requests }));

  app.get('/messages', async (request) => {
    const { to, from, direction } = request.query as { to?: string; from?: string; direction?: string };
    const messages = state.messages.filter(
      (m) => (to === undefined || m.to === to) && (from === undefined || m.from === from) && (direction === undefined || m.direction === direction),
    );
    return { messages };
  });

  app.get('/status-callbacks', async () => ({ statusCallbacks: state.statusCallbacks }));

  app.get('/tasks', async () => ({ tasks: state.tasks }));

  app.get('/taskrouter', async () => ({
    workspaces: state.workspaces,
    taskQueues: state.taskQueues,
    workflows: state.workflows,
    taskChannels: state.taskChannels,
    workers: state.workers,
  }));

  app.get('/opt-outs', async () => ({ optOuts: [...state.optOuts] }));

  // A Messaging Service's numbers (Twilio picks one per message, sticky per customer); unset: one derived number.
  app.post('/messaging-services', async (request) => {
    const { sid, numbers } = parse(MessagingServiceInput, request.body);
    state.messagingServices.set(sid, numbers);
    return { sid, numbers: serviceNumbers(state, sid) };
  });
  app.get('/messaging-services/:sid', async (request) => {
    const { sid } = request.params as { sid: string };
    return { sid, numbers: serviceNumbers(state, sid) };
  });

  app.post('/reset', async (request) => {
    const { all } = parse(ResetInput, request.body ?? undefined);
    deps.lifecycle.stopAll();
    resetState(state, { all });
    return { ok: true };
  });

  app.post('/inbound', async (request, reply) => {
    const input = parse(InboundSmsInputSchema, request.body);
    try {
      const result = await deps.sendInboundSms(input);
      return { status: result.status, body: result.body, messageSid: result.messageSid };
    } catch (err) {
      return reply.code(502).send({ error: `inbound webhook not delivered: ${describeFetchError(err)}` });
    }
  });

  /** Plays the agent's part: moves a task to any assignment status (e.g. `assigned` when an agent accepts). */
  app.post('/tasks/:sid/assignment-status', async (request) => {
    const { sid } = request.params as { sid: string };
    const { assignmentStatus } = parse(TaskStatusInput, request.body);
    const task = state.tasks.find((t) => t.sid === sid);
    if (!task) throw notFound(`/__sim/tasks/${sid}`);
    task.assignmentStatus = assignmentStatus;
    task.dateUpdated = new Date();
    return { task };
  });

  app.post('/faults/api', async (request) => {
    const input = parse(ApiFaultInput, request.body);
    const { count, method, pathContains, ...fault } = input;
    state.apiFaults.push({ ...fault, remaining: count, ...(method && { method }), ...(pathContains && { pathContains }) });
    return { apiFaults: state.apiFaults };
  });

  /**
   * Holds matching API requests: `phase: 'before'` before Twilio handles them (one whose client has gone by
   * then is dropped unhandled), `'after'` once handled, before the answer (the message exists meanwhile).
   */
  app.post('/delays/api', async (request) => {
    const { count, method, pathContains, from, to, ...delay } = parse(ApiDelayInput, request.body);
    state.apiDelays.push({ ...delay, remaining: count, ...(method && { method }), ...(pathContains && { pathContains }), ...(from && { from }), ...(to && { to }) });
    return { apiDelays: state.apiDelays };
  });

  /** Sets (or with `delayMs: null` removes) the pause before each status change, for one number or for all. */
  app.post('/delays/status-callbacks', async (request) => {
    const { to, delayMs } = parse(StatusCallbackDelayInput, request.body);
    const index = state.statusCallbackDelays.findIndex((d) => d.to === to);
    if (index >= 0) state.statusCallbackDelays.splice(index, 1);
    if (delayMs !== null) state.statusCallbackDelays.push({ delayMs, ...(to !== undefined && { to }) });
    return { statusCallbackDelays: state.statusCallbackDelays };
  });

  app.post('/faults/delivery', async (request) => {
    const fault = parse(DeliveryFaultInput, request.body);
    state.deliveryFaults.push(fault);
    return { deliveryFaults: state.deliveryFaults };
  });
}
