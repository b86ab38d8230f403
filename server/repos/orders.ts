import type { PricedLine } from '../../orders/cart.js';
import type { OrderStatus } from '../../orders/status.js';
import type { Queryable } from '../../store/types.js';

/** The customer as they identified themselves when ordering. */
export interface OrderCustomer {
  name?: string;
  /** E.164, such as +14155552671. */
  phone?: string;
  /** Lower case. */
  email?: string;
  /** The device whose token came with the order. */
  deviceId?: string;
  /** True when the customer agreed to a text at `phone` once the order is ready, if no app showed it. */
  smsUpdates?: boolean;
  /** Language of the customer's page, for that text. */
  language?: 'en' | 'zh-CN';
}

/** Channel that brought the customer: a message channel, or `walk_in` for an order taken at the truck. */
export type OrderChannel = 'push' | 'sms' | 'x' | 'messenger' | 'email' | 'outbox' | 'walk_in';

/** Origin of the order for the campaign reports, copied from the code's record. */
export interface OrderTracking {
  campaignId: string | null;
  segmentId: string | null;
  contactId: string | null;
  deviceId: string | null;
  channel: OrderChannel | null;
}

export interface Order {
  id: string;
  truckId: string;
  status: OrderStatus;
  /** Called out at the pickup window; set when the order is paid. */
  pickupNumber: string | null;
  /** The truck's local day when the order was placed, YYYY-MM-DD. */
  localDate: string;
  currency: string;
  lines: PricedLine[];
  itemCount: number;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  code: string | null;
  customer: OrderCustomer;
  tracking: OrderTracking;
  paidAt: string | null;
  estimatedReadyAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewOrder {
  id: string;
  truckId: string;
  idempotencyKey: string;
  requestHash: string;
  customer: OrderCustomer;
  lines: PricedLine[];
  itemCount: number;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  currency: string;
  code: string | null;
  tracking: OrderTracking;
  localDate: string;
  /** Epoch milliseconds. */
  at: number;
}

const COLUMNS = `id, truck_id, status, pickup_number, local_date::text AS local_date, currency, lines, item_count,
  subtotal_minor, discount_minor, total_minor, code, customer, campaign_id, segment_id, contact_id, device_id, channel,
  paid_at, estimated_ready_at, created_at, updated_at`;

interface OrderRow {
  id: string;
  truck_id: string;
  status: OrderStatus;
  pickup_number: string | null;
  local_date: string;
  currency: string;
  lines: PricedLine[] | string;
  item_count: number | string;
  subtotal_minor: number | string;
  discount_minor: number | string;
  total_minor: number | string;
  code: string | null;
  customer: OrderCustomer | string;
  campaign_id: string | null;
  segment_id: string | null;
  contact_id: string | null;
  device_id: string | null;
  channel: OrderChannel | null;
  paid_at: Date | string | null;
  estimated_ready_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/**
 * Inserts the order and its first event unless the truck already has an order with the
 * same idempotency key. Returns false in that case, having written nothing.
 */
export async function insertOrder(db: Queryable, order: NewOrder): Promise<boolean> {
  const at = new Date(order.at).toISOString();
  const inserted = await db.query(
    `INSERT INTO orders (id, truck_id, idempotency_key, request_hash, customer, lines, item_count, subtotal_minor, discount_minor,
       total_minor, currency, code, campaign_id, segment_id, contact_id, device_id, channel, status, local_date, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'placed', $18::date, $19, $19)
     ON CONFLICT (truck_id, idempotency_key) DO NOTHING
     RETURNING id`,
    [
      order.id,
      order.truckId,
      order.idempotencyKey,
      order.requestHash,
      JSON.stringify(order.customer),
      JSON.stringify(order.lines),
      order.itemCount,
      order.subtotalMinor,
      order.discountMinor,
      order.totalMinor,
      order.currency,
      order.code,
      order.tracking.campaignId,
      order.tracking.segmentId,
      order.tracking.contactId,
      order.tracking.deviceId,
      order.tracking.channel,
      order.localDate,
      at,
    ],
  );
  if (inserted.length === 0) return false;

  await insertOrderEvent(db, order.id, 'placed', order.at, 'customer');
  return true;
}

/** Returns the truck's order placed with `idempotencyKey` and the hash of its request, or undefined. */
export async function findOrderByKey(
  db: Queryable,
  truckId: string,
  idempotencyKey: string,
): Promise<{ order: Order; requestHash: string } | undefined> {
  const [row] = await db.query<OrderRow & { request_hash: string }>(
    `SELECT ${COLUMNS}, request_hash FROM orders WHERE truck_id = $1 AND idempotency_key = $2`,
    [truckId, idempotencyKey],
  );
  return row ? { order: toOrder(row), requestHash: row.request_hash } : undefined;
}

export async function getOrder(db: Queryable, id: string): Promise<Order | undefined> {
  const [row] = await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
  return row ? toOrder(row) : undefined;
}

/** Returns the truck's orders in `statuses`, paid ones first in payment order, then the others by creation. */
export async function listOrdersOfTruck(db: Queryable, truckId: string, statuses: readonly OrderStatus[], limit: number): Promise<Order[]> {
  const rows = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE truck_id = $1 AND status = ANY($2::text[])
     ORDER BY paid_at NULLS LAST, created_at, id LIMIT $3`,
    [truckId, statuses, limit],
  );
  return rows.map(toOrder);
}

/**
 * Moves the order from `from` to `to` if it is still in `from`, and returns the order
 * after the move, or undefined when another request changed its status first.
 */
export async function updateOrderStatus(db: Queryable, id: string, from: OrderStatus, to: OrderStatus, at: number): Promise<Order | undefined> {
  const [row] = await db.query<OrderRow>(
    `UPDATE orders SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 RETURNING ${COLUMNS}`,
    [id, from, to, new Date(at).toISOString()],
  );
  return row ? toOrder(row) : undefined;
}

/** Records the pickup number and ready estimate of an order just paid. */
export async function setOrderPickup(
  db: Queryable,
  id: string,
  pickup: { pickupNumber: string; paidAt: number; estimatedReadyAt: number },
): Promise<Order> {
  const [row] = await db.query<OrderRow>(
    `UPDATE orders SET pickup_number = $2, paid_at = $3, estimated_ready_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, pickup.pickupNumber, new Date(pickup.paidAt).toISOString(), new Date(pickup.estimatedReadyAt).toISOString()],
  );
  return toOrder(row!);
}

