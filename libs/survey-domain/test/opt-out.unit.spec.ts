import { describe, expect, it } from 'vitest';
import { optOutIntent } from '../src/index.js';

describe('optOutIntent', () => {
  it.each([
    ['STOP', 'stop'], ['stop', 'stop'], ['  Stop  ', 'stop'], ['STOPALL', 'stop'], ['unsubscribe', 'stop'], ['Cancel', 'stop'], ['END', 'stop'], ['quit', 'stop'],
    ['START', 'start'], ['unstop', 'start'], ['yes', 'start'],
    ['HELP', 'help'], ['info', 'help'],
    ['please stop', 'none'], ['5', 'none'], ['', 'none'],
  ] as const)('%j → %s', (body, intent) => {
    expect(optOutIntent(body)).toBe(intent);
  });
  it("Twilio's OptOutType wins", () => {
    expect(optOutIntent('arret', 'STOP')).toBe('stop');
    expect(optOutIntent('STOP', 'HELP')).toBe('help');
  });
});
