import type { PublishedMenu } from '../../../../orders/menu.js';

/** How much of one item's special sold on the published menu's day. */
export interface SpecialSales {
  quantity: number;
  remaining: number;
  sold: number;
}

/** Sales of the specials on the day the public menu shows, by item id. */
export interface DaySales {
  /** The truck's local date, YYYY-MM-DD. */
  date: string;
  byItem: ReadonlyMap<string, SpecialSales>;
}

/**
 * Reads the specials sold today from the public menu (`GET /v1/trucks/:id/menu`), which
 * gives each special item its saved quantity and what is left. Hidden items are not on
 * the public menu, so their specials have no sales here.
 */
export function daySalesOf(published: PublishedMenu): DaySales {
  const byItem = new Map<string, SpecialSales>();
  for (const item of published.items) {
    const special = item.special;
    if (special?.remaining === undefined) continue;
    // NOTE: the server never reports fewer than 0 left, so sales past a lowered quantity count as the quantity.
    byItem.set(item.id, { quantity: special.quantity, remaining: special.remaining, sold: Math.max(0, special.quantity - special.remaining) });
  }
  return { date: published.date, byItem };
}
