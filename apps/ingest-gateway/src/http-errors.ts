import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { isTransientDatabaseError } from '@sms-survey/db';
import { PublishTimeoutError } from '@sms-survey/kafka';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

export function zodIssues(error: ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}

/** Kafka or PostgreSQL could not take the request right now: the client should retry. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof PublishTimeoutError || isTransientDatabaseError(error)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}

/** Fastify's own answers to client mistakes, in our words (its messages name internals such as error codes). */
function clientMistake(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body is not valid JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body is empty but content-type is application/json';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported content-type: send application/json or application/x-www-form-urlencoded';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body is too large';
    default:
      return error.message;
  }
}

/** Thrown by the JSON parser: says what is wrong with the body instead of "not valid JSON". */
export class BodyError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/** The key that would poison a prototype, if the parsed body has one (walked without recursion). */
function poisonedKey(value: unknown): string | undefined {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Object.hasOwn(v, '__proto__')) return '__proto__';
    const ctor = (v as Record<string, unknown>).constructor;
    if (Object.hasOwn(v, 'constructor') && ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return 'constructor.prototype';
    for (const child of Object.values(v)) stack.push(child);
  }
  return undefined;
}

/**
 * JSON bodies: parsed with `JSON.parse`, refusing keys that would poison prototypes (`__proto__`,
 * `constructor.prototype`) with a message saying so. Nesting depth is the contracts' business (`jsonProblem`).
 */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(new BodyError('body is empty but content-type is application/json'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return done(new BodyError(`body is not valid JSON: ${(error as Error).message}`), undefined);
    }
    const poisoned = /__proto__|prototype/.test(text) ? poisonedKey(value) : undefined;
    if (poisoned) return done(new BodyError(`body must not contain a "${poisoned}" key`), undefined);
    done(null, value);
  });
}

/**
 * One place that turns errors into HTTP answers: a precise 4xx for every client mistake, 503 only when Kafka or
 * the database cannot take the request, and 500 with a request id (the log has the rest) for anything else.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof ZodError) {
      const problems = zodIssues(error);
      return reply.code(400).send({ error: 'invalid request', problems });
    }
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.message, ...(error.details ? { problems: error.details } : {}) });
    }
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ error: clientMistake(error as FastifyError) });
    }
    if (isUnavailable(error)) {
      request.log.warn({ err: error, requestId: request.id }, 'request not accepted: Kafka or the database is unavailable');
      return reply.code(503).header('retry-after', '1').send({ error: 'temporarily unable to accept the request; retry' });
    }
    request.log.error({ err: error, requestId: request.id }, 'request failed');
    return reply.code(500).send({ error: 'internal error', requestId: request.id });
  });
}
