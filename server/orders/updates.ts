import { Topics, type Bus } from '../../bus/types.js';
import type { Logger } from '../../common/logger.js';
import type { LiveOrder, OrderUpdate, WireOrderStatus } from '../../common/protocol.js';
import type { OrderStatus } from '../../orders/status.js';
import type { Order } from '../repos/orders.js';

// The wire repeats the status list so common/ stays import-free; this fails to compile when they drift.
const sameStatuses: [OrderStatus, WireOrderStatus] extends [WireOrderStatus, OrderStatus] ? true : never = true;
void sameStatuses;

/** A record of the `orders` topic: what the board shows, and the device to tell. */
export interface OrderChange {
  order: LiveOrder;
  /** The device whose token came with the order, if any. */
  deviceId: string | null;
}

/** Converts an order to the pickup board's view of it. */
export function toLiveOrder(order: Order): LiveOrder {
  return {
    id: order.id,
    truckId: order.truckId,
    status: order.status,
    pickupNumber: order.pickupNumber,
    customerName: order.customer.name ?? null,
    lines: order.lines.map((line) => ({ itemId: line.itemId, name: line.name, quantity: line.quantity, choices: line.choices.map((choice) => choice.name) })),
    itemCount: order.itemCount,
    totalMinor: order.totalMinor,
    currency: order.currency,
    paidAt: order.paidAt,
    estimatedReadyAt: order.estimatedReadyAt,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** Converts the board's view to the update sent to the phone that placed the order. */
export function toOrderUpdate(order: LiveOrder): OrderUpdate {
  return {
    orderId: order.id,
    truckId: order.truckId,
    status: order.status,
    pickupNumber: order.pickupNumber,
    estimatedReadyAt: order.estimatedReadyAt,
    updatedAt: order.updatedAt,
  };
}

/**
 * Publishes an order's new state on the bus, after its change committed, for every
 * process's consoles and for the phone's socket. A failure is logged and not thrown:
 * the change is stored, and the board and the phone read it again on their next load.
 */
export async function announceOrder(bus: Bus, order: Order, logger: Logger): Promise<void> {
  try {
    await bus.produce<OrderChange>(Topics.orders, [{ key: order.truckId, value: { order: toLiveOrder(order), deviceId: order.customer.deviceId ?? null } }]);
  } catch (error) {
    logger.error({ err: error, orderId: order.id, status: order.status }, 'announcing an order change failed; boards and phones see it on their next read');
  }
}
