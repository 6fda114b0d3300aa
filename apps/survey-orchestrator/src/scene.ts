import {
  SurveyAnswerRecorded,
  SurveySessionEnded,
  Topics,
  createMessage,
  uuidFromName,
  type InboundSmsReceived,
  type RecordedAnswer,
  type SessionEndStatus,
} from '@sms-survey/contracts';
import type { SessionState, SessionStatus } from '@sms-survey/survey-domain';
import type { OutboxEntry } from './outbox-relay.js';
import type { SmsCommand } from './sms-commands.js';
import type { TransactionOutbox } from './transaction.js';

/** A survey session as the scene holds it: its row (locked for the transaction) and, while active, its answers. */
export interface SessionRecord {
  id: string;
  surveyId: string;
  surveyVersion: number;
  customer: string;
  senderNumber: string;
  status: SessionStatus;
  currentElementId: string | null;
  language: string;
  clientReference: string | null;
  userSessionVariables: { key: string; value: string }[];
  origin: SurveySessionEnded['payload']['origin'] | null;
  invalidReplies: number;
  expiresAt: Date;
  remindAt: Date | null;
  remindedAt: Date | null;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  /** The answers so far, oldest first (loaded for active sessions, which are the only ones that get more). */
  answers: RecordedAnswer[];
}

/** One of our SMS whose delivery we track, as far as a delivery report needs it. */
export interface OutboundRecord {
  commandId: string;
  sessionId: string | null;
  status: string;
  messageSid: string | null;
}

/** What a batch's events need from the database; the scene store loads it with one locking read per table. */
export interface SceneNeeds {
  /** Customers whose active sessions and suppression flag the batch needs. */
  customers: Set<string>;
  /** Reply step 1's lookups: the customer's session, by the number they texted where subnumbering applies. */
  lookups: Map<string, { customer: string; sender: string | null }>;
  sessionIds: Set<string>;
  commandIds: Set<string>;
  messageSids: Set<string>;
  /** Flex tasks: their customers are locked (advisory) and their facts read (claimed tasks, last Flex survey). */
  flexTasks: Map<string, { customer: string; surveyId: string }>;
}

export function emptyNeeds(): SceneNeeds {
  return { customers: new Set(), lookups: new Map(), sessionIds: new Set(), commandIds: new Set(), messageSids: new Set(), flexTasks: new Map() };
}

/** What the store read for a scene. */
export interface LoadedScene {
  sessions: SessionRecord[];
  suppressed: Map<string, string>;
  outbound: OutboundRecord[];
  claimedTasks: Set<string>;
  lastFlexSurveyAt: Map<string, Date>;
  latestVersions: Map<string, number>;
}

/** The rows a batch writes, buffered so that each kind takes one statement (scene-store.ts `flushScene`). */
export class SceneWrites {
  readonly inbound: { sms: InboundSmsReceived['payload']; sessionId: string | null }[] = [];
  readonly answers: { sessionId: string; answer: RecordedAnswer }[] = [];
  /** Sessions created by the batch: inserted with their final state. */
  readonly created = new Set<string>();
  /** Sessions that existed before the batch and changed: updated to their final state. */
  readonly changed = new Set<string>();
  /** Sessions that existed before the batch and ended: their SMS still held in the outbox are canceled. */
  readonly ended = new Set<string>();
  readonly commands: SmsCommand[] = [];
  readonly canceledCommands = new Set<string>();
  /** Changes to outbound messages (for one queued by the batch itself, applied to the row it inserts). */
  readonly outbound = new Map<string, { status?: string; errorCode?: number | null; messageSid?: string }>();
  readonly flexClaims: { taskSid: string; sessionId: string }[] = [];
}

/**
 * The state a batch of events works on, in the manner of mailroom's scenes: loaded with one locking read, one
 * object per session however it was looked up, changed in memory by each event's decision in turn (so a later
 * event sees what an earlier one did), and written with one statement per kind of effect when the batch is done.
 */
export class Scene {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly byCustomer = new Map<string, SessionRecord[]>();
  private readonly suppressed: Map<string, string>;
  private readonly suppressedBefore: ReadonlySet<string>;
  private readonly outboundById = new Map<string, OutboundRecord>();
  private readonly outboundBySid = new Map<string, OutboundRecord>();
  private readonly claimedTasks: Set<string>;
  private readonly lastFlexSurveyAt: Map<string, Date>;
  readonly latestVersions: ReadonlyMap<string, number>;
  readonly writes = new SceneWrites();

