import type { MessageStatusReported, SmsSendResult } from '@sms-survey/contracts';
import { decideSendResult, decideStatusReport, type DeliveryDecision } from '@sms-survey/survey-domain';
import type { OutboundRecord, Scene, SceneNeeds } from '../scene.js';

export function messageStatusNeeds(event: MessageStatusReported, needs: SceneNeeds): void {
  const p = event.payload;
  if (p.commandId) needs.commandIds.add(p.commandId);
  else needs.messageSids.add(p.messageSid);
  needs.customers.add(p.to);
}

export function sendResultNeeds(event: SmsSendResult, needs: SceneNeeds): void {
  needs.commandIds.add(event.payload.commandId);
  needs.customers.add(event.payload.to);
}

/** What a failed SMS does to the survey (`decideStatusReport`, `decideSendResult`). */
function applyConsequence(scene: Scene, decision: DeliveryDecision, message: OutboundRecord | undefined, customer: string, now: Date, cause: object): void {
  const consequence = decision.consequence;
  if (!consequence) return;
  if (consequence.kind === 'opt-out') {
    scene.outbox.add(scene.optOut(customer, consequence.reason, now), cause);
    return;
  }
  const session = message?.sessionId ? scene.session(message.sessionId) : undefined;
  if (session?.status === 'active') scene.outbox.add([scene.endSession(session, 'failed', now, consequence.reason)], cause);
}

/** A status callback: recorded on the outbound message (found by our command id, else by MessageSid). */
export function applyMessageStatus(scene: Scene, event: MessageStatusReported, now: Date): void {
  const p = event.payload;
  const message = scene.outboundMessage(p.commandId ? { commandId: p.commandId } : { messageSid: p.messageSid });
  const decision = decideStatusReport(message?.status, p);
  if (!message || decision.status === undefined) return;
  scene.updateOutbound(message, { status: decision.status, errorCode: p.errorCode ?? null, messageSid: p.messageSid });
  scene.outbox.tally.statusRecorded(p.from, decision.status, p.errorCode);
  applyConsequence(scene, decision, message, p.to, now, event);
}

/** The dispatcher's result: Twilio's MessageSid on success, or the failure. */
export function applySendResult(scene: Scene, event: SmsSendResult, now: Date): void {
  const message = scene.outboundMessage({ commandId: event.payload.commandId });
  if (event.type === 'sms.send.accepted') {
    const { messageSid, status } = event.payload;
    const decision = decideSendResult(message?.status, { kind: 'accepted', status });
    if (message) scene.updateOutbound(message, { messageSid, ...(decision.status !== undefined && { status: decision.status }) });
    return;
  }
  const { errorCode, reason, to } = event.payload;
  const decision = decideSendResult(message?.status, { kind: 'failed', errorCode, reason });
  if (message) scene.updateOutbound(message, { status: 'failed', errorCode: errorCode ?? null });
  applyConsequence(scene, decision, message, to, now, event);
}
