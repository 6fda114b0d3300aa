import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { E164, Text } from '@sms-survey/contracts';
import { HttpError, zodIssues } from '../http-errors.js';
import { bodyAnswers, commonAnswers, error, json } from '../openapi.js';

export interface SimulatorProxyOptions {
  /** The Twilio simulator's base URL (TWILIO_API_BASE_URL when no Twilio credentials are set). */
  simulatorUrl: string;
  /** Where the simulator posts inbound SMS: this gateway's inbound webhook, as Twilio would call it. */
  inboundWebhookUrl: string;
  /** How long to wait for the simulator. */
  timeoutMs?: number;
}

/** One SMS at the simulator, as the console's phone view shows it. */
export interface SimulatedSms {
  sid: string;
  direction: 'inbound' | 'outbound';
  from: string | null;
  to: string;
  body: string;
  status: string;
  dateCreated: string;
}

const MessagesQuery = z.strictObject({ number: E164 });
const InboundBody = z.strictObject({ from: E164, to: E164, body: Text(1600) });

// The answers, for the OpenAPI document.
const SimulatedSmsAnswer = z.object({
  sid: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  from: z.string().nullable(),
  to: z.string(),
  body: z.string(),
  status: z.string(),
  dateCreated: z.iso.datetime(),
}) satisfies z.ZodType<SimulatedSms>;
const MessagesAnswer = z.object({ number: z.string(), messages: z.array(SimulatedSmsAnswer).meta({ description: 'oldest first' }) });
const InboundAnswer = z.object({ messageSid: z.string(), webhookStatus: z.int().meta({ description: "the status the gateway's inbound webhook answered the simulator" }) });
const simulatorDown = error('the Twilio simulator does not answer, or answered with an error');
const ONLY_SIMULATED = 'Only while Twilio is the local simulator (no Twilio credentials); otherwise 404.';

interface SimMessage { sid: string; direction: string; from: string | null; to: string; body: string; status: string; dateCreated: string }

/**
 * The console's "Try it" phone, against the local Twilio simulator (mounted under /v1, API key; registered only
 * when Twilio is simulated): `GET /v1/simulator` says the simulator is there, `GET /v1/simulator/messages?number=`
 * lists the SMS to and from a number, `POST /v1/simulator/inbound` has the simulator send the gateway a signed
 * inbound SMS from that number. Through the gateway, so the browser needs one origin and one key, and the
 * simulator (which has no authentication) need not be reachable from the browser.
 */
export function registerSimulatorProxy(api: FastifyInstance, options: SimulatorProxyOptions): void {
  const base = options.simulatorUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${base}/__sim${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new HttpError(502, `the Twilio simulator at ${base} does not answer: ${(error as Error).message}`);
    }
    const body = (await res.json().catch(() => undefined)) as unknown;
    if (!res.ok) throw new HttpError(502, `the Twilio simulator answered ${res.status}`, body && typeof body === 'object' && 'error' in body ? [String(body.error)] : undefined);
    return body;
  };

  api.get(
    '/simulator',
    { schema: { tags: ['simulator'], summary: 'Whether Twilio is the local simulator (the console asks)', description: ONLY_SIMULATED, response: { 200: json('it is', z.object({ simulated: z.literal(true) })) } } },
    async () => ({ simulated: true }),
  );

  const messagesSchema = {
    tags: ['simulator'],
    summary: 'The SMS to and from a number at the simulator',
    description: ONLY_SIMULATED,
    querystring: MessagesQuery,
    response: { 200: json('the messages', MessagesAnswer), 400: error('`number` is missing or not E.164'), 500: commonAnswers.internal, 502: simulatorDown },
  };
  api.get('/simulator/messages', { schema: messagesSchema }, async (request) => {
    const query = MessagesQuery.safeParse(request.query);
    if (!query.success) throw new HttpError(400, 'invalid request', zodIssues(query.error));
    const { number } = query.data;
    const [to, from] = (await Promise.all([
      call(`/messages?to=${encodeURIComponent(number)}`),
      call(`/messages?from=${encodeURIComponent(number)}`),
    ])) as { messages: SimMessage[] }[];
    const messages: SimulatedSms[] = [...(to?.messages ?? []), ...(from?.messages ?? [])]
      .filter((m, index, all) => all.findIndex((other) => other.sid === m.sid) === index)
      .map((m) => ({
        sid: m.sid,
        direction: m.direction === 'inbound' ? ('inbound' as const) : ('outbound' as const),
        from: m.from,
        to: m.to,
        body: m.body,
        status: m.status,
        dateCreated: new Date(m.dateCreated).toISOString(),
      }))
      .sort((a, b) => a.dateCreated.localeCompare(b.dateCreated));
    return { number, messages };
  });

  const inboundSchema = {
    tags: ['simulator'],
    summary: "Have the simulator send the gateway's inbound webhook a signed SMS from a number",
    description: ONLY_SIMULATED,
    body: InboundBody,
    response: { 200: json('sent', InboundAnswer), ...bodyAnswers('a field is missing or bad (each named in `problems`)', { unavailable: false }), 502: simulatorDown },
  };
  api.post('/simulator/inbound', { schema: inboundSchema }, async (request) => {
    const body = InboundBody.safeParse(request.body);
    if (!body.success) throw new HttpError(400, 'invalid request', zodIssues(body.error));
    const result = (await call('/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body.data, url: options.inboundWebhookUrl }),
    })) as { status: number; messageSid: string };
    return { messageSid: result.messageSid, webhookStatus: result.status };
  });
}
