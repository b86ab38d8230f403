/**
 * Mapping of Stripe's replies to the provider interface's results. The functions
 * are pure, so each mapping is tested without a server.
 *
 * Error replies (https://docs.stripe.com/api/errors):
 * - 402 or `card_error`: `declined`, with `decline_code` (or `code` when the issuer gave none).
 * - 429 (rate limit), 409 (same idempotency key still in flight), 5xx: `failed`, retriable.
 * - 401 (bad key), 403 (key lacks permission), other 4xx: `failed`, not retriable.
 * - `idempotency_error`: throws `conflict`; `resource_missing`: throws `not_found`
 *   (or `invalid_input` on `paymentMethod` when the payment method is the missing one).
 * A `Stripe-Should-Retry` header, when present, decides `retriable` for `failed`.
 */
import { CloudburstError } from '../common/errors.js';
import type { StripeError, StripePaymentIntent, StripeRefund } from './stripe-objects.js';
import type { CardSummary, PaymentResult, PaymentStatus, RefundResult, RefundStatus } from './types.js';

/** An error reply of the API; `error` is undefined when the body was not Stripe's error shape (a proxy's HTML page). */
export interface StripeFailure {
  httpStatus: number;
  error?: StripeError;
  /** `Stripe-Should-Retry` header: true, false or absent. */
  shouldRetry?: boolean;
  /** `Request-Id` header, for logs and support tickets. */
  requestId?: string;
}

/** Amount and currency of a create request, for results whose reply does not carry them. */
export interface RequestedAmount {
  amountMinor: number;
  currency: string;
}

const MAX_REASON_CHARS = 300;

/** Stripe's error code when the customer failed or abandoned 3-D Secure. */
const AUTHENTICATION_FAILURE = 'payment_intent_authentication_failure';

/** Maps a PaymentIntent, as a create or confirm call returned it, to a result. */
export function paymentResultFromIntent(intent: StripePaymentIntent): PaymentResult {
  const result: PaymentResult = {
    status: 'failed',
    paymentId: intent.id,
    amountMinor: intent.amount,
    currency: intent.currency.toUpperCase(),
  };
  const card = cardOf(intent.payment_method);
  if (card !== undefined) result.card = card;

  const status = paymentStatusOfIntent(intent);
  if (status === 'requires_action') {
    const url = intent.next_action?.type === 'redirect_to_url' ? intent.next_action.redirect_to_url?.url : undefined;
    if (typeof url === 'string' && url !== '') {
      return { ...result, status, nextAction: { type: 'redirect', url } };
    }
    // Every create sends a return_url, so card authentication comes back as a redirect.
    // Any other next action would need Stripe.js, which the customer's page does not load.
    return {
      ...result,
      status: 'failed',
      reason: `Stripe asked for next action ${JSON.stringify(intent.next_action?.type ?? null)}, which this integration cannot perform`,
      retriable: false,
    };
  }
  if (status === 'declined' || status === 'failed') {
    const lastError = intent.last_payment_error;
    const declineCode = lastError?.decline_code ?? lastError?.code ?? undefined;
    return {
      ...result,
      status,
      ...(status === 'declined' && declineCode !== undefined ? { declineCode } : {}),
      reason: clip(lastError?.message ?? `Stripe payment intent is ${intent.status}`),
      retriable: false,
    };
  }
  return { ...result, status };
}

/**
 * Returns the interface status of a PaymentIntent. After an attempt, `requires_payment_method`
 * is `declined` when the issuer refused the card and `failed` otherwise. `canceled` is `failed`.
 * A status this integration never creates (`requires_capture`, `requires_confirmation`) is
 * also `failed`, so an order is never marked paid on it.
 */
