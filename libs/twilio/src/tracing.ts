import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { classifyTwilioError } from './errors.js';

const tracer = trace.getTracer('@sms-survey/twilio');

/**
 * A CLIENT span around one Twilio API operation, a child of the active context (the work it belongs to). Only
 * sids, codes and statuses are attributes, never a phone number or a message body; `after` adds attributes from
 * the answer (the MessageSid). Without a tracing SDK it is a no-op.
 */
export async function inTwilioSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
  after?: (result: T, span: Span) => void,
): Promise<T> {
  return tracer.startActiveSpan(
    `twilio ${name}`,
    { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'twilio', 'rpc.method': name, 'server.address': 'api.twilio.com', ...attributes } },
    async (span) => {
      try {
        const result = await work();
        if (span.isRecording()) after?.(result, span);
        return result;
      } catch (error) {
        if (span.isRecording()) {
          const verdict = classifyTwilioError(error);
          span.setAttributes({
            ...(verdict.code !== undefined && { 'twilio.error_code': verdict.code }),
            ...(verdict.status !== undefined && { 'http.response.status_code': verdict.status }),
            'error.type': verdict.code !== undefined ? String(verdict.code) : verdict.status !== undefined ? String(verdict.status) : 'network',
          });
          // Codes only: Twilio's own messages may quote the phone number.
          const what = verdict.code !== undefined ? `Twilio error ${verdict.code}` : verdict.status !== undefined ? `HTTP ${verdict.status}` : verdict.kind === 'retryable' ? 'network error' : 'error';
          span.setStatus({ code: SpanStatusCode.ERROR, message: what });
        }
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
