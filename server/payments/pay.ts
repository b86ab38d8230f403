/**
 * Paying an order with the configured payment provider: charge the order's total,
 * store the outcome with the card's brand and last four digits only, and settle a
 * succeeded payment (see settle.ts).
 */
import { CloudburstError } from '../../common/errors.js';
import type { PaymentResult } from '../../payments/types.js';
import type { Order } from '../repos/orders.js';
import { deleteUnchargedPaymentsOfKey, findPaymentByKey, getPayment, upsertPayment, type StoredPayment } from './repo.js';
import { FREE_ORDER_PROVIDER, settleSucceededPayment, type PaymentDeps, type Settlement } from './settle.js';

/** Outcome of one payment request. */
export type PaymentOutcome =
  | Settlement
  | { kind: 'requires_action'; order: Order; payment: StoredPayment; nextAction: NonNullable<PaymentResult['nextAction']> }
  | { kind: 'processing'; order: Order; payment: StoredPayment }
  | { kind: 'declined' | 'failed'; order: Order; payment: StoredPayment; reason: string; retriable: boolean };

/**
 * Charges the order's total with `paymentMethod`. The same `idempotencyKey` returns the
 * first payment's outcome and charges once. An order whose discount made it free is
 * settled without a card and without `paymentMethod`.
 *
 * @throws conflict when the order is no longer placed, or the key was used with another card
 * @throws invalid_input naming `paymentMethod` when it is missing for a total above 0 or
 *   given for a free order, or a token the provider rejects
 * @throws unavailable when the provider could not be reached and made no payment
 */
export async function payOrder(deps: PaymentDeps, order: Order, paymentMethod: string | undefined, idempotencyKey: string): Promise<PaymentOutcome> {
  const earlier = await findPaymentByKey(deps.db, order.id, idempotencyKey);
  // A charge that went through is never made again for its key: settling it is enough, even
  // when the provider has forgotten the key (as the in-memory sandbox does across a restart).
  if (earlier && (earlier.status === 'succeeded' || earlier.status === 'refunded')) return settleSucceededPayment(deps, earlier.id);
  if (!earlier && order.status !== 'placed') {
    throw new CloudburstError('conflict', `order ${order.id} is ${order.status}; only a placed order can be paid`, { field: 'id', value: order.id, context: { status: order.status } });
  }
  if (order.totalMinor <= 0) return settleFreeOrder(deps, order, paymentMethod, idempotencyKey);
  if (paymentMethod === undefined) {
    throw new CloudburstError('invalid_input', `invalid paymentMethod: missing (order ${order.id} totals ${order.totalMinor} ${order.currency}; expected the token of the card)`, {
      field: 'paymentMethod',
    });
  }

  let result: PaymentResult;
  try {
    result = await deps.provider.createPayment({
      orderId: order.id,
      amountMinor: order.totalMinor,
      currency: order.currency,
      paymentMethod,
      // Provider keys are global, so the order id keeps two orders' keys apart.
      idempotencyKey: `order:${order.id}:${idempotencyKey}`,
    });
  } catch (error) {
    if (error instanceof CloudburstError && error.field === 'idempotencyKey') {
      throw new CloudburstError('conflict', `Idempotency-Key ${JSON.stringify(idempotencyKey)} was already used to pay order ${order.id} with another card; use a new key`, {
        field: 'Idempotency-Key',
        value: idempotencyKey,
      });
    }
    throw error;
  }
  const outcome = await recordResult(deps, order, idempotencyKey, result);
  // This request made the charge, so it replies as the first payment even when the provider's
  // webhook settled the order a moment earlier.
  return !earlier && outcome.kind === 'paid' ? { ...outcome, alreadyPaid: false } : outcome;
}

/**
 * Completes a payment left in `requires_action` with the customer's answer on the
 * sandbox authentication prompt; a repeated confirm returns the same outcome.
 *
 * @throws not_found when the payment is not one of the order's
 */
