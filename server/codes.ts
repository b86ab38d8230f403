import { randomBytes } from 'node:crypto';

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
