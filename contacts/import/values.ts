import { quote } from './quote.js';

export type CheckResult = { ok: true; value: string } | { ok: false; reason: string };

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

/** The consent values accepted in a consent column, for messages. */
export const CONSENT_VALUES = 'yes, no, true, false, 1, 0, y or n';

/** Reads a consent cell in any case. Returns undefined for a value outside CONSENT_VALUES. */
export function parseYesNo(value: string): boolean | undefined {
  const word = value.trim().toLowerCase();
  if (YES.has(word)) {
    return true;
  }
  if (NO.has(word)) {
    return false;
  }
  return undefined;
}

// A contact list has few distinct locales. Before results were cached,
// Intl.getCanonicalLocales took about a sixth of the CPU time of bench/import.ts.
const MAX_CACHED_LOCALES = 1000;
const localeCache = new Map<string, CheckResult>();

/**
 * Checks a language tag and returns its canonical form. An underscore is read
 * as a hyphen, because Meta and Java write locales such as `en_US`.
 */
export function normalizeLocale(raw: string): CheckResult {
  let result = localeCache.get(raw);
  if (result === undefined) {
    result = canonicalizeLocale(raw);
    if (localeCache.size < MAX_CACHED_LOCALES) {
      localeCache.set(raw, result);
    }
  }
  return result;
}

function canonicalizeLocale(raw: string): CheckResult {
  const tag = raw.trim().replaceAll('_', '-');
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical !== undefined) {
      return { ok: true, value: canonical };
    }
  } catch (error) {
    if (!(error instanceof RangeError)) {
      throw error;
    }
  }
  return { ok: false, reason: `locale ${quote(raw)} is not a valid BCP 47 language tag, such as en-US` };
}

const DIGITS = /^\d+$/;
const SCIENTIFIC_NOTATION = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

// X ids are unsigned 64-bit integers (developer.x.com/en/docs/x-ids), so they have at most 20 digits.
const MAX_X_USER_ID_DIGITS = 20;

/** Checks an X account id: digits only, as the X API and the account archive write it. */
export function checkXUserId(raw: string): CheckResult {
  return checkDigits(raw, 'X user id', MAX_X_USER_ID_DIGITS);
}

// NOTE: the digits-only check assumes that PSIDs stay numeric strings, as
// they are in Messenger webhooks today. The Messenger Platform pages read for
// this code state no format or length, so the limit only keeps a pasted paragraph out of the keys.
const MAX_PSID_DIGITS = 32;

/** Checks a Messenger page-scoped id (PSID): digits only. */
export function checkPsid(raw: string): CheckResult {
  return checkDigits(raw, 'Messenger PSID', MAX_PSID_DIGITS);
}

function checkDigits(raw: string, label: string, maxDigits: number): CheckResult {
  const text = raw.trim();
  const quoted = quote(raw);

  if (SCIENTIFIC_NOTATION.test(text)) {
    return {
      ok: false,
      reason:
        `${label} ${quoted} is in scientific notation, so a spreadsheet has already dropped some of its digits. ` +
        'Export the column as text and import it again',
    };
  }
  if (!DIGITS.test(text)) {
    return { ok: false, reason: `${label} ${quoted} is invalid: expected digits only` };
  }
  if (text.length > maxDigits) {
    return { ok: false, reason: `${label} ${quoted} has ${text.length} digits, the maximum is ${maxDigits}` };
  }
  return { ok: true, value: text };
}

/** Returns a reason when a text field contains U+FFFD, which a decoder puts where the bytes were not valid text. */
export function checkDecoded(raw: string, label: string): string | undefined {
  if (raw.includes('\uFFFD')) {
    return (
      `${label} ${quote(raw)} contains bytes that could not be decoded as text, shown as \uFFFD. ` +
      'Save the file as UTF-8 and import it again'
    );
  }
  return undefined;
}

// Excel keeps a cell as text, leading zeros included, when it is written as the
// formula ="00412", and some exports write every cell that way. Inside the string
// literal a quote is doubled. Any other formula, such as ="415"&"5552671", is left as written.
const SPREADSHEET_TEXT = /^="((?:[^"]|"")*)"$/s;

/** Returns the text of a cell written as Excel's text formula `="..."`, trimmed, or undefined for any other cell. */
export function unwrapSpreadsheetText(cell: string): string | undefined {
  const match = SPREADSHEET_TEXT.exec(cell);
  return match === null ? undefined : (match[1] ?? '').replaceAll('""', '"').trim();
}
