import pino, { type Logger, type LoggerOptions } from 'pino';
import { maskPersonalData, maskPhone } from './mask.js';

export type { Logger } from 'pino';

/** JSON logs, one line per event, with phone numbers masked and message bodies removed. */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
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
