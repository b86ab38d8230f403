import { checkoutErrors, NO_CHECKOUT_ERRORS, type CheckoutErrors } from './errors.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { IdempotencyKeys, REQUEST_RETRY, retryRetriable } from './idempotency.js';
import { readCustomerOrder, type CustomerOrder } from './order-status.js';
import { placeOrderRequest, type OrderRequestBody } from '../../../../sdk/orders/requests.js';

/** Placing the order: one Idempotency-Key per request body, retried on network failures, errors by field. */
export class Checkout {
  busy = $state(false);
  errors = $state<CheckoutErrors>(NO_CHECKOUT_ERRORS);

  // NOTE: the key lives in memory only. After a reload during a request that got no reply,
  // the next tap sends a new key, and an order the lost request made stays placed and unpaid.
  readonly #keys = new IdempotencyKeys();

  /**
   * Sends the order and returns it with its token, or null after a failure, which
   * `errors` then describes. A retry of the same body, automatic or by a second tap,
   * reuses the key, so the server returns the first order instead of a second one.
   */
  async place(body: OrderRequestBody, formatMoney: (amountMinor: number) => string): Promise<{ order: CustomerOrder; orderToken: string } | null> {
    this.busy = true;
    this.errors = NO_CHECKOUT_ERRORS;
    const key = this.#keys.keyFor(JSON.stringify(body));
    try {
      const reply = await retryRetriable(() => sendForBody<{ orderToken?: unknown }>(placeOrderRequest(body, key)), REQUEST_RETRY);
      if (typeof reply?.orderToken !== 'string') throw new TypeError('invalid order reply: orderToken is not a string');
      const order = readCustomerOrder(reply);
      this.#keys.reset();
      return { order, orderToken: reply.orderToken };
    } catch (error) {
      // A rejected body gets the same rejection on every retry with its key, and a key the server refused
      // as used must change, so the next tap starts over. After no reply the key stays: the order may exist.
      if (error instanceof ApiError && !error.retriable) this.#keys.reset();
      this.errors = checkoutErrors(error, formatMoney);
      return null;
    } finally {
      this.busy = false;
    }
  }

  clearErrors(): void {
    this.errors = NO_CHECKOUT_ERRORS;
  }
}
