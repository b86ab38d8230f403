import type { Menu } from '../../orders/menu.js';
import type { Db, Queryable } from '../../store/types.js';

/** A truck's stored menu with the preparation times of its kitchen. */
export interface StoredMenu {
  truckId: string;
  menu: Menu;
  /** Seconds the truck needs per unit ordered. */
  prepSecondsPerItem: number;
  /** Seconds the truck needs per order whatever its size. */
  prepBaseSeconds: number;
  updatedAt: string;
}

interface MenuRow {
  truck_id: string;
  menu: Menu | string;
  prep_seconds_per_item: number;
  prep_base_seconds: number;
  updated_at: Date | string;
}

/** Replaces the truck's menu, keeping its preparation times, and returns what is stored. */
export async function saveMenu(db: Queryable, truckId: string, menu: Menu): Promise<StoredMenu> {
  const [row] = await db.query<MenuRow>(
    `INSERT INTO menus (truck_id, menu, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (truck_id) DO UPDATE SET menu = EXCLUDED.menu, updated_at = now()
     RETURNING truck_id, menu, prep_seconds_per_item, prep_base_seconds, updated_at`,
    [truckId, JSON.stringify(menu)],
  );
  return toStoredMenu(row!);
}

/**
 * Replaces the menu only when it is still the version saved at `expectedUpdatedAt` (ISO 8601,
 * compared to the millisecond), so two editors never silently undo each other. Returns
 * undefined when the stored version differs or there is no menu yet.
 */
export async function saveMenuIfUnchanged(db: Queryable, truckId: string, menu: Menu, expectedUpdatedAt: string): Promise<StoredMenu | undefined> {
  const [row] = await db.query<MenuRow>(
    `UPDATE menus SET menu = $2::jsonb, updated_at = now()
     WHERE truck_id = $1 AND date_trunc('milliseconds', updated_at) = $3::timestamptz
     RETURNING truck_id, menu, prep_seconds_per_item, prep_base_seconds, updated_at`,
    [truckId, JSON.stringify(menu), expectedUpdatedAt],
  );
  return row ? toStoredMenu(row) : undefined;
}

/**
 * Sets the sold-out or available flag of one item and leaves the rest of the menu as stored,
 * under a row lock, so a flip during service never undoes another editor's save. Returns
 * undefined when the truck has no menu, and `item_not_found` when the menu lacks the item.
 */
export async function setMenuItemFlags(
  db: Db,
  truckId: string,
  itemId: string,
  flags: { soldOut?: boolean; available?: boolean },
): Promise<StoredMenu | 'item_not_found' | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<MenuRow>(
      `SELECT truck_id, menu, prep_seconds_per_item, prep_base_seconds, updated_at FROM menus WHERE truck_id = $1 FOR UPDATE`,
      [truckId],
    );
    if (!row) return undefined;
    const { menu } = toStoredMenu(row);
    const item = menu.items.find((candidate) => candidate.id === itemId);
    if (!item) return 'item_not_found';
    if (flags.soldOut !== undefined) item.soldOut = flags.soldOut;
    if (flags.available !== undefined) item.available = flags.available;
    return saveMenu(tx, truckId, menu);
  });
}

/**
 * Sets the kitchen's pace that ready times are estimated from: seconds per unit ordered and
 * seconds per order whatever its size. The menu's version (`updatedAt`) stays, because the
 * pace is not part of the menu an editor saves. Returns undefined when the truck has no menu yet.
 */
export async function setPrepTimes(db: Queryable, truckId: string, prep: { secondsPerItem: number; secondsPerOrder: number }): Promise<StoredMenu | undefined> {
  const [row] = await db.query<MenuRow>(
    `UPDATE menus SET prep_seconds_per_item = $2, prep_base_seconds = $3 WHERE truck_id = $1
     RETURNING truck_id, menu, prep_seconds_per_item, prep_base_seconds, updated_at`,
    [truckId, prep.secondsPerItem, prep.secondsPerOrder],
  );
  return row ? toStoredMenu(row) : undefined;
}

/** Returns the truck's menu, or undefined when the admin has not saved one. */
export async function getMenu(db: Queryable, truckId: string): Promise<StoredMenu | undefined> {
  const [row] = await db.query<MenuRow>(
    `SELECT truck_id, menu, prep_seconds_per_item, prep_base_seconds, updated_at FROM menus WHERE truck_id = $1`,
    [truckId],
  );
  return row ? toStoredMenu(row) : undefined;
}

/** Returns the units of each special sold at the truck on `localDate` (YYYY-MM-DD), by item id. */
export async function getSpecialsSold(db: Queryable, truckId: string, localDate: string): Promise<Record<string, number>> {
  const rows = await db.query<{ item_id: string; sold: number }>(
    `SELECT item_id, sold FROM specials_sold WHERE truck_id = $1 AND local_date = $2::date`,
    [truckId, localDate],
  );
  const sold: Record<string, number> = {};
  for (const row of rows) sold[row.item_id] = Number(row.sold);
  return sold;
}

/**
 * Takes `units` of a special if that many are left, and returns whether it did. The
 * conditional UPDATE re-reads `sold` on the latest row version when another order
 * has the row locked, so simultaneous orders never take more than `quantity` in total.
 */
export async function reserveSpecial(
  db: Queryable,
  special: { truckId: string; localDate: string; itemId: string; quantity: number },
  units: number,
): Promise<boolean> {
  await db.query(
    `INSERT INTO specials_sold (truck_id, local_date, item_id, sold) VALUES ($1, $2::date, $3, 0)
     ON CONFLICT (truck_id, local_date, item_id) DO NOTHING`,
    [special.truckId, special.localDate, special.itemId],
  );
  const updated = await db.query(
    `UPDATE specials_sold SET sold = sold + $4
     WHERE truck_id = $1 AND local_date = $2::date AND item_id = $3 AND sold + $4 <= $5
     RETURNING sold`,
    [special.truckId, special.localDate, special.itemId, units, special.quantity],
  );
  return updated.length > 0;
}

/** Gives back `units` of a special taken by an order that will not be sold. */
export async function releaseSpecial(db: Queryable, special: { truckId: string; localDate: string; itemId: string }, units: number): Promise<void> {
  await db.query(
    `UPDATE specials_sold SET sold = GREATEST(sold - $4, 0) WHERE truck_id = $1 AND local_date = $2::date AND item_id = $3`,
    [special.truckId, special.localDate, special.itemId, units],
  );
}

function toStoredMenu(row: MenuRow): StoredMenu {
  return {
    truckId: row.truck_id,
    menu: typeof row.menu === 'string' ? (JSON.parse(row.menu) as Menu) : row.menu,
    prepSecondsPerItem: Number(row.prep_seconds_per_item),
    prepBaseSeconds: Number(row.prep_base_seconds),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
