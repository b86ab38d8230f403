/**
 * Card-number, expiry and CVC checks, pure and free of Node APIs so the customer's
 * page can run the same checks before it sends anything. Error messages and error
 * values show at most the last four digits of a number and never a CVC.
 */
import { CloudburstError } from '../common/errors.js';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'unionpay' | 'diners';

interface BrandRule {
  brand: CardBrand;
  /** Inclusive IIN ranges, compared on the first `digits` digits of the number. */
  ranges: ReadonlyArray<{ digits: number; from: number; to: number }>;
  lengths: readonly number[];
  cvcLength: number;
}

function range(from: number, to: number = from): { digits: number; from: number; to: number } {
  return { digits: String(from).length, from, to };
}

/**
 * Leading-digit (IIN) ranges, lengths and CVC lengths per brand. No two ranges
 * overlap, so the order does not matter. Discover also accepts 622126–622925, which
 * lies inside UnionPay's 62 and is detected as UnionPay.
 */
const BRAND_RULES: readonly BrandRule[] = [
  { brand: 'visa', ranges: [range(4)], lengths: [13, 16, 19], cvcLength: 3 },
  { brand: 'mastercard', ranges: [range(51, 55), range(2221, 2720)], lengths: [16], cvcLength: 3 },
  { brand: 'amex', ranges: [range(34), range(37)], lengths: [15], cvcLength: 4 },
  { brand: 'discover', ranges: [range(6011), range(644, 649), range(65)], lengths: [16, 17, 18, 19], cvcLength: 3 },
  { brand: 'jcb', ranges: [range(3528, 3589)], lengths: [16, 17, 18, 19], cvcLength: 3 },
  { brand: 'unionpay', ranges: [range(62)], lengths: [16, 17, 18, 19], cvcLength: 3 },
  { brand: 'diners', ranges: [range(300, 305), range(3095), range(36), range(38, 39)], lengths: [14, 15, 16, 17, 18, 19], cvcLength: 3 },
];

export const CARD_BRANDS: readonly CardBrand[] = BRAND_RULES.map((rule) => rule.brand);

/** An expiry further ahead than this is treated as a typing mistake. */
export const MAX_EXPIRY_YEARS_AHEAD = 20;

export interface CardInput {
  number: string;
  expMonth: number | string;
  expYear: number | string;
  cvc: string;
}

/** A card that passed every check. It contains no number, only the details that may be stored. */
export interface CheckedCard {
  brand: CardBrand;
  last4: string;
  expMonth: number;
  /** Four-digit year. */
  expYear: number;
}

/** Removes the spaces and dashes people type between digit groups. */
export function normalizeCardNumber(number: string): string {
  return number.replace(/[\s-]+/g, '');
}

/** Returns `**** 1234` for a number, or `****` when it has fewer than four digits. */
export function maskCard(number: string): string {
  const digits = normalizeCardNumber(number).replace(/\D/g, '');
  return digits.length < 4 ? '****' : `**** ${digits.slice(-4)}`;
}

/** Returns the brand a digit string belongs to by its leading digits, or undefined when none matches. */
export function detectCardBrand(digits: string): CardBrand | undefined {
  return findRule(digits)?.brand;
}

/** Returns true when the Luhn (mod 10) checksum of a digit string is valid. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;

  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    // Every second digit from the right is doubled, and a two-digit result counts as its digit sum.
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Checks a card number and returns its digits and brand.
 *
 * @throws CloudburstError `invalid_input` on `card.number`: missing, other characters than
 *   digits, spaces and dashes, unknown brand, wrong length for the brand, failed checksum.
 */
export function checkCardNumber(number: string): { digits: string; brand: CardBrand } {
  const digits = normalizeCardNumber(number);
  if (digits === '') throw cardError('card.number', 'card.number is missing', undefined);
  if (!/^\d+$/.test(digits)) {
    throw cardError('card.number', 'invalid card.number: use only digits, spaces and dashes', maskCard(number));
  }

  const masked = maskCard(digits);
  const rule = findRule(digits);
  if (rule === undefined) {
    throw cardError('card.number', `invalid card.number ${masked}: not a number of a supported brand (${CARD_BRANDS.join(', ')})`, masked);
  }
  if (!rule.lengths.includes(digits.length)) {
    throw cardError(
      'card.number',
      `invalid card.number ${masked}: ${rule.brand} numbers have ${describeLengths(rule.lengths)} digits, received ${digits.length}`,
      masked,
    );
  }
  if (!passesLuhn(digits)) {
    throw cardError('card.number', `invalid card.number ${masked}: the check digit does not match, so a digit is mistyped`, masked);
  }
  return { digits, brand: rule.brand };
}

/**
 * Checks an expiry date. A card is valid through the last millisecond of its expiry
 * month in UTC. A two-digit year means 20YY.
 *
 * @param now - epoch milliseconds
 * @throws CloudburstError `invalid_input` on `card.expMonth` or `card.expYear`
 */
