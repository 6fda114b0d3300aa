import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/** What the Twilio SDK passes to its `httpClient` (twilio/lib/base/BaseTwilio.js `request`). */
export interface TwilioHttpRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  authStrategy?: { getAuthString(): Promise<string> };
  headers?: Record<string, string>;
  params?: object;
  data?: object;
  timeout?: number;
  allowRedirects?: boolean;
  logLevel?: string;
}

/** What the SDK expects back (its RequestClient's shape); `body` as text, which the SDK parses as JSON. */
export interface TwilioHttpResponse {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface LeanHttpClientOptions {
  /** Request timeout (whole request, like the SDK's RequestClient) unless the SDK passes one per request. */
  timeoutMs: number;
  /** Connections kept per host (all kept open when idle). */
  maxSockets: number;
  /** Extra CA certificates (a PEM file) for https. */
  caBundlePath?: string | undefined;
  /** Rewrites each request's URL (the simulator's base URL); the identity when unset. */
  rewriteUrl?: (uri: string) => string;
}

const MAX_REDIRECTS = 10;

/** `key=value&…` as the SDK's RequestClient encodes it (qs, arrays repeated, nested objects as `a[b]`). */
export function encodeForm(data: object): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) add(key, v);
    } else if (value instanceof Date) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value.toISOString())}`);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value === null ? '' : String(value))}`);
    }
  };
  for (const [key, value] of Object.entries(data)) add(key, value);
  return parts.join('&');
}

/** An error shaped like axios's (code, message), which classifyTwilioError reads as a network error. */
function timeoutError(ms: number): Error {
  return Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ECONNABORTED' });
}

/**
 * A lean `httpClient` for the Twilio SDK: node's http/https on keep-alive agents, no axios/qs. The SDK still
 * builds every request and reads every answer (RestException with Twilio's code and the HTTP status for
 * error answers), so only the transport changes. Any status is returned as a response, as the SDK's client
 * does; network errors and timeouts reject.
 */
export class LeanTwilioHttpClient {
  readonly defaultTimeout: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly rewriteUrl: ((uri: string) => string) | undefined;

  constructor(options: LeanHttpClientOptions) {
    this.defaultTimeout = options.timeoutMs;
    this.rewriteUrl = options.rewriteUrl;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, timeout: options.timeoutMs };
    this.httpAgent = new http.Agent(agentOptions);
    // The SDK's client honours a CA bundle (TWILIO_CA_BUNDLE, parsed with the service's config): so does this one.
    const ca = options.caBundlePath !== undefined ? readFileSync(options.caBundlePath) : undefined;
    this.httpsAgent = new https.Agent({ ...agentOptions, ...(ca && { ca }) });
  }

  async request(opts: TwilioHttpRequest): Promise<TwilioHttpResponse> {
    if (!opts.method) throw new Error('http method is required');
    if (!opts.uri) throw new Error('uri is required');
    const headers: Record<string, string> = { ...opts.headers };
    if (!headers['Connection'] && !headers['connection']) headers['Connection'] = 'keep-alive';
    if (opts.username && opts.password) {
      headers['Authorization'] = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy) {
      headers['Authorization'] = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data) {
      const type = headers['Content-Type'];
      if (type === 'application/x-www-form-urlencoded') body = encodeForm(opts.data);
      else if (type === 'application/json') body = JSON.stringify(opts.data);
    }
    let uri = this.rewriteUrl ? this.rewriteUrl(opts.uri) : opts.uri;
    if (opts.params) {
      const query = encodeForm(opts.params);
      if (query) uri += (uri.includes('?') ? '&' : '?') + query;
    }
    const timeoutMs = opts.timeout || this.defaultTimeout;
    const method = opts.method.toUpperCase();
    for (let redirects = 0; ; redirects++) {
      const response = await this.send(method, uri, headers, body, timeoutMs);
      const location = response.headers.location;
      if (!opts.allowRedirects || response.statusCode < 300 || response.statusCode >= 400 || !location || redirects >= MAX_REDIRECTS) return response;
      uri = new URL(location, uri).href;
    }
  }

  private send(method: string, uri: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<TwilioHttpResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(uri);
      const secure = url.protocol === 'https:';
      const requestHeaders = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      let done = false;
      const settle = (error: Error | undefined, response?: TwilioHttpResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response!);
      };
      const req = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port || undefined,
          path: url.pathname + url.search,
          method,
          headers: requestHeaders,
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
            settle(undefined, { statusCode: res.statusCode ?? 0, body: text, headers: res.headers });
          });
          res.on('error', settle);
          // The connection ended before the whole answer came.
          res.on('close', () => settle(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
        },
      );
      // The whole request (connection, answer and its body) within the timeout, as the SDK's client does.
      const timer = setTimeout(() => {
        const error = timeoutError(timeoutMs);
        settle(error);
        req.destroy(error);
      }, timeoutMs);
      req.on('error', settle);
      req.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
