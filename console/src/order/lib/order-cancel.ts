import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { cancelOrderRequest } from '../../../../sdk/orders/requests.js';
import { REQUEST_RETRY, retryRetriable, type RetryOptions } from './idempotency.js';
import { readCustomerOrder, type CustomerOrder } from './order-status.js';
import type { OrderSession } from './storage.js';

/**
 * Result of cancelling an unpaid order: `cancelled` with the order, or `not_placed` when
 * the server replied 409 because the order had left `placed`, for example because it was paid
 * or already cancelled. The caller reads the order again to learn which.
 */
export type CancelOutcome = { kind: 'cancelled'; order: CustomerOrder } | { kind: 'not_placed' };

/**
 * Cancels the followed order with `POST /v1/orders/:id/cancel`, so its specials go back on
 * sale before the customer changes the cart. A request that got no reply is sent again:
 * that is safe, because cancelling twice only turns the second reply into a 409.
 *
 * @throws ApiError for any failure other than the 409, after the retries
 * @throws TypeError for a 2xx reply without a readable order
 */
export async function cancelUnpaidOrder(
  session: Pick<OrderSession, 'orderId' | 'orderToken'>,
  options: { retry?: RetryOptions; fetch?: typeof fetch } = {},
): Promise<CancelOutcome> {
  const request = cancelOrderRequest(session.orderId, session.orderToken);
  try {
    const body = await retryRetriable(() => sendForBody<unknown>(request, options.fetch), options.retry ?? REQUEST_RETRY);
    return { kind: 'cancelled', order: readCustomerOrder(body) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) return { kind: 'not_placed' };
    throw error;
  }
}
