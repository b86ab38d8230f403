import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../orders/status.js';
import { instantToLocal } from '../server/time-zone.js';
import { adminRequest, startTestServer, TEST_ADMIN_TOKEN } from './helpers.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const TIME_ZONE = 'America/Los_Angeles';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/**
 * A truck's day through the `cloudburst` command against a running server: publish the
 * menu, look at it, then work the pickup queue as orders come in from phones. The steps
 * build on each other, so the tests run in order on one server.
 */
describe('cloudburst menu and orders commands', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let truckId: string;
  /** Today in the truck's zone, the day of the menu's special. */
  let today: string;
  let paidOrderId: string;
  let placedOrderId: string;

  /** Runs the CLI from source through tsx and returns its exit code and output. */
  async function cli(args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'cli/cloudburst.ts', ...args], { cwd: REPO, env, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  function menu(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      currency: 'USD',
      items: [
        {
          id: 'burrito',
          name: 'Burrito',
          priceMinor: 1100,
          available: true,
          soldOut: false,
          options: [{ id: 'salsa', name: 'Salsa', min: 1, max: 1, choices: [{ id: 'verde', name: 'Verde', priceDeltaMinor: 0 }, { id: 'roja', name: 'Roja', priceDeltaMinor: 50 }] }],
        },
        { id: 'horchata', name: 'Horchata', priceMinor: 350, available: true, soldOut: false },
        { id: 'elote', name: 'Elote', priceMinor: 500, available: true, soldOut: true },
        { id: 'pozole', name: 'Pozole', priceMinor: 900, available: false, soldOut: false },
      ],
      specials: [
        { itemId: 'horchata', date: today, quantity: 20, priceMinor: 300 },
        { itemId: 'burrito', date: '2030-01-02', quantity: 5 },
      ],
      ...changes,
    };
  }

  async function writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return file;
  }

  /** Places an order from a phone and returns its id and order token. */
  async function placeOrder(name: string): Promise<{ id: string; token: string }> {
    const placed = await post(
      `${server.url}/v1/orders`,
      { truckId, lines: [{ itemId: 'burrito', quantity: 2, choices: ['roja'] }, { itemId: 'horchata', quantity: 1 }], customer: { name } },
      { 'Idempotency-Key': randomUUID() },
    );
    if (placed.status !== 201) throw new Error(`placing the order failed: ${placed.status} ${JSON.stringify(placed.body)}`);
    return { id: placed.body.order.id, token: placed.body.orderToken };
  }

  beforeAll(async () => {
    server = await startTestServer();
    dir = path.join(server.dataDir, 'cli');
    await mkdir(dir);
    env = { ...process.env, CLOUDBURST_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    delete env.LOG_LEVEL;

    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Taco Cloud', lat: 37.7793, lon: -122.4193, timeZone: TIME_ZONE });
    if (truck.status !== 201) throw new Error(`creating the truck failed: ${truck.status} ${JSON.stringify(truck.body)}`);
    truckId = truck.body.truck.id;
    today = instantToLocal(Date.now(), TIME_ZONE).slice(0, 10);
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it('documents the commands in the help', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^ {2}menu {8}Publish and show a truck's menu/m);
    expect(main.stdout).toMatch(/^ {2}orders {6}Print a truck's pickup queue/m);

    const menuHelp = await cli(['menu', '--help']);
    expect(menuHelp.code).toBe(0);
    for (const usage of ['apply TRUCK_ID FILE', 'show TRUCK_ID [--json]', 'items.2.priceMinor', '--url URL', '--token TOKEN']) {
      expect(menuHelp.stdout).toContain(usage);
    }

    const ordersHelp = await cli(['orders', '--help']);
    expect(ordersHelp.code).toBe(0);
    for (const usage of ['cloudburst orders TRUCK_ID [--status STATUSES] [--json]', 'move ORDER_ID STATUS', 'refund ORDER_ID', '--url URL']) {
      expect(ordersHelp.stdout).toContain(usage);
    }
    for (const status of ORDER_STATUSES) expect(ordersHelp.stdout).toContain(status);

    const bare = await cli(['orders']);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe(ordersHelp.stdout);
  });

  it('applies a menu and prints its items and specials', async () => {
    const file = await writeJson('menu.json', menu());
    const { code, stdout, stderr } = await cli(['menu', 'apply', truckId, file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `Published the menu of truck ${truckId} "Taco Cloud": 4 items in USD`,
      '  id        name       price  options  state',
      '  burrito   Burrito   $11.00  Salsa    on sale',
      '  horchata  Horchata   $3.50           on sale',
      '  elote     Elote      $5.00           sold out',
      '  pozole    Pozole     $9.00           hidden',
      '',
      `Today's specials (${today} in ${TIME_ZONE})`,
      '  item      name      quantity  price  regular',
      '  horchata  Horchata        20  $3.00    $3.50',
      `1 special is set for other days; "cloudburst menu show ${truckId} --json" lists them.`,
      '',
    ]);

    const stored = await adminRequest(server.url, 'GET', `/v1/admin/trucks/${truckId}/menu`);
    expect(stored.body.menu.items.map((item: { id: string }) => item.id)).toEqual(['burrito', 'horchata', 'elote', 'pozole']);
    expect(stored.body.menu.specials).toEqual(menu().specials);
  });

  it('shows the stored menu', async () => {
    const stored = await adminRequest(server.url, 'GET', `/v1/admin/trucks/${truckId}/menu`);

    const text = await cli(['menu', 'show', truckId]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`Menu of truck ${truckId} "Taco Cloud": 4 items in USD, updated ${stored.body.updatedAt}`);
    expect(lines).toContain('  horchata  Horchata        20  $3.00    $3.50');
    expect(lines).toContain('  pozole    Pozole     $9.00           hidden');

    const json = await cli(['menu', 'show', truckId, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(stored.body);
  });

  it('names the field and value of a rejected menu', async () => {
    const broken = menu();
    (broken.items as Array<Record<string, unknown>>)[1]!.priceMinor = 3.5;
    const file = await writeJson('broken-menu.json', broken);
    const { code, stdout, stderr } = await cli(['menu', 'apply', truckId, file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`cloudburst: menu apply failed for ${file}: invalid items.1.priceMinor: 3.5 (expected an integer amount in minor units (cents)) (HTTP 400 invalid_input)`);
    expect(stderr).toContain(`  field: items.1.priceMinor (in ${file})`);
    expect(stderr).toContain('  value: 3.5');

    const stored = await adminRequest(server.url, 'GET', `/v1/admin/trucks/${truckId}/menu`);
    expect(stored.body.menu.items[1].priceMinor).toBe(350);
  });

  it('names the argument of a bad menu command', async () => {
    const notJson = await writeJson('not-json.json', '{"currency": ');
    const cases: Array<[string[], string]> = [
      [['menu', 'apply', truckId], `cloudburst: missing FILE: cloudburst menu apply TRUCK_ID FILE (see "cloudburst menu --help")`],
      [['menu', 'apply', 'taco-cloud', notJson], 'cloudburst: invalid TRUCK_ID: "taco-cloud" (expected a UUID'],
      [['menu', 'apply', truckId, notJson], `cloudburst: invalid FILE: ${notJson} is not JSON`],
      [['menu', 'apply', truckId, path.join(dir, 'missing.json')], `cloudburst: invalid FILE: cannot read ${path.join(dir, 'missing.json')}`],
      [['menu', 'show', truckId, 'extra'], 'cloudburst: unexpected argument "extra" (see "cloudburst menu --help")'],
      [['menu', 'publish'], 'cloudburst: unknown menu subcommand "publish" (expected apply or show'],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(1);
      expect(stdout, args.join(' ')).toBe('');
      expect(stderr, args.join(' ')).toContain(message);
    }
  });

  it('reports a truck that is unknown or has no menu', async () => {
    const file = await writeJson('menu-again.json', menu());
    const unknownId = randomUUID();
    const unknown = await cli(['menu', 'apply', unknownId, file]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`cloudburst: invalid TRUCK_ID: no truck has the id "${unknownId}" on this server`);

    const bare = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Empty Kitchen', lat: 37.78, lon: -122.42, timeZone: TIME_ZONE });
    const noMenu = await cli(['menu', 'show', bare.body.truck.id]);
    expect(noMenu.code).toBe(1);
    expect(noMenu.stderr).toContain(`cloudburst: menu show failed for truck ${bare.body.truck.id}: truck ${bare.body.truck.id} has no menu yet (HTTP 404 not_found)`);
  });

  it('prints an empty pickup queue', async () => {
    const { code, stdout } = await cli(['orders', truckId]);
    expect(code).toBe(0);
    expect(stdout).toBe(`No orders with status paid, preparing or ready for truck ${truckId} "Taco Cloud".\n`);
  });

  it('lists a paid order in the pickup queue', async () => {
    const paid = await placeOrder('Wen');
    paidOrderId = paid.id;
    placedOrderId = (await placeOrder('Ada')).id;
    const card = await post(`${server.url}/v1/payments/sandbox/tokens`, { number: '4242424242424242', expMonth: 12, expYear: 2031, cvc: '123' });
    const payment = await post(
      `${server.url}/v1/orders/${paidOrderId}/payments`,
      { paymentMethod: card.body.token },
      { Authorization: `Bearer ${paid.token}`, 'Idempotency-Key': randomUUID() },
    );
    expect(payment.status).toBe(201);
    const order = (await adminRequest(server.url, 'GET', `/v1/admin/orders/${paidOrderId}`)).body.order;
    const readyAt = instantToLocal(Date.parse(order.estimatedReadyAt), TIME_ZONE);
    const ready = readyAt.slice(0, 10) === today ? readyAt.slice(11, 16) : `${readyAt.slice(0, 10)} ${readyAt.slice(11, 16)}`;
    const readyWidth = Math.max('ready at'.length, ready.length);

    const { code, stdout, stderr } = await cli(['orders', truckId]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      `Orders with status paid, preparing or ready for truck ${truckId} "Taco Cloud", first paid first (times in ${TIME_ZONE})`,
      `  pickup  status  customer  items                            total  ${'ready at'.padEnd(readyWidth)}  order id`,
      `  001     paid    Wen       2× Burrito (Roja), 1× Horchata  $26.00  ${ready.padEnd(readyWidth)}  ${paidOrderId}`,
      '',
    ]);

    const json = await cli(['orders', truckId, '--json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { orders: Array<{ id: string; totalMinor: number }> };
    expect(listed.orders.map((listedOrder) => listedOrder.id)).toEqual([paidOrderId]);
    expect(listed.orders[0]!.totalMinor).toBe(2600);
  });

  it('lists orders by --status', async () => {
    const placed = await cli(['orders', truckId, '--status', 'placed']);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toContain(`Orders with status placed for truck ${truckId}`);
    expect(placed.stdout).toMatch(new RegExp(`^ {2}- +placed +Ada +2× Burrito \\(Roja\\), 1× Horchata +\\$26\\.00 +- +${placedOrderId}$`, 'm'));
    expect(placed.stdout).not.toContain(paidOrderId);

    const both = await cli(['orders', truckId, '--status', 'paid, placed', '--json']);
    expect(both.code).toBe(0);
    expect((JSON.parse(both.stdout).orders as Array<{ id: string }>).map((order) => order.id)).toEqual([paidOrderId, placedOrderId]);

    const invalid = await cli(['orders', truckId, '--status', 'paid,baked']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(`cloudburst: invalid --status: "baked" in "paid,baked" (expected a comma-separated list of ${ORDER_STATUSES.join(', ')})`);
  });

  it('moves an order through the window', async () => {
    for (const status of ['preparing', 'ready']) {
      const { code, stdout, stderr } = await cli(['orders', 'move', paidOrderId, status]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe(`Order ${paidOrderId} (pickup 001) is now ${status}\n`);
    }
    const stored = await adminRequest(server.url, 'GET', `/v1/admin/orders/${paidOrderId}`);
    expect(stored.body.order.status).toBe('ready');

    const queue = await cli(['orders', truckId]);
    expect(queue.stdout).toMatch(new RegExp(`^ {2}001 +ready +Wen .*${paidOrderId}$`, 'm'));

    const cancelled = await cli(['orders', 'move', placedOrderId, 'cancelled']);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`Order ${placedOrderId} is now cancelled\n`);
  });

  it('reports a move the order does not allow', async () => {
    const backwards = await cli(['orders', 'move', paidOrderId, 'preparing']);
    expect(backwards.code).toBe(1);
    expect(backwards.stdout).toBe('');
    expect(backwards.stderr).toContain(`cloudburst: moving order ${paidOrderId} to preparing failed: order ${paidOrderId} cannot go from ready to preparing`);
    expect(backwards.stderr).toContain('(HTTP 409 conflict)');

    const notStaff = await cli(['orders', 'move', paidOrderId, 'paid']);
    expect(notStaff.code).toBe(1);
    expect(notStaff.stderr).toContain('(HTTP 400 invalid_input)');
    expect(notStaff.stderr).toContain('  field: status');
    expect(notStaff.stderr).toContain('  value: "paid"');
  });

  it('names the argument of a bad orders command', async () => {
    const cases: Array<[string[], string]> = [
      [['orders', 'mvoe', paidOrderId], 'cloudburst: invalid TRUCK_ID or subcommand: "mvoe" (expected a truck id such as'],
      [['orders', 'move', paidOrderId], 'cloudburst: missing STATUS: cloudburst orders move ORDER_ID STATUS'],
      [['orders', 'move', 'order-1', 'ready'], 'cloudburst: invalid ORDER_ID: "order-1" (expected a UUID'],
      [['orders', 'move', paidOrderId, 'done'], 'cloudburst: invalid STATUS: "done" (expected preparing, ready, picked_up or cancelled)'],
      [['orders', 'move', paidOrderId, 'refunded'], `cloudburst: invalid STATUS: "refunded" (a refund moves money, so it has its own command: cloudburst orders refund ${paidOrderId})`],
      [['orders', 'refund'], 'cloudburst: missing ORDER_ID (see "cloudburst orders --help")'],
      [['orders', truckId, '--state', 'paid'], `cloudburst: Unknown option '--state'`],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(1);
      expect(stdout, args.join(' ')).toBe('');
      expect(stderr, args.join(' ')).toContain(message);
    }
  });

  it('refunds a paid order once', async () => {
    const refund = await cli(['orders', 'refund', paidOrderId]);
    expect(refund.stderr).toBe('');
    expect(refund.code).toBe(0);
    expect(refund.stdout).toBe(`Refunded $26.00 of order ${paidOrderId} (pickup 001); it is now refunded\n`);
    const stored = await adminRequest(server.url, 'GET', `/v1/admin/orders/${paidOrderId}`);
    expect(stored.body.order.status).toBe('refunded');

    const again = await cli(['orders', 'refund', paidOrderId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`cloudburst: refund of order ${paidOrderId} failed: order ${paidOrderId} cannot go from refunded to refunded: refunded is final (HTTP 409 conflict)`);

    const unpaid = await cli(['orders', 'refund', placedOrderId]);
    expect(unpaid.code).toBe(1);
    expect(unpaid.stderr).toContain(`cloudburst: refund of order ${placedOrderId} failed: order ${placedOrderId} cannot go from cancelled to refunded`);

    const queue = await cli(['orders', truckId]);
    expect(queue.stdout).toBe(`No orders with status paid, preparing or ready for truck ${truckId} "Taco Cloud".\n`);
  });
});