export function paymentStatusOfIntent(intent: StripePaymentIntent): PaymentStatus {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'requires_action':
      return 'requires_action';
    case 'processing':
      return 'processing';
    case 'requires_payment_method':
      // A failed 3-D Secure challenge is a card_error at Stripe; the interface calls it failed, not declined.
      if (intent.last_payment_error?.code === AUTHENTICATION_FAILURE) return 'failed';
      return intent.last_payment_error?.type === 'card_error' ? 'declined' : 'failed';
    default:
      return 'failed';
  }
}

/**
 * Maps an error reply of a create or confirm call.
 *
 * @throws CloudburstError `conflict`, `not_found` or `invalid_input`, see the file header
 */
export function paymentResultFromFailure(failure: StripeFailure, call: { requested?: RequestedAmount; paymentId?: string }): PaymentResult {
  const requested = call.requested;
  const error = failure.error;
  const intent = error?.payment_intent ?? undefined;
  const base: PaymentResult = { status: 'failed', ...amountOf(intent, requested) };
  if (intent !== undefined) base.paymentId = intent.id;
  const card = cardOf(error?.payment_method) ?? cardOf(intent?.payment_method);
  if (card !== undefined) base.card = card;

  // Confirming a payment that has already left requires_action reports it as it is,
  // as the sandbox does, so a repeated confirm is harmless.
  if (error?.code === 'payment_intent_unexpected_state' && intent !== undefined && intent.status !== 'requires_confirmation') {
    return paymentResultFromIntent(intent);
  }
  if (error?.code === AUTHENTICATION_FAILURE) {
    return { ...base, status: 'failed', reason: clip(error.message ?? 'the customer did not complete authentication'), retriable: false };
  }
  if (failure.httpStatus === 402 || error?.type === 'card_error') {
    const declineCode = error?.decline_code ?? error?.code ?? undefined;
    return {
      ...base,
      status: 'declined',
      ...(declineCode === undefined ? {} : { declineCode }),
      reason: clip(error?.message ?? 'the card was declined'),
      retriable: false,
    };
  }

  throwForCallerMistake(failure, call.paymentId);
  return { ...base, ...describeFailure(failure) };
}

/** Maps a Refund object to a result. */
export function refundResultFromRefund(refund: StripeRefund, paymentId: string): RefundResult {
  const status = refundStatusOf(refund.status);
  const result: RefundResult = {
    status,
    refundId: refund.id,
    paymentId: paymentIdOf(refund) ?? paymentId,
    amountMinor: refund.amount,
    currency: refund.currency.toUpperCase(),
  };
  if (status === 'failed') {
    result.reason = clip(`Stripe refund ${refund.status ?? 'failed'}${refund.failure_reason ? ` (${refund.failure_reason})` : ''}`);
    result.retriable = false;
  }
  return result;
}

/**
 * Maps an error reply of a refund call.
 *
 * @throws CloudburstError `invalid_input` on `amountMinor` above the refundable amount,
 *   `conflict` for a payment already fully refunded or not refundable, and as for payments
 */
export function refundResultFromFailure(failure: StripeFailure, paymentId: string, amountMinor: number | undefined): RefundResult {
  const code = failure.error?.code ?? undefined;
  const message = clip(failure.error?.message ?? '');
  if (code === 'amount_too_large') {
    throw new CloudburstError('invalid_input', `invalid amountMinor: ${amountMinor ?? 'the remainder'} is more than Stripe can refund (${message})`, {
      field: 'amountMinor',
      value: amountMinor,
    });
  }
  if (code === 'charge_already_refunded' || code === 'payment_intent_unexpected_state') {
    throw new CloudburstError('conflict', `Stripe payment ${paymentId} cannot be refunded: ${message} (${code})`, { field: 'paymentId', value: paymentId });
  }

  throwForCallerMistake(failure, paymentId);
  return { status: 'failed', paymentId, amountMinor: amountMinor ?? 0, ...describeFailure(failure) };
}

export function refundStatusOf(status: string | null | undefined): RefundStatus {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'pending' || status === 'requires_action') return 'pending';
  return 'failed';
}

