import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

export function zodIssues(error: ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}

/** One place that turns errors into HTTP answers: precise 4xx for bad input, 503 when Kafka cannot take it. */
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
      return reply.code(statusCode).send({ error: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(503).send({ error: 'temporarily unable to accept the request; retry' });
  });
}
