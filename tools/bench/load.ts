/**
 * HTTP load with autocannon's programmatic API. Every request carries a body of its own (pre-generated and
 * signed, distinct MessageSid), handed out in order from a shared list by `setupRequest`, so each one is a
 * new webhook to the gateway. Latencies are collected per response, so runs of several instances combine.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { signWebhook } from '@sms-survey/twilio';
import { summarize, sleep, type LatencySummary } from './stats.js';

export const SIMULATOR_ACCOUNT_SID = `AC${'0'.repeat(32)}`;
export const SIMULATOR_AUTH_TOKEN = 'simulator-auth-token';

export interface SignedRequest {
  body: string;
  signature: string;
  /** What the benchmark needs to know about the request afterwards. */
  from: string;
  messageSid?: string;
}

const runId = randomBytes(8).toString('hex');
let sidCounter = 0;

/** A MessageSid no other request of this run has: SM + run id + counter (32 hex digits). */
export function nextMessageSid(): string {
  sidCounter += 1;
  return `SM${runId}${sidCounter.toString(16).padStart(16, '0')}`;
}

/** The parameters Twilio posts for an inbound SMS (as the simulator sends them). */
export function inboundParams(messageSid: string, from: string, to: string, body: string): Record<string, string> {
  return {
    MessageSid: messageSid,
    SmsMessageSid: messageSid,
    SmsSid: messageSid,
    AccountSid: SIMULATOR_ACCOUNT_SID,
    From: from,
    To: to,
    Body: body,
    NumMedia: '0',
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
}

/** A signed, form-encoded inbound-SMS webhook for `url` (the gateway's PUBLIC_BASE_URL + path). */
export function signedInbound(url: string, from: string, to: string, body: string): SignedRequest {
  const messageSid = nextMessageSid();
  const params = inboundParams(messageSid, from, to, body);
  return { body: new URLSearchParams(params).toString(), signature: signWebhook(SIMULATOR_AUTH_TOKEN, url, params), from, messageSid };
}

export interface LoadResult {
  /** Requests answered (any status) per second of the run. */
  requestsPerSecond: number;
  latency: LatencySummary;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  statusCounts: Record<string, number>;
}

export interface LoadOptions {
  /** Where to post (full URL of the route). */
  url: string;
  requests: readonly SignedRequest[];
  connections: number;
  /** Seconds, or stop after `amount` requests. */
  duration?: number;
  amount?: number;
  /** Requests per second over all connections (autocannon overallRate). */
  overallRate?: number;
  /** Called with the request's index in `requests` just before it is written. */
  onSend?: (index: number) => void;
  onResponse?: (index: number, status: number) => void;
  /** Shared position in `requests` (several instances hand out one list). */
  cursor?: { next: number };
}

function runOnce(options: LoadOptions, latencies: number[], statusCounts: Record<string, number>): Promise<autocannon.Result> {
  const target = new URL(options.url);
  const cursor = options.cursor ?? { next: 0 };
  const { requests } = options;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.origin,
        connections: options.connections,
        pipelining: 1,
        timeout: 30,
        ...(options.duration !== undefined && { duration: options.duration }),
        ...(options.amount !== undefined && { amount: options.amount }),
        ...(options.overallRate !== undefined && { overallRate: options.overallRate }),
        requests: [
          {
            method: 'POST',
            path: target.pathname + target.search,
            setupRequest: (request, context) => {
              // Past the end of the list the requests repeat (the gateway scenario notes it; the replies
              // scenario plans enough that it never happens).
              const index = cursor.next++ % requests.length;
              const r = requests[index]!;
              (context as { index?: number }).index = index;
              options.onSend?.(index);
              return {
                ...request,
                method: 'POST',
                path: target.pathname + target.search,
                headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': r.signature },
                body: r.body,
              };
            },
            onResponse: (status, _body, context) => {
              const index = (context as { index?: number }).index;
              statusCounts[status] = (statusCounts[status] ?? 0) + 1;
              if (index !== undefined) options.onResponse?.(index, status);
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

function toResult(results: autocannon.Result[], latencies: number[], statusCounts: Record<string, number>, seconds: number): LoadResult {
  const sum = (f: (r: autocannon.Result) => number) => results.reduce((s, r) => s + f(r), 0);
  const answered = latencies.length;
  return {
    requestsPerSecond: answered / seconds,
    latency: summarize(latencies),
    sent: sum((r) => r.requests.sent),
    ok: sum((r) => r['2xx']),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    seconds,
    statusCounts,
  };
}

/** One autocannon instance: as fast as `connections` allow, or at `overallRate`. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const started = performance.now();
  const result = await runOnce(options, latencies, statusCounts);
  return toResult([result], latencies, statusCounts, (performance.now() - started) / 1000);
}

/**
 * A steady rate. autocannon's `overallRate` gives each connection its share per second and sends that share
 * back to back at the start of each second, so a single instance delivers one burst per second. Here the
 * rate is split over `instances` autocannon instances started 1/instances s apart: the same rate, arriving in
 * `instances` small bursts per second, closer to webhooks that arrive independently.
 */
export async function runSteady(options: LoadOptions & { rate: number; duration: number; instances: number; connectionsPerInstance: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  const cursor = options.cursor ?? { next: 0 };
  const runs: Promise<autocannon.Result>[] = [];
  const slot = 1000 / options.instances;
  for (let i = 0; i < options.instances; i++) {
    const share = Math.floor(options.rate / options.instances) + (i < options.rate % options.instances ? 1 : 0);
    runs.push(runOnce({ ...options, cursor, connections: options.connectionsPerInstance, overallRate: share, duration: options.duration }, latencies, statusCounts));
    await sleep(slot);
  }
  const results = await Promise.all(runs);
  // Each instance ran `duration` seconds; they overlap but for the stagger (under 1 s) at the two ends.
  return toResult(results, latencies, statusCounts, options.duration);
}
