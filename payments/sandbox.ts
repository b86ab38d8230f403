/**
 * The built-in sandbox provider of the embedded default: no account, no network.
 * Tokenize a test card (see sandbox-cards.ts), then charge the token. Payments,
 * tokens and idempotency records live in this process's memory only.
 */
import { randomBytes } from 'node:crypto';
import { CloudburstError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { BoundedMap } from './bounded-map.js';
import type { CardInput } from './card.js';
import { IdempotencyRecords } from './idempotency.js';
import { checkConfirmPaymentInput, checkCreatePaymentInput, checkRefundInput } from './input.js';
import { SandboxTokenVault, type SandboxCardToken } from './sandbox-tokens.js';
import { parseSandboxEvent, SANDBOX_SIGNATURE_HEADER, SandboxWebhooks, type WebhookListener } from './sandbox-webhooks.js';
import type {
  CardSummary,
  ConfirmPaymentInput,
  CreatePaymentInput,
  PaymentProvider,
  PaymentResult,
  PaymentStatus,
  RefundInput,
  RefundResult,
  WebhookEvent,
  WebhookHeaders,
} from './types.js';
import { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, findHeader, verifyWebhookSignature } from './webhook-signature.js';

/** Long enough to fill in the rest of the checkout after entering the card. */
export const DEFAULT_SANDBOX_TOKEN_TTL_MS = 30 * 60 * 1000;
const DEFAULT_MAX_TOKENS = 10_000;
const DEFAULT_MAX_PAYMENTS = 100_000;
const DEFAULT_MAX_EVENTS = 10_000;

const DECLINE_REASONS: Readonly<Record<string, string>> = {
  generic_decline: 'the card was declined',
  insufficient_funds: 'the card has insufficient funds',
};

export interface SandboxProviderOptions {
  /** Signs the sandbox's webhook deliveries; `verifyWebhook` checks them with it. */
  webhookSecret: string;
  /** Receives every webhook delivery. Without it, events are built but not sent. */
  onWebhook?: WebhookListener;
  logger?: Logger;
  /** Epoch milliseconds; tests fix it. */
  now?: () => number;
  tokenTtlMs?: number;
  maxTokens?: number;
  /** Payments beyond this count push out the oldest, which can then no longer be confirmed or refunded. */
  maxPayments?: number;
  webhookToleranceSeconds?: number;
}

export interface SandboxProvider extends PaymentProvider {
  /** Checks a card and returns a token for `createPayment`; see SandboxTokenVault. */
  tokenizeCard(card: CardInput): SandboxCardToken;
  /** Sends a webhook event again, signed with the current time, as a provider does when a delivery went unacknowledged. */
  redeliverWebhook(eventId: string): void;
  /** Resolves when every queued webhook delivery has settled. */
  webhooksSettled(): Promise<void>;
}

interface SandboxPayment {
  id: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  card: CardSummary;
  status: PaymentStatus;
  refundedMinor: number;
  declineCode?: string;
  reason?: string;
  retriable?: boolean;
}

export function createSandboxProvider(options: SandboxProviderOptions): SandboxProvider {
  if (options.webhookSecret === '') throw new Error('sandbox webhookSecret is empty; pass a random secret');

  const now = options.now ?? Date.now;
  const log = (options.logger ?? silentLogger()).child({ component: 'payments.sandbox' });
  const vault = new SandboxTokenVault({
    ttlMs: options.tokenTtlMs ?? DEFAULT_SANDBOX_TOKEN_TTL_MS,
    maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
    now,
  });
  // NOTE: payments are kept in memory only, so a restart loses them. A payment pushed
  // out by maxPayments can no longer be confirmed or refunded.
  const payments = new BoundedMap<string, SandboxPayment>({ maxEntries: options.maxPayments ?? DEFAULT_MAX_PAYMENTS, now });
  const idempotency = new IdempotencyRecords({ maxEntries: options.maxPayments ?? DEFAULT_MAX_PAYMENTS, now });
  const webhooks = new SandboxWebhooks({
    secret: options.webhookSecret,
    listener: options.onWebhook,
    logger: log,
    now,
    maxEvents: DEFAULT_MAX_EVENTS,
  });

  function findPayment(paymentId: string): SandboxPayment {
    const payment = payments.get(paymentId);
    if (payment === undefined) {
      throw new CloudburstError('not_found', `sandbox payment ${JSON.stringify(paymentId)} not found`, { field: 'paymentId', value: paymentId });
    }
    return payment;
  }

  function announce(payment: SandboxPayment): void {
    webhooks.emit({
      kind: 'payment',
      paymentId: payment.id,
      orderId: payment.orderId,
      status: payment.status,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      ...(payment.declineCode === undefined ? {} : { declineCode: payment.declineCode }),
    });
  }

  function charge(input: CreatePaymentInput): PaymentResult {
    const card = vault.lookup(input.paymentMethod);
    const payment: SandboxPayment = {
      id: `pi_sandbox_${randomBytes(12).toString('hex')}`,
      orderId: input.orderId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      card: { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear },
      status: 'succeeded',
      refundedMinor: 0,
    };

    const outcome = card.outcome;
    if (outcome.kind === 'decline') {
      payment.status = 'declined';
      payment.declineCode = outcome.declineCode;
      payment.reason = DECLINE_REASONS[outcome.declineCode] ?? 'the card was declined';
    } else if (outcome.kind === 'authenticate') {
      payment.status = 'requires_action';
    } else if (outcome.kind === 'fail') {
      payment.status = 'failed';
      payment.reason = `the sandbox simulated a ${outcome.reason}; try again with a new idempotency key`;
      payment.retriable = true;
    }

    payments.set(payment.id, payment);
    log.info(
      { paymentId: payment.id, orderId: payment.orderId, status: payment.status, amountMinor: payment.amountMinor, currency: payment.currency, brand: card.brand, last4: card.last4 },
      'sandbox payment created',
    );
    announce(payment);
    return resultOf(payment);
  }

  function confirm(payment: SandboxPayment, authenticated: boolean | undefined): PaymentResult {
    // A payment that already left requires_action is reported as it is, so a repeated confirm is harmless.
    if (payment.status !== 'requires_action') return resultOf(payment);
    if (authenticated === undefined) {
      throw new CloudburstError('invalid_input', 'authenticated is missing: the sandbox needs the customer\'s answer to its prompt (true or false)', {
        field: 'authenticated',
      });
    }

    if (authenticated) {
      payment.status = 'succeeded';
    } else {
      payment.status = 'failed';
      payment.reason = 'the customer did not complete authentication';
      payment.retriable = false;
    }
    log.info({ paymentId: payment.id, orderId: payment.orderId, status: payment.status }, 'sandbox payment confirmed');
    announce(payment);
    return resultOf(payment);
  }

  function refund(payment: SandboxPayment, amountMinor: number | undefined): RefundResult {
    if (payment.status !== 'succeeded') {
      throw new CloudburstError('conflict', `sandbox payment ${payment.id} is ${payment.status}; only a succeeded payment can be refunded`, {
        field: 'paymentId',
        value: payment.id,
      });
    }
    const refundable = payment.amountMinor - payment.refundedMinor;
    if (refundable === 0) {
      throw new CloudburstError('conflict', `sandbox payment ${payment.id} is already fully refunded (${payment.refundedMinor} ${payment.currency})`, {
        field: 'paymentId',
        value: payment.id,
      });
    }
    const amount = amountMinor ?? refundable;
    if (amount > refundable) {
      throw new CloudburstError(
        'invalid_input',
        `invalid amountMinor: ${amount} (expected at most ${refundable}: captured ${payment.amountMinor}, already refunded ${payment.refundedMinor})`,
        { field: 'amountMinor', value: amount },
      );
    }

    payment.refundedMinor += amount;
    const refundId = `re_sandbox_${randomBytes(12).toString('hex')}`;
    log.info({ paymentId: payment.id, refundId, amountMinor: amount, refundedMinor: payment.refundedMinor }, 'sandbox refund created');
    webhooks.emit({ kind: 'refund', refundId, paymentId: payment.id, status: 'succeeded', amountMinor: amount, currency: payment.currency });
    return { status: 'succeeded', refundId, paymentId: payment.id, amountMinor: amount, currency: payment.currency };
  }

  return {
    name: 'sandbox',

    tokenizeCard(card) {
      try {
        const token = vault.tokenize(card);
        log.debug({ brand: token.brand, last4: token.last4 }, 'sandbox card tokenized');
        return token;
      } catch (error) {
        if (error instanceof CloudburstError) log.debug({ field: error.field }, 'sandbox card rejected');
        throw error;
      }
    },

    async createPayment(rawInput) {
      const input = checkCreatePaymentInput(rawInput);
      const parameters = {
        orderId: input.orderId,
        amountMinor: input.amountMinor,
        currency: input.currency,
        paymentMethod: input.paymentMethod,
        description: input.description,
      };
      return idempotency.run(input.idempotencyKey, 'createPayment', parameters, () => charge(input));
    },

    async confirmPayment(paymentId, input: ConfirmPaymentInput) {
      checkConfirmPaymentInput(paymentId, input);
      return idempotency.run(input.idempotencyKey, 'confirmPayment', { paymentId, authenticated: input.authenticated }, () =>
        confirm(findPayment(paymentId), input.authenticated),
      );
    },

    async refund(input: RefundInput) {
      checkRefundInput(input);
      return idempotency.run(input.idempotencyKey, 'refund', { paymentId: input.paymentId, amountMinor: input.amountMinor }, () =>
        refund(findPayment(input.paymentId), input.amountMinor),
      );
    },

    verifyWebhook(rawBody: string, headers: WebhookHeaders): WebhookEvent {
      verifyWebhookSignature({
        rawBody,
        header: findHeader(headers, SANDBOX_SIGNATURE_HEADER),
        headerName: SANDBOX_SIGNATURE_HEADER,
        secret: options.webhookSecret,
        toleranceSeconds: options.webhookToleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
        now: now(),
      });
      return parseSandboxEvent(rawBody);
    },

    redeliverWebhook(eventId) {
      webhooks.redeliver(eventId);
    },

    webhooksSettled() {
      return webhooks.settled();
    },
  };
}

function resultOf(payment: SandboxPayment): PaymentResult {
  const result: PaymentResult = {
    status: payment.status,
    paymentId: payment.id,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    card: { ...payment.card },
  };
  if (payment.status === 'requires_action') result.nextAction = { type: 'sandbox_authenticate' };
  if (payment.declineCode !== undefined) result.declineCode = payment.declineCode;
  if (payment.reason !== undefined) result.reason = payment.reason;
  if (payment.status === 'declined' || payment.status === 'failed') result.retriable = payment.retriable ?? false;
  return result;
}
