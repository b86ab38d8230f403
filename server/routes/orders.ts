import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { isOrderStatus, ORDER_STATUSES, type OrderStatus } from '../../orders/status.js';
import { hashToken } from '../auth.js';
import type { Logger } from '../../common/logger.js';
import { placeOrder } from '../orders/place.js';
import { announceOrder } from '../orders/updates.js';
import { refundOrder } from '../payments/refund.js';
import { setOrderStatus } from '../orders/status.js';
import { getOrderNotice } from '../repos/order-notices.js';
import { getOrder, listOrdersOfTruck, orderTokenMatches, type Order } from '../repos/orders.js';
import type { ServerServices } from '../services.js';
import { readJson } from './json-body.js';
import { menuAdminRoutes, menuRoutes, requireTruck } from './menus.js';
import { uuidParam } from './params.js';

/** The pickup board's queue when `?status=` is left out: orders paid and not yet picked up. */
const BOARD_STATUSES: readonly OrderStatus[] = ['paid', 'preparing', 'ready'];

/** Maximum orders one listing returns, an estimate well above a truck's busiest day of a few hundred orders. */
const MAX_ORDERS_PAGE = 1_000;

const placeBodySchema = z.strictObject({
  truckId: z.string(),
  lines: z.unknown(),
  code: z.string().min(1, 'expected a code').max(64, 'expected at most 64 characters').optional(),
  customer: z.unknown().optional(),
  // Totals a client may echo from its own cart view: accepted and ignored, because the server prices the order.
  currency: z.unknown().optional(),
  subtotalMinor: z.unknown().optional(),
  discountMinor: z.unknown().optional(),
  totalMinor: z.unknown().optional(),
});

/**
 * Moves the staff make at the window. Paid comes from the payment step, and a refund has
 * its own route because it moves money.
 */
const STAFF_STATUSES = ['preparing', 'ready', 'picked_up', 'cancelled'] as const satisfies readonly OrderStatus[];
const statusBodySchema = z.strictObject({ status: z.enum(STAFF_STATUSES) });

export interface OrderRoutesOptions {
  logger: Logger;
  /** Clock for placements and status changes, in epoch milliseconds; Date.now by default. */
  now?: () => number;
}

/**
 * Public ordering routes under `/v1`, for the customer's phone: the menu, placing an
 * order and reading it back with the order token.
 */
export function orderRoutes(services: ServerServices, options: OrderRoutesOptions): Hono {
  const { db } = services;
  const logger = options.logger.child({ component: 'orders' });
  const now = options.now ?? Date.now;
  const app = new Hono();
  app.route('/', menuRoutes(services, options));

  // POST /orders, header Idempotency-Key, { truckId, lines, code?, customer? } → 201 { order, orderToken },
  // or 200 with the first order (and a new token) for a retry with the same key and body.
  app.post('/orders', async (c) => {
    const idempotencyKey = c.req.header('Idempotency-Key');
    if (idempotencyKey === undefined) {
      throw new CloudburstError('invalid_input', 'invalid Idempotency-Key: missing (expected a header of 1 to 200 characters, such as a UUID)', {
        field: 'Idempotency-Key',
      });
    }
    const { truckId, lines, code, customer } = parseInput(placeBodySchema, await readJson(c));
    const placed = await placeOrder(db, { truckId, lines, code, customer, idempotencyKey, now: now() });
    if (placed.created) {
      logger.info({ orderId: placed.order.id, truckId, totalMinor: placed.order.totalMinor, campaignId: placed.order.tracking.campaignId }, 'order placed');
      await announceOrder(services.bus, placed.order, logger);
    }
    return c.json({ order: customerView(placed.order), orderToken: placed.orderToken }, placed.created ? 201 : 200);
  });

  // GET /orders/:id, header Authorization: Bearer <orderToken> → { order }
  app.get('/orders/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const token = bearerToken(c);
    const order = await getOrder(db, id);
    if (!order || !(await orderTokenMatches(db, id, hashToken(token)))) {
      throw new CloudburstError('not_found', `order ${id} not found, or the order token is not this order's`, { field: 'id', value: id });
    }
    return c.json({ order: customerView(order) });
  });

  // POST /orders/:id/cancel, header Authorization: Bearer <orderToken> → { order }: the customer
  // drops an unpaid order, whose specials go back on sale; 409 once it is paid or closed.
  app.post('/orders/:id/cancel', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const token = bearerToken(c);
    if (!(await getOrder(db, id)) || !(await orderTokenMatches(db, id, hashToken(token)))) {
      throw new CloudburstError('not_found', `order ${id} not found, or the order token is not this order's`, { field: 'id', value: id });
    }
    await readEmptyBody(c);
    const order = await setOrderStatus(db, id, 'cancelled', 'customer', now());
    logger.info({ orderId: id, truckId: order.truckId }, 'order cancelled by the customer');
    await announceOrder(services.bus, order, logger);
    return c.json({ order: customerView(order) });
  });

  return app;
}

