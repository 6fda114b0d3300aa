import type { SurveySendRequested } from '@sms-survey/contracts';
import { chooseSender, startSurvey, type SenderPolicy } from '@sms-survey/survey-domain';
import { tallyOf, type Tx } from '../apply-once.js';
import type { OutboxEntry } from '../outbox-relay.js';
import { endSession, queueOutgoing } from '../session-events.js';
import { isSuppressed } from '../suppression.js';
import { sendableAt, type SendingPolicy } from '../sending-window.js';
import type { SurveyCatalog } from '../survey-catalog.js';

/**
 * SendSurvey (seed steps 2–4): choose the sender, end the sessions the new one replaces, walk the survey to its
 * first question, schedule one SMS per element 2 seconds apart, and store the session at that question.
 */
export async function handleSurveySend(
  tx: Tx,
  event: SurveySendRequested,
  deps: { catalog: SurveyCatalog; senders: SenderPolicy; sending: SendingPolicy; now: Date },
): Promise<OutboxEntry[]> {
  const command = event.payload;
  if (await tx.surveySession.findUnique({ where: { id: command.sessionId }, select: { id: true } })) return [];
  const survey = await deps.catalog.get(command.surveyId, command.surveyVersion);

  // Lock the customer's active sessions so a concurrent reply or expiry sees a consistent picture.
  const active = await tx.$queryRaw<{ id: string; sender_number: string; started_at: Date }[]>`
    SELECT id, sender_number, started_at FROM survey_session
    WHERE customer = ${command.customer} AND status = 'active' FOR UPDATE`;
  // SendSurvey's sender replaces the default one (a number or a Messaging Service); subnumbering still applies where it does.
  const choice = chooseSender(
    command.customer,
    active.map((s) => ({ id: s.id, senderNumber: s.sender_number, startedAt: s.started_at })),
    command.sender ? { ...deps.senders, defaultSender: command.sender } : deps.senders,
  );
  // The gateway refuses suppressed customers; one who opted out since then gets nothing, and BI sees why.
  const suppressed = await isSuppressed(tx, command.customer);
  const out: OutboxEntry[] = [];
  for (const id of suppressed ? [] : choice.supersede) {
    const old = await tx.surveySession.findUniqueOrThrow({ where: { id } });
    out.push(await endSession(tx, old, 'superseded', deps.now, `replaced by session ${command.sessionId}`));
  }

  const start = startSurvey(survey, { language: command.language, content: command.content, now: deps.now });
  // Outside the customer's sending hours the first SMS (and the rest, spaced as usual) waits until they open;
  // the session's expiry moves by that wait, so the customer has as long to answer as if it had gone at once.
  const sendAt = sendableAt(deps.sending, survey, command.customer, deps.now);
  const heldMs = sendAt.getTime() - deps.now.getTime();
  const reminder = survey.settings.reminder;
  const session = await tx.surveySession.create({
    data: {
      id: command.sessionId,
      surveyId: command.surveyId,
      surveyVersion: command.surveyVersion,
      customer: command.customer,
      senderNumber: choice.sender,
      status: 'active',
      currentElementId: start.currentElementId,
      language: start.language,
      clientReference: command.clientReference,
      userSessionVariables: command.userSessionVariables,
      origin: command.origin ?? { kind: 'api' },
      expiresAt: new Date(Date.parse(command.expiresAt) + heldMs),
      remindAt: reminder ? new Date(sendAt.getTime() + reminder.afterMinutes * 60_000) : null,
      startedAt: deps.now,
    },
  });
  tallyOf(tx)?.sessionStarted(command.surveyId);
  if (suppressed) return [...out, await endSession(tx, session, 'opted-out', deps.now, 'customer is on the suppression list')];
  out.push(...(await queueOutgoing(tx, start.outgoing, { sessionId: session.id, from: choice.sender, to: command.customer, priority: 'new-survey', now: deps.now, sendAt })));
  return out;
}
