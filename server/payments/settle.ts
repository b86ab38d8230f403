/**
 * Settlement of a succeeded card payment: the step that redeems the order's code and
 * marks the order paid, or refunds the payment when the order can no longer be paid.
 * Both the payment route and the provider's webhook call it, and it is idempotent per
 * payment, so whichever arrives second changes nothing.
 */
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { PaymentProvider } from '../../payments/types.js';
import type { Db, Queryable } from '../../store/types.js';
import { redeemOrderCode, setOrderStatus } from '../orders/status.js';
import { RedemptionError } from '../redemption.js';
import { getOrder, type Order } from '../repos/orders.js';
import { getPayment, lockPayment, setPaymentStatus, type StoredPayment } from './repo.js';

/** The provider name of the zero payments that settle free orders (see pay.ts). */
export const FREE_ORDER_PROVIDER = 'none';

export interface PaymentDeps {
  db: Db;
  provider: PaymentProvider;
  logger: Logger;
  /** Epoch milliseconds. */
  now: () => number;
  /** Called after a change of an order's status committed, to tell the board and the phone. */
  onOrderChanged?: (order: Order) => Promise<void>;
}

export type Settlement =
  | { kind: 'paid'; order: Order; payment: StoredPayment; alreadyPaid: boolean }
  | { kind: 'refunded'; order: Order; payment: StoredPayment; error: CloudburstError };

/**
 * Settles a payment stored as succeeded. In one transaction it redeems the order's code
 * and moves the order to paid, which assigns the pickup number. When the code was
 * redeemed by another order meanwhile, or the order is no longer placed, none of that
 * is written. The payment is then refunded, and an order still placed is cancelled so
 * its specials are given back. The result carries the reason.
 *
 * @throws not_found for a payment that is not stored
 */
export async function settleSucceededPayment(deps: PaymentDeps, paymentId: string): Promise<Settlement> {
  const { db, logger } = deps;
  const at = deps.now();

  let rejection: CloudburstError;
  try {
    const settled = await db.transaction(async (tx) => {
      const payment = await lockPayment(tx, paymentId);
      if (!payment) throw new CloudburstError('not_found', `payment ${paymentId} not found`, { field: 'paymentId', value: paymentId });
      const order = (await getOrder(tx, payment.orderId))!;
      if (payment.appliedAt !== null) return { kind: 'paid', order, payment, alreadyPaid: true } as const;
      if (payment.status === 'refunded') throw refundedBefore(payment);
      if (order.status !== 'placed') {
        throw new CloudburstError('conflict', `order ${order.id} is ${order.status}, so payment ${paymentId} cannot pay it and is refunded`, {
          field: 'id',
          value: order.id,
          context: { reason: 'order_not_payable', status: order.status },
        });
      }

      await redeemOrderCode(tx, order, at);
      await setPaymentStatus(tx, paymentId, 'succeeded', at, true);
      const paid = await setOrderStatus(inTransaction(db, tx), order.id, 'paid', 'payment', at);
      logger.info({ orderId: order.id, paymentId, pickupNumber: paid.pickupNumber }, 'order paid');
      return { kind: 'paid', order: paid, payment: (await getPayment(tx, paymentId))!, alreadyPaid: false } as const;
    });
    if (!settled.alreadyPaid) await deps.onOrderChanged?.(settled.order);
    return settled;
  } catch (error) {
    const unpayable = error instanceof RedemptionError || (error instanceof CloudburstError && error.code === 'conflict');
    if (!unpayable) throw error;
    rejection = error as CloudburstError;
  }

  return refundRejected(deps, paymentId, rejection);
}

async function refundRejected(deps: PaymentDeps, paymentId: string, rejection: CloudburstError): Promise<Settlement> {
  const { db, provider, logger } = deps;
  const payment = (await getPayment(db, paymentId))!;
  const reason = rejection instanceof RedemptionError ? rejection.reason : rejection.context?.reason;

  if (payment.status !== 'refunded' && payment.provider === FREE_ORDER_PROVIDER) {
    // Nothing was charged for a free order, so there is nothing to give back.
    await setPaymentStatus(db, paymentId, 'refunded', deps.now());
  } else if (payment.status !== 'refunded') {
    // One key per payment, so the route and the webhook refunding the same payment refund it once.
    const refund = await provider.refund({ paymentId, idempotencyKey: `refund-unpayable:${paymentId}` });
    if (refund.status === 'failed') {
      // NOTE: the customer was charged for an order that will not be made; the staff must refund it by hand.
      logger.error({ orderId: payment.orderId, paymentId, reason, refundReason: refund.reason }, 'refund of an unpayable order failed; refund it in the provider dashboard');
    } else {
      await setPaymentStatus(db, paymentId, 'refunded', deps.now());
      logger.warn({ orderId: payment.orderId, paymentId, reason, refundId: refund.refundId }, 'payment refunded because its order cannot be paid');
    }
  }

  let order = (await getOrder(db, payment.orderId))!;
  if (rejection instanceof RedemptionError && order.status === 'placed') {
    order = await setOrderStatus(db, order.id, 'cancelled', 'payment', deps.now());
    await deps.onOrderChanged?.(order);
  }
  return { kind: 'refunded', order, payment: (await getPayment(db, paymentId))!, error: rejection };
}

function refundedBefore(payment: StoredPayment): CloudburstError {
  return new CloudburstError('conflict', `payment ${payment.id} was refunded because its order ${payment.orderId} could not be paid; place a new order`, {
    field: 'paymentId',
    value: payment.id,
    context: { reason: 'refunded' },
  });
}

/** Runs `setOrderStatus` inside an open transaction, so its writes commit or roll back with the code redemption. */
function inTransaction(db: Db, tx: Queryable): Db {
  return {
    kind: db.kind,
    query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params),
    transaction: <T>(work: (inner: Queryable) => Promise<T>) => work(tx),
    close: () => Promise.reject(new Error('the store cannot be closed from inside a transaction')),
  };
}