/** Admin ordering routes under `/v1/admin`, behind `requireAdmin`: the menu editor and the pickup board. */
export function orderAdminRoutes(services: ServerServices, options: OrderRoutesOptions): Hono {
  const { db } = services;
  const logger = options.logger.child({ component: 'orders' });
  const now = options.now ?? Date.now;
  const app = new Hono();
  app.route('/', menuAdminRoutes(services));

  // GET /trucks/:id/orders?status=paid,preparing&limit=N → { orders }: first paid first.
  app.get('/trucks/:id/orders', async (c) => {
    const truck = await requireTruck(db, parseInput(uuidParam, c.req.param('id'), 'id'));
    const statuses = parseStatuses(c.req.query('status'));
    const limit = parseInput(z.coerce.number().int().min(1).max(MAX_ORDERS_PAGE).default(MAX_ORDERS_PAGE), c.req.query('limit'), 'limit');
    return c.json({ orders: await listOrdersOfTruck(db, truck.id, statuses, limit) });
  });

  // GET /orders/:id → { order, readyText }: tracking included, and the ready-order text when the customer asked for one.
  app.get('/orders/:id', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const order = await getOrder(db, id);
    if (!order) throw new CloudburstError('not_found', `order ${id} not found`, { field: 'id', value: id });
    return c.json({ order, readyText: (await getOrderNotice(db, id)) ?? null });
  });

  // POST /orders/:id/status { status: preparing | ready | picked_up | cancelled } → { order };
  // 409 for a move the order's status does not allow.
  app.post('/orders/:id/status', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const { status } = parseInput(statusBodySchema, await readJson(c));
    const order = await setOrderStatus(db, id, status, 'staff', now());
    logger.info({ orderId: id, status, pickupNumber: order.pickupNumber }, 'order status set by staff');
    await announceOrder(services.bus, order, logger);
    return c.json({ order });
  });

  // POST /orders/:id/refund → 200 { order, refund: { status: succeeded, amountMinor } }, or 202 with
  // status pending while the provider completes it; 409 for an order that is not paid.
  app.post('/orders/:id/refund', async (c) => {
    const id = parseInput(uuidParam, c.req.param('id'), 'id');
    const provider = services.payments;
    if (provider === undefined) throw new CloudburstError('not_found', 'card payments are not configured on this server');
    await readEmptyBody(c);
    const refund = await refundOrder({ db, provider, logger, now, onOrderChanged: (order) => announceOrder(services.bus, order, logger) }, id);
    return c.json({ order: refund.order, refund: { status: refund.status, amountMinor: refund.amountMinor } }, refund.status === 'pending' ? 202 : 200);
  });

  return app;
}

/** The order as shown to its customer: without the campaign tracking, which is for the reports. */
export function customerView(order: Order): Omit<Order, 'tracking'> {
  const { tracking: _tracking, ...view } = order;
  return view;
}

function bearerToken(c: Context): string {
  const header = c.req.header('Authorization');
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header.trim());
  if (!match) {
    // The header carries a secret, so the error names it without echoing it.
    throw new CloudburstError('unauthorized', `invalid Authorization: ${header === undefined ? 'missing' : 'malformed'} (expected "Bearer <orderToken>" with the token POST /v1/orders returned)`, {
      field: 'Authorization',
    });
  }
  return match[1]!;
}

function parseStatuses(raw: string | undefined): OrderStatus[] {
  if (raw === undefined || raw.trim() === '') return [...BOARD_STATUSES];
  const statuses = raw.split(',').map((part) => part.trim());
  for (const status of statuses) {
    if (!isOrderStatus(status)) {
      throw new CloudburstError('invalid_input', `invalid status: ${JSON.stringify(status)} (expected a comma-separated list of ${ORDER_STATUSES.join(', ')})`, {
        field: 'status',
        value: status,
      });
    }
  }
  return statuses as OrderStatus[];
}

/**
 * Accepts an empty body or `{}` for routes that take none, so a client that sends, say, an
 * amount for a partial refund learns that it is not supported instead of getting a full one.
 */
async function readEmptyBody(c: Context): Promise<void> {
  const text = (await c.req.text()).trim();
  if (text === '' || text === '{}') return;
  throw new CloudburstError('invalid_input', `invalid (body): ${JSON.stringify(text.slice(0, 80))} (expected no body, or {}; this route takes no fields)`, {
    field: '(body)',
  });
}
