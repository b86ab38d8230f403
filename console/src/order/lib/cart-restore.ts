import type { CartLine } from '../../../../orders/cart.js';
import type { PublishedMenu } from '../../../../orders/menu.js';
import type { CustomerOrder } from './order-status.js';
import type { CartItemName, StoredCart } from './storage.js';

/**
 * Keeping the cart across a reload: what the page saves, and what it restores when the
 * same truck's menu loads again, which may have changed in between.
 */

/** Builds the cart to save, with the names of its items as the menu shows them now. */
export function cartSnapshot(truckId: string, lines: readonly CartLine[], menu: PublishedMenu | null): StoredCart {
  const names: Record<string, CartItemName> = {};
  for (const line of lines) {
    const item = menu?.items.find((candidate) => candidate.id === line.itemId);
    if (item) names[item.id] = item.translations === undefined ? { name: item.name } : { name: item.name, translations: item.translations };
  }
  return { truckId, lines: lines.map((line) => ({ itemId: line.itemId, quantity: line.quantity, choices: [...line.choices] })), names };
}

/** The saved cart's lines that the menu still offers, and the names of the items it no longer does. */
export interface RestoredCart {
  lines: CartLine[];
  /** One entry per removed item, for the notice. An item whose name was never saved is left out. */
  removed: CartItemName[];
}

/**
 * Restores a saved cart against the truck's current menu. A line goes when its item has
 * left the menu or is sold out. Other problems, such as an option that changed, stay
 * for the cart to show, because the customer can fix them.
 */
export function restoreCart(saved: StoredCart, menu: PublishedMenu): RestoredCart {
  const lines: CartLine[] = [];
  const removed = new Map<string, CartItemName>();
  for (const line of saved.lines) {
    const item = menu.items.find((candidate) => candidate.id === line.itemId);
    if (item && !item.soldOut) {
      lines.push({ itemId: line.itemId, quantity: line.quantity, choices: [...line.choices] });
      continue;
    }
    const name = item ? { name: item.name, ...(item.translations === undefined ? {} : { translations: item.translations }) } : saved.names[line.itemId];
    if (name !== undefined) removed.set(line.itemId, name);
  }
  return { lines, removed: [...removed.values()] };
}

/** Returns the cart an order was placed with, named as on the order, so the customer can change it and order again. */
export function savedCartOf(order: Pick<CustomerOrder, 'truckId' | 'lines'>): StoredCart {
  const names: Record<string, CartItemName> = {};
  for (const line of order.lines) names[line.itemId] = line.translations === undefined ? { name: line.name } : { name: line.name, translations: line.translations };
  const lines = order.lines.map((line) => ({ itemId: line.itemId, quantity: line.quantity, choices: line.choices.map((choice) => choice.choiceId) }));
  return { truckId: order.truckId, lines, names };
}
