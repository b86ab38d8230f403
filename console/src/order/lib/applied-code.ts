import { ApiError } from '../../../../sdk/orders/http.js';
import type { PageMessage } from './errors.js';
import type { CustomerOrder } from './order-status.js';

/**
 * The code that goes with the next order. A code the server rejected for good is removed
 * from the cart, so the customer's next tap orders without it instead of getting the same
 * rejection again. The customer can also remove a code, and apply it again with the code form.
 */

/** A code taken off the cart, with the server's reason, or null when the customer removed it. */
export interface RemovedCode {
  code: string;
  reason: PageMessage | null;
}

/**
 * Reasons for rejecting a code that no edit of the cart or the customer's details can fix.
 * A minimum spend, a free item, a currency or a missing phone or email stay, because the
 * customer can meet them. `foreign` is here although a phone or email may match the
 * recipient of a single-use code: the customer can apply the code again after typing one.
 */
const FINAL_CODE_REASONS: ReadonlySet<string> = new Set(['unknown', 'malformed', 'foreign', 'campaign_not_live', 'not_yet_valid', 'expired', 'already_redeemed']);

/** Returns true when an order request failed because its code can never be used for this order. */
export function isFinalCodeRejection(error: unknown): boolean {
  return error instanceof ApiError && error.reason !== undefined && FINAL_CODE_REASONS.has(error.reason);
}

/** Action on the code of a finished order when the customer starts a new one. */
export type CodeAfterOrder = { action: 'none' } | { action: 'look_up'; code: string } | { action: 'remove'; code: string };

/**
 * Decides what happens to the code of a finished order for the next order. A paid order
 * redeemed its code, and a code is redeemable once per customer (a single-use code once at
 * all), so it is removed. So is a code the payment step found already redeemed, which
 * refunded and cancelled the order. Any other code is looked up again, because its state
 * may have changed while the customer waited.
 *
 * @param refundReason the reason of the payment's refund on this page, or null without one
 */
export function codeAfterOrder(order: Pick<CustomerOrder, 'status' | 'code'>, refundReason: string | null): CodeAfterOrder {
  if (order.code === null) return { action: 'none' };
  const redeemed = order.status === 'paid' || order.status === 'preparing' || order.status === 'ready' || order.status === 'picked_up' || order.status === 'refunded';
  if (redeemed || refundReason === 'already_redeemed') return { action: 'remove', code: order.code };
  return { action: 'look_up', code: order.code };
}
