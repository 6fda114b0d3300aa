import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, maskPersonalData, maskPhone } from '../src/index.js';

describe('maskPhone', () => {
  it('keeps the country code and the last three digits of E.164 numbers', () => {
    expect(maskPhone('+4791234567')).toBe('+47*****567');
    expect(maskPhone('from +14155550123 to +4791234567')).toBe('from +14******123 to +47*****567');
  });
  it('leaves short numbers alone', () => {
    expect(maskPhone('reply 10')).toBe('reply 10');
  });
});

describe('maskPersonalData', () => {
  it('removes message bodies and masks nested phone numbers', () => {
    expect(maskPersonalData({ body: 'my secret', to: '+4791234567', nested: [{ from: '+14155550123' }] })).toEqual({
      body: '[9 chars]',
      to: '+47*****567',
      nested: [{ from: '+14******123' }],
    });
  });
});

describe('createLogger', () => {
  it('writes JSON lines without phone numbers or bodies', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger = createLogger('test', 'info', sink);
    logger.info({ to: '+4791234567', Body: 'I am unhappy' }, 'sending to +4791234567');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line.service).toBe('test');
    expect(line.level).toBe('info');
    expect(JSON.stringify(line)).not.toContain('91234567');
    expect(JSON.stringify(line)).not.toContain('unhappy');
  });
});
