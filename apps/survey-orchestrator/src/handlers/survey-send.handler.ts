import type { SurveySendRequested } from '@sms-survey/contracts';
import type { SurveyCatalog } from '@sms-survey/db';
import { decideSurveyStart, type SenderPolicy } from '@sms-survey/survey-domain';
import type { OutboxEntry } from '../outbox-relay.js';
import type { Scene, SceneNeeds } from '../scene.js';
import { sendableAt, type SendingPolicy } from '../sending-window.js';
import { outgoingCommands } from '../sms-commands.js';

export interface SurveySendDeps {
  catalog: SurveyCatalog;
  senders: SenderPolicy;
  sending: SendingPolicy;
}

export function surveySendNeeds(command: Pick<SurveySendRequested['payload'], 'customer' | 'sessionId'>, needs: SceneNeeds): void {
  needs.customers.add(command.customer);
  needs.sessionIds.add(command.sessionId);
}

/**
 * SendSurvey (seed steps 2–4, `decideSurveyStart`): end the sessions the new one replaces, store the session at
 * its first question, and schedule one SMS per element 2 seconds apart, from when the sending hours allow.
 * Returns the outbox entries, in order.
 */
export async function startSurveySession(scene: Scene, command: SurveySendRequested['payload'], deps: SurveySendDeps, now: Date): Promise<OutboxEntry[]> {
  const survey = await deps.catalog.get(command.surveyId, command.surveyVersion);
  const sendAt = sendableAt(deps.sending, survey, command.customer, now);
  const decision = decideSurveyStart(survey, {
    customer: command.customer,
    sessionExists: scene.session(command.sessionId) !== undefined,
    active: scene.activeSessions(command.customer),
    suppressed: scene.isSuppressed(command.customer),
    sender: command.sender,
    senders: deps.senders,
    language: command.language,
    content: command.content,
    sendAt,
    expiresAt: new Date(command.expiresAt),
    now,
  });
  if (decision.kind === 'exists') return [];

  const out = decision.supersede.map((id) => scene.endSession(scene.session(id)!, 'superseded', now, `replaced by session ${command.sessionId}`));
  const session = {
    id: command.sessionId,
    surveyId: command.surveyId,
    surveyVersion: command.surveyVersion,
    customer: command.customer,
    senderNumber: decision.sender,
    status: 'active' as const,
    currentElementId: decision.start.currentElementId,
    language: decision.start.language,
    clientReference: command.clientReference ?? null,
    userSessionVariables: command.userSessionVariables,
    origin: command.origin ?? { kind: 'api' as const },
    invalidReplies: 0,
    expiresAt: decision.expiresAt,
    remindAt: decision.remindAt,
    remindedAt: null,
    startedAt: now,
    endedAt: null,
    endReason: null,
    answers: [],
  };
  scene.createSession(session);
  scene.outbox.tally.sessionStarted(command.surveyId);
  // The gateway refuses suppressed customers; one who opted out since then gets nothing, and BI sees why.
  if (decision.optedOut) return [...out, scene.endSession(session, 'opted-out', now, 'customer is on the suppression list')];
  const commands = outgoingCommands(decision.start.outgoing, { sessionId: session.id, from: decision.sender, to: command.customer, priority: 'new-survey', now, sendAt });
  return [...out, ...scene.queue(commands)];
}

export async function applySurveySend(scene: Scene, event: SurveySendRequested, deps: SurveySendDeps, now: Date): Promise<void> {
  scene.outbox.add(await startSurveySession(scene, event.payload, deps, now), event);
}
