import { MAX_QUANTITY_PER_LINE, priceCart, type CartLine, type PricedCart } from '../../../../orders/cart.js';
import { applyDiscount, type DiscountBenefit, type DiscountResult } from '../../../../orders/discount.js';
import type { OptionGroup, PublishedMenu } from '../../../../orders/menu.js';
import { pricingInputs } from './menu.js';

/**
 * The cart as immutable lists of `CartLine`, the shape `POST /v1/orders` takes, and its
 * preview priced by the same code as the server's.
 */

/** Returns true when two lines hold the same choices, in any order. */
export function sameChoices(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((id, index) => id === sorted[index]);
}

/**
 * Adds units to the cart: to the line with the same item and choices when there is
 * one, else as a new line. A line contains at most MAX_QUANTITY_PER_LINE units.
 */
export function addToCart(lines: readonly CartLine[], added: CartLine): CartLine[] {
  const index = lines.findIndex((line) => line.itemId === added.itemId && sameChoices(line.choices, added.choices));
  if (index === -1) return [...lines, { itemId: added.itemId, quantity: Math.min(added.quantity, MAX_QUANTITY_PER_LINE), choices: [...added.choices] }];
  return setQuantity(lines, index, lines[index]!.quantity + added.quantity);
}

/** Sets a line's units, from 0 (which removes the line) to MAX_QUANTITY_PER_LINE. */
export function setQuantity(lines: readonly CartLine[], index: number, quantity: number): CartLine[] {
  if (index < 0 || index >= lines.length) throw new RangeError(`invalid cart line index: ${index} (the cart has ${lines.length} lines)`);
  const clamped = Math.min(Math.max(Math.trunc(quantity), 0), MAX_QUANTITY_PER_LINE);
  if (clamped === 0) return lines.filter((_, position) => position !== index);
  return lines.map((line, position) => (position === index ? { ...line, quantity: clamped } : line));
}

/**
 * Returns the choices after a tap on `choiceId`: in a group of at most one choice it
 * replaces the group's choice, otherwise it toggles, and a group that is full takes no more.
 */
export function toggleChoice(group: OptionGroup, chosen: readonly string[], choiceId: string): string[] {
  const groupIds = new Set(group.choices.map((choice) => choice.id));
  if (!groupIds.has(choiceId)) throw new RangeError(`invalid choice: ${JSON.stringify(choiceId)} (expected a choice of group ${group.id})`);
  if (chosen.includes(choiceId)) {
    // A required single choice stays chosen: a radio button cannot be cleared either.
    if (group.max === 1 && group.min === 1) return [...chosen];
    return chosen.filter((id) => id !== choiceId);
  }
  if (group.max === 1) return [...chosen.filter((id) => !groupIds.has(id)), choiceId];

  const inGroup = chosen.filter((id) => groupIds.has(id)).length;
  return inGroup >= group.max ? [...chosen] : [...chosen, choiceId];
}

/** Returns the groups that have fewer choices than their minimum. */
export function unmetGroups(options: readonly OptionGroup[], chosen: readonly string[]): OptionGroup[] {
  return options.filter((group) => group.choices.filter((choice) => chosen.includes(choice.id)).length < group.min);
}

export interface CartPreview {
  priced: PricedCart;
  /** The code's effect; undefined without a code or with an empty cart. */
  discount: DiscountResult | undefined;
  totalMinor: number;
}

/**
 * Prices the cart against the published menu and applies the code's benefit, as the
 * server will when the order is placed. The server's prices are final, because
 * the menu may change between this preview and the order.
 */
export function previewCart(published: PublishedMenu, lines: readonly CartLine[], benefit?: DiscountBenefit): CartPreview {
  const { menu, specialsSold } = pricingInputs(published);
  const priced = priceCart(menu, lines, { localDate: published.date, specialsSold });
  if (benefit === undefined || priced.lines.length === 0) return { priced, discount: undefined, totalMinor: priced.subtotalMinor };

  const discount = applyDiscount(priced.subtotalMinor, priced.currency, benefit, priced.lines);
  return { priced, discount, totalMinor: discount.totalMinor };
}