/** Takes the next pickup sequence of the truck's day, starting at 1. One statement, so simultaneous payments never share one. */
export async function nextPickupSequence(db: Queryable, truckId: string, localDate: string): Promise<number> {
  const [row] = await db.query<{ last: number }>(
    `INSERT INTO pickup_counters (truck_id, local_date, last) VALUES ($1, $2::date, 1)
     ON CONFLICT (truck_id, local_date) DO UPDATE SET last = pickup_counters.last + 1
     RETURNING last`,
    [truckId, localDate],
  );
  return Number(row!.last);
}

/** Returns the truck's paid or preparing orders other than `exceptId`, first paid first. */
export async function kitchenQueue(
  db: Queryable,
  truckId: string,
  exceptId: string,
): Promise<Array<{ items: number; estimatedReadyAt: number | null }>> {
  const rows = await db.query<{ item_count: number | string; estimated_ready_at: Date | string | null }>(
    `SELECT item_count, estimated_ready_at FROM orders
     WHERE truck_id = $1 AND status IN ('paid', 'preparing') AND id <> $2
     ORDER BY paid_at, id`,
    [truckId, exceptId],
  );
  return rows.map((row) => ({
    items: Number(row.item_count),
    estimatedReadyAt: row.estimated_ready_at === null ? null : new Date(row.estimated_ready_at).getTime(),
  }));
}

export async function insertOrderEvent(db: Queryable, orderId: string, status: OrderStatus, at: number, actor: string): Promise<void> {
  await db.query(`INSERT INTO order_events (order_id, status, at, actor) VALUES ($1, $2, $3, $4)`, [
    orderId,
    status,
    new Date(at).toISOString(),
    actor,
  ]);
}

export interface OrderEvent {
  status: OrderStatus;
  at: string;
  actor: string;
}

/** Returns the statuses the order took, oldest first. */
export async function listOrderEvents(db: Queryable, orderId: string): Promise<OrderEvent[]> {
  const rows = await db.query<{ status: OrderStatus; at: Date | string; actor: string }>(
    `SELECT status, at, actor FROM order_events WHERE order_id = $1 ORDER BY id`,
    [orderId],
  );
  return rows.map((row) => ({ status: row.status, at: new Date(row.at).toISOString(), actor: row.actor }));
}

/** Stores the SHA-256 of a secret that lets its holder read the order. */
export async function insertOrderToken(db: Queryable, orderId: string, tokenHash: string): Promise<void> {
  await db.query(`INSERT INTO order_tokens (token_hash, order_id) VALUES ($1, $2)`, [tokenHash, orderId]);
}

/** Returns whether `tokenHash` is the hash of a secret issued for the order. */
export async function orderTokenMatches(db: Queryable, orderId: string, tokenHash: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM order_tokens WHERE token_hash = $1 AND order_id = $2`, [tokenHash, orderId]);
  return rows.length > 0;
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    truckId: row.truck_id,
    status: row.status,
    pickupNumber: row.pickup_number,
    localDate: row.local_date,
    currency: row.currency,
    lines: typeof row.lines === 'string' ? (JSON.parse(row.lines) as PricedLine[]) : row.lines,
    itemCount: Number(row.item_count),
    subtotalMinor: Number(row.subtotal_minor),
    discountMinor: Number(row.discount_minor),
    totalMinor: Number(row.total_minor),
    code: row.code,
    customer: typeof row.customer === 'string' ? (JSON.parse(row.customer) as OrderCustomer) : row.customer,
    tracking: {
      campaignId: row.campaign_id,
      segmentId: row.segment_id,
      contactId: row.contact_id,
      deviceId: row.device_id,
      channel: row.channel,
    },
    paidAt: isoOrNull(row.paid_at),
    estimatedReadyAt: isoOrNull(row.estimated_ready_at),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
