import { formatMinor } from '../orders/money.js';
import { isOrderStatus, ORDER_STATUSES, type OrderStatus } from '../orders/status.js';
import { localDateAt } from '../server/orders/local-date.js';
import type { Order } from '../server/repos/orders.js';
import { instantToLocal } from '../server/time-zone.js';
import { assertPositionals, connect, CONNECTION_HELP, explainApiError, formatTable, parseCommandArgs, uuidArgument } from './admin-http.js';
import { fetchTruck } from './menu-command.js';

const HELP_COMMAND = 'cloudburst orders --help';

/** The pickup queue: paid orders that are not picked up yet, as the server lists them when no status is given. */
const QUEUE_STATUSES: readonly OrderStatus[] = ['paid', 'preparing', 'ready'];

const HELP = `Usage: cloudburst orders TRUCK_ID [--status STATUSES] [--json]
       cloudburst orders move ORDER_ID STATUS
       cloudburst orders refund ORDER_ID

Shows a truck's pickup queue on a running server and moves its orders along.

Subcommands:
  TRUCK_ID                 Print the truck's orders, first paid first: pickup number,
                           status, customer name, items, total, the estimated ready time
                           in the truck's time zone and the order id.
    --status STATUSES      comma-separated statuses to list (default ${QUEUE_STATUSES.join(',')},
                           the pickup queue), of placed, paid, preparing, ready,
                           picked_up, cancelled and refunded
    --json                 print the orders as GET /v1/admin/trucks/:id/orders returns them
  move ORDER_ID STATUS     Set the order's status as the staff at the window do: preparing,
                           ready, picked_up, or cancelled for an order not paid yet.
  refund ORDER_ID          Refund a paid order in full through the payment provider. Prints
                           whether the refund succeeded or is pending at the provider.

Options:
${CONNECTION_HELP}

Examples:
  cloudburst orders 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d
  cloudburst orders 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d --status picked_up,refunded
  cloudburst orders move 5d1f3a2b-7c4e-4a9f-8b6d-1e2f3a4b5c6d ready
`;

/** Runs `cloudburst orders …` and returns the exit code. */
export async function runOrdersCommand(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  switch (first) {
    case 'move':
      return moveOrder(rest);
    case 'refund':
      return refundOrder(rest);
    case undefined:
    case 'help':
      process.stdout.write(HELP);
      return first === undefined ? 1 : 0;
    default:
      return listOrders(argv);
  }
}

// ─── list ───────────────────────────────────────────────────────────────────

