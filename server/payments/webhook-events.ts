/**
 * Applies verified payment-provider webhook events to orders. Each event id is recorded
 * first, so a redelivered event changes nothing. The handlers are idempotent as well,
 * because the payment route may have applied the same outcome already.
 */
import type { PaymentWebhookEvent, RefundWebhookEvent, WebhookEvent } from '../../payments/types.js';
import type { OrderStatus } from '../../orders/status.js';
import { setOrderStatus } from '../orders/status.js';
import { getOrder } from '../repos/orders.js';
import { getPayment, recordPaymentEvent, setPaymentStatus, upsertPayment, WEBHOOK_KEY_PREFIX } from './repo.js';
import { settleSucceededPayment, type PaymentDeps } from './settle.js';

/** Statuses of an order that a full refund of the payment that paid it moves to refunded. */
const REFUNDABLE: ReadonlySet<OrderStatus> = new Set(['paid', 'preparing', 'ready', 'picked_up']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records and applies one event. Returns false for an event recorded before, which is
 * skipped. When applying throws, the record is removed again so the provider's retry
 * applies it.
 */
export async function handlePaymentEvent(deps: PaymentDeps, event: WebhookEvent): Promise<boolean> {
  const provider = deps.provider.name;
  const fresh = await recordPaymentEvent(deps.db, provider, event.id, deps.now());
  if (!fresh) {
    deps.logger.info({ provider, eventId: event.id, type: event.providerType }, 'payment webhook event already processed; skipped');
    return false;
  }

  try {
    if (event.type === 'payment') await applyPaymentEvent(deps, event);
    else if (event.type === 'refund') await applyRefundEvent(deps, event);
  } catch (error) {
    await deps.db.query(`DELETE FROM payment_events WHERE provider = $1 AND event_id = $2`, [provider, event.id]);
    throw error;
  }
  return true;
}

async function applyPaymentEvent(deps: PaymentDeps, event: PaymentWebhookEvent): Promise<void> {
  let payment = await getPayment(deps.db, event.paymentId);
  if (!payment) {
    // The payment request did not get to store the payment, for example because its process stopped.
    const order = event.orderId !== undefined && UUID.test(event.orderId) ? await getOrder(deps.db, event.orderId.toLowerCase()) : undefined;
    if (!order) {
      deps.logger.warn({ eventId: event.id, paymentId: event.paymentId, orderId: event.orderId }, 'payment webhook event for an unknown order; ignored');
      return;
    }
    payment = await upsertPayment(deps.db, {
      id: event.paymentId,
      orderId: order.id,
      provider: deps.provider.name,
      idempotencyKey: `${WEBHOOK_KEY_PREFIX}${event.paymentId}`,
      status: event.status,
      amountMinor: event.amountMinor,
      currency: event.currency,
      declineCode: event.declineCode,
      at: deps.now(),
    });
  } else if (payment.status !== 'succeeded' && payment.status !== 'refunded') {
    await setPaymentStatus(deps.db, payment.id, event.status, deps.now());
  }

  if (event.status === 'succeeded') {
    const settlement = await settleSucceededPayment(deps, payment.id);
    deps.logger.info({ eventId: event.id, orderId: settlement.order.id, paymentId: payment.id, settlement: settlement.kind }, 'payment webhook event applied');
  }
}

async function applyRefundEvent(deps: PaymentDeps, event: RefundWebhookEvent): Promise<void> {
  if (event.status !== 'succeeded') return;
  const payment = await getPayment(deps.db, event.paymentId);
  if (!payment) {
    deps.logger.warn({ eventId: event.id, paymentId: event.paymentId }, 'refund webhook event for an unknown payment; ignored');
    return;
  }
  if (event.amountMinor < payment.amountMinor) {
    // NOTE: the event carries this refund's amount only, so several partial refunds that add up to the whole never mark the order refunded.
    deps.logger.info({ eventId: event.id, paymentId: payment.id, amountMinor: event.amountMinor }, 'partial refund; order status unchanged');
    return;
  }

  await setPaymentStatus(deps.db, payment.id, 'refunded', deps.now());
  const order = await getOrder(deps.db, payment.orderId);
  // Only the payment that paid the order decides its status; refunds of extra payments leave it alone.
  if (payment.appliedAt === null || !order || !REFUNDABLE.has(order.status)) return;
  const refunded = await setOrderStatus(deps.db, order.id, 'refunded', 'payment', deps.now());
  await deps.onOrderChanged?.(refunded);
  deps.logger.info({ eventId: event.id, orderId: order.id, paymentId: payment.id }, 'order refunded');
}
