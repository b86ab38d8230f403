/**
 * The `{{validUntil}}` value: the end of an offer as the recipient reads it,
 * in the truck's time zone and the recipient's language, with the zone shown
 * so a reader elsewhere does not take it for their own local time.
 */
import { invalidInput } from '../common/errors.js';

/** Locale used when the recipient's locale is invalid or this runtime has no data for it. */
export const VALID_UNTIL_FALLBACK_LOCALE = 'en-US';

// Weekday, month and day without the year, because an offer ends within days.
// `timeZoneName: 'short'` gives the abbreviation a locale's readers know
// (PST in en-US) and an offset where they know none (GMT-8 in zh-CN).
const FORMAT_OPTIONS: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

// Newer ICU versions put typographic characters in dates: a narrow no-break
// space before AM/PM and U+2212 MINUS SIGN in offsets (fr-FR "UTC−8"). None of
// them is in the GSM-7 alphabet, so one would switch a whole SMS to UCS-2 and
// halve its capacity. Their plain ASCII forms read the same.
const TYPOGRAPHIC_CHARACTERS = /[\u00A0\u2007\u2009\u202F\u2212]/g;
const ASCII_FORMS: Record<string, string> = {
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202F': ' ',
  '\u2212': '-',
};

// Bounded because locales come from contact records, which may hold many
// distinct tags. A full cache is cleared and refilled as formats are needed.
const MAX_CACHED_FORMATTERS = 500;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Returns the locale `formatValidUntil` uses for `locale`: the canonical form
 * of a BCP 47 tag this runtime has date data for, else `en-US`.
 */
export function resolveValidUntilLocale(locale: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(locale)[0] ?? VALID_UNTIL_FALLBACK_LOCALE;
  } catch {
    // A malformed tag throws RangeError and gets the same fallback as an unsupported one.
    return VALID_UNTIL_FALLBACK_LOCALE;
  }
}

/**
 * Formats `instant` (ms since the epoch) in the IANA `timeZone` for `locale`,
 * e.g. `Sat, Dec 5, 1:30 PM PST` in en-US or `12月5日周六 GMT-8 13:30` in zh-CN.
 * Exact wording depends on the runtime's ICU data.
 * @throws CloudburstError `invalid_input` naming the time zone or the instant when either is invalid.
 */
export function formatValidUntil(instant: number, timeZone: string, locale: string): string {
  if (!Number.isFinite(instant) || Number.isNaN(new Date(instant).getTime())) {
    throw invalidInput('validUntil', instant, 'an instant in milliseconds since the epoch');
  }

  const formatter = formatterFor(timeZone, resolveValidUntilLocale(locale));
  return formatter.format(instant).replace(TYPOGRAPHIC_CHARACTERS, (character) => ASCII_FORMS[character]!);
}

function formatterFor(timeZone: string, locale: string): Intl.DateTimeFormat {
  // Intl reads an undefined timeZone as the runtime's own zone, which would silently shift the time.
  if (typeof timeZone !== 'string') {
    throw invalidInput('timeZone', timeZone, 'an IANA time zone such as "America/Los_Angeles"');
  }

  const key = `${locale} ${timeZone}`;
  let formatter = formatters.get(key);
  if (formatter !== undefined) return formatter;

  try {
    formatter = new Intl.DateTimeFormat(locale, { ...FORMAT_OPTIONS, timeZone });
  } catch {
    // The locale is already resolved, so only the time zone can be rejected here.
    throw invalidInput('timeZone', timeZone, 'an IANA time zone such as "America/Los_Angeles"');
  }

  if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear();
  formatters.set(key, formatter);
  return formatter;
}
