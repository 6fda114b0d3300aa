import { z } from 'zod';

/**
 * Sending hours: when SMS may reach a customer, in the customer's own local time: from `start` to `end`
 * (24-hour "HH:MM" or "HH:MM:SS", end exclusive) on the listed days, never on a listed holiday (local dates).
 * Outside them are the customer's quiet hours. The US TCPA window is 08:00–21:00 in the recipient's time zone;
 * several states and most companies are stricter.
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'must be a 24-hour time such as 08:00 or 20:30:00');

export const SendingHours = z
  .strictObject({
    start: clock,
    end: clock,
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
    holidays: z.array(z.iso.date()).max(400).default([]),
  })
  .refine((q) => seconds(q.start) < seconds(q.end), { message: 'start must be before end (a window within one day)', path: ['end'] });
export type SendingHours = z.output<typeof SendingHours>;
export type SendingHoursInput = z.input<typeof SendingHours>;

function seconds(hhmmss: string): number {
  const [h, m, s] = hhmmss.split(':').map(Number);
  return h! * 3600 + m! * 60 + (s ?? 0);
}

interface LocalTime {
  date: string;
  weekday: Weekday;
  secondOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localTime(atMs: number, zone: string): LocalTime {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(atMs))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
    secondOfDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

/** How long from `atMs` until `zone` is inside the window (0: it is now). */
function waitIn(atMs: number, zone: string, q: SendingHours): number {
  const local = localTime(atMs, zone);
  const start = seconds(q.start);
  const end = seconds(q.end);
  const dayOpen = q.days.includes(local.weekday) && !q.holidays.includes(local.date);
  if (dayOpen && local.secondOfDay >= start && local.secondOfDay < end) return 0;
  // Today's opening if it is still ahead and today is open, else the next day's (checked again on arrival:
  // the next day may be closed too, and a daylight-saving change moves the wall clock).
  const untilStart = local.secondOfDay < start && dayOpen ? start - local.secondOfDay : 86_400 - local.secondOfDay + start;
  let target = atMs - (atMs % 1000) + untilStart * 1000;
  // A daylight-saving change in between moves the wall clock by its shift: land on the opening itself.
  const landed = localTime(target, zone).secondOfDay;
  if (landed !== start && Math.abs(landed - start) <= 7200) {
    const corrected = target - (landed - start) * 1000;
    if (corrected > atMs && localTime(corrected, zone).secondOfDay === start) target = corrected;
  }
  return target - atMs;
}

/** The earliest moment from `atMs` at which every zone is inside the window, within `horizonMs`, or undefined. */
function commonOpening(atMs: number, zones: readonly string[], q: SendingHours, horizonMs: number): number | undefined {
  let t = atMs;
  for (let i = 0; i < 200 && t - atMs <= horizonMs; i++) {
    const wait = Math.max(...zones.map((z) => waitIn(t, z, q)));
    if (wait === 0) return t;
    t += wait;
  }
  return undefined;
}

const offsetMinutes = (atMs: number, zone: string): number => {
  const l = localTime(atMs, zone);
  const utc = new Date(atMs);
  const utcSeconds = utc.getUTCHours() * 3600 + utc.getUTCMinutes() * 60 + utc.getUTCSeconds();
  let diff = l.secondOfDay - utcSeconds;
  if (l.date > utc.toISOString().slice(0, 10)) diff += 86_400;
  if (l.date < utc.toISOString().slice(0, 10)) diff -= 86_400;
  return Math.round(diff / 60);
};

const EIGHT_DAYS_MS = 8 * 86_400_000;

/**
 * When an SMS due at `atMs` may be sent to a customer whose number is in one of `zones` (IANA names; several
 * when the number does not tell, e.g. a +1 number whose area code spans zones): the earliest moment at which
 * it is inside the window in every candidate zone, the most restrictive reading. If the candidates have no
 * moment in common (US toll-free numbers span Guam to Hawaii), the zones furthest east and west are dropped
 * until they do. Unknown zones (an empty list) leave the time as it is.
 */
export function nextSendTime(atMs: number, zones: readonly string[], sendingHours: SendingHours): number {
  let candidates = [...new Set(zones)];
  if (candidates.length === 0) return atMs;
  for (;;) {
    const opening = commonOpening(atMs, candidates, sendingHours, EIGHT_DAYS_MS);
    if (opening !== undefined) return opening;
    if (candidates.length <= 1) return atMs; // a window that never opens (no day listed is not a holiday): do not hold forever
    const byOffset = [...candidates].sort((a, b) => offsetMinutes(atMs, a) - offsetMinutes(atMs, b));
    candidates = byOffset.slice(1, -1).length > 0 ? byOffset.slice(1, -1) : [byOffset[0]!];
  }
}

/** Whether `atMs` is inside the window for every candidate zone. */
export function isWithinSendingHours(atMs: number, zones: readonly string[], sendingHours: SendingHours): boolean {
  return nextSendTime(atMs, zones, sendingHours) === atMs;
}
