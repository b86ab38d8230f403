/**
 * Returns the local date (YYYY-MM-DD) at `now` in an IANA time zone, the day a truck's
 * specials run on. An unknown or missing zone gives the browser's own date.
 */
export function localDateIn(timeZone: string | undefined, now: number = Date.now()): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    // A zone this browser's time zone data lacks; the browser's date is off by a day at most.
    format = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' });
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