  constructor(
    loaded: LoadedScene,
    readonly outbox: TransactionOutbox,
  ) {
    for (const s of loaded.sessions) this.addSession(s);
    this.suppressed = new Map(loaded.suppressed);
    this.suppressedBefore = new Set(loaded.suppressed.keys());
    for (const o of loaded.outbound) this.addOutbound(o);
    this.claimedTasks = new Set(loaded.claimedTasks);
    this.lastFlexSurveyAt = new Map(loaded.lastFlexSurveyAt);
    this.latestVersions = loaded.latestVersions;
  }

  private addSession(s: SessionRecord): void {
    this.sessions.set(s.id, s);
    const list = this.byCustomer.get(s.customer);
    if (list) list.push(s);
    else this.byCustomer.set(s.customer, [s]);
  }

  private addOutbound(o: OutboundRecord): void {
    this.outboundById.set(o.commandId, o);
    if (o.messageSid) this.outboundBySid.set(o.messageSid, o);
  }

  session(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  /** Reply step 1: the customer's active session (by the number texted, where subnumbering applies), else their latest. */
  sessionFor(lookup: { customer: string; sender: string | null }): SessionRecord | undefined {
    let best: SessionRecord | undefined;
    for (const s of this.byCustomer.get(lookup.customer) ?? []) {
      if (lookup.sender !== null && s.senderNumber !== lookup.sender) continue;
      if (!best || rankForReply(s) > rankForReply(best)) best = s;
    }
    return best;
  }

  /** The customer's active sessions, oldest first. */
  activeSessions(customer: string): SessionRecord[] {
    return (this.byCustomer.get(customer) ?? []).filter((s) => s.status === 'active').sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  isSuppressed(customer: string): boolean {
    return this.suppressed.has(customer);
  }

  /** The customer's suppression list changes, relative to what was loaded: rows to insert and to delete. */
  suppressionChanges(): { add: { customer: string; reason: string }[]; remove: string[] } {
    const add = [...this.suppressed].filter(([c]) => !this.suppressedBefore.has(c)).map(([customer, reason]) => ({ customer, reason }));
    return { add, remove: [...this.suppressedBefore].filter((c) => !this.suppressed.has(c)) };
  }

  outboundMessage(ref: { commandId?: string; messageSid?: string }): OutboundRecord | undefined {
    return ref.commandId ? this.outboundById.get(ref.commandId) : ref.messageSid ? this.outboundBySid.get(ref.messageSid) : undefined;
  }

  taskClaimed(taskSid: string): boolean {
    return this.claimedTasks.has(taskSid);
  }

  lastFlexSurvey(customer: string): Date | undefined {
    return this.lastFlexSurveyAt.get(customer);
  }

  // ---- effects ----

  recordInbound(sms: InboundSmsReceived['payload'], sessionId: string | null): void {
    this.writes.inbound.push({ sms, sessionId });
  }

  /** Changes a session's state (seed step 4: the session is stored at its next question). */
  update(session: SessionRecord, change: Partial<Pick<SessionRecord, 'currentElementId' | 'invalidReplies' | 'remindAt' | 'remindedAt'>>): void {
    Object.assign(session, change);
    this.touched(session);
  }

  /** Records an answer and returns the `survey.answer.recorded` event, with the answers so far. */
  recordAnswer(session: SessionRecord, answer: RecordedAnswer): OutboxEntry {
    session.answers.push(answer);
    this.writes.answers.push({ sessionId: session.id, answer });
    return answerRecorded(session, answer);
  }

  createSession(session: SessionRecord): void {
    this.addSession(session);
    this.writes.created.add(session.id);
    if (session.origin?.kind === 'flex-task') this.lastFlexSurveyAt.set(session.customer, session.startedAt);
  }

  /**
   * Ends the session and returns its `survey.session.ended` event with every answer. Its SMS still held in the
   * outbox (a survey's later elements wait there for their time) are canceled, so nothing more is sent.
   */
  endSession(session: SessionRecord, status: SessionEndStatus, now: Date, reason?: string): OutboxEntry {
    Object.assign(session, { status, currentElementId: null, endedAt: now, endReason: reason ?? status, remindAt: null });
    this.touched(session);
    if (!this.writes.created.has(session.id)) this.writes.ended.add(session.id);
    this.cancelHeldInBatch(session.id);
    return sessionEnded(session, status, reason);
  }

  /** Queues SMS commands: outbound messages whose delivery we track. Their outbox entries are the caller's to add. */
  queue(commands: readonly SmsCommand[]): OutboxEntry[] {
    for (const c of commands) {
      this.writes.commands.push(c);
      this.addOutbound({ commandId: c.row.commandId, sessionId: c.row.sessionId, status: 'requested', messageSid: null });
    }
    return commands.map((c) => c.entry);
  }

  suppress(customer: string, reason: string): void {
    if (!this.suppressed.has(customer)) this.suppressed.set(customer, reason);
  }

  unsuppress(customer: string): void {
    this.suppressed.delete(customer);
  }

  /** The customer opted out: on the suppression list, and their active sessions ended as `opted-out`. */
  optOut(customer: string, reason: string, now: Date): OutboxEntry[] {
    this.suppress(customer, reason);
    return this.activeSessions(customer).map((s) => this.endSession(s, 'opted-out', now, reason));
  }

  /** Records what Twilio reported about one of our SMS. */
  updateOutbound(message: OutboundRecord, change: { status?: string; errorCode?: number | null; messageSid?: string }): void {
    if (change.status !== undefined) message.status = change.status;
    if (change.messageSid !== undefined) {
      message.messageSid = change.messageSid;
      this.outboundBySid.set(change.messageSid, message);
    }
    this.writes.outbound.set(message.commandId, { ...this.writes.outbound.get(message.commandId), ...change });
  }

  claimTask(taskSid: string, sessionId: string): void {
    this.claimedTasks.add(taskSid);
    this.writes.flexClaims.push({ taskSid, sessionId });
  }

  private touched(session: SessionRecord): void {
    if (!this.writes.created.has(session.id)) this.writes.changed.add(session.id);
  }

  /**
   * Cancels the session's SMS queued earlier in this batch and held for later, as `cancelHeldSms` in the store does
   * for rows already committed; SMS due at once are on their way and stay.
   */
  private cancelHeldInBatch(sessionId: string): void {
    const held = this.writes.commands.filter((c) => c.row.sessionId === sessionId && c.entry.availableAt && !this.writes.canceledCommands.has(c.row.commandId));
    if (held.length === 0) return;
    const ids = new Set(held.map((c) => c.row.commandId));
    for (const id of ids) {
      this.writes.canceledCommands.add(id);
      const record = this.outboundById.get(id);
      if (record) record.status = 'canceled';
    }
    this.outbox.remove((e) => e.topic === Topics.smsSend && ids.has((e.message as unknown as { payload: { commandId: string } }).payload.commandId));
  }
}

/** Reply step 1's order: an active session first, then the most recently started. */
function rankForReply(s: SessionRecord): number {
  return (s.status === 'active' ? 1e15 : 0) + s.startedAt.getTime();
}

export function sessionState(s: SessionRecord): SessionState {
  return { status: s.status, currentElementId: s.currentElementId, language: s.language, invalidReplies: s.invalidReplies };
}

function sessionRef(s: SessionRecord) {
  return {
    sessionId: s.id,
    surveyId: s.surveyId,
    surveyVersion: s.surveyVersion,
    clientReference: s.clientReference ?? undefined,
    language: s.language,
    userSessionVariables: s.userSessionVariables,
    origin: s.origin ?? undefined,
  };
}

/**
 * For BI and follow-up tasks: one event per recorded answer, with the customer's number and the answers so far
 * (this one included). Its id derives from the answer, so a replay yields the same id.
 */
function answerRecorded(session: SessionRecord, answer: RecordedAnswer): OutboxEntry {
  const message = createMessage(SurveyAnswerRecorded, {
    id: uuidFromName(`answer:${session.id}:${answer.elementId}:${answer.answeredAt}`),
    type: 'survey.answer.recorded',
    schemaVersion: 1,
    payload: { ...sessionRef(session), answer, customer: session.customer, answersSoFar: [...session.answers] },
  });
  return { topic: Topics.surveyAnswers, key: session.id, message };
}

function sessionEnded(session: SessionRecord, status: SessionEndStatus, reason: string | undefined): OutboxEntry {
  const message = createMessage(SurveySessionEnded, {
    id: uuidFromName(`ended:${session.id}`),
    type: 'survey.session.ended',
    schemaVersion: 1,
    payload: {
      ...sessionRef(session),
      status,
      reason,
      customer: session.customer,
      answers: [...session.answers],
      startedAt: session.startedAt.toISOString(),
      endedAt: (session.endedAt ?? new Date()).toISOString(),
      remindedAt: session.remindedAt?.toISOString(),
    },
  });
  return { topic: Topics.surveySessions, key: session.id, message };
}
