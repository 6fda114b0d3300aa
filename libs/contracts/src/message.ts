import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

type Envelope = { type: string; schemaVersion: number; id: string; occurredAt: string; payload: unknown };

/**
 * Builds a message for a schema created by `eventSchema`, filling in id and occurredAt. The result is
 * parsed, so a message that does not match its contract fails where it is made, not at the consumer.
 */
export function createMessage<S extends z.ZodType<Envelope>>(
  schema: S,
  fields: Omit<z.input<S>, 'id' | 'occurredAt'> & { id?: string; occurredAt?: string },
): z.output<S> {
  return schema.parse({ id: randomUUID(), occurredAt: new Date().toISOString(), ...fields });
}
