/**
 * Adapter for Stripe's PaymentIntents API over its REST interface: form-encoded
 * POSTs with the secret key as bearer token and an `Idempotency-Key` on every call.
 *
 * A payment is created and confirmed in one call with `confirmation_method=manual`.
 * When the card needs 3-D Secure, Stripe returns `requires_action` with a redirect URL.
 * The customer authenticates at the bank and comes back to `returnUrl`. The server
 * then calls `confirmPayment`, which posts `/confirm` to finish the payment.
 */
import { silentLogger, type Logger } from '../common/logger.js';
import { checkConfirmPaymentInput, checkCreatePaymentInput, checkRefundInput } from './input.js';
import { eventFromStripe } from './stripe-events.js';
import { errorBodySchema, paymentIntentSchema, refundSchema } from './stripe-objects.js';
import {
  paymentResultFromFailure,
  paymentResultFromIntent,
  refundResultFromFailure,
  refundResultFromRefund,
  type RequestedAmount,
  type StripeFailure,
} from './stripe-results.js';
import type { PaymentProvider, PaymentResult, RefundResult } from './types.js';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, findHeader, verifyWebhookSignature } from './webhook-signature.js';

export const STRIPE_API_BASE_URL = 'https://api.stripe.com';
/** Pinned so that the shape of replies and events does not change with the account's default version. */
export const STRIPE_API_VERSION = '2025-04-30.basil';
export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';
/** Allows for an issuer that takes several seconds to authorize. A retry with the same idempotency key is safe after a timeout. */
export const DEFAULT_STRIPE_TIMEOUT_MS = 20_000;

export interface StripeProviderOptions {
  /** Secret (`sk_...`) or restricted (`rk_...`) API key. It is sent only in the Authorization header and never logged. */
  secretKey: string;
  /** The webhook endpoint's signing secret (`whsec_...`). */
  webhookSecret: string;
  /** Page Stripe sends the customer back to after 3-D Secure; `createPayment`'s `returnUrl` overrides it. */
  returnUrl: string;
  /** Origin of the API, for tests against a stand-in; defaults to STRIPE_API_BASE_URL. */
  apiBaseUrl?: string;
  timeoutMs?: number;
  apiVersion?: string;
  webhookToleranceSeconds?: number;
  logger?: Logger;
  /** Epoch milliseconds, for webhook timestamps; tests fix it. */
  now?: () => number;
}

type StripeReply = { ok: true; status: number; json: unknown; requestId?: string } | { ok: false; failure: StripeFailure };

