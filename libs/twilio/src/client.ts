import http from 'node:http';
import twilio from 'twilio';
import type SdkRequestClient from 'twilio/lib/base/RequestClient.js';
import { LeanTwilioHttpClient } from './http-client.js';

export type TwilioClient = twilio.Twilio;

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** Base URL of a local Twilio simulator, e.g. `http://127.0.0.1:4010`. Unset: talk to Twilio itself. */
  apiBaseUrl?: string;
  timeoutMs?: number;
  /**
   * Connections kept to Twilio. The SDK's default (20, 5 kept idle) would cap a dispatcher near 100–200
   * requests/s at Twilio's latency, whatever its concurrency setting.
   */
  maxSockets?: number;
  /** Extra CA certificates (a PEM file) for https. */
  caBundlePath?: string | undefined;
  /** Set when Twilio is reached through an HTTP proxy: the SDK's own client is used then (it knows proxies). */
  httpProxy?: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_SOCKETS = 100;
const TWILIO_HOST_SUFFIX = '.twilio.com';

/**
 * Maps `https://<product>.twilio.com/<path>?<query>` to `<apiBaseUrl>/<product>/<path>?<query>`.
 * Only the first host label is kept, so a region/edge host (`api.sydney.au1.twilio.com`) still maps to `/api`.
 * URLs outside twilio.com are returned unchanged.
 */
export function rewriteTwilioUrl(uri: string, apiBaseUrl: string): string {
  const url = new URL(uri);
  if (!url.hostname.endsWith(TWILIO_HOST_SUFFIX)) return uri;
  const product = url.hostname.split('.')[0];
  const base = apiBaseUrl.replace(/\/+$/, '');
  return `${base}/${product}${url.pathname}${url.search}`;
}

/** A RequestClient that sends every Twilio API call to a local simulator instead of twilio.com. */
export class SimulatorRequestClient extends twilio.RequestClient {
  readonly apiBaseUrl: string;

  constructor(apiBaseUrl: string, opts: { timeoutMs: number; maxSockets: number }) {
    super({ timeout: opts.timeoutMs, keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets });
    this.apiBaseUrl = apiBaseUrl;
    // The SDK only configures an https agent; the simulator speaks plain http.
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets, timeout: opts.timeoutMs });
  }

  override request<TData>(opts: SdkRequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: rewriteTwilioUrl(opts.uri, this.apiBaseUrl) });
  }
}

/**
 * The SDK client. Requests go through `LeanTwilioHttpClient` (node http/https keep-alive agents) instead of the
 * SDK's axios-based RequestClient (axios and qs were ~15 % of the dispatcher's CPU profile under load); the
 * SDK still builds every request and turns error answers into RestException. Behind an HTTP proxy the SDK's own
 * client is used (it is the one that knows proxies).
 */
export function createTwilioClient(opts: TwilioClientOptions): TwilioClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const apiBaseUrl = opts.apiBaseUrl;
  const httpClient = opts.httpProxy
    ? apiBaseUrl
      ? new SimulatorRequestClient(apiBaseUrl, { timeoutMs, maxSockets })
      : new twilio.RequestClient({ timeout: timeoutMs, keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
    : new LeanTwilioHttpClient({
        timeoutMs,
        maxSockets,
        caBundlePath: opts.caBundlePath,
        ...(apiBaseUrl && { rewriteUrl: (uri: string) => rewriteTwilioUrl(uri, apiBaseUrl) }),
      });
  // The SDK types its option as its own RequestClient class; it only ever calls `request(opts)`.
  return twilio(opts.accountSid, opts.authToken, { httpClient: httpClient as unknown as SdkRequestClient });
}

/** The client for a service's resolved Twilio settings (real account, or the simulator when none is configured). */
export function twilioClientFor(
  settings: { accountSid: string; authTokens: readonly string[]; apiBaseUrl?: string | undefined; caBundlePath?: string | undefined; httpProxy?: string | undefined },
  options: { maxSockets?: number } = {},
): TwilioClient {
  const [authToken] = settings.authTokens;
  if (!authToken) throw new Error('no Twilio auth token configured');
  return createTwilioClient({
    accountSid: settings.accountSid,
    authToken,
    apiBaseUrl: settings.apiBaseUrl,
    maxSockets: options.maxSockets,
    caBundlePath: settings.caBundlePath,
    httpProxy: settings.httpProxy,
  });
}
