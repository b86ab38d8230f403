import { checkoutErrors, clearFieldError, NO_CHECKOUT_ERRORS, type CheckoutErrors, type CheckoutField } from './checkout-errors.js';
import { checkCustomerForm } from './customer-check.js';
import type { PageMessage } from './errors.js';
import { ApiError, sendForBody } from '../../../../sdk/orders/http.js';
import { IdempotencyKeys, REQUEST_RETRY, retryRetriable } from './idempotency.js';
import { readCustomerOrder, type CustomerOrder } from './order-status.js';
import { placeOrderRequest, type CustomerForm, type OrderRequestBody } from '../../../../sdk/orders/requests.js';

/** Placing the order: one Idempotency-Key per request body, retried on network failures, errors by field. */
export class Checkout {
  busy = $state(false);
  errors = $state<CheckoutErrors>(NO_CHECKOUT_ERRORS);

  // NOTE: the key lives in memory only. After a reload during a request that got no reply,
  // the next tap sends a new key, and an order the lost request made stays placed and unpaid.
  readonly #keys = new IdempotencyKeys();

  /** The ApiError of the last failed order, such as a rejection naming `customer.deviceToken`; null after a success. */
  rejection: ApiError | null = null;

  /**
   * Sends the order and returns it with its token, or null after a failure, which
   * `errors` then describes. A retry of the same body, automatic or by a second tap,
   * reuses the key, so the server returns the first order instead of a second one.
   */
  async place(body: OrderRequestBody, formatMoney: (amountMinor: number) => string): Promise<{ order: CustomerOrder; orderToken: string } | null> {
    this.busy = true;
    this.errors = NO_CHECKOUT_ERRORS;
    this.rejection = null;
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
      this.rejection = error instanceof ApiError ? error : null;
      this.errors = checkoutErrors(error, formatMoney);
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Checks the customer's details in the page and shows each problem under its field. Returns true when there is none. */
  validate(customer: CustomerForm): boolean {
    const fields = checkCustomerForm(customer);
    this.errors = { fields, lines: {}, form: null };
    return Object.keys(fields).length === 0;
  }

  /** Removes the errors an edit of the control may have resolved. */
  clearField(edited: Exclude<CheckoutField, 'code'> | 'smsUpdates'): void {
    this.errors = clearFieldError(this.errors, edited);
  }

  /** Removes the error under the code and returns it, for a notice that outlives the form's errors. */
  takeCodeError(): PageMessage | null {
    const { code, ...fields } = this.errors.fields;
    this.errors = { ...this.errors, fields };
    return code ?? null;
  }

  clearErrors(): void {
    this.errors = NO_CHECKOUT_ERRORS;
  }
}
