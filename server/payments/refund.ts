import { CloudburstError } from '../../common/errors.js';
import { assertOrderTransition } from '../../orders/status.js';
import { setOrderStatus } from '../orders/status.js';
import { getOrder, type Order } from '../repos/orders.js';
import { listPaymentsOfOrder, setPaymentStatus } from './repo.js';
import { FREE_ORDER_PROVIDER, type PaymentDeps } from './settle.js';

export interface OrderRefund {
  order: Order;
  /** `pending` when the provider takes time: its webhook marks the order refunded later. */
  status: 'succeeded' | 'pending';
  amountMinor: number;
}

/**
 * Refunds the payment that paid the order, in full, and marks the order refunded once the
 * provider confirms. Idempotent per order: a second request refunds nothing more.
 *
 * @throws not_found for an unknown order
 * @throws conflict naming `status` when the order is not paid (or is already refunded)
 * @throws unavailable, retriable, when the provider refused or could not be reached
 */
export async function refundOrder(deps: PaymentDeps, orderId: string): Promise<OrderRefund> {
  const { db, provider, logger } = deps;
  const order = await getOrder(db, orderId);
  if (!order) throw new CloudburstError('not_found', `order ${orderId} not found`, { field: 'id', value: orderId });
  assertOrderTransition(order.status, 'refunded', orderId);

  const payment = (await listPaymentsOfOrder(db, orderId)).find((candidate) => candidate.appliedAt !== null);
  if (!payment) {
    throw new CloudburstError('conflict', `order ${orderId} is ${order.status} but no payment paid it, so there is nothing to refund`, { field: 'id', value: orderId });
  }

  if (payment.status !== 'refunded' && payment.provider !== FREE_ORDER_PROVIDER) {
    // One key per payment, so a repeated request or a second staff member refunds once.
    const refund = await provider.refund({ paymentId: payment.id, idempotencyKey: `refund-order:${payment.id}` });
    if (refund.status === 'failed') {
      logger.warn({ orderId, paymentId: payment.id, reason: refund.reason }, 'refund failed');
      throw new CloudburstError('unavailable', `refund of payment ${payment.id} failed: ${refund.reason ?? 'no reason given'}; try again`, {
        field: 'id',
        value: orderId,
        retriable: true,
      });
    }
    if (refund.status === 'pending') {
      logger.info({ orderId, paymentId: payment.id, refundId: refund.refundId }, 'refund pending; the provider webhook completes it');
      return { order, status: 'pending', amountMinor: refund.amountMinor };
    }
  }

  await setPaymentStatus(db, payment.id, 'refunded', deps.now());
  const refunded = await setOrderStatus(db, orderId, 'refunded', 'staff', deps.now());
  logger.info({ orderId, paymentId: payment.id, amountMinor: payment.amountMinor }, 'order refunded');
  await deps.onOrderChanged?.(refunded);
  return { order: refunded, status: 'succeeded', amountMinor: payment.amountMinor };
}
