/**
 * The payment-provider interface the order flow calls. Providers keep no order
 * state of the product. They turn a provider token into a payment and report
 * outcomes as values. Card numbers never pass through this interface, only the
 * token a provider's own card form (or the sandbox tokenizer) produced.
 *
 * Errors that are the caller's mistake throw a CloudburstError:
 * `invalid_input` (bad argument, refund above the refundable amount),
 * `conflict` (idempotency key reused with other parameters, refund of a payment
 * that has not succeeded), `not_found` (unknown payment id) and `unauthorized`
 * (webhook signature). Everything the provider decides about the money comes
 * back as a result, including declines and provider outages.
 */

/** Card details a provider returns and the product may keep. */
export interface CardSummary {
  /** One of the brands `detectCardBrand` returns, such as `visa` or `amex`. */
  brand: string;
  last4: string;
  expMonth: number;
  /** Four-digit year. */
  expYear: number;
}

/**
 * - `succeeded`: the amount is captured.
 * - `requires_action`: the customer must authenticate (3-D Secure); follow `nextAction`, then call `confirmPayment`.
 * - `processing`: the provider has not decided yet; a webhook brings the outcome. The sandbox never returns it.
 * - `declined`: the issuer or the provider refused the card; ask the customer for another card.
 * - `failed`: no payment was made for another reason (authentication failed, provider outage, rejected API key).
 */
export type PaymentStatus = 'succeeded' | 'requires_action' | 'processing' | 'declined' | 'failed';

export interface NextAction {
  /** `redirect`: send the customer's browser to `url`. `sandbox_authenticate`: the page shows the sandbox's own approve / reject prompt. */
  type: 'redirect' | 'sandbox_authenticate';
  url?: string;
}

export interface PaymentResult {
  status: PaymentStatus;
  /** The provider's payment id. Absent only when no payment exists at the provider, for example after a timeout or a rejected API key. */
  paymentId?: string;
  /** Amount in minor units. Absent only when a confirm call got no usable reply, because then the adapter does not know it. */
  amountMinor?: number;
  /** ISO 4217 code, upper case; absent when `amountMinor` is. */
  currency?: string;
  card?: CardSummary;
  nextAction?: NextAction;
  /** Issuer's or provider's reason for a decline, such as `insufficient_funds`. */
  declineCode?: string;
  /** Text for logs and the staff console; may be shown to the customer for declines. */
  reason?: string;
  /**
   * True when trying again later may succeed (rate limit, outage, timeout, processing error).
   * Without a `paymentId` nothing was recorded, so retry with the same idempotency key. With
   * one, the provider stored this failed attempt under the key, so a retry needs a new key.
   */
  retriable?: boolean;
}

export interface CreatePaymentInput {
  orderId: string;
  /** Amount in the currency's minor unit (cents), a positive integer. */
  amountMinor: number;
  /** ISO 4217 code in either case; results carry it in upper case. */
  currency: string;
  /** Provider token for the card (`pm_...`), never a card number. */
  paymentMethod: string;
  /** One key per attempt; the same key with the same input returns the first result and charges once. */
  idempotencyKey: string;
  description?: string;
  /** Page the provider sends the customer back to after authentication, in place of the provider's default. The sandbox ignores it. */
  returnUrl?: string;
}

export interface ConfirmPaymentInput {
  idempotencyKey: string;
  /**
   * Sandbox only: the customer's answer on the sandbox authentication prompt.
   * Real providers learn the outcome of authentication themselves and ignore it.
   */
  authenticated?: boolean;
}

export interface RefundInput {
  paymentId: string;
  /** Amount to refund in minor units; omitted means everything not yet refunded. */
  amountMinor?: number;
  idempotencyKey: string;
}

/** `pending`: the provider accepted the refund but the money has not moved yet; a webhook brings the outcome. */
export type RefundStatus = 'succeeded' | 'pending' | 'failed';

export interface RefundResult {
  status: RefundStatus;
  /** Absent when the provider created no refund (timeout, outage, rejected API key). */
  refundId?: string;
  paymentId: string;
  /** The amount of this refund; for an omitted input amount, the amount the provider computed, or 0 when unknown. */
  amountMinor: number;
  currency?: string;
  reason?: string;
  retriable?: boolean;
}

interface WebhookEventBase {
  /** The provider's event id; the same event delivered twice has the same id, so handlers deduplicate on it. */
  id: string;
  /** The provider's own event type, such as `payment_intent.succeeded`, for logs. */
  providerType: string;
  /** Epoch milliseconds at which the provider created the event. */
  createdAt: number;
}

/** A payment changed state. */
export interface PaymentWebhookEvent extends WebhookEventBase {
  type: 'payment';
  paymentId: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: string;
  /** The order id given to `createPayment`, when the event carries it. */
  orderId?: string;
  declineCode?: string;
}

/** A refund changed state. */
export interface RefundWebhookEvent extends WebhookEventBase {
  type: 'refund';
  refundId: string;
  paymentId: string;
  status: RefundStatus;
  amountMinor: number;
  currency: string;
}

/** An event the order flow does not act on; verified, so it is safe to acknowledge. */
export interface OtherWebhookEvent extends WebhookEventBase {
  type: 'other';
}

export type WebhookEvent = PaymentWebhookEvent | RefundWebhookEvent | OtherWebhookEvent;

/** Request headers as the web framework gives them; names are matched without regard to case. */
export type WebhookHeaders = Record<string, string | undefined>;

export interface PaymentProvider {
  /** `sandbox` or `stripe`, for logs and stored payments. */
  readonly name: string;

  /** Charges `paymentMethod`, or reports why not. Idempotent per `idempotencyKey`. */
  createPayment(input: CreatePaymentInput): Promise<PaymentResult>;

  /** Finishes a payment left in `requires_action` after the customer authenticated. Idempotent per `idempotencyKey`. */
  confirmPayment(paymentId: string, input: ConfirmPaymentInput): Promise<PaymentResult>;

  /** Refunds all or part of a succeeded payment, never more than it captured. Idempotent per `idempotencyKey`. */
  refund(input: RefundInput): Promise<RefundResult>;

  /**
   * Checks the signature of a webhook request against its raw body and returns the
   * normalized event. Throws a CloudburstError `unauthorized` for a missing, malformed,
   * stale or wrong signature, and `invalid_input` for a body that is not an event.
   */
  verifyWebhook(rawBody: string, headers: WebhookHeaders): WebhookEvent;
}
