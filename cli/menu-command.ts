import type { AdminClient } from '../demo/admin-client.js';
import { specialsOn, type Menu } from '../orders/menu.js';
import { formatMinor } from '../orders/money.js';
import { localDateAt } from '../server/orders/local-date.js';
import type { Truck } from '../server/repos/trucks.js';
import { assertPositionals, connect, CONNECTION_HELP, explainApiError, formatTable, parseCommandArgs, uuidArgument } from './admin-http.js';
import { readJsonObjectFile } from './json-file.js';

const HELP_COMMAND = 'cloudburst menu --help';

const HELP = `Usage: cloudburst menu <subcommand> [options]

Publishes and shows a truck's menu on a running server (start one with "cloudburst start").
Prices are printed in the menu's currency; today is the current date in the truck's time zone.

Subcommands:
  apply TRUCK_ID FILE      Replace the truck's menu with FILE, a menu as JSON (the body of
                           PUT /v1/admin/trucks/:id/menu: "currency", "items" with "id",
                           "name", "priceMinor", "available", "soldOut" and optional
                           "options" and "translations", and optional "specials" with
                           "itemId", "date", "quantity" and "priceMinor"). Prints the items
                           and today's specials. When the server rejects the menu, prints the
                           field and value it named, such as items.2.priceMinor.
  show TRUCK_ID [--json]   Print the truck's menu as stored: every item with its price and
                           state (on sale, sold out or hidden) and today's specials.
                           --json prints the menu as GET /v1/admin/trucks/:id/menu returns it.

Options:
${CONNECTION_HELP}

Examples:
  cloudburst menu apply 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d lunch-menu.json
  cloudburst menu show 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d
`;

/** A menu as the admin menu routes return it. */
interface StoredMenuReply {
  menu: Menu;
  updatedAt: string;
}

/** Runs `cloudburst menu <subcommand>` and returns the exit code. */
export async function runMenuCommand(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case 'apply':
      return applyMenu(rest);
    case 'show':
      return showMenu(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return subcommand === undefined ? 1 : 0;
    default:
      throw new Error(`unknown menu subcommand ${JSON.stringify(subcommand)} (expected apply or show; see "${HELP_COMMAND}")`);
  }
}

// ─── apply ──────────────────────────────────────────────────────────────────

async function applyMenu(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 2, HELP_COMMAND);
  const truckId = uuidArgument('TRUCK_ID', positionals[0], HELP_COMMAND);
  const file = positionals[1];
  if (file === undefined) throw new Error(`missing FILE: cloudburst menu apply TRUCK_ID FILE (see "${HELP_COMMAND}")`);
  const menu = await readJsonObjectFile(file, 'a menu such as {"currency": "USD", "items": [...]}');
  const admin = await connect(values);

  const truck = await fetchTruck(admin, truckId);
  let stored: StoredMenuReply;
  try {
    stored = await admin.request<StoredMenuReply>('PUT', `/v1/admin/trucks/${truckId}/menu`, menu);
  } catch (error) {
    throw explainApiError(error, `menu apply failed for ${file}`, file);
  }

  const lines = [`Published the menu of truck ${truck.id} "${truck.name}": ${describeCount(stored.menu)}`, ...formatMenu(stored.menu, truck)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

// ─── show ───────────────────────────────────────────────────────────────────

async function showMenu(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 1, HELP_COMMAND);
  const truckId = uuidArgument('TRUCK_ID', positionals[0], HELP_COMMAND);
  const admin = await connect(values);

  let stored: StoredMenuReply;
  try {
    stored = await admin.request<StoredMenuReply>('GET', `/v1/admin/trucks/${truckId}/menu`);
  } catch (error) {
    throw explainApiError(error, `menu show failed for truck ${truckId}`);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(stored)}\n`);
    return 0;
  }

  const truck = await fetchTruck(admin, truckId);
  const lines = [`Menu of truck ${truck.id} "${truck.name}": ${describeCount(stored.menu)}, updated ${stored.updatedAt}`, ...formatMenu(stored.menu, truck)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

// ─── shared ─────────────────────────────────────────────────────────────────

/**
 * Returns the truck with `truckId`, for its name and time zone, and otherwise throws an
 * Error naming TRUCK_ID. The admin API lists trucks but has no route for one truck.
 */
export async function fetchTruck(admin: AdminClient, truckId: string): Promise<Truck> {
  let trucks: Truck[];
  try {
    ({ trucks } = await admin.request<{ trucks: Truck[] }>('GET', '/v1/admin/trucks'));
  } catch (error) {
    throw explainApiError(error, 'listing the trucks failed');
  }
  const truck = trucks.find((candidate) => candidate.id === truckId);
  if (truck === undefined) throw new Error(`invalid TRUCK_ID: no truck has the id ${JSON.stringify(truckId)} on this server (GET /v1/admin/trucks lists them)`);
  return truck;
}

function describeCount(menu: Menu): string {
  return `${menu.items.length} ${menu.items.length === 1 ? 'item' : 'items'} in ${menu.currency}`;
}

/** Formats the items and today's specials, "today" being the current date in the truck's time zone. */
function formatMenu(menu: Menu, truck: Truck): string[] {
  const price = (minor: number) => formatMinor(minor, menu.currency);
  const itemRows = menu.items.map((item) => [
    item.id,
    item.name,
    price(item.priceMinor),
    item.options.map((group) => group.name).join(', '),
    itemState(item),
  ]);
  const lines = menu.items.length === 0 ? ['  (no items)'] : formatTable(['id', 'name', 'price', 'options', 'state'], itemRows, [2]);

  const today = localDateAt(Date.now(), truck.timeZone);
  const specials = [...specialsOn(menu, today).values()];
  const when = `${today} in ${truck.timeZone}`;
  if (specials.length === 0) {
    lines.push('', `No specials today (${when})`);
  } else {
    const names = new Map(menu.items.map((item) => [item.id, item]));
    const specialRows = specials.map((special) => {
      const item = names.get(special.itemId)!;
      return [special.itemId, item.name, String(special.quantity), price(special.priceMinor ?? item.priceMinor), price(item.priceMinor)];
    });
    lines.push('', `Today's specials (${when})`, ...formatTable(['item', 'name', 'quantity', 'price', 'regular'], specialRows, [2, 3, 4]));
  }

  const later = menu.specials.length - specials.length;
  if (later > 0) {
    lines.push(`${later} ${later === 1 ? 'special is' : 'specials are'} set for other days; "cloudburst menu show ${truck.id} --json" lists them.`);
  }
  return lines;
}

/** Describes what the phone shows of an item: hidden when not available, else sold out or on sale. */
function itemState(item: Menu['items'][number]): string {
  if (!item.available) return 'hidden';
  if (item.soldOut) return 'sold out';
  return 'on sale';
}

function printHelp(): number {
  process.stdout.write(HELP);
  return 0;
}