type NetworkFailure = { network: true; reason: string };

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  if (!/^(sk|rk)_\S+$/.test(options.secretKey)) {
    // The key itself is never echoed, not even in this error.
    throw new Error('invalid Stripe secretKey: expected a secret key (sk_...) or a restricted key (rk_...)');
  }
  if (options.webhookSecret === '') throw new Error('Stripe webhookSecret is empty; copy the signing secret (whsec_...) of the webhook endpoint');

  const secretKey = options.secretKey;
  const baseUrl = (options.apiBaseUrl ?? STRIPE_API_BASE_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_STRIPE_TIMEOUT_MS;
  const apiVersion = options.apiVersion ?? STRIPE_API_VERSION;
  const now = options.now ?? Date.now;
  const log = (options.logger ?? silentLogger()).child({ component: 'payments.stripe' });

  /** Posts a form and reads the reply; a network failure or timeout comes back as a value, never a throw. */
  async function post(path: string, form: URLSearchParams, idempotencyKey: string): Promise<StripeReply | NetworkFailure> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': idempotencyKey,
          'stripe-version': apiVersion,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { network: true, reason: describeNetworkError(error, timeoutMs) };
    }

    const requestId = response.headers.get('request-id') ?? undefined;
    const json = parseJsonOrUndefined(text);
    if (response.ok) return { ok: true, status: response.status, json, ...(requestId === undefined ? {} : { requestId }) };

    const body = errorBodySchema.safeParse(json);
    const shouldRetry = response.headers.get('stripe-should-retry');
    return {
      ok: false,
      failure: {
        httpStatus: response.status,
        ...(body.success ? { error: body.data.error } : {}),
        ...(shouldRetry === 'true' ? { shouldRetry: true } : shouldRetry === 'false' ? { shouldRetry: false } : {}),
        ...(requestId === undefined ? {} : { requestId }),
      },
    };
  }

  async function paymentCall(
    operation: string,
    path: string,
    form: URLSearchParams,
    idempotencyKey: string,
    call: { requested?: RequestedAmount; paymentId?: string },
  ): Promise<PaymentResult> {
    const { requested, paymentId } = call;
    const reply = await post(path, form, idempotencyKey);
    let result: PaymentResult;

    if ('network' in reply) {
      result = { status: 'failed', ...(requested ?? {}), reason: reply.reason, retriable: true };
    } else if (reply.ok) {
      const intent = paymentIntentSchema.safeParse(reply.json);
      result = intent.success
        ? paymentResultFromIntent(intent.data)
        : { status: 'failed', ...(requested ?? {}), reason: `Stripe replied ${reply.status} without a payment intent`, retriable: true };
    } else {
      logFailure(operation, reply.failure);
      result = paymentResultFromFailure(reply.failure, { requested, paymentId });
    }

    log.info(
      { operation, paymentId: result.paymentId, status: result.status, declineCode: result.declineCode, retriable: result.retriable, ...requestIdOf(reply) },
      `stripe ${operation} ${result.status}`,
    );
    return result;
  }

  function logFailure(operation: string, failure: StripeFailure): void {
    log.warn(
      { operation, httpStatus: failure.httpStatus, type: failure.error?.type, code: failure.error?.code, requestId: failure.requestId },
      `stripe ${operation} request failed with ${failure.httpStatus}`,
    );
  }

  return {
    name: 'stripe',

    async createPayment(rawInput) {
      const input = checkCreatePaymentInput(rawInput);
      const form = new URLSearchParams();
      form.append('amount', String(input.amountMinor));
      form.append('currency', input.currency.toLowerCase());
      form.append('payment_method', input.paymentMethod);
      form.append('payment_method_types[]', 'card');
      form.append('confirm', 'true');
      form.append('confirmation_method', 'manual');
      form.append('return_url', input.returnUrl ?? options.returnUrl);
      form.append('metadata[order_id]', input.orderId);
      if (input.description !== undefined) form.append('description', input.description);
      form.append('expand[]', 'payment_method');

      return paymentCall('createPayment', '/v1/payment_intents', form, input.idempotencyKey, {
        requested: { amountMinor: input.amountMinor, currency: input.currency },
      });
    },

    async confirmPayment(paymentId, input) {
      checkConfirmPaymentInput(paymentId, input);
      const form = new URLSearchParams();
      form.append('expand[]', 'payment_method');
      return paymentCall('confirmPayment', `/v1/payment_intents/${encodeURIComponent(paymentId)}/confirm`, form, input.idempotencyKey, { paymentId });
    },

    async refund(input): Promise<RefundResult> {
      checkRefundInput(input);
      const form = new URLSearchParams();
      form.append('payment_intent', input.paymentId);
      if (input.amountMinor !== undefined) form.append('amount', String(input.amountMinor));

      const reply = await post('/v1/refunds', form, input.idempotencyKey);
      let result: RefundResult;
      if ('network' in reply) {
        result = { status: 'failed', paymentId: input.paymentId, amountMinor: input.amountMinor ?? 0, reason: reply.reason, retriable: true };
      } else if (reply.ok) {
        const refund = refundSchema.safeParse(reply.json);
        result = refund.success
          ? refundResultFromRefund(refund.data, input.paymentId)
          : { status: 'failed', paymentId: input.paymentId, amountMinor: input.amountMinor ?? 0, reason: `Stripe replied ${reply.status} without a refund`, retriable: true };
      } else {
        logFailure('refund', reply.failure);
        result = refundResultFromFailure(reply.failure, input.paymentId, input.amountMinor);
      }

      log.info(
        { operation: 'refund', paymentId: input.paymentId, refundId: result.refundId, status: result.status, amountMinor: result.amountMinor, ...requestIdOf(reply) },
        `stripe refund ${result.status}`,
      );
      return result;
    },

    verifyWebhook(rawBody, headers) {
      verifyWebhookSignature({
        rawBody,
        header: findHeader(headers, STRIPE_SIGNATURE_HEADER),
        headerName: STRIPE_SIGNATURE_HEADER,
        secret: options.webhookSecret,
        toleranceSeconds: options.webhookToleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
        now: now(),
      });
      return eventFromStripe(rawBody);
    },
  };
}

function requestIdOf(reply: StripeReply | NetworkFailure): { requestId?: string } {
  if ('network' in reply) return {};
  const requestId = reply.ok ? reply.requestId : reply.failure.requestId;
  return requestId === undefined ? {} : { requestId };
}

/** Names the cause of a fetch failure: the timeout, or the system error undici puts in `cause` (ECONNREFUSED, ECONNRESET). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `Stripe did not answer within ${timeoutMs} ms; retry with the same idempotency key`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : 'network_error';
  const message = error instanceof Error ? error.message : String(error);
  return `Stripe request failed: ${message} (${code}); retry with the same idempotency key`;
}

function parseJsonOrUndefined(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy in front of the API can return a 502 or 503 as HTML, and then the status alone decides the result.
    return undefined;
  }
}
