import { offsetAt } from '../time-zone.js';

/**
 * Workspace rules that protect people from too many messages, across every campaign:
 * no message in the quiet hours of the recipient's local time, and at most
 * `frequencyCap.max` messages in any `frequencyCap.perHours` hours.
 */
export interface MessagingRules {
  /** Local wall-clock times "HH:MM"; a window that wraps midnight (21:00 to 08:00) is fine. Null turns them off. */
  quietHours: { start: string; end: string } | null;
  frequencyCap: { max: number; perHours: number } | null;
}

/** Evenings and early mornings stay quiet, and two messages a day is plenty for a lunch offer. */
export const DEFAULT_MESSAGING_RULES: MessagingRules = {
  quietHours: { start: '21:00', end: '08:00' },
  frequencyCap: { max: 2, perHours: 24 },
};

/** How long a process keeps the rules it read; a change reaches every sender within this time. */
export const MESSAGING_RULES_TTL_MS = 5_000;

/** Start of the reason of a job held back for the recipient's quiet hours. */
export const QUIET_HOURS_HOLD = 'quiet hours for the recipient until';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;


function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

/**
 * When the quiet hours around `now` end, in ms since the epoch, or null when `now`
 * is outside them. Local time is read in `timeZone`; across a daylight-saving change
 * the end is found by walking the clock, so a skipped or repeated hour is handled.
 */
export function quietUntil(rules: MessagingRules, now: number, timeZone: string): number | null {
  if (!rules.quietHours) return null;
  const start = minutesOf(rules.quietHours.start);
  const end = minutesOf(rules.quietHours.end);
  if (start === end) return null;

  const inside = (instant: number) => {
    const local = new Date(instant + offsetAt(instant, timeZone));
    const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
    return start < end ? minute >= start && minute < end : minute >= start || minute < end;
  };
  if (!inside(now)) return null;

  // Jump by wall-clock minutes to the end, correct by the change of offset on the
  // way (a daylight-saving change in the night), then step over what is left of a gap.
  const localMinute = (instant: number) => {
    const local = new Date(instant + offsetAt(instant, timeZone));
    return local.getUTCHours() * 60 + local.getUTCMinutes();
  };
  const minuteStart = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const remaining = (end - localMinute(now) + DAY_MINUTES) % DAY_MINUTES;
  let instant = minuteStart + remaining * MINUTE_MS;
  instant += offsetAt(now, timeZone) - offsetAt(instant, timeZone);
  for (let step = 0; step < 120 && inside(instant); step++) instant += MINUTE_MS;
  return instant;
}

/** True when `sentInWindow` messages already reached the cap. */
export function capReached(rules: MessagingRules, sentInWindow: number): boolean {
  return rules.frequencyCap !== null && sentInWindow >= rules.frequencyCap.max;
}
