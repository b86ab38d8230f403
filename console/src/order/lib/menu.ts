import type { Menu, PublishedItem, PublishedMenu, Translations } from '../../../../orders/menu.js';
import type { Locale } from '../../lib/messages/index.js';

/**
 * The published menu as `GET /v1/trucks/:id/menu` returns it, and the helpers the page
 * needs around it: localized names and the inputs `priceCart` takes.
 */

/** Returns the name and description in the locale: the zh-CN translation when there is one, else the menu's own text. */
export function localizedText(entity: { name: string; description?: string; translations?: Translations }, locale: Locale): { name: string; description?: string } {
  const translated = locale === 'zh-CN' ? entity.translations?.['zh-CN'] : undefined;
  const description = translated?.description ?? entity.description;
  return description === undefined ? { name: translated?.name ?? entity.name } : { name: translated?.name ?? entity.name, description };
}

/**
 * Checks the menu reply's shape, so a wrong reply fails here with a clear message
 * rather than somewhere in the markup.
 *
 * @throws TypeError naming the first missing field
 */
export function readPublishedMenu(body: unknown): PublishedMenu {
  const menu = (body as { menu?: unknown } | null)?.menu as Partial<PublishedMenu> | undefined;
  if (typeof menu !== 'object' || menu === null) throw new TypeError('invalid menu reply: missing "menu" object');
  if (typeof menu.currency !== 'string') throw new TypeError(`invalid menu reply: menu.currency is ${JSON.stringify(menu.currency)} (expected a currency code)`);
  if (typeof menu.date !== 'string') throw new TypeError(`invalid menu reply: menu.date is ${JSON.stringify(menu.date)} (expected YYYY-MM-DD)`);
  if (!Array.isArray(menu.items)) throw new TypeError('invalid menu reply: menu.items is not an array');
  menu.items.forEach((item: Partial<PublishedItem>, index) => {
    if (typeof item?.id !== 'string' || typeof item.name !== 'string' || !Number.isSafeInteger(item.priceMinor)) {
      throw new TypeError(`invalid menu reply: menu.items.${index} lacks an id, name or integer priceMinor`);
    }
  });
  return menu as PublishedMenu;
}

/** The truck whose menu the reply carries. */
export interface MenuTruck {
  id: string;
  name: string;
  /** IANA time zone of the truck. */
  timeZone: string;
}

/**
 * Reads the truck of the menu reply, `{ menu, truck: { id, name, timeZone } }`. Returns null
 * when the reply has none, as before servers added it, so the page shows the menu without its truck's name.
 */
export function readMenuTruck(body: unknown): MenuTruck | null {
  const truck = (body as { truck?: Partial<MenuTruck> } | null)?.truck;
  if (typeof truck?.id !== 'string' || typeof truck.name !== 'string' || typeof truck.timeZone !== 'string') return null;
  return { id: truck.id, name: truck.name, timeZone: truck.timeZone };
}

/**
 * Rebuilds the stored menu and the sold counts that the published menu shows, so the
 * page prices its cart with the server's own `priceCart`. A special's price replaces
 * the item's price, and what is left of it gives the count sold.
 */
export function pricingInputs(published: PublishedMenu): { menu: Menu; specialsSold: Record<string, number> } {
  const specialsSold: Record<string, number> = {};
  const menu: Menu = { currency: published.currency, items: [], specials: [] };

  for (const item of published.items) {
    menu.items.push({
      id: item.id,
      name: item.name,
      ...(item.description === undefined ? {} : { description: item.description }),
      ...(item.translations === undefined ? {} : { translations: item.translations }),
      priceMinor: item.regularPriceMinor ?? item.priceMinor,
      options: item.options,
      available: true,
      soldOut: item.soldOut && item.special?.remaining !== 0,
      tags: item.tags,
    });
    if (item.special) {
      menu.specials.push({
        itemId: item.id,
        date: published.date,
        quantity: item.special.quantity,
        ...(item.regularPriceMinor === undefined ? {} : { priceMinor: item.priceMinor }),
      });
      specialsSold[item.id] = item.special.quantity - (item.special.remaining ?? item.special.quantity);
    }
  }
  return { menu, specialsSold };
}
