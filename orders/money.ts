import { z } from 'zod';
import { invalidInput } from '../common/errors.js';

/**
 * Money in the order domain is an integer count of the currency's minor unit (cents for
 * USD, yen for JPY, fils for BHD). Pure and browser-safe, so the customer's page
 * formats amounts exactly as the server does.
 */

/** ISO 4217 codes this runtime can format, read once because the list does not change while running. */
const SUPPORTED_CURRENCIES: ReadonlySet<string> | undefined =
  typeof Intl.supportedValuesOf === 'function' ? new Set(Intl.supportedValuesOf('currency')) : undefined;

/** Returns whether `code` is an ISO 4217 currency code that `Intl` supports. Browsers without `Intl.supportedValuesOf` accept any three capital letters. */
export function isSupportedCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  return SUPPORTED_CURRENCIES === undefined || SUPPORTED_CURRENCIES.has(code);
}

export const currencySchema = z
  .string()
  .refine(isSupportedCurrency, 'expected an ISO 4217 currency code in capitals, such as "USD"');

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Returns the number of decimals of the currency's minor unit, as the runtime's CLDR
 * data defines it: 0 for JPY, 2 for USD, 3 for BHD.
 *
 * @throws invalid_input when `currency` is not a supported ISO 4217 code
 */
export function currencyDigits(currency: string): number {
  if (!isSupportedCurrency(currency)) throw invalidInput('currency', currency, 'an ISO 4217 currency code in capitals, such as "USD"');
  return formatterFor(currency, 'en-US').resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Formats an amount in minor units with the currency's own decimals, e.g.
 * `formatMinor(1999, 'USD')` is "$19.99", `formatMinor(1500, 'BHD')` is "BHD 1.500" and
 * `formatMinor(1000, 'JPY')` is "¥1,000".
 *
 * The amount goes to `Intl` as a decimal string, so no binary fraction rounds it.
 *
 * @throws invalid_input when `amountMinor` is not a safe integer or `currency` is not supported
 */
export function formatMinor(amountMinor: number, currency: string, locale = 'en-US'): string {
  if (!Number.isSafeInteger(amountMinor)) throw invalidInput('amountMinor', amountMinor, 'an integer amount in minor units');
  const digits = currencyDigits(currency);

  const sign = amountMinor < 0 ? '-' : '';
  const magnitude = Math.abs(amountMinor);
  const unit = 10 ** digits;
  const fraction = digits === 0 ? '' : `.${String(magnitude % unit).padStart(digits, '0')}`;
  const decimal = `${sign}${Math.floor(magnitude / unit)}${fraction}` as `${number}`;

  return formatterFor(currency, locale).format(decimal);
}
