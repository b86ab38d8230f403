import { z } from 'zod';
import { CloudburstError, formatValue, type ErrorCode } from '../common/errors.js';
import { parseInput } from '../common/validation.js';
import { assertSpecialsSold, specialRemaining, specialsOn, type Menu, type MenuItem, type Translations } from './menu.js';

/**
 * Cart pricing, run by the server for the order it stores and by the customer's page for
 * the totals it shows, so both agree to the minor unit.
 *
 * Rounding: none. Every amount is an integer of minor units and a cart only adds and
 * multiplies them, so totals are exact. Menu prices of at most MAX_PRICE_MINOR and the
 * limits below keep every total far inside Number.MAX_SAFE_INTEGER. The only rounding in
 * the order domain is that of percent discounts, in discount.ts.
 */

/** Maximum units per line. A bigger order is a catering request, not a walk-up lunch. */
export const MAX_QUANTITY_PER_LINE = 20;

/** Maximum units per order, so one phone cannot take a truck's whole lunch service. */
export const MAX_ITEMS_PER_ORDER = 50;

export interface CartLine {
  itemId: string;
  /** Units of the item, 1 to MAX_QUANTITY_PER_LINE. */
  quantity: number;
  /** Ids of the chosen option choices, from any of the item's option groups. */
  choices: string[];
}

/** Shape of the cart lines in an order request. `priceCart` checks them against the menu. */
export const cartLinesSchema = z
  .array(
    z
      .object({
        itemId: z.string().min(1).max(64),
        quantity: z.number(),
        choices: z.array(z.string().min(1).max(64)).max(100).default([]),
      })
      .strict(),
  )
  .max(MAX_ITEMS_PER_ORDER, `expected at most ${MAX_ITEMS_PER_ORDER} lines, because an order holds at most ${MAX_ITEMS_PER_ORDER} items`);

/**
 * Parses the cart lines of an order request.
 *
 * @throws invalid_input naming the first malformed field, such as `lines.0.quantity`
 */
export function parseCartLines(input: unknown, prefix = 'lines'): CartLine[] {
  return parseInput(cartLinesSchema, input, prefix);
}

export interface CartOptions {
  /** Local date of the order at the truck, YYYY-MM-DD, which selects the day's specials. */
  localDate: string;
  /** Units of each of today's specials already sold in other orders, by item id. A missing id counts as 0. */
  specialsSold: Readonly<Record<string, number>>;
}

export interface PricedChoice {
  groupId: string;
  choiceId: string;
  name: string;
  translations?: Translations;
  priceDeltaMinor: number;
}

export interface PricedLine {
  /** Position of the line in the request. */
  index: number;
  itemId: string;
  name: string;
  translations?: Translations;
  quantity: number;
  /** Choices in the order the customer gave them. */
  choices: PricedChoice[];
  /** Price of one unit before choices: the special's price when today's special sets one. */
  unitBaseMinor: number;
  /** Price of one unit with its choices. */
  unitPriceMinor: number;
  lineTotalMinor: number;
  /** True when the line sells from today's limited special. */
  special: boolean;
}

/** Reason code of a cart error, stable for clients to switch on. */
export type CartErrorReason =
  | 'empty'
  | 'too_many_items'
  | 'unknown_item'
  | 'unavailable'
  | 'sold_out'
  | 'invalid_quantity'
  | 'special_limit'
  | 'unknown_choice'
  | 'duplicate_choice'
  | 'too_few_choices'
  | 'too_many_choices';

export interface CartError {
  /** Dotted path in the request, such as `lines.2.choices`. */
  field: string;
  value: unknown;
  reason: CartErrorReason;
  message: string;
}

export interface PricedCart {
  /** True when every line can be ordered as given. */
  ok: boolean;
  currency: string;
  /** Lines without errors. An order may be placed only when `ok` is true. */
  lines: PricedLine[];
  itemCount: number;
  subtotalMinor: number;
  errors: CartError[];
}

/**
 * Prices `lines` against the menu on `options.localDate` and lists every problem at
 * once, so the phone can mark each bad line. The checks:
 * - the item exists, is available and is not sold out
 * - each line has 1 to MAX_QUANTITY_PER_LINE units, and the order at most MAX_ITEMS_PER_ORDER
 * - each choice belongs to the item and appears once
 * - each option group gets between its min and max choices
 * - the units of a special, summed over all lines, fit in what is left of it today
 *
 * @throws invalid_input for a malformed `localDate` or sold count (caller mistakes, not cart errors)
 */
