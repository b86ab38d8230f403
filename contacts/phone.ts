// This module uses the "max" metadata, about 145 kB against 80 kB for "min"
// (sizes from the libphonenumber-js 1.13 README). With "min", isValid() checks
// only the length of the national number, so a number in an unassigned range
// such as US area code 555 would pass here and fail later at the SMS provider.
import {
  ParseError,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

// A spreadsheet that reads a long digit string as a number shows it as, for
// example, 1.41555E+10, and a CSV export writes that rounded form, so the lost
// digits cannot be recovered. A comma is accepted as the decimal separator for European locales.
const SCIENTIFIC_NOTATION = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

const LETTER = /\p{L}/u;

/**
 * Normalizes a phone number from an imported contact list to E.164.
 *
 * A number that starts with `+`, with `00` or with the international prefix of
 * `defaultCountry` (for example `011` in the US) keeps its own country calling
 * code. Any other number is read as a national number of `defaultCountry`.
 * A number with an extension is rejected, because E.164 has no extension and
 * a message sent to the main line would not reach the contact.
 *
 * @param raw - the text of the phone cell
 * @param defaultCountry - ISO 3166-1 alpha-2 code in upper case, such as `US` or `CN`
 * @throws RangeError when `defaultCountry` is not a country code that libphonenumber-js supports
 *
 * @example
 * normalizePhone('(415) 555-2671', 'US') // { ok: true, e164: '+14155552671' }
 */
export function normalizePhone(raw: string, defaultCountry: string): PhoneResult {
  const country = parseDefaultCountry(defaultCountry);
  const text = raw.trim();
  const quoted = JSON.stringify(raw);

  if (text === '') {
    return { ok: false, reason: 'phone number is empty' };
  }
  if (SCIENTIFIC_NOTATION.test(text)) {
    return {
      ok: false,
      reason:
        `phone number ${quoted} is in scientific notation, so a spreadsheet has already ` +
        'dropped some of its digits. Export the column as text and import it again',
    };
  }

  const parsed = parseInternationalOrNational(text, country);

  if (parsed.number?.ext !== undefined) {
    return {
      ok: false,
      reason: `phone number ${quoted} has an extension. Remove it, because a message cannot be sent to an extension`,
    };
  }
  if (LETTER.test(text)) {
    return { ok: false, reason: `phone number ${quoted} contains letters, but a phone number may contain only digits, spaces, +, -, . and parentheses` };
  }
  if (parsed.number === undefined) {
    return { ok: false, reason: describeParseError(quoted, parsed.error, country) };
  }
  if (!parsed.number.isValid()) {
    return { ok: false, reason: describeInvalidNumber(quoted, parsed.input, country, parsed.number) };
  }

  return { ok: true, e164: parsed.number.number };
}

/** Returns true when `code` is an upper-case ISO 3166-1 alpha-2 code with a numbering plan in libphonenumber-js's metadata. */
export function isPhoneCountry(code: string): code is CountryCode {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

function parseDefaultCountry(defaultCountry: string): CountryCode {
  if (!isPhoneCountry(defaultCountry)) {
    throw new RangeError(
      `invalid default country ${JSON.stringify(defaultCountry)}: ` +
        'expected an upper-case ISO 3166-1 alpha-2 code with a telephone numbering plan, such as "US" or "CN"',
    );
  }
  return defaultCountry;
}

interface ParseAttempt {
  // The text that was parsed, which differs from the input when `00` was replaced by `+`.
  input: string;
  number?: PhoneNumber;
  error?: unknown;
}

function parseInternationalOrNational(text: string, country: CountryCode): ParseAttempt {
  const asGiven = tryParse(text, country);
  if (asGiven.number?.isValid()) {
    return asGiven;
  }

  // libphonenumber-js reads a leading 00 as international only where 00 is
  // the default country's own international prefix. In the US (011) a leading
  // 00 would become part of a national number, but no national number there
  // starts with 0, so 00 can only be the international prefix most of the
  // world uses.
  const digitsFirst = text.replace(/^[\s\-.()/]+/, '');
  if (digitsFirst.startsWith('00')) {
    return tryParse(`+${digitsFirst.slice(2)}`, country);
  }
  return asGiven;
}

function tryParse(input: string, country: CountryCode): ParseAttempt {
  try {
    return { input, number: parsePhoneNumberWithError(input, { defaultCountry: country, extract: false }) };
  } catch (error) {
    if (error instanceof ParseError) {
      return { input, error };
    }
    throw error;
  }
}

function describeParseError(quoted: string, error: unknown, country: CountryCode): string {
  const code = error instanceof ParseError ? error.message : undefined;
  switch (code) {
    case 'INVALID_COUNTRY':
      return `phone number ${quoted} has an unknown country calling code`;
    case 'TOO_SHORT':
      return `phone number ${quoted} is too short for a phone number`;
    case 'TOO_LONG':
      return `phone number ${quoted} is too long for a phone number`;
    default:
      return `phone number ${quoted} is not a phone number. Expected digits with an optional leading + or 00 (default country ${country})`;
  }
}

function describeInvalidNumber(quoted: string, input: string, country: CountryCode, number: PhoneNumber): string {
  const numberCountry = number.country ?? `calling code +${number.countryCallingCode}`;
  switch (validatePhoneNumberLength(input, { defaultCountry: country })) {
    case 'TOO_SHORT':
      return `phone number ${quoted} is too short for ${numberCountry}`;
    case 'TOO_LONG':
      return `phone number ${quoted} is too long for ${numberCountry}`;
    case 'INVALID_LENGTH':
      return `phone number ${quoted} has an invalid length for ${numberCountry}`;
    default:
      return `phone number ${quoted} is not a valid number for ${numberCountry}`;
  }
}
