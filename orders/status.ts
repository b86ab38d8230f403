import { clipValue, CloudburstError, formatValue } from '../common/errors.js';

export const ORDER_STATUSES = ['placed', 'paid', 'preparing', 'ready', 'picked_up', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The moves an order can make at a food truck.
 *
 * - placed: the order exists and waits for payment. A declined card leaves it placed so
 *   the customer can try another card. It is cancelled when the customer gives up or
 *   the payment never arrives. No money has moved, so cancelled needs no refund.
 * - paid: the kitchen may start it (preparing), or mark it ready at once for items that
 *   need no preparation, such as a canned drink.
 * - From paid on, money has moved, so stopping the order is a refund, not a cancel.
 *   Typical causes are a truck that runs out while preparing, a customer who never
 *   collects, or a settled complaint. Picked up can still become refunded because a
 *   refund made later in the payment provider's dashboard must reach the reports.
 * - cancelled and refunded are final. A partial refund leaves the status unchanged.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['preparing', 'ready', 'refunded'],
  preparing: ['ready', 'refunded'],
  ready: ['picked_up', 'refunded'],
  picked_up: ['refunded'],
  cancelled: [],
  refunded: [],
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && Object.hasOwn(TRANSITIONS, value);
}

/** Returns the statuses an order in `from` can move to, none for a final status. */
export function allowedOrderTransitions(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

export function canTransitionOrder(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Throws unless an order may move from `from` to `to`.
 *
 * @throws invalid_input when `to` is not an order status (it may come from a request)
 * @throws conflict naming both statuses and the moves allowed from `from`
 * @throws internal when `from` is not an order status (it comes from the store)
 */
export function assertOrderTransition(from: OrderStatus, to: OrderStatus, orderId?: string): void {
  const subject = orderId === undefined ? 'an order' : `order ${orderId}`;
  const context = { ...(orderId === undefined ? {} : { orderId }), from, to };
  if (!isOrderStatus(to)) {
    throw new CloudburstError('invalid_input', `invalid status: ${formatValue(to)} (expected one of ${ORDER_STATUSES.join(', ')})`, {
      field: 'status',
      value: clipValue(to),
      context,
    });
  }
  if (!isOrderStatus(from)) {
    throw new CloudburstError('internal', `${subject} has the unknown status ${formatValue(from)}`, { context });
  }
  if (canTransitionOrder(from, to)) return;

  const allowed = TRANSITIONS[from];
  const hint = allowed.length > 0 ? `from ${from} an order can become ${allowed.join(', ')}` : `${from} is final`;
  throw new CloudburstError('conflict', `${subject} cannot go from ${from} to ${to}: ${hint}`, {
    field: 'status',
    value: to,
    context,
  });
}