async function listOrders(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { status: { type: 'string' }, json: { type: 'boolean' } }, HELP_COMMAND);
  if (values.help) return printHelp();
  const truckId = truckIdArgument(positionals[0]);
  assertPositionals(positionals, 1, HELP_COMMAND);
  const statuses = statusOption(values.status);
  const admin = await connect(values);

  const truck = await fetchTruck(admin, truckId);
  let orders: Order[];
  try {
    ({ orders } = await admin.request<{ orders: Order[] }>('GET', `/v1/admin/trucks/${truckId}/orders?status=${statuses.join(',')}`));
  } catch (error) {
    throw explainApiError(error, `listing the orders of truck ${truckId} failed`);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ orders })}\n`);
    return 0;
  }

  const filter = `with status ${joinOr(statuses)}`;
  if (orders.length === 0) {
    process.stdout.write(`No orders ${filter} for truck ${truck.id} "${truck.name}".\n`);
    return 0;
  }
  const today = localDateAt(Date.now(), truck.timeZone);
  const rows = orders.map((order) => [
    order.pickupNumber ?? '-',
    order.status,
    order.customer.name ?? '',
    describeLines(order),
    formatMinor(order.totalMinor, order.currency),
    order.estimatedReadyAt === null ? '-' : localTime(order.estimatedReadyAt, truck.timeZone, today),
    order.id,
  ]);
  const lines = [
    `Orders ${filter} for truck ${truck.id} "${truck.name}", first paid first (times in ${truck.timeZone})`,
    ...formatTable(['pickup', 'status', 'customer', 'items', 'total', 'ready at', 'order id'], rows, [4]),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * Returns the truck id of `cloudburst orders TRUCK_ID`. An argument that is neither a
 * UUID nor a subcommand may be a misspelt subcommand, so the error names both.
 */
function truckIdArgument(raw: string | undefined): string {
  if (raw === undefined) throw new Error(`missing TRUCK_ID: cloudburst orders TRUCK_ID (see "${HELP_COMMAND}")`);
  try {
    return uuidArgument('TRUCK_ID', raw, HELP_COMMAND);
  } catch {
    throw new Error(`invalid TRUCK_ID or subcommand: ${JSON.stringify(raw)} (expected a truck id such as 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d, move or refund; see "${HELP_COMMAND}")`);
  }
}

function statusOption(raw: string | undefined): OrderStatus[] {
  if (raw === undefined) return [...QUEUE_STATUSES];
  const statuses = raw.split(',').map((status) => status.trim());
  const invalid = statuses.find((status) => !isOrderStatus(status));
  if (invalid !== undefined) {
    throw new Error(`invalid --status: ${JSON.stringify(invalid)} in ${JSON.stringify(raw)} (expected a comma-separated list of ${ORDER_STATUSES.join(', ')})`);
  }
  return [...new Set(statuses as OrderStatus[])];
}

/** Formats the order's lines as "2× Burrito (Roja), 1× Horchata". */
function describeLines(order: Order): string {
  return order.lines
    .map((line) => {
      const choices = line.choices.length === 0 ? '' : ` (${line.choices.map((choice) => choice.name).join(', ')})`;
      return `${line.quantity}× ${line.name}${choices}`;
    })
    .join(', ');
}

/** Formats an instant as "HH:MM" in `timeZone` when it falls on `today` there, else as "YYYY-MM-DD HH:MM". */
function localTime(iso: string, timeZone: string, today: string): string {
  const local = instantToLocal(Date.parse(iso), timeZone);
  const date = local.slice(0, 10);
  const time = local.slice(11, 16);
  return date === today ? time : `${date} ${time}`;
}

function joinOr(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

// ─── move ───────────────────────────────────────────────────────────────────

async function moveOrder(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 2, HELP_COMMAND);
  const orderId = uuidArgument('ORDER_ID', positionals[0], HELP_COMMAND);
  const status = positionals[1];
  if (status === undefined) throw new Error(`missing STATUS: cloudburst orders move ORDER_ID STATUS (see "${HELP_COMMAND}")`);
  if (status === 'refunded') {
    throw new Error(`invalid STATUS: "refunded" (a refund moves money, so it has its own command: cloudburst orders refund ${orderId})`);
  }
  // The server decides which moves staff may make; this only catches a misspelt status before the request.
  if (!isOrderStatus(status)) {
    throw new Error(`invalid STATUS: ${JSON.stringify(status)} (expected preparing, ready, picked_up or cancelled)`);
  }
  const admin = await connect(values);

  let order: Order;
  try {
    ({ order } = await admin.request<{ order: Order }>('POST', `/v1/admin/orders/${orderId}/status`, { status }));
  } catch (error) {
    throw explainApiError(error, `moving order ${orderId} to ${status} failed`);
  }
  process.stdout.write(`Order ${order.id}${pickupSuffix(order)} is now ${order.status}\n`);
  return 0;
}

// ─── refund ─────────────────────────────────────────────────────────────────

interface RefundReply {
  order: Order;
  refund: { status: 'succeeded' | 'pending'; amountMinor: number };
}

async function refundOrder(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 1, HELP_COMMAND);
  const orderId = uuidArgument('ORDER_ID', positionals[0], HELP_COMMAND);
  const admin = await connect(values);

  let reply: RefundReply;
  try {
    reply = await admin.request<RefundReply>('POST', `/v1/admin/orders/${orderId}/refund`);
  } catch (error) {
    throw explainApiError(error, `refund of order ${orderId} failed`);
  }

  const { order, refund } = reply;
  const amount = formatMinor(refund.amountMinor, order.currency);
  const message =
    refund.status === 'succeeded'
      ? `Refunded ${amount} of order ${order.id}${pickupSuffix(order)}; it is now ${order.status}`
      : `Refund of ${amount} for order ${order.id}${pickupSuffix(order)} is pending at the payment provider; the order stays ${order.status} until the provider confirms it`;
  process.stdout.write(`${message}\n`);
  return 0;
}

// ─── output ─────────────────────────────────────────────────────────────────

function pickupSuffix(order: Order): string {
  return order.pickupNumber === null ? '' : ` (pickup ${order.pickupNumber})`;
}

function printHelp(): number {
  process.stdout.write(HELP);
  return 0;
}
