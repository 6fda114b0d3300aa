/**
 * A sliding one-second window per sender, as plain data and pure functions (time passed in). A send of cost
 * `n` segments is admitted when the segments sent in the last second plus `n` stay within `limit`, so no
 * one-second window ever carries more than the limit, and a backlog uses the whole limit whatever the timer
 * granularity (a token bucket paced by timers loses a little at every wake-up, and one with a burst allowance
 * can exceed the limit in a window). A message longer than the limit goes alone in its window.
 */
export interface RateWindow {
  limit: number;
  /** Admitted sends of the last second, oldest first. */
  sends: readonly { atMs: number; cost: number }[];
}

export const WINDOW_MS = 1000;

/**
 * A new window. `startFull` counts a whole second's worth as just sent: a dispatcher that takes over a sender
 * (after a rebalance or restart) does not know what the previous owner sent in the last second.
 */
export function createRateWindow(limit: number, nowMs: number, options: { startFull?: boolean } = {}): RateWindow {
  return { limit, sends: options.startFull ? [{ atMs: nowMs, cost: limit }] : [] };
}

export function admit(window: RateWindow, cost: number, nowMs: number): { window: RateWindow; waitMs: number } {
  const live = window.sends.filter((s) => s.atMs > nowMs - WINDOW_MS);
  let used = live.reduce((sum, s) => sum + s.cost, 0);
  const needed = Math.min(cost, window.limit);
  if (used + needed <= window.limit) {
    return { window: { limit: window.limit, sends: [...live, { atMs: nowMs, cost }] }, waitMs: 0 };
  }
  // Wait until enough of the oldest sends leave the window.
  for (const s of live) {
    used -= s.cost;
    if (used + needed <= window.limit) return { window: { limit: window.limit, sends: live }, waitMs: s.atMs + WINDOW_MS - nowMs };
  }
  return { window: { limit: window.limit, sends: live }, waitMs: WINDOW_MS };
}
