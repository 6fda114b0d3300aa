import { describe, expect, it } from 'vitest';
import { rewriteTwilioUrl } from '../src/index.js';

const base = 'http://127.0.0.1:4010';

describe('rewriteTwilioUrl', () => {
  it.each([
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json',
      'http://127.0.0.1:4010/api/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json',
    ],
    [
      'https://taskrouter.twilio.com/v1/Workspaces/WS00000000000000000000000000000000/Tasks',
      'http://127.0.0.1:4010/taskrouter/v1/Workspaces/WS00000000000000000000000000000000/Tasks',
    ],
    ['https://conversations.twilio.com/v1/Conversations', 'http://127.0.0.1:4010/conversations/v1/Conversations'],
    ['https://flex-api.twilio.com/v1/Interactions', 'http://127.0.0.1:4010/flex-api/v1/Interactions'],
  ])('maps %s to the simulator', (uri, expected) => {
    expect(rewriteTwilioUrl(uri, base)).toBe(expected);
  });

  it('keeps the query string (next-page URLs)', () => {
    expect(rewriteTwilioUrl('https://taskrouter.twilio.com/v1/Workspaces/WS1/Tasks?PageSize=50&Page=1&PageToken=PT1', base)).toBe(
      'http://127.0.0.1:4010/taskrouter/v1/Workspaces/WS1/Tasks?PageSize=50&Page=1&PageToken=PT1',
    );
  });

  it('ignores trailing slashes on the base and keeps a base path prefix', () => {
    expect(rewriteTwilioUrl('https://api.twilio.com/2010-04-01/Accounts.json', 'http://sim.local:8080/twilio/')).toBe(
      'http://sim.local:8080/twilio/api/2010-04-01/Accounts.json',
    );
  });

  it('maps regional and edge hosts to the product', () => {
    expect(rewriteTwilioUrl('https://api.sydney.au1.twilio.com/2010-04-01/Accounts.json', base)).toBe(
      'http://127.0.0.1:4010/api/2010-04-01/Accounts.json',
    );
  });

  it('leaves URLs outside twilio.com alone', () => {
    expect(rewriteTwilioUrl('https://example.com/x?y=1', base)).toBe('https://example.com/x?y=1');
    expect(rewriteTwilioUrl('https://nottwilio.com/x', base)).toBe('https://nottwilio.com/x');
  });
});
