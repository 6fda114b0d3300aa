import type { InboundSmsReceived } from '@sms-survey/contracts';
import { decideInbound, replyLookup, replySender } from '@sms-survey/survey-domain';
import { sessionState, type Scene, type SceneNeeds } from '../scene.js';
import { sendableAt } from '../sending-window.js';
import { outgoingCommands, smsCommand } from '../sms-commands.js';
import type { SurveySendDeps } from './survey-send.handler.js';

/** Replies, too, go only within the customer's sending hours (`sending`). */
export interface InboundSmsDeps extends SurveySendDeps {
  /** Sent when no survey is known for the customer at all; the survey's own text is used otherwise. */
  defaultNotFoundText?: string;
}

export function inboundSmsNeeds(event: InboundSmsReceived, deps: InboundSmsDeps, needs: SceneNeeds): void {
  const sms = event.payload;
  const lookup = replyLookup(sms.from, sms.to, deps.senders);
  needs.customers.add(sms.from);
  needs.lookups.set(lookup.key, lookup);
}

/** A customer's SMS: seed reply step 1 finds the session (`replyLookup`), the SMS is recorded, and `decideInbound` says what follows. */
export async function applyInboundSms(scene: Scene, event: InboundSmsReceived, deps: InboundSmsDeps, now: Date): Promise<void> {
  const sms = event.payload;
  const session = scene.sessionFor(replyLookup(sms.from, sms.to, deps.senders));
  scene.recordInbound(sms, session?.id ?? null);
  const survey = session ? await deps.catalog.get(session.surveyId, session.surveyVersion) : undefined;
  const decision = decideInbound({
    body: sms.body,
    optOutType: sms.optOutType,
    suppressed: scene.isSuppressed(sms.from),
    session: session && survey && { state: sessionState(session), survey },
    defaultNotFoundText: deps.defaultNotFoundText,
    now,
  });
  const reply = { from: replySender(session?.senderNumber, sms.to), to: sms.from, priority: 'reply' as const, now, sessionId: session?.id, sendAt: sendableAt(deps.sending, survey, sms.from, now) };

  switch (decision.kind) {
    case 'opt-out':
      scene.outbox.add(scene.optOut(sms.from, 'customer texted an opt-out keyword', now), event);
      return;
    case 'opt-in':
      scene.unsuppress(sms.from);
      return;
    case 'ignore':
      return;
    case 'not-found': {
      const notBefore = reply.sendAt.getTime() > now.getTime() ? reply.sendAt : undefined;
      scene.outbox.add(scene.queue([smsCommand({ ...reply, body: decision.body, notBefore })]), event);
      return;
    }
    case 'reply':
      break;
    default: {
      const unhandled: never = decision;
      throw new Error(`unhandled decision ${(unhandled as { kind: string }).kind}`);
    }
  }
  const answer = decision.reply;
  // The SMS go out before the answer and session-ended events in outbox order, which is publish order.
  const sent = outgoingCommands(answer.outgoing, reply);
  const events = [];
  switch (answer.kind) {
    case 'unavailable':
      break;
    case 'invalid':
      scene.update(session!, { invalidReplies: answer.invalidReplies, remindAt: null });
      scene.outbox.tally.invalidReply(session!.surveyId);
      break;
    case 'ended-invalid':
      scene.outbox.tally.invalidReply(session!.surveyId);
      events.push(scene.endSession(session!, answer.endStatus, now, 'too many invalid replies'));
      break;
    case 'answered':
      events.push(scene.recordAnswer(session!, answer.answer));
      if (answer.completed) events.push(scene.endSession(session!, 'completed', now));
      else scene.update(session!, { currentElementId: answer.nextElementId, invalidReplies: 0, remindAt: null });
      break;
    default: {
      const unhandled: never = answer;
      throw new Error(`unhandled decision ${(unhandled as { kind: string }).kind}`);
    }
  }
  scene.outbox.add([...scene.queue(sent), ...events], event);
}
