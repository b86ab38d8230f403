import { minorUnitDigits } from '../campaigns/money.js';

/**
 * Money and count fields of the menu editor, typed as text and read without binary
 * floating point: "4.10" USD becomes exactly 410 minor units.
 */

/** Reason a typed amount or count could not be read. */
export type InputProblem = 'empty' | 'invalid' | 'decimals';

export type ParsedInput = { ok: true; value: number } | { ok: false; problem: InputProblem };

/** Digits with optional "," thousands groups, then an optional fraction: "1,200.50", "4.5", ".75". */
const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/;
const COUNT = /^\d+$/;

/**
 * Reads an amount typed in major units of `currency` ("4.50" USD) as whole minor units
 * (450). An amount with more decimals than the currency's minor unit, such as "4.505" USD
 * or "100.5" JPY, is a `decimals` problem rather than rounded, so the saved price is
 * the one typed.
 */
export function parseMoneyInput(text: string, currency: string): ParsedInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };

  const match = AMOUNT.exec(trimmed);
  if (!match) return { ok: false, problem: 'invalid' };
  const whole = match[1]!.replaceAll(',', '');
  const fraction = match[2] ?? '';
  if (whole === '' && fraction === '') return { ok: false, problem: 'invalid' };

  const digits = minorUnitDigits(currency);
  if (fraction.replace(/0+$/, '').length > digits) return { ok: false, problem: 'decimals' };

  const value = Number(`${whole || '0'}${fraction.padEnd(digits, '0').slice(0, digits)}`);
  return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, problem: 'invalid' };
}

/** Writes minor units as the text `parseMoneyInput` reads back: 450 USD is "4.50", 1000 JPY is "1000". */
export function formatMoneyInput(minorUnits: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minorUnits < 0 ? '-' : '';
  const text = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  if (digits === 0) return `${sign}${text}`;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Reads a whole number of at least 0, such as an option group's minimum or a special's quantity. */
export function parseCountInput(text: string): ParsedInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (!COUNT.test(trimmed)) return { ok: false, problem: 'invalid' };

  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, problem: 'invalid' };
}
