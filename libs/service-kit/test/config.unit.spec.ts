import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonEnv, parseConfig } from '../src/index.js';

describe('parseConfig', () => {
  const schema = z.object({ ...commonEnv, PORT: z.coerce.number().int() });
  it('applies defaults', () => {
    const config = parseConfig(schema, { PORT: '80' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toMatch(/^postgresql:/);
  });
  it('names every bad variable', () => {
    try {
      parseConfig(schema, { PORT: 'x', KAFKA_BROKERS: 'nohostport', DATABASE_URL: 'mysql://x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('KAFKA_BROKERS');
      expect(msg).toContain('DATABASE_URL');
    }
  });
});
