import { Hono } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { parseMenu, publishedMenu } from '../../orders/menu.js';
import type { Queryable } from '../../store/types.js';
import { localDateAt } from '../orders/local-date.js';
import { getMenu, getSpecialsSold, saveMenu, saveMenuIfUnchanged, setMenuItemFlags, setPrepTimes } from '../repos/menus.js';
import { getTrucks, type Truck } from '../repos/trucks.js';
import type { ServerServices } from '../services.js';
import { readJson } from './json-body.js';
import { uuidParam } from './params.js';

export interface MenuRoutesOptions {
  /** Clock that picks the truck's local day, in epoch milliseconds; Date.now by default. */
  now?: () => number;
}

/** Public menu routes under `/v1`: what the customer's phone shows. */
export function menuRoutes(services: ServerServices, options: MenuRoutesOptions = {}): Hono {
  const { db } = services;
  const now = options.now ?? Date.now;
  const app = new Hono();

  // GET /trucks/:id/menu → { menu, truck: { id, name, timeZone } }: today's menu in the truck's
  // time zone, with the specials left, and the truck the page names.
  app.get('/trucks/:id/menu', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const stored = await getMenu(db, truck.id);
    if (!stored) throw new CloudburstError('not_found', `truck ${truck.id} has no menu yet`, { field: 'id', value: truck.id });

    const localDate = localDateAt(now(), truck.timeZone);
    const specialsSold = await getSpecialsSold(db, truck.id, localDate);
    return c.json({ menu: publishedMenu(stored.menu, localDate, specialsSold), truck: { id: truck.id, name: truck.name, timeZone: truck.timeZone } });
  });

  return app;
}

/** Admin menu routes under `/v1/admin`, behind `requireAdmin`. */
export function menuAdminRoutes(services: ServerServices): Hono {
  const { db } = services;
  const app = new Hono();

  // PUT /trucks/:id/menu { currency, items, specials? } → { menu, updatedAt }: replaces the truck's menu.
  // With header If-Match: "<updatedAt>" it replaces only that version: 409 when another save came first.
  app.put('/trucks/:id/menu', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const expected = parseIfMatch(c.req.header('If-Match'));
    const menu = parseMenu(await readJson(c));
    const stored = expected === undefined ? await saveMenu(db, truck.id, menu) : await saveMenuIfUnchanged(db, truck.id, menu, expected);
    if (!stored) {
      const current = await getMenu(db, truck.id);
      throw new CloudburstError(
        'conflict',
        `invalid If-Match: "${expected}" (the menu was saved ${current ? `again at ${current.updatedAt}` : 'by nobody yet'}; load it again and reapply your edits)`,
        { field: 'If-Match', value: expected },
      );
    }
    return c.json({ menu: stored.menu, updatedAt: stored.updatedAt });
  });

  // PATCH /trucks/:id/menu/items/:itemId { soldOut?, available? } → { menu, updatedAt }: flips one
  // item's flags during service and leaves the rest of the stored menu as it is.
  app.patch('/trucks/:id/menu/items/:itemId', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const itemId = parseInput(z.string().min(1).max(64), c.req.param('itemId'), 'itemId');
    const flags = parseInput(itemFlagsSchema, await readJson(c));
    const stored = await setMenuItemFlags(db, truck.id, itemId, flags);
    if (stored === undefined) throw new CloudburstError('not_found', `truck ${truck.id} has no menu yet`, { field: 'id', value: truck.id });
    if (stored === 'item_not_found') throw new CloudburstError('not_found', `item ${itemId} is not on the menu of truck ${truck.id}`, { field: 'itemId', value: itemId });
    return c.json({ menu: stored.menu, updatedAt: stored.updatedAt });
  });

  // GET /trucks/:id/menu → { menu, updatedAt, prepTime }: the menu as saved, hidden items and every
  // day's specials included, and the kitchen's pace behind the estimated ready times.
  app.get('/trucks/:id/menu', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const stored = await getMenu(db, truck.id);
    if (!stored) throw new CloudburstError('not_found', `truck ${truck.id} has no menu yet`, { field: 'id', value: truck.id });
    return c.json({ menu: stored.menu, updatedAt: stored.updatedAt, prepTime: prepTimeOf(stored) });
  });

  // PUT /trucks/:id/prep-time { secondsPerItem, secondsPerOrder } → { prepTime }: how long the kitchen
  // takes, for the ready times of orders paid from now on. 404 until the truck has a menu.
  app.put('/trucks/:id/prep-time', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const prep = parseInput(prepTimeSchema, await readJson(c));
    const stored = await setPrepTimes(db, truck.id, prep);
    if (!stored) throw new CloudburstError('not_found', `truck ${truck.id} has no menu yet; save its menu first`, { field: 'id', value: truck.id });
    return c.json({ prepTime: prepTimeOf(stored) });
  });

  return app;
}

export async function requireTruck(db: Queryable, id: string): Promise<Truck> {
  const [truck] = await getTrucks(db, [id]);
  if (!truck) throw new CloudburstError('not_found', `truck ${id} not found`, { field: 'id', value: id });
  return truck;
}

/** An hour per unit or per order is already beyond a food truck; the store checks the same bound. */
const MAX_PREP_SECONDS = 3600;
const prepTimeSchema = z.strictObject({
  secondsPerItem: z.number().int().min(0).max(MAX_PREP_SECONDS),
  secondsPerOrder: z.number().int().min(0).max(MAX_PREP_SECONDS),
});

function prepTimeOf(stored: { prepSecondsPerItem: number; prepBaseSeconds: number }): { secondsPerItem: number; secondsPerOrder: number } {
  return { secondsPerItem: stored.prepSecondsPerItem, secondsPerOrder: stored.prepBaseSeconds };
}

const itemFlagsSchema = z
  .strictObject({ soldOut: z.boolean().optional(), available: z.boolean().optional() })
  .refine((flags) => flags.soldOut !== undefined || flags.available !== undefined, { message: 'expected soldOut or available' });

/** Reads If-Match: "<updatedAt>" (the quotes of an entity tag are optional); undefined without the header. */
function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new CloudburstError('invalid_input', `invalid If-Match: ${JSON.stringify(header.slice(0, 80))} (expected the menu's updatedAt in quotes, such as "2026-12-04T20:00:00.000Z")`, {
      field: 'If-Match',
      value: header.slice(0, 80),
    });
  }
  return value;
}
