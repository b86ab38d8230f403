import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { AdminClient } from '../demo/admin-client.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';
import { DEFAULT_PRICE_MINOR, demoMenu, PRICE_TABLE, SPECIAL_DISCOUNT_PERCENT } from '../demo/menus.js';
import { readApprovedPermits } from '../demo/permits.js';
import { formatMinor } from '../orders/money.js';
import { runReplay } from '../demo/replay.js';
import { localDateAt } from '../server/orders/local-date.js';
import type { Truck } from '../server/repos/trucks.js';

const HELP = `Usage: cloudburst demo [options]

Replays real GPS trajectories through the device SDK against a running server
(start one with "npm start"), on the approved trucks of the San Francisco permit file.
Then publishes a menu for each truck, replacing the menu it had: the foods its permit
lists, with the first as today's special at ${SPECIAL_DISCOUNT_PERCENT}% off. Prints the link to one truck's order page.
The permit file has no prices, so the menu prices are made up:
${priceTableHelp()}

Options:
  --url URL              server base URL (default http://127.0.0.1:8080, or $CLOUDBURST_URL)
  --token TOKEN          admin token (default $ADMIN_TOKEN, else DATA_DIR/admin-token)
  --trajectories FILE    cabspotting or GeoLife CSV, plain or .gz
                         (default: the SF lunch-time cabspotting slice)
  --permits FILE         SF Mobile Food Facility Permit CSV (default: the copy in demo/data)
  --speedup N            recorded time runs N times faster than the wall clock (default 60)
  --minutes M            minutes of recorded data to replay from the first fix (default 120)
  --radius METRES        campaign fence radius in metres (default 200)
  --out FILE             write each offer as one JSON line to FILE
`;

/**
 * Runs the demo and prints one JSON summary line: the replay's summary with the number
 * of menus published and the link to the first truck's order page.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      trajectories: { type: 'string' },
      permits: { type: 'string' },
      speedup: { type: 'string', default: '60' },
      minutes: { type: 'string', default: '120' },
      radius: { type: 'string', default: '200' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const speedup = positiveNumber('--speedup', values.speedup!);
  const minutes = positiveNumber('--minutes', values.minutes!);
  const radiusM = positiveNumber('--radius', values.radius!);
  const url = values.url ?? process.env.CLOUDBURST_URL ?? 'http://127.0.0.1:8080';
  const adminToken = values.token ?? process.env.ADMIN_TOKEN ?? (await readKeptToken());

  const permitsFile = values.permits ?? BUNDLED_PERMITS;
  const out = values.out ? createWriteStream(values.out) : undefined;
  const admin = new AdminClient(url, adminToken);
  let menusPublished = 0;
  const { summary, trucks } = await runReplay({
    url,
    adminToken,
    trajectoriesFile: values.trajectories ?? defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv'),
    permitsFile,
    speedup,
    minutes,
    radiusM,
    WebSocket,
    onOffer: (offer) => out?.write(`${JSON.stringify(offer)}\n`),
    onProgress: (message) => process.stderr.write(`${message}\n`),
    // Menus go up before the phones move, so the order page works while the replay runs.
    onTrucksCreated: async (created) => {
      menusPublished = await publishMenus(admin, permitsFile, created.map((truck) => truck.id));
    },
  });
  if (out) await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));

  const orderPageUrl = trucks.length === 0 ? null : `${url.replace(/\/+$/, '')}/order?truck=${trucks[0]!.id}`;
  process.stderr.write(`Published ${menusPublished} menus. Order page of the first truck: ${orderPageUrl ?? 'none, because the demo created no trucks'}\n`);

  process.stdout.write(`${JSON.stringify({ ...summary, menusPublished, orderPageUrl })}\n`);
  return 0;
}

/**
 * Publishes a demo menu for each truck in `truckIds`, built from the FoodItems of its
 * permit, with today's special dated in the truck's time zone. Returns how many it published.
 */
async function publishMenus(admin: AdminClient, permitsFile: string, truckIds: string[]): Promise<number> {
  const permits = new Map((await readApprovedPermits(permitsFile)).map((permit) => [permit.locationId, permit]));
  const { trucks } = await admin.request<{ trucks: Truck[] }>('GET', '/v1/admin/trucks');
  const byId = new Map(trucks.map((truck) => [truck.id, truck]));

  let published = 0;
  for (const truckId of truckIds) {
    const truck = byId.get(truckId);
    if (truck === undefined) throw new Error(`truck ${truckId} that the demo created is missing from GET /v1/admin/trucks`);
    const foodItems = truck.permitLocationId === null ? '' : (permits.get(truck.permitLocationId)?.foodItems ?? '');

    const menu = demoMenu(foodItems, localDateAt(Date.now(), truck.timeZone));
    await admin.request('PUT', `/v1/admin/trucks/${truck.id}/menu`, menu);
    published++;
  }
  return published;
}

function priceTableHelp(): string {
  const rows: Array<[string, string]> = [
    ...PRICE_TABLE.map((row): [string, string] => [row.label, `${formatMinor(row.minMinor, 'USD')} to ${formatMinor(row.maxMinor, 'USD')}`]),
    ['anything else', formatMinor(DEFAULT_PRICE_MINOR, 'USD')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, price]) => `  ${label.padEnd(width)}  ${price}`).join('\n');
}

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`invalid ${flag}: ${JSON.stringify(raw)} (expected a positive number)`);
  return value;
}

async function readKeptToken(): Promise<string> {
  const file = path.join(path.resolve(process.env.DATA_DIR || './data'), 'admin-token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    throw new Error(`no admin token: pass --token, set ADMIN_TOKEN, or start the server first so ${file} exists`);
  }
}