export function priceCart(menu: Menu, lines: readonly CartLine[], options: CartOptions): PricedCart {
  const specials = specialsOn(menu, options.localDate);
  assertSpecialsSold(options.specialsSold);
  const items = new Map(menu.items.map((item) => [item.id, item]));

  const errors: CartError[] = [];
  const priced: PricedLine[] = [];
  const specialUnits = new Map<string, number>();
  let requestedUnits = 0;

  if (lines.length === 0) errors.push(cartError('lines', lines, 'empty', 'expected at least one line'));

  lines.forEach((line, index) => {
    const at = `lines.${index}`;
    const lineErrors: CartError[] = [];

    const quantityValid = Number.isInteger(line.quantity) && line.quantity >= 1 && line.quantity <= MAX_QUANTITY_PER_LINE;
    if (quantityValid) requestedUnits += line.quantity;
    else lineErrors.push(cartError(`${at}.quantity`, line.quantity, 'invalid_quantity', `expected a whole number from 1 to ${MAX_QUANTITY_PER_LINE}`));

    const item = items.get(line.itemId);
    if (!item) {
      errors.push(cartError(`${at}.itemId`, line.itemId, 'unknown_item', 'expected the id of an item on the menu'), ...lineErrors);
      return;
    }
    const special = specials.get(item.id);
    const remaining = special ? specialRemaining(special, options.specialsSold) : undefined;
    const itemError = checkItem(`${at}.itemId`, item, remaining);
    if (itemError) {
      errors.push(itemError, ...lineErrors);
      return;
    }

    const choices = checkChoices(at, item, line.choices, lineErrors);

    // A special's limit counts the units of every line of the item, in request order.
    if (remaining !== undefined && quantityValid) {
      const units = (specialUnits.get(item.id) ?? 0) + line.quantity;
      specialUnits.set(item.id, units);
      if (units > remaining) {
        const earlier = units - line.quantity;
        const detail = earlier > 0 ? `, and earlier lines already take ${earlier}` : '';
        lineErrors.push(
          cartError(`${at}.quantity`, line.quantity, 'special_limit', `only ${remaining} of today's special ${item.name} (${item.id}) are left${detail}`),
        );
      }
    }

    if (lineErrors.length > 0) {
      errors.push(...lineErrors);
      return;
    }

    const unitBaseMinor = special?.priceMinor ?? item.priceMinor;
    const unitPriceMinor = choices.reduce((sum, choice) => sum + choice.priceDeltaMinor, unitBaseMinor);
    const pricedLine: PricedLine = {
      index,
      itemId: item.id,
      name: item.name,
      quantity: line.quantity,
      choices,
      unitBaseMinor,
      unitPriceMinor,
      lineTotalMinor: unitPriceMinor * line.quantity,
      special: special !== undefined,
    };
    if (item.translations !== undefined) pricedLine.translations = item.translations;
    priced.push(pricedLine);
  });

  if (requestedUnits > MAX_ITEMS_PER_ORDER) {
    errors.push(cartError('lines', requestedUnits, 'too_many_items', `expected at most ${MAX_ITEMS_PER_ORDER} items in one order`));
  }

  return {
    ok: errors.length === 0,
    currency: menu.currency,
    lines: priced,
    itemCount: priced.reduce((sum, line) => sum + line.quantity, 0),
    subtotalMinor: priced.reduce((sum, line) => sum + line.lineTotalMinor, 0),
    errors,
  };
}

/** Cart errors that mean the menu changed since the customer saw it, rather than a malformed request. */
const STALE_MENU_REASONS: ReadonlySet<CartErrorReason> = new Set(['unavailable', 'sold_out', 'special_limit']);

/**
 * Throws unless the cart can be ordered: a `conflict` error when the first problem comes
 * from the menu changing (unavailable, sold out, special limit), else `invalid_input`.
 * The error names the first problem's field and value and lists all of them in `context.errors`.
 */
export function assertCartOrderable(cart: PricedCart): void {
  const first = cart.errors[0];
  if (!first) return;

  const code: ErrorCode = STALE_MENU_REASONS.has(first.reason) ? 'conflict' : 'invalid_input';
  throw new CloudburstError(code, first.message, {
    field: first.field,
    value: first.value,
    context: { errors: cart.errors.map(({ field, reason }) => ({ field, reason })) },
  });
}

function cartError(field: string, value: unknown, reason: CartErrorReason, expected: string): CartError {
  return { field, value, reason, message: `invalid ${field}: ${formatValue(value)} (${expected})` };
}

/** Returns the error that keeps the item off the order, if any. `remaining` is what is left of today's special. */
function checkItem(field: string, item: MenuItem, remaining: number | undefined): CartError | undefined {
  if (!item.available) return cartError(field, item.id, 'unavailable', `${item.name} is not on the menu now`);
  if (item.soldOut) return cartError(field, item.id, 'sold_out', `${item.name} is sold out`);
  if (remaining === 0) return cartError(field, item.id, 'sold_out', `today's special ${item.name} is sold out`);
  return undefined;
}

/** Resolves the line's choice ids and adds an error for each unknown or repeated id and each group outside its min and max. */
function checkChoices(at: string, item: MenuItem, choiceIds: readonly string[], errors: CartError[]): PricedChoice[] {
  const field = `${at}.choices`;
  const byId = new Map<string, PricedChoice>();
  for (const group of item.options) {
    for (const choice of group.choices) {
      const priced: PricedChoice = { groupId: group.id, choiceId: choice.id, name: choice.name, priceDeltaMinor: choice.priceDeltaMinor };
      if (choice.translations !== undefined) priced.translations = choice.translations;
      byId.set(choice.id, priced);
    }
  }

  const chosen: PricedChoice[] = [];
  const seen = new Set<string>();
  for (const id of choiceIds) {
    const choice = byId.get(id);
    if (!choice) {
      errors.push(cartError(field, id, 'unknown_choice', `expected a choice of ${item.name} (${item.id})`));
    } else if (seen.has(id)) {
      errors.push(cartError(field, id, 'duplicate_choice', 'expected each choice at most once'));
    } else {
      chosen.push(choice);
    }
    seen.add(id);
  }

  for (const group of item.options) {
    const count = chosen.filter((choice) => choice.groupId === group.id).length;
    if (count < group.min) {
      errors.push(cartError(field, choiceIds, 'too_few_choices', `expected at least ${group.min} of "${group.name}" (${group.id}), got ${count}`));
    } else if (count > group.max) {
      errors.push(cartError(field, choiceIds, 'too_many_choices', `expected at most ${group.max} of "${group.name}" (${group.id}), got ${count}`));
    }
  }
  return chosen;
}
