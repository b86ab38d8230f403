import type { Bus } from '../../bus/types.js';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { setOrderStatus } from './status.js';
import { announceOrder } from './updates.js';

/**
 * How long an order may wait for its payment. A customer pays within a minute or two; after
 * this the order is cancelled, so the specials it reserved go back on sale.
 */
export const DEFAULT_UNPAID_ORDER_MS = 15 * 60_000;

/** Orders cancelled per pass; a truck takes a few orders a minute. */
const BATCH = 50;

/**
 * Cancels the orders still placed `unpaidMs` after they were placed, and returns how many.
 * It spares orders whose card payment is in progress (authentication or processing) within
 * that time. It also spares orders with a charge that succeeded but was not settled, because
 * a retry of the payment or the provider's webhook settles those. Each cancellation is
 * announced to the board and the phone.
 */
export async function cancelUnpaidOrders(deps: { db: Db; bus: Bus; logger: Logger; unpaidMs?: number }, now: number): Promise<number> {
  const cutoff = new Date(now - (deps.unpaidMs ?? DEFAULT_UNPAID_ORDER_MS)).toISOString();
  const rows = await deps.db.query<{ id: string }>(
    `SELECT o.id FROM orders o
     WHERE o.status = 'placed' AND o.created_at < $1::timestamptz
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status IN ('requires_action', 'processing') AND p.updated_at >= $1::timestamptz)
       AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status = 'succeeded')
     ORDER BY o.created_at LIMIT ${BATCH}`,
    [cutoff],
  );

  let cancelled = 0;
  for (const { id } of rows) {
    try {
      const order = await setOrderStatus(deps.db, id, 'cancelled', 'system', now);
      cancelled++;
      deps.logger.info({ orderId: id, truckId: order.truckId }, 'unpaid order cancelled; its specials are back on sale');
      await announceOrder(deps.bus, order, deps.logger);
    } catch (error) {
      // A payment that settled meanwhile moved the order on, which is what should win.
      if (error instanceof CloudburstError && error.code === 'conflict') continue;
      throw error;
    }
  }
  return cancelled;
}
