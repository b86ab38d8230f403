import { CloudburstError } from '../../common/errors.js';
import { estimateReadyAt, pickupNumber } from '../../orders/pickup.js';
import { assertOrderTransition, type OrderStatus } from '../../orders/status.js';
import type { Db, Queryable } from '../../store/types.js';
import { redeemCode, type Redemption } from '../redemption.js';
import { getMenu, releaseSpecial } from '../repos/menus.js';
import { insertReadyNotice } from '../repos/order-notices.js';
import {
  getOrder,
  insertOrderEvent,
  kitchenQueue,
  nextPickupSequence,
  setOrderPickup,
  updateOrderStatus,
  type Order,
} from '../repos/orders.js';
import { getTrucks } from '../repos/trucks.js';
import { localDateAt } from './local-date.js';

/** Actor of a status change: the customer's phone, the truck's staff, the payment step or the server itself. */
export type OrderActor = 'customer' | 'staff' | 'payment' | 'system';

/**
 * Reads before giving up when other requests keep changing the order's status between
 * this request's read and its conditional update. Each retry means another move won.
 */
const MAX_STATUS_ATTEMPTS = 3;

/** Statuses in which the order's specials are still reserved, because the food was not made and handed over. */
const HOLDS_SPECIALS: ReadonlySet<OrderStatus> = new Set(['placed', 'paid', 'preparing']);

/**
 * Moves an order to `to`, when the order's transitions allow it, by a conditional UPDATE
 * on its current status, so two simultaneous moves never both apply.
 *
 * - paid: the order gets the next pickup number of the truck's local day at `now` and an
 *   estimated ready time behind the truck's paid and preparing orders.
 * - ready: a customer who agreed to texts gets a pending text, sent by `sendDueReadyTexts`
 *   unless the phone's app acknowledges the update first.
 * - cancelled, and refunded from paid or preparing: the order's specials are given back.
 *   A refund of a ready or picked-up order keeps them, because that food was made.
 *
 * @throws not_found for an unknown order
 * @throws conflict naming `status` for a move the order's status does not allow
 * @throws invalid_input naming `status` for a value that is no order status
 */
export async function setOrderStatus(db: Db, orderId: string, to: OrderStatus, actor: OrderActor, now: number = Date.now()): Promise<Order> {
  return db.transaction(async (tx) => {
    for (let attempt = 1; attempt <= MAX_STATUS_ATTEMPTS; attempt++) {
      const order = await getOrder(tx, orderId);
      if (!order) throw new CloudburstError('not_found', `order ${orderId} not found`, { field: 'id', value: orderId });
      assertOrderTransition(order.status, to, orderId);

      const moved = await updateOrderStatus(tx, orderId, order.status, to, now);
      if (!moved) continue;
      await insertOrderEvent(tx, orderId, to, now, actor);

      if (to === 'paid') return assignPickup(tx, moved, now);
      if (to === 'ready' && moved.customer.smsUpdates && moved.customer.phone) await insertReadyNotice(tx, orderId, moved.customer.phone, now);
      if ((to === 'cancelled' || to === 'refunded') && HOLDS_SPECIALS.has(order.status)) await releaseSpecials(tx, moved);
      return moved;
    }
    throw new CloudburstError('conflict', `order ${orderId} changed status during each of ${MAX_STATUS_ATTEMPTS} attempts; read it and retry`, {
      field: 'status',
      value: to,
      retriable: true,
    });
  });
}

/**
 * Redeems the order's code for the payment step, atomically with `redeemCode`: of two
 * orders placed with one single-use code, only the first to pay gets it. Returns
 * undefined for an order without a code.
 *
 * @throws RedemptionError when the code can no longer be redeemed (`already_redeemed`,
 *   `expired` and the other reasons of `redeemCode`)
 */
export async function redeemOrderCode(db: Queryable, order: Order, at: number): Promise<Redemption | undefined> {
  if (order.code === null) return undefined;

  const { deviceId, phone, email } = order.customer;
  return redeemCode(db, {
    code: order.code,
    truckId: order.truckId,
    campaignId: order.tracking.campaignId ?? undefined,
    customer: { deviceId, phone, email },
    at,
  });
}

async function assignPickup(tx: Queryable, order: Order, now: number): Promise<Order> {
  const [truck] = await getTrucks(tx, [order.truckId]);
  const menu = await getMenu(tx, order.truckId);
  // Trucks and menus are deleted only with their orders, so both exist for an order in the store.
  if (!truck || !menu) throw new CloudburstError('internal', `order ${order.id} refers to truck ${order.truckId}, which has no menu`);

  const sequence = await nextPickupSequence(tx, order.truckId, localDateAt(now, truck.timeZone));
  const queue = await kitchenQueue(tx, order.truckId, order.id);
  const estimatedReadyAt = estimateReadyAt({
    now,
    items: order.itemCount,
    prepSecondsPerItem: menu.prepSecondsPerItem,
    baseSeconds: menu.prepBaseSeconds,
    queue: queue.map((queued) => (queued.estimatedReadyAt === null ? { items: queued.items } : { items: queued.items, readyAt: queued.estimatedReadyAt })),
  });

  return setOrderPickup(tx, order.id, { pickupNumber: pickupNumber(sequence), paidAt: now, estimatedReadyAt });
}

async function releaseSpecials(tx: Queryable, order: Order): Promise<void> {
  const units = new Map<string, number>();
  for (const line of order.lines) {
    if (line.special) units.set(line.itemId, (units.get(line.itemId) ?? 0) + line.quantity);
  }
  for (const itemId of [...units.keys()].sort()) {
    await releaseSpecial(tx, { truckId: order.truckId, localDate: order.localDate, itemId }, units.get(itemId)!);
  }
}