export function checkExpiry(expMonth: number | string, expYear: number | string, now: number = Date.now()): { expMonth: number; expYear: number } {
  const month = toMonthNumber(expMonth);
  if (month === undefined || month < 1 || month > 12) {
    throw cardError('card.expMonth', `invalid card.expMonth: ${JSON.stringify(expMonth)} (expected a month 1–12)`, expMonth);
  }

  const year = toFourDigitYear(expYear);
  if (year === undefined) {
    throw cardError('card.expYear', `invalid card.expYear: ${JSON.stringify(expYear)} (expected a 2- or 4-digit year)`, expYear);
  }

  const currentYear = new Date(now).getUTCFullYear();
  if (year > currentYear + MAX_EXPIRY_YEARS_AHEAD) {
    throw cardError(
      'card.expYear',
      `invalid card.expYear: ${year} is more than ${MAX_EXPIRY_YEARS_AHEAD} years ahead (expected ${currentYear + MAX_EXPIRY_YEARS_AHEAD} or earlier)`,
      expYear,
    );
  }

  // Date.UTC counts months from 0, so the 1-based month gives the first instant of the
  // following month, which is the first instant after expiry. December rolls over to January.
  const firstInstantAfterExpiry = Date.UTC(year, month, 1);
  if (now >= firstInstantAfterExpiry) {
    // Blame the year when it is already over, otherwise the month.
    const field = year < currentYear ? 'card.expYear' : 'card.expMonth';
    const expiry = `${String(month).padStart(2, '0')}/${year}`;
    throw cardError(field, `invalid ${field}: the card expired at the end of ${expiry} (UTC)`, expiry);
  }
  return { expMonth: month, expYear: year };
}

/**
 * Checks the CVC's length for the brand: 4 digits for American Express, 3 for the others.
 * Without a brand (the number was invalid) it accepts 3 or 4 digits. The message gives
 * the count of digits, never the digits.
 *
 * @throws CloudburstError `invalid_input` on `card.cvc`
 */
export function checkCvc(cvc: string, brand?: CardBrand): void {
  const trimmed = cvc.trim();
  if (trimmed === '') throw cardError('card.cvc', 'card.cvc is missing', undefined);
  if (!/^\d+$/.test(trimmed)) throw cardError('card.cvc', 'invalid card.cvc: use only digits', undefined);

  if (brand === undefined) {
    if (trimmed.length < 3 || trimmed.length > 4) {
      throw cardError('card.cvc', `invalid card.cvc: ${trimmed.length} digits received, cards have 3 or 4`, undefined);
    }
    return;
  }
  const expected = ruleFor(brand).cvcLength;
  if (trimmed.length !== expected) {
    throw cardError('card.cvc', `invalid card.cvc: ${trimmed.length} digits received, ${brand} cards have ${expected}`, undefined);
  }
}

/** Runs every check on a card and returns the details that may be stored. Throws the first failure, in field order. */
export function checkCard(card: CardInput, now: number = Date.now()): CheckedCard {
  const { digits, brand } = checkCardNumber(card.number);
  const expiry = checkExpiry(card.expMonth, card.expYear, now);
  checkCvc(card.cvc, brand);
  return { brand, last4: digits.slice(-4), ...expiry };
}

/** Runs every check and returns every failure, so a form can mark all bad fields at once. */
export function listCardErrors(card: CardInput, now: number = Date.now()): CloudburstError[] {
  const errors: CloudburstError[] = [];
  let brand: CardBrand | undefined;

  try {
    brand = checkCardNumber(card.number).brand;
  } catch (error) {
    errors.push(asCloudburstError(error));
  }
  try {
    checkExpiry(card.expMonth, card.expYear, now);
  } catch (error) {
    errors.push(asCloudburstError(error));
  }
  try {
    checkCvc(card.cvc, brand);
  } catch (error) {
    errors.push(asCloudburstError(error));
  }
  return errors;
}

function findRule(digits: string): BrandRule | undefined {
  return BRAND_RULES.find((rule) =>
    rule.ranges.some((candidate) => {
      if (digits.length < candidate.digits) return false;
      const prefix = Number(digits.slice(0, candidate.digits));
      return prefix >= candidate.from && prefix <= candidate.to;
    }),
  );
}

function ruleFor(brand: CardBrand): BrandRule {
  const rule = BRAND_RULES.find((candidate) => candidate.brand === brand);
  if (rule === undefined) throw new Error(`unknown card brand ${JSON.stringify(brand)}; expected one of ${CARD_BRANDS.join(', ')}`);
  return rule;
}

function describeLengths(lengths: readonly number[]): string {
  const first = lengths[0]!;
  const last = lengths[lengths.length - 1]!;
  if (lengths.length > 2 && last - first === lengths.length - 1) return `${first} to ${last}`;
  if (lengths.length === 1) return String(first);
  return `${lengths.slice(0, -1).join(', ')} or ${last}`;
}

function toMonthNumber(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const trimmed = value.trim();
  return /^\d{1,2}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Reads `27`, `"27"` or `"2027"` as 2027. A number below 100 is a two-digit year. */
function toFourDigitYear(value: number | string): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    if (value >= 0 && value < 100) return 2000 + value;
    return value >= 1000 && value <= 9999 ? value : undefined;
  }
  const trimmed = value.trim();
  if (/^\d{2}$/.test(trimmed)) return 2000 + Number(trimmed);
  return /^\d{4}$/.test(trimmed) ? Number(trimmed) : undefined;
}

function cardError(field: string, message: string, value: unknown): CloudburstError {
  return new CloudburstError('invalid_input', message, value === undefined ? { field } : { field, value });
}

function asCloudburstError(error: unknown): CloudburstError {
  if (error instanceof CloudburstError) return error;
  throw error;
}
