/** Date formatting of the order page, apart from the reactive i18n state so tests can run it. */

// dateStyle and timeStyle cannot be combined with timeZoneName, so the fields are spelled out.
const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/**
 * Formats an instant as date and time with the zone's name, in `timeZone` when given (a
 * truck's zone) and the phone's zone otherwise. Returns the input when it is no instant.
 */
export function formatDateTime(locale: string, instant: string, timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  try {
    return new Intl.DateTimeFormat(locale, timeZone ? { ...DATE_TIME, timeZone } : DATE_TIME).format(date);
  } catch {
    // A time zone this browser does not know: the phone's own zone, named in the text, is still correct.
    return new Intl.DateTimeFormat(locale, DATE_TIME).format(date);
  }
}

/** Formats an instant as a time of day in the phone's zone. Returns the input when it is no instant. */
export function formatTimeOfDay(locale: string, instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(date);
}

/** Distance from which the truck list shows kilometres, because 995 m would round to 1,000 m. */
const MAX_METRES_SHOWN = 995;

/**
 * Formats a distance for the truck list: metres rounded to 10, at least 10, below 1 km,
 * and kilometres with one decimal above, such as "350 m" or "1.2 km". A phone's fix is
 * rarely better than 10 m, so finer steps would only suggest precision.
 */
export function formatDistance(locale: string, metres: number): string {
  if (metres < MAX_METRES_SHOWN) {
    const rounded = Math.max(10, Math.round(metres / 10) * 10);
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'meter', unitDisplay: 'short', maximumFractionDigits: 0 }).format(rounded);
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', unitDisplay: 'short', maximumFractionDigits: 1 }).format(metres / 1000);
}
