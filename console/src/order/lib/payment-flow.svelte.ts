import { normalizeCardNumber } from '../../../../payments/card.js';
import type { OrderMessageKey } from '../messages/index.js';
import { declineMessage } from './declines.js';
import { errorMessage, type PageMessage } from './errors.js';
import { ApiError, apiErrorOf, send, sendForBody, type HttpReply, type HttpRequest } from '../../../../sdk/orders/http.js';
import { IdempotencyKeys, REQUEST_RETRY, retryRetriable } from './idempotency.js';
import type { OrderTracker } from './order-tracker.svelte.js';
import { cardFieldMessage, cardFormFieldOf, checkCardForm, isCardFieldError, parseExpiry, readPaymentReply, type CardForm, type CardFormField, type PaymentOutcome } from './payment.js';
import { cardTokenRequest, confirmPaymentRequest, payRequest } from '../../../../sdk/orders/requests.js';

/**
 * Step of the payment:
 * - `card`: the form; `working`: a request in flight; `authenticate`: the sandbox's prompt.
 * - `processing`: a payment the provider still settles; `retry`: a payment that got no reply.
 * - `paid`: the end; `refunded`: a charge returned because the order could no longer be paid.
 */
export type PaymentStep = 'card' | 'working' | 'authenticate' | 'processing' | 'retry' | 'paid' | 'refunded';

/** The card as the tokenizer describes it: never the number. */
export interface CardSummary {
  brand: string;
  last4: string;
}

/** The payment of one order with the sandbox provider. */
export class PaymentFlow {
  step = $state<PaymentStep>('card');
  /** A decline, a refund or a failed request, shown above the form. */
  notice = $state<PageMessage | null>(null);
  fieldErrors = $state<Partial<Record<CardFormField, OrderMessageKey>>>({});
  card = $state<CardSummary | null>(null);
  /** Reason of the refund, such as `already_redeemed` for a code another order used first, or null without a refund. */
  refundReason: string | null = null;

  readonly #tracker: OrderTracker;
  readonly #keys = new IdempotencyKeys();
  #paymentId: string | null = null;
  /** The token of the last card, kept only to repeat a payment that got no reply. It is not the card number. */
  #pendingMethod: string | null = null;
  /** True while the request in flight answers the authentication prompt, whose failure has its own sentence. */
  #afterAuthentication = false;

  constructor(tracker: OrderTracker) {
    this.#tracker = tracker;
  }

  /**
   * Checks the card, exchanges it for a token, clears the number through `clearCard`
   * and pays with the token. The number goes to the tokenizer only. It stays in the form
   * after a failed check or tokenization, for the customer to correct, and nowhere else.
   */
  async payWithCard(form: CardForm, clearCard: () => void): Promise<void> {
    this.notice = null;
    this.fieldErrors = checkCardForm(form);
    const expiry = parseExpiry(form.expiry);
    if (Object.keys(this.fieldErrors).length > 0 || expiry === null) return;

    this.step = 'working';
    let token: { token: string; brand: string; last4: string };
    try {
      token = await sendForBody(cardTokenRequest({ number: normalizeCardNumber(form.number), cvc: form.cvc.trim(), ...expiry }));
    } catch (error) {
      this.step = 'card';
      const field = isCardFieldError(error) ? cardFormFieldOf(error.field) : undefined;
      if (field !== undefined) this.fieldErrors = { [field]: cardFieldMessage(field, form.number) };
      else this.notice = errorMessage(error, (amount) => String(amount));
      return;
    }

    clearCard();
    this.card = { brand: token.brand, last4: token.last4 };
    await this.#pay(token.token);
  }

  /** Settles an order whose total is 0: no card is charged. */
  payNothing(): Promise<void> {
    this.notice = null;
    return this.#pay(null);
  }

  /** Repeats the payment that got no reply, with the same token and key. */
  retry(): Promise<void> {
    return this.#pay(this.#pendingMethod);
  }

  /** Sends the customer's choice on the sandbox's authentication prompt. */
  async confirm(authenticated: boolean): Promise<void> {
    const session = this.#tracker.session;
    if (session === null || this.#paymentId === null) return;
    this.step = 'working';
    this.#afterAuthentication = true;
    await this.#run(confirmPaymentRequest(session.orderId, session.orderToken, this.#paymentId, authenticated));
  }

  async #pay(paymentMethod: string | null): Promise<void> {
    const session = this.#tracker.session;
    if (session === null) return;
    this.step = 'working';
    this.#afterAuthentication = false;
    this.#pendingMethod = paymentMethod;
    const key = this.#keys.keyFor(paymentMethod ?? 'no card');
    await this.#run(payRequest(session.orderId, session.orderToken, paymentMethod, key));
  }

  async #run(request: HttpRequest): Promise<void> {
    let outcome: PaymentOutcome;
    try {
      const reply = await retryRetriable(() => sendRetriable(request), REQUEST_RETRY);
      outcome = readPaymentReply(reply);
    } catch (error) {
      const message = errorMessage(error, (amount) => String(amount));
      this.notice = message;
      // No reply leaves the payment unknown: it is repeated with the same key, never sent as a new one.
      this.step = message.key === 'error.network' || message.key === 'error.server' ? 'retry' : 'card';
      if (this.step === 'card') this.#keys.reset();
      // A 409 means the order is no longer placed, such as one cancelled meanwhile, so reading it again shows its status.
      if (error instanceof ApiError && error.status === 409) {
        this.#tracker.refresh().catch((refreshError: unknown) => console.warn('cloudburst: reading the order after a rejected payment failed', refreshError));
      }
      return;
    }
    this.#apply(outcome);
  }

  #apply(outcome: PaymentOutcome): void {
    this.#tracker.show(outcome.order);
    switch (outcome.kind) {
      case 'paid':
        this.step = 'paid';
        this.notice = null;
        this.#keys.reset();
        return;
      case 'requires_action':
        this.#paymentId = outcome.paymentId;
        this.step = 'authenticate';
        return;
      case 'processing':
        // The provider's webhook settles it; the order's status then changes through a push or a poll.
        this.step = 'processing';
        return;
      case 'declined':
        this.step = 'card';
        this.notice = declineMessage(outcome, this.#afterAuthentication);
        this.#keys.reset();
        return;
      case 'refunded':
        this.step = 'refunded';
        this.refundReason = outcome.reason;
        this.notice = { key: outcome.reason === 'already_redeemed' ? 'payment.refundedCodeUsed' : 'payment.refunded', params: {} };
        this.#keys.reset();
        return;
    }
  }
}

/** Sends a request and turns a reply worth repeating (429, 5xx) into a thrown ApiError, so `retryRetriable` repeats it. */
async function sendRetriable(request: HttpRequest): Promise<HttpReply> {
  const reply = await send(request);
  if (reply.status === 429 || reply.status >= 500) throw apiErrorOf(reply);
  return reply;
}
