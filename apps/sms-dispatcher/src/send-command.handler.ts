import { SmsSendFailed, SmsSent, Topics, createMessage, uuidFromName, type SmsSendRequested } from '@sms-survey/contracts';
import { RetryableError, type EventProducer } from '@sms-survey/kafka';
import { classifyTwilioError, findRecentMessage, sendSms, type TwilioClient } from '@sms-survey/twilio';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { SendLedger } from './send-ledger.js';

const TWILIO_AUTHENTICATION_FAILED = 20003;

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
  /** A `sending` ledger row untouched this long belongs to a dispatcher that died mid-send. */
  staleSendMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends one SMS command at most once: claim it in the ledger, call Twilio (retrying what Twilio says is
 * temporary, with exponential backoff and jitter), record the answer, then publish the result. A redelivered
 * command re-publishes the recorded result instead of sending.
 */
export function createSendCommandHandler(deps: SendCommandDeps) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const outcomes = new Counter({ name: 'dispatcher_sms_total', help: 'Send commands by outcome', labelNames: ['outcome'], registers: [deps.registry] });

  async function publishSent(command: SmsSendRequested['payload'], messageSid: string, status: string) {
    const message = createMessage(SmsSent, {
      id: uuidFromName(`sent:${command.commandId}`),
      type: 'sms.send.accepted',
      schemaVersion: 1,
      payload: { commandId: command.commandId, sessionId: command.sessionId, messageSid, from: command.from, to: command.to, status: SmsSent.shape.payload.shape.status.catch('queued').parse(status) },
    });
    await deps.producer.publish([{ topic: Topics.smsSendResult, key: command.to, message }]);
  }

  async function publishFailed(command: SmsSendRequested['payload'], reason: string, errorCode: number | undefined, permanent: boolean) {
    const message = createMessage(SmsSendFailed, {
      id: uuidFromName(`failed:${command.commandId}`),
      type: 'sms.send.failed',
      schemaVersion: 1,
      payload: { commandId: command.commandId, sessionId: command.sessionId, from: command.from, to: command.to, errorCode, reason, permanent },
    });
    await deps.producer.publish([{ topic: Topics.smsSendResult, key: command.to, message }]);
  }

  return async function handleSendCommand(event: SmsSendRequested): Promise<void> {
    const command = event.payload;
    if (!(await deps.ledger.claim(command.commandId))) {
      const entry = await deps.ledger.get(command.commandId);
      if (entry?.state === 'sent' && entry.messageSid) {
        outcomes.inc({ outcome: 'duplicate' });
        return publishSent(command, entry.messageSid, 'queued');
      }
      if (entry?.state === 'failed') {
        outcomes.inc({ outcome: 'duplicate' });
        return publishFailed(command, 'send failed earlier', entry.errorCode ?? undefined, true);
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
        return publishSent(command, existing.sid, existing.status);
      }
      deps.logger.warn({ commandId: command.commandId }, 'a dispatcher died before Twilio accepted this message; sending it now');
    }

    const statusCallback = `${deps.statusCallbackBaseUrl}/twilio/messaging/status?commandId=${command.commandId}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await sendSms(deps.twilio, {
          from: command.from,
          to: command.to,
          body: command.body,
          statusCallback,
          validityPeriodSeconds: command.validityPeriodSeconds ?? deps.validityPeriodSeconds,
        });
        await deps.ledger.markSent(command.commandId, sent.sid);
        outcomes.inc({ outcome: 'sent' });
        return publishSent(command, sent.sid, sent.status);
      } catch (error) {
        const verdict = classifyTwilioError(error);
        if (verdict.code === TWILIO_AUTHENTICATION_FAILED || verdict.status === 401) {
          // Our credentials, not this message, are wrong: keep the command until an operator fixes them.
          await deps.ledger.release(command.commandId);
          outcomes.inc({ outcome: 'auth-failed' });
          throw new RetryableError(`Twilio rejected our credentials: ${verdict.reason}`);
        }
        if (verdict.retryable && attempt < deps.maxAttempts) {
          const delay = deps.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
          deps.logger.warn({ commandId: command.commandId, attempt, code: verdict.code, reason: verdict.reason, delayMs: Math.round(delay) }, 'Twilio send failed; retrying');
          await sleep(delay);
          continue;
        }
        deps.logger.warn({ commandId: command.commandId, code: verdict.code, reason: verdict.reason }, 'SMS not sent');
        await deps.ledger.markFailed(command.commandId, verdict.code);
        outcomes.inc({ outcome: verdict.permanent ? 'failed-permanent' : 'failed' });
        return publishFailed(command, verdict.reason, verdict.code, verdict.permanent);
      }
    }
  };
}
