import { CloudburstError, invalidInput } from '../common/errors.js';

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 86_400_000;

/** Throws unless `timeZone` is an IANA zone name this runtime supports, e.g. `America/Los_Angeles`. */
export function assertTimeZone(field: string, timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw invalidInput(field, timeZone, 'an IANA time zone such as "America/Los_Angeles"');
  }
}

/**
 * Converts a wall-clock time in `timeZone` to an instant (ms since the epoch), the
 * way a calendar does: a local time that does not exist (skipped by a daylight-saving
 * change) moves forward by the length of the gap, and a local time that happens twice
 * resolves to the earlier instant.
 */
export function localToInstant(field: string, local: string, timeZone: string): number {
  const match = LOCAL_DATE_TIME.exec(local);
  if (!match) throw invalidInput(field, local, 'a local date-time like "2026-12-04T11:00"');

  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  // Date.UTC reads years 0 to 99 as 1900 to 1999, and no campaign runs before 2000.
  if (year! < 2000) throw invalidInput(field, local, 'a local date-time in the year 2000 or later');
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const roundTrip = new Date(asUtc);
  if (roundTrip.getUTCMonth() !== month! - 1 || roundTrip.getUTCDate() !== day! || hour! > 23 || minute! > 59 || second! > 59) {
    throw invalidInput(field, local, 'a real calendar date and time');
  }

  // The offset a day before and a day after covers any single transition.
  const offsets = [...new Set([offsetAt(asUtc - DAY_MS, timeZone), offsetAt(asUtc + DAY_MS, timeZone)])];
  const matches = offsets
    .map((offset) => asUtc - offset)
    .filter((instant) => offsetAt(instant, timeZone) === asUtc - instant)
    .sort((a, b) => a - b);
  if (matches.length > 0) return matches[0]!;

  // In a gap: read the time with the offset in force before the change.
  const before = offsetAt(asUtc - DAY_MS, timeZone);
  return asUtc - before;
}

/** Returns the zone's offset from UTC at `instant`, in ms (UTC−8 is −28,800,000). */
export function offsetAt(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const hour = get('hour') % 24;
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), hour, get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** Formats an instant as the local date-time string `localToInstant` reads. */
export function instantToLocal(instant: number, timeZone: string): string {
  const shifted = new Date(instant + offsetAt(instant, timeZone));
  return shifted.toISOString().slice(0, 19);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new CloudburstError('invalid_input', `unknown time zone ${JSON.stringify(timeZone)}`, { cause: error });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
