import pino, { type Logger, type LoggerOptions } from 'pino';
import { maskPersonalData, maskPhone } from './mask.js';
import { activeTraceIds } from './tracing.js';

export type { Logger } from 'pino';

/** JSON logs, one line per event, with phone numbers masked, message bodies removed, and the trace_id / span_id inside a span. */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Inside a span (tracing on), each line names its trace and span, to find the trace of a log line.
    mixin: activeTraceIds,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => maskPersonalData(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Mask the message string too (the object argument is handled by formatters.log).
        const masked = args.map((a) => (typeof a === 'string' ? maskPhone(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
