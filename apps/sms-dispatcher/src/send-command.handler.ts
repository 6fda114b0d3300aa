import { context, type Context } from '@opentelemetry/api';
import { Sender, SmsSendFailed, SmsSent, Topics, createMessage, isMessagingServiceSid, uuidFromName, type SmsSendRequested } from '@sms-survey/contracts';
import { RetryableError, type EventProducer, type OutgoingEvent } from '@sms-survey/kafka';
import { classifyTwilioError, findRecentMessage, sendSms, type TwilioClient } from '@sms-survey/twilio';
import { senderKind } from '@sms-survey/sms-domain';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { createCoalescer } from './coalesce.js';
import { StoppingError, type SendSlot } from './send-pacer.js';
import type { Claim, ClaimResult, LedgerOutcome, SendLedger } from './send-ledger.js';

const TWILIO_AUTHENTICATION_FAILED = 20003;
const sentStatus = SmsSent.shape.payload.shape.status.catch('queued');

export interface SendCommandDeps {
  twilio: TwilioClient;
  ledger: SendLedger;
  producer: EventProducer;
  logger: Logger;
  registry: Registry;
  statusCallbackBaseUrl: string;
  validityPeriodSeconds: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Twilio requests in flight at once, over all senders. */
  maxConcurrentRequests?: number;
  /** A `sending` ledger row untouched this long belongs to a dispatcher that died mid-send. */
  staleSendMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** How long a claim, an outcome or a result waits for others to share its statement or Kafka write. */
  coalesceMs?: number;
}

/** A slot that paces nothing (tests, and sends outside a batch). */
export const UNPACED: SendSlot = { started: () => undefined, answered: () => undefined, cancel: () => undefined };

/**
 * Sends SMS commands at most once each: claim in the ledger, call Twilio (retrying what Twilio says is
 * temporary, with exponential backoff and jitter), record the answer, then publish the result. A redelivered
 * command re-publishes the recorded result instead of sending.
 *
 * Claims, outcomes and results of commands handled at about the same time share one SQL statement or Kafka
 * write (`coalesceMs`). The order per command is unchanged: claimed (committed) before its request starts,
 * its outcome committed before its result is published.
 */
