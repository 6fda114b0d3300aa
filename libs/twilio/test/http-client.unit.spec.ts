import { describe, expect, it } from 'vitest';
import { encodeForm } from '../src/index.js';

describe('encodeForm (the SDK client form and query encoding)', () => {
  it('percent-encodes keys and values and skips undefined', () => {
    expect(encodeForm({ To: '+4791234567', Body: 'Hi & bye = 100%', StatusCallback: 'https://x/y?a=1&b=2', Skip: undefined })).toBe(
      'To=%2B4791234567&Body=Hi%20%26%20bye%20%3D%20100%25&StatusCallback=https%3A%2F%2Fx%2Fy%3Fa%3D1%26b%3D2',
    );
  });

  it('repeats array values, writes numbers, booleans, null and nested objects as qs does', () => {
    expect(encodeForm({ MediaUrl: ['a', 'b'], ValidityPeriod: 600, Flag: true, Empty: null, Obj: { k: 'v' } })).toBe(
      'MediaUrl=a&MediaUrl=b&ValidityPeriod=600&Flag=true&Empty=&Obj%5Bk%5D=v',
    );
  });

  it('encodes non-ASCII text as UTF-8', () => {
    expect(encodeForm({ Body: 'Hvor fornøyd var du? 😀' })).toBe(`Body=${encodeURIComponent('Hvor fornøyd var du? 😀')}`);
  });
});
