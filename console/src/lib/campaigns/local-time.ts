const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Formats a local date-time of the API, such as "2026-12-05T11:00", for `locale` as the
 * same wall-clock time, without converting it from the campaign's zone to the browser's.
 * Returns the text unchanged when it is not a local date-time.
 */
export function formatLocalDateTime(local: string, locale: string): string {
  const match = LOCAL_DATE_TIME.exec(local);
  if (!match) return local;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const asUtc = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(asUtc);
}

/** Lists the IANA time zones the browser supports, for the campaign's time zone picker. */
export function listTimeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    // Browsers before 2022 lack supportedValuesOf; the picker then offers the browser's own zone.
    return [Intl.DateTimeFormat().resolvedOptions().timeZone];
  }
}