export function cardOf(method: unknown): CardSummary | undefined {
  if (method === null || typeof method !== 'object') return undefined;
  const card = (method as { card?: { brand: string; last4: string; exp_month: number; exp_year: number } | null }).card;
  if (card === undefined || card === null) return undefined;
  return { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year };
}

/** Amount and currency from the PaymentIntent in the reply, else from the request, else none. */
export function amountOf(intent: StripePaymentIntent | undefined, requested: RequestedAmount | undefined): { amountMinor?: number; currency?: string } {
  if (intent !== undefined) return { amountMinor: intent.amount, currency: intent.currency.toUpperCase() };
  if (requested !== undefined) return { amountMinor: requested.amountMinor, currency: requested.currency.toUpperCase() };
  return {};
}

function paymentIdOf(refund: StripeRefund): string | undefined {
  const intent = refund.payment_intent;
  if (intent === undefined || intent === null) return undefined;
  return typeof intent === 'string' ? intent : intent.id;
}

function throwForCallerMistake(failure: StripeFailure, paymentId?: string): void {
  const error = failure.error;
  if (error?.type === 'idempotency_error') {
    throw new CloudburstError('conflict', `Stripe rejected the idempotency key (${clip(error.message ?? 'it was used with other parameters')}); use a new key for a new attempt`, {
      field: 'idempotencyKey',
    });
  }
  if (error?.code === 'resource_missing' || failure.httpStatus === 404) {
    if (error?.param === 'payment_method') {
      throw new CloudburstError('invalid_input', 'invalid paymentMethod: Stripe has no such payment method; have the customer enter the card again', {
        field: 'paymentMethod',
      });
    }
    const detail = clip(error?.message ?? `HTTP ${failure.httpStatus}`);
    if (paymentId === undefined) throw new CloudburstError('not_found', `Stripe reported a missing resource (${detail})`);
    throw new CloudburstError('not_found', `Stripe payment ${JSON.stringify(paymentId)} not found (${detail})`, { field: 'paymentId', value: paymentId });
  }
}

/** Reason and retriable of a `failed` result for an error reply that is not a decline. */
function describeFailure(failure: StripeFailure): { reason: string; retriable: boolean } {
  const { httpStatus, error } = failure;
  const detail = error === undefined ? `HTTP ${httpStatus}` : [error.type, error.code, error.param ? `on ${error.param}` : undefined].filter(Boolean).join(' ');
  const message = error?.message ? `: ${clip(error.message)}` : '';
  const requestId = failure.requestId === undefined ? '' : ` [${failure.requestId}]`;

  let described: { reason: string; retriable: boolean };
  if (httpStatus === 401) {
    // Stripe's 401 message quotes part of the key, so it is left out.
    described = { reason: `Stripe rejected the secret key (401); check the configured key${requestId}`, retriable: false };
  } else if (httpStatus === 403) {
    described = { reason: `the Stripe key lacks permission for this request (403, ${detail})${requestId}`, retriable: false };
  } else if (httpStatus === 429) {
    described = { reason: `Stripe rate limit reached (429, ${detail})${requestId}`, retriable: true };
  } else if (httpStatus === 409) {
    described = { reason: `Stripe is still processing a request with this idempotency key (409, ${detail})${requestId}`, retriable: true };
  } else if (httpStatus >= 500) {
    described = { reason: `Stripe API error (${httpStatus}, ${detail})${message}${requestId}`, retriable: true };
  } else {
    described = { reason: `Stripe rejected the request (${httpStatus}, ${detail})${message}${requestId}`, retriable: false };
  }

  if (failure.shouldRetry !== undefined) described.retriable = failure.shouldRetry;
  return { reason: clip(described.reason), retriable: described.retriable };
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_REASON_CHARS ? `${oneLine.slice(0, MAX_REASON_CHARS)}…` : oneLine;
}
