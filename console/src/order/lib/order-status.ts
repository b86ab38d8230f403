import type { OrderUpdate, WireOrderStatus } from '../../../../common/protocol.js';
import type { PricedLine } from '../../../../orders/cart.js';
import type { MessageParams } from '../../lib/messages/index.js';
import type { OrderMessageKey } from '../messages/index.js';

/** The order as the customer reads it back (`GET /v1/orders/:id`): the fields the page shows. */
export interface CustomerOrder {
  id: string;
  truckId: string;
  status: WireOrderStatus;
  pickupNumber: string | null;
  currency: string;
  lines: PricedLine[];
  itemCount: number;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  code: string | null;
  estimatedReadyAt: string | null;
  /** ISO 8601 instant of the last status change, which orders the updates. */
  updatedAt: string;
}

const STATUSES: readonly WireOrderStatus[] = ['placed', 'paid', 'preparing', 'ready', 'picked_up', 'cancelled', 'refunded'];

/** Statuses after which nothing changes for the customer, so the page stops following the order. */
const FINAL_STATUSES: ReadonlySet<WireOrderStatus> = new Set(['picked_up', 'cancelled', 'refunded']);

export function isFinalStatus(status: WireOrderStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * Reads the `order` of a reply (`POST /v1/orders`, `GET /v1/orders/:id`, a payment reply).
 *
 * @throws TypeError naming the first missing or malformed field
 */
export function readCustomerOrder(body: unknown): CustomerOrder {
  const order = (body as { order?: Record<string, unknown> } | null)?.order;
  if (typeof order !== 'object' || order === null) throw new TypeError('invalid order reply: missing "order" object');
  for (const field of ['id', 'truckId', 'currency', 'updatedAt'] as const) {
    if (typeof order[field] !== 'string') throw new TypeError(`invalid order reply: order.${field} is ${JSON.stringify(order[field])} (expected a string)`);
  }
  if (!STATUSES.includes(order.status as WireOrderStatus)) throw new TypeError(`invalid order reply: order.status is ${JSON.stringify(order.status)}`);
  for (const field of ['itemCount', 'subtotalMinor', 'discountMinor', 'totalMinor'] as const) {
    if (!Number.isSafeInteger(order[field])) throw new TypeError(`invalid order reply: order.${field} is ${JSON.stringify(order[field])} (expected an integer)`);
  }
  if (!Array.isArray(order.lines)) throw new TypeError('invalid order reply: order.lines is not an array');
  return order as unknown as CustomerOrder;
}

/**
 * Applies a pushed update to the order. An update of another order, or one older than
 * what the page shows (a poll reply may overtake a push), changes nothing.
 */
export function applyOrderUpdate(order: CustomerOrder, update: OrderUpdate): CustomerOrder {
  if (update.orderId !== order.id) return order;
  if (Date.parse(update.updatedAt) < Date.parse(order.updatedAt)) return order;
  return { ...order, status: update.status, pickupNumber: update.pickupNumber, estimatedReadyAt: update.estimatedReadyAt, updatedAt: update.updatedAt };
}

/** Returns the newer of two readings of the same order, by `updatedAt`; on a tie the second. */
export function newerOrder(current: CustomerOrder | null, next: CustomerOrder): CustomerOrder {
  if (current === null || current.id !== next.id) return next;
  return Date.parse(next.updatedAt) < Date.parse(current.updatedAt) ? current : next;
}

/** Returns the sentence for the order's status, with the pickup number where the customer needs it. */
export function statusMessage(order: Pick<CustomerOrder, 'status' | 'pickupNumber'>): { key: OrderMessageKey; params: MessageParams } {
  const number = order.pickupNumber ?? '';
  switch (order.status) {
    case 'placed':
      return { key: 'status.placed', params: {} };
    case 'paid':
      return { key: 'status.paid', params: { number } };
    case 'preparing':
      return { key: 'status.preparing', params: { number } };
    case 'ready':
      return { key: 'status.ready', params: { number } };
    case 'picked_up':
      return { key: 'status.pickedUp', params: { number } };
    case 'cancelled':
      return { key: 'status.cancelled', params: {} };
    case 'refunded':
      return { key: 'status.refunded', params: {} };
  }
}
