/**
 * A sliding one-second window per sender, as plain data and pure functions (time passed in). A send of cost
 * `n` segments is admitted when the segments sent in the last second plus `n` stay within `limit`, so no
 * one-second window ever carries more than the limit, and a backlog uses the whole limit whatever the timer
 * granularity (a token bucket paced by timers loses a little at every wake-up, and one with a burst allowance
 * can exceed the limit in a window). A message longer than the limit goes alone in its window.
 */
export interface WindowSend {
  atMs: number;
  cost: number;
}

export interface RateWindow {
  limit: number;
  /** Admitted sends of the last second, oldest first. */
  sends: readonly WindowSend[];
}

export const WINDOW_MS = 1000;

/**
 * A new window. `startFull` counts a whole second's worth as just sent: a dispatcher that takes over a sender
 * (after a rebalance or restart) does not know what the previous owner sent in the last second.
 */
export function createRateWindow(limit: number, nowMs: number, options: { startFull?: boolean } = {}): RateWindow {
  return { limit, sends: options.startFull ? [{ atMs: nowMs, cost: limit }] : [] };
}

/**
 * Admits a send of `cost` at `nowMs` (`send` is its entry in the returned window), or says how long to wait.
 */
export function admit(window: RateWindow, cost: number, nowMs: number): { window: RateWindow; waitMs: number; send?: WindowSend } {
  const live = window.sends.filter((s) => s.atMs > nowMs - WINDOW_MS);
  let used = 0;
  for (const s of live) used += s.cost;
  const needed = Math.min(cost, window.limit);
  if (used + needed <= window.limit) {
    const send = { atMs: nowMs, cost };
    live.push(send);
    return { window: { limit: window.limit, sends: live }, waitMs: 0, send };
  }
  // Wait until enough of the oldest sends leave the window.
  for (const s of live) {
    used -= s.cost;
    if (used + needed <= window.limit) return { window: { limit: window.limit, sends: live }, waitMs: s.atMs + WINDOW_MS - nowMs };
  }
  return { window: { limit: window.limit, sends: live }, waitMs: WINDOW_MS };
}

/**
 * Counts an admitted send from `atMs` instead (later or earlier: the dispatcher counts a send from when its
 * request started plus a margin, then from when it was answered if that was sooner).
 */
export function retime(window: RateWindow, send: WindowSend, atMs: number): { window: RateWindow; send: WindowSend } {
  const present = window.sends.includes(send);
  if (atMs === send.atMs && present) return { window, send };
  // (A send no longer in the window, as after a long wait between attempts, is counted again.)
  const moved = { atMs, cost: send.cost };
  const sends = present ? window.sends.filter((s) => s !== send) : [...window.sends];
  let i = sends.length;
  while (i > 0 && sends[i - 1]!.atMs > atMs) i--;
  sends.splice(i, 0, moved);
  return { window: { limit: window.limit, sends }, send: moved };
}

/** Takes back an admitted send that was never made. */
export function withdraw(window: RateWindow, send: WindowSend): RateWindow {
  return { limit: window.limit, sends: window.sends.filter((s) => s !== send) };
}
