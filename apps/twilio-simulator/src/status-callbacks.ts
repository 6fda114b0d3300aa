import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { describeFetchError, postSignedForm } from './outbound-http.js';
import type { MessageStatus, SimMessage, SimulatorState, StatusCallbackDelivery } from './state.js';

export interface MessageLifecycleOptions {
  state: SimulatorState;
  authToken: string;
  log: FastifyBaseLogger;
  /** Pause before each status change (queued → sent → delivered), unless `state.statusCallbackDelays` says otherwise. */
  delayMs: number;
  callbackMaxAttempts: number;
  /** Pause before the n-th retry of a failed callback is n × this. */
  callbackRetryDelayMs: number;
}

/**
 * Moves each outbound message from queued to sent to delivered (or to the failure set up for its `To`), and
 * POSTs a signed status callback for each change when the message has a StatusCallback.
 */
export class MessageLifecycle {
  private stopController = new AbortController();

  constructor(private readonly opts: MessageLifecycleOptions) {}

  start(message: SimMessage): void {
    const signal = this.stopController.signal;
    this.run(message, signal).catch((err: unknown) => {
      if (!signal.aborted) this.opts.log.error({ err, messageSid: message.sid }, 'message lifecycle failed');
    });
  }

  /** Stops every lifecycle in progress (reset, shutdown); their pending callbacks are dropped. */
  stopAll(): void {
    this.stopController.abort();
    this.stopController = new AbortController();
  }

  /** The pause before a message's next status change: set for its number, else for all, else the default. Read at each step. */
  delayFor(message: SimMessage): number {
    const delays = this.opts.state.statusCallbackDelays;
    return (delays.find((d) => d.to === message.to) ?? delays.find((d) => d.to === undefined))?.delayMs ?? this.opts.delayMs;
  }

  private async run(message: SimMessage, signal: AbortSignal): Promise<void> {
    await sleep(this.delayFor(message), undefined, { signal });
    this.setStatus(message, 'sent');
    message.dateSent = message.dateUpdated;
    await this.notify(message, signal);

    await sleep(this.delayFor(message), undefined, { signal });
    const fault = this.opts.state.deliveryFaults.find((f) => f.to === message.to);
    if (fault) {
      this.setStatus(message, fault.status);
      message.errorCode = fault.errorCode;
      message.errorMessage = `Simulated delivery failure ${fault.errorCode}`;
    } else {
      this.setStatus(message, 'delivered');
    }
    await this.notify(message, signal);
  }

  private setStatus(message: SimMessage, status: MessageStatus): void {
    message.status = status;
    message.dateUpdated = new Date();
  }

  private async notify(message: SimMessage, signal: AbortSignal): Promise<void> {
    if (!message.statusCallback) return;
    const params: Record<string, string> = {
      MessageSid: message.sid,
      SmsSid: message.sid,
      MessageStatus: message.status,
      SmsStatus: message.status,
      AccountSid: message.accountSid,
      ...(message.from !== null && { From: message.from }),
      To: message.to,
      ApiVersion: '2010-04-01',
      ...(message.errorCode !== null && { ErrorCode: String(message.errorCode) }),
    };
    const delivery: StatusCallbackDelivery = {
      messageSid: message.sid,
      url: message.statusCallback,
      messageStatus: message.status,
      time: Date.now(),
      attempts: 0,
      delivered: false,
    };
    this.opts.state.statusCallbacks.push(delivery);

    for (let attempt = 1; attempt <= this.opts.callbackMaxAttempts; attempt++) {
      delivery.attempts = attempt;
      try {
        const response = await postSignedForm({ url: delivery.url, authToken: this.opts.authToken, params, signal });
        delivery.responseStatus = response.status;
        if (response.status >= 200 && response.status < 300) {
          delivery.delivered = true;
          delete delivery.error;
          return;
        }
        delivery.error = `HTTP ${response.status}`;
      } catch (err) {
        if (signal.aborted) throw err;
        delivery.error = describeFetchError(err);
      }
      if (attempt < this.opts.callbackMaxAttempts) await sleep(this.opts.callbackRetryDelayMs * attempt, undefined, { signal });
    }
    this.opts.log.warn({ delivery }, 'status callback not delivered');
  }
}
