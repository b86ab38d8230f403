import { invalidInput } from '../common/errors.js';
import type { Translations } from './menu.js';
import { formatMinor, isSupportedCurrency } from './money.js';

/**
 * The benefit of a redeemed code applied to a priced cart. The redemption has already
 * checked the code's window, single use and recipient. This module checks what depends
 * on the cart: the currency, the minimum spend and, for a free item, that the item is in it.
 */

/**
 * The benefit fields a discount reads. It matches both a campaign's `benefitSchema` and
 * the `OfferBenefit` a redemption returns. Amounts are in minor units of `currency`.
 */
export interface DiscountBenefit {
  kind: 'percent' | 'amount' | 'free_item';
  /** Percent above 0 and at most 100 for `percent`, or an integer amount in minor units for `amount`. */
  value?: number;
  currency?: string;
  /** The free item for `free_item`: an item id, or an item name in English or Simplified Chinese. */
  item?: string;
  minSpendMinor?: number;
}

/** Fields of a priced cart line that a discount reads, a subset of `PricedLine` in cart.ts. */
export interface DiscountLine {
  itemId: string;
  name: string;
  translations?: Translations;
  /** Price of one unit before choices, in minor units. */
  unitBaseMinor: number;
}

/** Reason code of a rejected discount, stable for clients to switch on. */
export type DiscountRejection = 'currency_mismatch' | 'min_spend' | 'item_not_in_cart';

export type DiscountResult =
  | { applied: true; discountMinor: number; totalMinor: number }
  | {
      applied: false;
      discountMinor: 0;
      totalMinor: number;
      rejection: DiscountRejection;
      /** A sentence for the customer, in English. */
      reason: string;
      /** For `min_spend`: how much more the cart needs, in minor units. */
      missingMinor?: number;
    };

/**
 * Applies `benefit` to a cart of `subtotalMinor` in `currency`. The discount never
 * exceeds the subtotal, so the total is never below 0.
 *
 * - `percent`: the percent of the subtotal, rounded half up to the minor unit (12.5 %
 *   of 1004 cents is 125.5, which gives 126). The percent is used as its shortest
 *   decimal form, so 33.3 means exactly 333/1000, with no binary rounding.
 * - `amount`: the amount, capped at the subtotal. The benefit's currency must be the cart's.
 * - `free_item`: one unit of the item at the base price of the cheapest matching line.
 *   The customer still pays for the choices. Rejected when no line has the item.
 * - `minSpendMinor`: rejected below it, with the missing amount. A subtotal equal to it qualifies.
 *
 * @throws invalid_input for an amount that is not a safe integer, an unsupported
 *   currency, or a benefit that `benefitSchema` would not accept
 */
export function applyDiscount(subtotalMinor: number, currency: string, benefit: DiscountBenefit, lines: readonly DiscountLine[]): DiscountResult {
  if (!Number.isSafeInteger(subtotalMinor) || subtotalMinor < 0) throw invalidInput('subtotalMinor', subtotalMinor, 'an integer amount in minor units of at least 0');
  if (!isSupportedCurrency(currency)) throw invalidInput('currency', currency, 'an ISO 4217 currency code in capitals, such as "USD"');

  const needsCurrency = benefit.kind === 'amount' || benefit.minSpendMinor !== undefined;
  if (needsCurrency && benefit.currency !== currency) {
    if (benefit.currency === undefined) throw invalidInput('benefit.currency', benefit.currency, `a currency with kind "${benefit.kind}" or minSpendMinor`);
    return rejected(subtotalMinor, 'currency_mismatch', `this code is for orders in ${benefit.currency}, and this order is in ${currency}`);
  }

  if (benefit.minSpendMinor !== undefined) {
    if (!Number.isSafeInteger(benefit.minSpendMinor) || benefit.minSpendMinor < 0) {
      throw invalidInput('benefit.minSpendMinor', benefit.minSpendMinor, 'an integer amount in minor units of at least 0');
    }
    if (subtotalMinor < benefit.minSpendMinor) {
      const missingMinor = benefit.minSpendMinor - subtotalMinor;
      const reason = `this code needs an order of at least ${formatMinor(benefit.minSpendMinor, currency)}; add ${formatMinor(missingMinor, currency)} more`;
      return { ...rejected(subtotalMinor, 'min_spend', reason), missingMinor };
    }
  }

  switch (benefit.kind) {
    case 'percent':
      return applied(subtotalMinor, percentOf(subtotalMinor, checkPercent(benefit.value)));
    case 'amount':
      return applied(subtotalMinor, checkAmount(benefit.value));
    case 'free_item':
      return freeItem(subtotalMinor, benefit.item, lines);
  }
}

function applied(subtotalMinor: number, discountMinor: number): DiscountResult {
  const capped = Math.min(discountMinor, subtotalMinor);
  return { applied: true, discountMinor: capped, totalMinor: subtotalMinor - capped };
}

function rejected(subtotalMinor: number, rejection: DiscountRejection, reason: string): DiscountResult & { applied: false } {
  return { applied: false, discountMinor: 0, totalMinor: subtotalMinor, rejection, reason };
}

function checkPercent(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value <= 0 || value > 100) {
    throw invalidInput('benefit.value', value, 'a percent above 0 and at most 100 for kind "percent"');
  }
  return value;
}

function checkAmount(value: number | undefined): number {
  if (value === undefined || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidInput('benefit.value', value, 'an integer amount in minor units above 0 for kind "amount"');
  }
  return value;
}

/**
 * Returns `percent` % of `amountMinor` rounded half up, computed in BigInt on the
 * percent's decimal digits: `String()` gives the shortest decimal that reads back as the
 * same double, such as "12.5" or "1e-7".
 */
export function percentOf(amountMinor: number, percent: number): number {
  const [mantissa = '0', exponentText = '0'] = String(percent).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  let numerator = BigInt(whole + fraction);
  let decimals = fraction.length - Number(exponentText);
  if (decimals < 0) {
    numerator *= 10n ** BigInt(-decimals);
    decimals = 0;
  }
  const denominator = 100n * 10n ** BigInt(decimals);

  // Half up: floor(x + 1/2) with x = amount * numerator / denominator, in integers.
  const rounded = (2n * BigInt(amountMinor) * numerator + denominator) / (2n * denominator);
  return Number(rounded);
}

function freeItem(subtotalMinor: number, item: string | undefined, lines: readonly DiscountLine[]): DiscountResult {
  if (item === undefined || item.trim() === '') throw invalidInput('benefit.item', item, 'the item name for kind "free_item"');

  const wanted = comparable(item);
  const matching = lines.filter((line) => lineNames(line).some((name) => comparable(name) === wanted));
  if (matching.length === 0) return rejected(subtotalMinor, 'item_not_in_cart', `add ${item.trim()} to the order to get it free`);

  const cheapest = Math.min(...matching.map((line) => line.unitBaseMinor));
  return applied(subtotalMinor, cheapest);
}

function lineNames(line: DiscountLine): string[] {
  const names = [line.itemId, line.name];
  const chinese = line.translations?.['zh-CN']?.name;
  if (chinese !== undefined) names.push(chinese);
  return names;
}

/** Marketers type the item name by hand, so case, width and spacing differences still match. */
function comparable(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
