import { randomBytes } from 'node:crypto';
import { clipValue, CloudburstError, formatValue, invalidInput } from '../common/errors.js';

/**
 * Code alphabet: digits and capitals without 0/O and 1/I/L, which people misread
 * when a code is shown on a phone and typed at the counter.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** 8 symbols of 31: about 39.6 bits, so guessing one live code is impractical. */
export const CODE_LENGTH = 8;

/**
 * Generates a code from a cryptographic random source, with rejection sampling so
 * every symbol is equally likely. Uniqueness is enforced by the store's constraint;
 * callers retry on a collision.
 */
export function generateCode(length = CODE_LENGTH): string {
  const alphabetSize = CODE_ALPHABET.length;
  // The largest multiple of the alphabet size below 256; bytes above it are re-drawn.
  const limit = 256 - (256 % alphabetSize);
  let code = '';
  while (code.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= limit) continue;
      code += CODE_ALPHABET[byte % alphabetSize];
      if (code.length === length) break;
    }
  }
  return code;
}

/** Characters that codes leave out, each with the characters people take it for. */
const AMBIGUOUS_CHARACTERS: Readonly<Record<string, string>> = {
  '0': 'O',
  O: '0',
  '1': 'I and L',
  I: '1 and L',
  L: '1 and I',
};

/** Random symbols after a shared code's prefix: 31^4, about 920,000 codes per prefix. */
export const SHARED_CODE_SUFFIX_LENGTH = 4;
/** Longest word prefix of a shared code, so the whole code stays short enough to read aloud. */
export const MAX_CODE_PREFIX_LENGTH = 6;
/** Shortest word taken as a prefix; shorter words (at, of) tell little about the segment. */
const MIN_CODE_PREFIX_LENGTH = 3;
export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 20;

/**
 * Derives a shared code's prefix from a segment or campaign name: a word of at least
 * 3 ASCII letters without 0/O/1/I/L, upper-cased. The first such word of at most 6
 * letters wins; failing that, the first longer one is cut to 6. Accents are dropped
 * first (Café gives CAFE). Returns undefined when no word qualifies, for example for
 * a Chinese name, or for "Lunch" alone.
 *
 * @example
 * codePrefix('Lunch rush downtown') // 'RUSH'
 */
export function codePrefix(name: string): string | undefined {
  const ascii = name.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase();
  const words = ascii
    .split(/[^A-Z]+/)
    .filter((word) => word.length >= MIN_CODE_PREFIX_LENGTH && ![...word].some((letter) => letter in AMBIGUOUS_CHARACTERS));
  const whole = words.find((word) => word.length <= MAX_CODE_PREFIX_LENGTH);
  return whole ?? words[0]?.slice(0, MAX_CODE_PREFIX_LENGTH);
}

/**
 * Generates a shared code such as `RUSH-7KQ2`: the prefix that `codePrefix` derives
 * from `prefix` (a name or an already derived prefix), a hyphen and 4 random symbols.
 * Without a usable prefix the code is the 4 symbols alone. Callers retry on a collision.
 */
export function generateSharedCode(prefix?: string): string {
  const word = prefix === undefined ? undefined : codePrefix(prefix);
  const suffix = generateCode(SHARED_CODE_SUFFIX_LENGTH);
  return word === undefined ? suffix : `${word}-${suffix}`;
}

/**
 * Validates a code the marketer chose and returns it in upper case, as stored:
 * 4 to 20 characters of A-Z, 2-9 and '-', starting and ending with a letter or digit.
 *
 * @throws CloudburstError `invalid_input` naming `field`, the value and the first bad character
 */
export function parseChosenCode(field: string, raw: string): string {
  const code = raw.trim().toUpperCase();
  checkCode(field, raw, code, 'choose another character');
  if (code.startsWith('-') || code.endsWith('-')) {
    throw invalidInput(field, raw, 'a code that starts and ends with a letter or digit');
  }
  return code;
}

/**
 * Normalises a code as a customer or a cashier typed it: spaces removed and letters
 * upper-cased. Ambiguous characters are rejected rather than guessed, because a
 * typed O could stand for any symbol the reader misread.
 *
 * @throws CloudburstError `invalid_input` naming `field`, the value and the first bad character
 */
export function normalizeCodeInput(field: string, raw: string): string {
  const code = raw.replace(/\s+/g, '').toUpperCase();
  checkCode(field, raw, code, 'check the code as written');
  return code;
}

function checkCode(field: string, raw: string, code: string, hint: string): void {
  for (const character of code) {
    const confusedWith = AMBIGUOUS_CHARACTERS[character];
    if (confusedWith !== undefined) {
      throw new CloudburstError(
        'invalid_input',
        `invalid ${field}: ${formatValue(raw)} contains "${character}", which codes never use because it looks like ${confusedWith}; ${hint}`,
        { field, value: clipValue(raw), context: { character } },
      );
    }
    if (character !== '-' && !CODE_ALPHABET.includes(character)) {
      throw new CloudburstError(
        'invalid_input',
        `invalid ${field}: ${formatValue(raw)} contains ${formatValue(character)} (expected only letters, digits 2-9 and '-')`,
        { field, value: clipValue(raw), context: { character } },
      );
    }
  }
  if (code.length < MIN_CODE_LENGTH || code.length > MAX_CODE_LENGTH) {
    throw invalidInput(field, raw, `${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} characters`);
  }
}