export async function confirmOrderPayment(deps: PaymentDeps, order: Order, paymentId: string, authenticated: boolean): Promise<PaymentOutcome> {
  const payment = await getPayment(deps.db, paymentId);
  if (!payment || payment.orderId !== order.id) {
    throw new CloudburstError('not_found', `payment ${paymentId} of order ${order.id} not found`, { field: 'paymentId', value: paymentId });
  }
  const result = await deps.provider.confirmPayment(paymentId, { idempotencyKey: `confirm:${paymentId}:${authenticated}`, authenticated });
  const outcome = await recordResult(deps, order, payment.idempotencyKey, result);
  // As in payOrder, the first confirm that paid replies as the first payment, even when the webhook settled the order.
  return payment.appliedAt === null && payment.status !== 'succeeded' && outcome.kind === 'paid' ? { ...outcome, alreadyPaid: false } : outcome;
}

async function recordResult(deps: PaymentDeps, order: Order, idempotencyKey: string, result: PaymentResult): Promise<PaymentOutcome> {
  if (result.paymentId === undefined) {
    throw new CloudburstError('unavailable', `payment provider ${deps.provider.name} made no payment: ${result.reason ?? 'no reason given'}; retry with the same Idempotency-Key`, {
      field: 'paymentMethod',
      retriable: true,
    });
  }

  // A provider that forgot the key made a new payment: the earlier one of this key never charged
  // the card (succeeded ones return above), so the new one takes its place.
  await deleteUnchargedPaymentsOfKey(deps.db, order.id, idempotencyKey, result.paymentId);
  const payment = await upsertPayment(deps.db, {
    id: result.paymentId,
    orderId: order.id,
    provider: deps.provider.name,
    idempotencyKey,
    status: result.status,
    amountMinor: result.amountMinor ?? order.totalMinor,
    currency: result.currency ?? order.currency.toUpperCase(),
    cardBrand: result.card?.brand,
    cardLast4: result.card?.last4,
    declineCode: result.declineCode,
    at: deps.now(),
  });
  deps.logger.info({ orderId: order.id, paymentId: payment.id, status: result.status, declineCode: result.declineCode }, 'payment recorded');

  // A provider replays a cached first result for a repeated key, which may predate a confirm that has since succeeded.
  const status = payment.status === 'succeeded' || payment.status === 'refunded' ? 'succeeded' : result.status;
  switch (status) {
    case 'succeeded':
      return settleSucceededPayment(deps, payment.id);
    case 'requires_action':
      return { kind: 'requires_action', order, payment, nextAction: result.nextAction ?? { type: 'sandbox_authenticate' } };
    case 'processing':
      return { kind: 'processing', order, payment };
    case 'declined':
    case 'failed':
      return { kind: status, order, payment, reason: result.reason ?? `the payment ${status}`, retriable: result.retriable ?? false };
  }
}

/**
 * Settles an order that totals 0: a stored payment of 0 from the provider "none" takes the
 * usual settlement, which redeems the code and assigns the pickup number, so a second
 * request finds it and changes nothing.
 */
async function settleFreeOrder(deps: PaymentDeps, order: Order, paymentMethod: string | undefined, idempotencyKey: string): Promise<PaymentOutcome> {
  if (paymentMethod !== undefined) {
    throw new CloudburstError('invalid_input', `invalid paymentMethod: a card token (order ${order.id} totals 0 ${order.currency}, so send no paymentMethod)`, {
      field: 'paymentMethod',
    });
  }
  const payment = await upsertPayment(deps.db, {
    id: `free_${order.id}`,
    orderId: order.id,
    provider: FREE_ORDER_PROVIDER,
    idempotencyKey,
    status: 'succeeded',
    amountMinor: 0,
    currency: order.currency.toUpperCase(),
    at: deps.now(),
  });
  deps.logger.info({ orderId: order.id, paymentId: payment.id }, 'free order settled without a card');
  return settleSucceededPayment(deps, payment.id);
}
