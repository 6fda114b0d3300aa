import { context } from '@opentelemetry/api';
import { Topics, type MessageOf } from '@sms-survey/contracts';
import type { Sql } from '@sms-survey/db';
import { messageContext } from '@sms-survey/kafka';
import { decideReminder } from '@sms-survey/survey-domain';
import type pg from 'pg';
import { applyMessageStatus, applySendResult, messageStatusNeeds, sendResultNeeds } from './handlers/delivery.handler.js';
import { applyFlexTaskEvent, flexTaskNeeds, type FlexTaskDeps, type FlexTaskResult } from './handlers/flex-task.handler.js';
import { applyInboundSms, inboundSmsNeeds, type InboundSmsDeps } from './handlers/inbound-sms.handler.js';
import { applySurveySend, surveySendNeeds } from './handlers/survey-send.handler.js';
import type { OutboxRelay } from './outbox-relay.js';
import { emptyNeeds, type Scene, type SceneNeeds } from './scene.js';
import { flushScene, loadScene } from './scene-store.js';
import { sendableAt } from './sending-window.js';
import { outgoingCommands } from './sms-commands.js';
import { inOutboxTransaction, type TransactionOutbox } from './transaction.js';

export const CONSUMED = [Topics.surveyCommands, Topics.inboundSms, Topics.messageStatus, Topics.smsSendResult, Topics.flexTaskEvents] as const;
/** An event the orchestrator consumes. */
export type ConsumedEvent = MessageOf<(typeof CONSUMED)[number]>;
/** A session whose deadline in the table has come (the durable expiry and reminder timers). */
export type DueEvent = { type: 'session.expiry.due'; sessionId: string } | { type: 'session.reminder.due'; sessionId: string };
export type SceneEvent = ConsumedEvent | DueEvent;

/** Everything the handlers need: the survey catalog, sender and sending-hours policies, the Flex survey policies. */
export type EngineDeps = InboundSmsDeps & FlexTaskDeps;

/** What the events of a batch did that no outbox entry says: each Flex task event's outcome, for its report. */
export type SceneResults = Map<string, FlexTaskResult>;

function addNeeds(event: SceneEvent, deps: EngineDeps, now: Date, needs: SceneNeeds): void {
  switch (event.type) {
    case 'sms.inbound.received':
      return inboundSmsNeeds(event, deps, needs);
    case 'survey.send.requested':
      return surveySendNeeds(event.payload, needs);
    case 'flex.task.lifecycle':
      return flexTaskNeeds(event, deps, now, needs);
    case 'sms.status.reported':
      return messageStatusNeeds(event, needs);
    case 'sms.send.accepted':
    case 'sms.send.failed':
      return sendResultNeeds(event, needs);
    case 'session.expiry.due':
    case 'session.reminder.due':
      needs.sessionIds.add(event.sessionId);
      return;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${(unhandled as { type: string }).type}`);
    }
  }
}

async function applyEvent(scene: Scene, event: SceneEvent, deps: EngineDeps, now: Date, results: SceneResults): Promise<void> {
  switch (event.type) {
    case 'sms.inbound.received':
      return applyInboundSms(scene, event, deps, now);
    case 'survey.send.requested':
      return applySurveySend(scene, event, deps, now);
    case 'flex.task.lifecycle':
      results.set(event.id, await applyFlexTaskEvent(scene, event, deps, now));
      return;
    case 'sms.status.reported':
      return applyMessageStatus(scene, event, now);
    case 'sms.send.accepted':
    case 'sms.send.failed':
      return applySendResult(scene, event, now);
    case 'session.expiry.due': {
      const session = scene.session(event.sessionId);
      if (session?.status === 'active') scene.outbox.add([scene.endSession(session, 'expired', now, 'expiry time reached')]);
      return;
    }
    case 'session.reminder.due':
      return applyReminderDue(scene, event.sessionId, deps, now);
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${(unhandled as { type: string }).type}`);
    }
  }
}

/**
 * A session's reminder is due (`decideReminder`): one nudge within the customer's sending hours, never after expiry
 * or an opt-out. The row is marked either way (`remind_at` cleared, `reminded_at` set when sent), so it goes once.
 */
async function applyReminderDue(scene: Scene, sessionId: string, deps: EngineDeps, now: Date): Promise<void> {
  const session = scene.session(sessionId);
  if (!session || session.remindAt === null) return;
  const survey = await deps.catalog.get(session.surveyId, session.surveyVersion);
  const sendAt = sendableAt(deps.sending, survey, session.customer, now);
  const decision = decideReminder(survey, session, { suppressed: scene.isSuppressed(session.customer), sendAt });
  scene.update(session, { remindAt: null, ...(decision.kind === 'send' && { remindedAt: sendAt }) });
  if (decision.kind !== 'send') return;
  const commands = outgoingCommands([decision.sms], { sessionId, from: session.senderNumber, to: session.customer, priority: 'new-survey', now, sendAt });
  scene.outbox.add(scene.queue(commands));
}

/**
 * The one way events change survey state: load what the batch needs with one locking read per table (one object
 * per session, however it was looked up), let each event's handler ask the domain and change the scene in order,
 * then write the effects with one statement per kind (scene-store.ts). A single event is a batch of one.
 * With `exactlyOnce` (the consumer group), consumed events are recorded as applied in the same transaction and
 * only those not applied before are applied (the first occurrence of each); a redelivered event changes nothing
 * (its outbox rows, if unpublished, are published by the relay's sweep). Due events are applied as they come.
 */
export async function applyEventsInScene(
  sql: Sql,
  outbox: TransactionOutbox,
  events: readonly SceneEvent[],
  deps: EngineDeps,
  now: Date,
  exactlyOnce?: string,
): Promise<{ applied: Set<string>; results: SceneResults }> {
  const needs = emptyNeeds();
  for (const event of events) addNeeds(event, deps, now, needs);
  const eventIds = events.flatMap((e) => ('id' in e ? [e.id] : []));
  const { scene, fresh } = await loadScene(sql, needs, outbox, exactlyOnce === undefined ? undefined : { consumerGroup: exactlyOnce, eventIds });
  const results: SceneResults = new Map();
  const applied = new Set<string>();
  for (const event of events) {
    if ('id' in event && exactlyOnce !== undefined) {
      if (!fresh.delete(event.id)) continue; // applied before, or earlier in this batch
      applied.add(event.id);
    }
    // Each in the trace context of its own message (the batch's may be a span of several).
    const ctx = 'id' in event ? messageContext(event) : undefined;
    await context.with(ctx ?? context.active(), () => applyEvent(scene, event, deps, now, results));
  }
  await flushScene(sql, scene);
  return { applied, results };
}

/**
 * Applies consumed events exactly once, all in one transaction and one scene, then publishes the outbox after the
 * commit. Returns the ids applied now and the Flex task outcomes.
 */
export async function applyConsumedOnce(
  pool: pg.Pool,
  relay: OutboxRelay,
  consumerGroup: string,
  events: readonly ConsumedEvent[],
  deps: EngineDeps,
  now = new Date(),
): Promise<{ applied: Set<string>; results: SceneResults }> {
  return inOutboxTransaction(pool, relay, events.length, (sql, outbox) => applyEventsInScene(sql, outbox, events, deps, now, consumerGroup));
}
