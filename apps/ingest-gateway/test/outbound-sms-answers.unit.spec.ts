import { describe, expect, it } from 'vitest';
import { twilioFailure, type TwilioStep } from '../src/api/outbound-sms-tasks.js';

/** What the twilio SDK throws for an error answer (RestException): status, Twilio's code and message. */
const twilioError = (status: number, code: number, message = `Twilio says ${status}`) => Object.assign(new Error(message), { status, code });
const names = { workspaceSid: `WS${'1'.repeat(32)}`, workflowSid: `WW${'2'.repeat(32)}`, taskChannel: 'sms' };
const answer = (error: unknown, step: TwilioStep) => {
  const e = twilioFailure(error, step, names);
  return { status: e.statusCode, outcome: e.outcome };
};

describe('a Twilio failure as the outbound SMS task route answers it', () => {
  it('Twilio unavailable (5xx, 429, network): 503 twilio-unavailable with Retry-After, whichever call failed', () => {
    for (const step of ['workflow', 'workers', 'interaction'] as const) {
      expect(answer(twilioError(503, 20503), step)).toEqual({ status: 503, outcome: 'twilio-unavailable' });
      expect(answer(twilioError(500, 20500), step)).toEqual({ status: 503, outcome: 'twilio-unavailable' });
      expect(answer(twilioError(429, 20429), step)).toEqual({ status: 503, outcome: 'twilio-unavailable' });
      expect(answer(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), step)).toEqual({ status: 503, outcome: 'twilio-unavailable' });
    }
    expect(twilioFailure(twilioError(503, 20503), 'interaction').retryAfterSeconds).toBe(5);
  });

  it("Twilio refusing the gateway's credentials: 502 twilio-auth-failed", () => {
    expect(answer(twilioError(401, 20003), 'interaction')).toEqual({ status: 502, outcome: 'twilio-auth-failed' });
    expect(answer(twilioError(401, 20003), 'workers')).toEqual({ status: 502, outcome: 'twilio-auth-failed' });
  });

  it('a 404 is the client\'s (422) on the interaction, which names its numbers, and ours (502) on what we configure', () => {
    expect(answer(twilioError(404, 20404), 'interaction')).toEqual({ status: 422, outcome: 'twilio-rejected' });
    expect(answer(twilioError(400, 20001), 'interaction')).toEqual({ status: 422, outcome: 'twilio-rejected' });
    for (const step of ['workflow', 'channel', 'workers'] as const) expect(answer(twilioError(404, 20404), step)).toEqual({ status: 502, outcome: 'misconfigured' });
    expect(twilioFailure(twilioError(404, 20404), 'workflow', names).message).toBe(
      `cannot resolve the outbound SMS workflow: FLEX_OUTBOUND_WORKFLOW_SID ${names.workflowSid} is not a workflow of workspace ${names.workspaceSid} (check it and TWILIO_WORKSPACE_SID) (resource not found (Twilio error 20404))`,
    );
    expect(twilioFailure(twilioError(404, 20404), 'channel', names).message).toMatch(/FLEX_OUTBOUND_TASK_CHANNEL "sms" is not a task channel of workspace WS1{32}/);
    expect(twilioFailure(twilioError(404, 20404), 'workers', names).message).toMatch(/workspace WS1{32} was not found \(check TWILIO_WORKSPACE_SID\)/);
  });

  it('anything else Twilio answers: 502 twilio-error (a 400 to a request of ours, a 403, an unclassified failure)', () => {
    expect(answer(twilioError(400, 20001), 'workers')).toEqual({ status: 502, outcome: 'twilio-error' });
    expect(answer(twilioError(403, 20403), 'interaction')).toEqual({ status: 502, outcome: 'twilio-error' });
    expect(answer(new Error('something odd'), 'interaction')).toEqual({ status: 502, outcome: 'twilio-error' });
  });
});
