import { Hono } from 'hono';
import { CloudburstError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { parseMenu, publishedMenu } from '../../orders/menu.js';
import type { Queryable } from '../../store/types.js';
import { localDateAt } from '../orders/local-date.js';
import { getMenu, getSpecialsSold, saveMenu } from '../repos/menus.js';
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
  app.put('/trucks/:id/menu', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const menu = parseMenu(await readJson(c));
    const stored = await saveMenu(db, truck.id, menu);
    return c.json({ menu: stored.menu, updatedAt: stored.updatedAt });
  });

  // GET /trucks/:id/menu → { menu, updatedAt }: the menu as saved, hidden items and every day's specials included.
  app.get('/trucks/:id/menu', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const stored = await getMenu(db, truck.id);
    if (!stored) throw new CloudburstError('not_found', `truck ${truck.id} has no menu yet`, { field: 'id', value: truck.id });
    return c.json({ menu: stored.menu, updatedAt: stored.updatedAt });
  });

  return app;
}

export async function requireTruck(db: Queryable, id: string): Promise<Truck> {
  const [truck] = await getTrucks(db, [id]);
  if (!truck) throw new CloudburstError('not_found', `truck ${id} not found`, { field: 'id', value: id });
  return truck;
}