export function createSendCommandHandler(deps: SendCommandDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const outcomes = new Counter({ name: 'dispatcher_sms_total', help: 'Send commands by outcome', labelNames: ['outcome'], registers: [deps.registry] });
  // Low cardinality: a sender's type (not its number), Twilio's error code (a bounded set of documented codes).
  const results = new Counter({
    name: 'sms_send_results_total',
    help: 'SMS sends settled, recorded in the send ledger: accepted by Twilio, or failed (for good), by sender type and Twilio error code (none: no code)',
    labelNames: ['sender_type', 'outcome', 'error_code'] as const,
    registers: [deps.registry],
  });
  const requestSeconds = new Histogram({
    name: 'dispatcher_twilio_request_seconds',
    help: "Time of one request to Twilio's Messages API, by outcome (ok, error)",
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [deps.registry],
  });
  const countResult = (command: SmsSendRequested['payload'], outcome: 'accepted' | 'failed', errorCode?: number) =>
    results.inc({ sender_type: senderKind(command.from), outcome, error_code: errorCode === undefined ? 'none' : String(errorCode) });
  const requestSlots = pLimit(deps.maxConcurrentRequests ?? 50);
  // Nothing waits on these but the end of the batch (claims are taken while the sender waits for its window).
  const coalesce = { delayMs: deps.coalesceMs ?? 10, maxItems: 500, maxInFlight: 2 };

  const claimOne = createCoalescer(async (claims: Claim[]) => {
    const results = await deps.ledger.claimMany(claims);
    // The same id twice in one group: only the first caller owns it.
    return claims.map((c): ClaimResult => {
      const result = results.get(c.commandId) ?? 'exists';
      if (result === 'claimed') results.set(c.commandId, 'exists');
      return result;
    });
  }, coalesce);
  const record = createCoalescer(async (items: LedgerOutcome[]) => {
    await deps.ledger.recordMany(items);
    return items.map(() => undefined);
  }, coalesce);
  const publish = createCoalescer(async (events: OutgoingEvent[]) => {
    // Built by createMessage just now, i.e. parsed already.
    await deps.producer.publish(events, { validated: true });
    return events.map(() => undefined);
  }, coalesce);

  // Results of several commands share one Kafka write: each carries its own command's trace context.
  // `usedFrom`: the `From` of Twilio's answer, the number a Messaging Service chose (unknown on a redelivery).
  function sentEvent(command: SmsSendRequested['payload'], messageSid: string, status: string, trace: Context, usedFrom?: string): OutgoingEvent {
    const service = isMessagingServiceSid(command.from) ? command.from : undefined;
    const from = usedFrom !== undefined && Sender.safeParse(usedFrom).success ? usedFrom : command.from;
    const message = createMessage(SmsSent, {
      id: uuidFromName(`sent:${command.commandId}`),
      type: 'sms.send.accepted',
      schemaVersion: 1,
      payload: {
        commandId: command.commandId,
        sessionId: command.sessionId,
        messageSid,
        from,
        ...(service && { messagingServiceSid: service }),
        to: command.to,
        status: sentStatus.parse(status),
      },
    });
    return { topic: Topics.smsSendResult, key: command.to, message, context: trace };
  }

  function failedEvent(command: SmsSendRequested['payload'], reason: string, errorCode: number | undefined, permanent: boolean, trace: Context): OutgoingEvent {
    const message = createMessage(SmsSendFailed, {
      id: uuidFromName(`failed:${command.commandId}`),
      type: 'sms.send.failed',
      schemaVersion: 1,
      payload: { commandId: command.commandId, sessionId: command.sessionId, from: command.from, to: command.to, errorCode, reason, permanent },
    });
    return { topic: Topics.smsSendResult, key: command.to, message, context: trace };
  }

  /**
   * Sends a command this caller has claimed. Resolves once Twilio has answered (or the attempts are spent),
   * with `settled`: the outcome recorded in the ledger and the result published. Once `signal` aborts (the
   * partition is no longer this replica's to send for), no request starts: the claim is given back.
   */
  async function sendClaimed(event: SmsSendRequested, slot: SendSlot, signal?: AbortSignal): Promise<{ settled: Promise<void> }> {
    const command = event.payload;
    // The command's trace context (the lane runs the send in it): the request slot may run the call from another.
    const trace = context.active();
    const statusCallback = `${deps.statusCallbackBaseUrl}/twilio/messaging/status?commandId=${command.commandId}`;
    const params = {
      from: command.from,
      to: command.to,
      body: command.body,
      statusCallback,
      validityPeriodSeconds: command.validityPeriodSeconds ?? deps.validityPeriodSeconds,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await requestSlots(() => {
          if (signal?.aborted) throw new StoppingError('partition no longer held');
          slot.started();
          const started = performance.now();
          return context
            .with(trace, () => sendSms(deps.twilio, params))
            .then(
              (answer) => {
                requestSeconds.observe({ outcome: 'ok' }, (performance.now() - started) / 1000);
                return answer;
              },
              (error: unknown) => {
                requestSeconds.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
                throw error;
              },
            )
            .finally(() => slot.answered());
        });
        outcomes.inc({ outcome: 'sent' });
        return {
          settled: record({ commandId: command.commandId, state: 'sent', messageSid: sent.sid }).then(() => {
            countResult(command, 'accepted');
            return publish(sentEvent(command, sent.sid, sent.status, trace, sent.from));
          }),
        };
      } catch (error) {
        if (error instanceof StoppingError) {
          // No request of this attempt was made (and any earlier attempt's error was a certain refusal).
          slot.cancel();
          await record({ commandId: command.commandId, state: 'retry' });
          throw error;
        }
        const verdict = classifyTwilioError(error);
        if (verdict.code === TWILIO_AUTHENTICATION_FAILED || verdict.status === 401) {
          // Our credentials, not this message, are wrong: keep the command until an operator fixes them.
          await record({ commandId: command.commandId, state: 'retry' });
          outcomes.inc({ outcome: 'auth-failed' });
          throw new RetryableError(`Twilio rejected our credentials: ${verdict.reason}`);
        }
        if (verdict.kind === 'retryable' && attempt < deps.maxAttempts) {
          const delay = deps.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
          deps.logger.warn({ commandId: command.commandId, attempt, code: verdict.code, reason: verdict.reason, delayMs: Math.round(delay) }, 'Twilio send failed; retrying');
          await sleep(delay);
          continue;
        }
        deps.logger.warn({ commandId: command.commandId, code: verdict.code, reason: verdict.reason }, 'SMS not sent');
        outcomes.inc({ outcome: verdict.kind === 'permanent' ? 'failed-permanent' : 'failed' });
        return {
          settled: record({ commandId: command.commandId, state: 'failed', errorCode: verdict.code }).then(() => {
            countResult(command, 'failed', verdict.code);
            return publish(failedEvent(command, verdict.reason, verdict.code, verdict.kind === 'permanent', trace));
          }),
        };
      }
    }
  }

  /**
   * A command someone claimed before (this command redelivered, or another dispatcher's): publish the
   * recorded result again, or, for a `sending` row that has gone stale, settle it through Twilio's list and
   * send it if Twilio never got it (paced by `pace`).
   */
  async function settleUnclaimed(event: SmsSendRequested, pace: () => Promise<SendSlot>, signal?: AbortSignal): Promise<{ settled: Promise<void> }> {
    const command = event.payload;
    const trace = context.active();
    const entry = await deps.ledger.get(command.commandId);
    if (entry?.state === 'sent' && entry.messageSid) {
      outcomes.inc({ outcome: 'duplicate' });
      return { settled: publish(sentEvent(command, entry.messageSid, 'queued', trace)) };
    }
    if (entry?.state === 'failed') {
      outcomes.inc({ outcome: 'duplicate' });
      return { settled: publish(failedEvent(command, 'send failed earlier', entry.errorCode ?? undefined, true, trace)) };
    }
    // `sending`: another dispatcher is sending it right now, or died doing so. Once the row is stale, ask
    // Twilio whether the message exists: if it does, record it; if not, it was never accepted, so send it.
    const staleBefore = new Date(Date.now() - (deps.staleSendMs ?? 30_000));
    if (!entry || !(await deps.ledger.takeOver(command.commandId, staleBefore))) {
      throw new RetryableError(`command ${command.commandId} is being sent by another dispatcher`);
    }
    const existing = await findRecentMessage(deps.twilio, { from: command.from, to: command.to, body: command.body, createdAfter: new Date(entry.updatedAt.getTime() - 60_000) });
    if (existing) {
      await deps.ledger.markSent(command.commandId, existing.sid);
      outcomes.inc({ outcome: 'recovered' });
      deps.logger.warn({ commandId: command.commandId, messageSid: existing.sid }, 'recovered a send whose dispatcher died after Twilio accepted it');
      countResult(command, 'accepted');
      return { settled: publish(sentEvent(command, existing.sid, existing.status, trace, existing.from)) };
    }
    deps.logger.warn({ commandId: command.commandId }, 'a dispatcher died before Twilio accepted this message; sending it now');
    return sendClaimed(event, await pace(), signal);
  }

  return {
    /** Whether this caller now owns the send (send-ledger.ts). Claims made within `coalesceMs` share one statement. */
    claim: (claim: Claim): Promise<ClaimResult> => claimOne(claim),
    sendClaimed,
    settleUnclaimed,
    /** Gives back a claim whose send was never started (the dispatcher is stopping). */
    release: (commandId: string): Promise<void> => record({ commandId, state: 'retry' }),
    /** One command from start to end (claim, send or settle, record, publish), unpaced. */
    async handle(event: SmsSendRequested): Promise<void> {
      const claimed = (await claimOne({ commandId: event.payload.commandId })) === 'claimed';
      const { settled } = claimed ? await sendClaimed(event, UNPACED) : await settleUnclaimed(event, async () => UNPACED);
      await settled;
    },
  };
}

export type SendCommandHandler = ReturnType<typeof createSendCommandHandler>;
