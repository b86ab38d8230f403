import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { parseInput } from '../../common/validation.js';
import type { PaymentProvider } from '../../payments/types.js';
import { hashToken } from '../auth.js';
import { errorResponse } from '../http-errors.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../orders/place.js';
import { confirmOrderPayment, payOrder, type PaymentOutcome } from '../payments/pay.js';
import type { StoredPayment } from '../payments/repo.js';
import type { PaymentDeps } from '../payments/settle.js';
import { handlePaymentEvent } from '../payments/webhook-events.js';
import { announceOrder } from '../orders/updates.js';
import { getOrder, orderTokenMatches, type Order } from '../repos/orders.js';
import type { ServerServices } from '../services.js';
import { customerView } from './orders.js';
import { readJson } from './json-body.js';
import { uuidParam } from './params.js';

/** Mount path of `paymentWebhookRoutes`; providers post to `/:provider` under it. */
export const PAYMENT_WEBHOOKS_MOUNT_PATH = '/v1/webhooks/payments';

export interface PaymentRoutesOptions {
  logger: Logger;
  /** Clock in epoch milliseconds; Date.now by default. */
  now?: () => number;
}

/** Maximum card token length, the same as the provider input check; sandbox and Stripe tokens are far shorter. */
const MAX_PAYMENT_METHOD_CHARS = 255;
const confirmBodySchema = z.strictObject({ authenticated: z.boolean() });
const CARD_FIELDS = ['number', 'expMonth', 'expYear', 'cvc'];

/**
 * Public payment routes under `/v1`: the sandbox's card tokenizer and paying an order
 * with the order token. They return 404 when no payment provider is configured.
 */
export function paymentRoutes(services: ServerServices, options: PaymentRoutesOptions): Hono {
  const app = new Hono();
  const logger = options.logger.child({ component: 'payments' });
  const now = options.now ?? Date.now;

  // POST /payments/sandbox/tokens { number, expMonth, expYear, cvc } → 201 { token, brand, last4 }.
  // The body carries a card number, so neither it nor a parse error quoting it reaches a reply or a log.
  app.post('/payments/sandbox/tokens', async (c) => {
    const provider = services.payments;
    if (provider?.tokenizeCard === undefined) {
      throw new CloudburstError('not_found', `sandbox card tokens are not available: the payment provider is ${provider?.name ?? 'not configured'}`);
    }
    const card = parseCardBody(await c.req.text());
    const token = provider.tokenizeCard(card);
    return c.json({ token: token.token, brand: token.brand, last4: token.last4 }, 201);
  });

  // POST /orders/:id/payments, headers Authorization: Bearer <orderToken> and Idempotency-Key,
  // { paymentMethod } → 201 paid, 200 paid before, 202 requires_action or processing,
  // 402 declined or failed, 409 refunded because the order could not be paid.
  app.post('/orders/:id/payments', async (c) => {
    const deps = paymentDeps(services, logger, now);
    const order = await authorizedOrder(c, services);
    const idempotencyKey = requireIdempotencyKey(c);
    const paymentMethod = parsePayBody(await readJson(c));
    return reply(c, await payOrder(deps, order, paymentMethod, idempotencyKey));
  });

  // POST /orders/:id/payments/:paymentId/confirm { authenticated } → as above, after the sandbox prompt.
  app.post('/orders/:id/payments/:paymentId/confirm', async (c) => {
    const deps = paymentDeps(services, logger, now);
    const order = await authorizedOrder(c, services);
    const paymentId = parseInput(z.string().min(1).max(200), c.req.param('paymentId'), 'paymentId');
    const { authenticated } = parseInput(confirmBodySchema, await readJson(c));
    return reply(c, await confirmOrderPayment(deps, order, paymentId, authenticated));
  });

  return app;
}

/**
 * Provider webhooks, mounted at PAYMENT_WEBHOOKS_MOUNT_PATH. Authenticated by the
 * provider's signature over the raw body: 403 for a missing or wrong signature.
 */
export function paymentWebhookRoutes(services: ServerServices, options: PaymentRoutesOptions): Hono {
  const app = new Hono();
  const logger = options.logger.child({ component: 'payments.webhooks' });
  const now = options.now ?? Date.now;
  app.onError((error, c) => errorResponse(error, c, logger));

  // POST /:provider, raw provider event → 200 { received: true, duplicate }.
  app.post('/:provider', async (c) => {
    const name = c.req.param('provider');
    const provider = services.payments;
    if (provider === undefined || provider.name !== name) {
      throw new CloudburstError('not_found', `payment provider ${JSON.stringify(name)} is not configured here (configured: ${provider?.name ?? 'none'})`, {
        field: 'provider',
        value: name,
      });
    }

    const rawBody = await c.req.text();
    let event;
    try {
      event = provider.verifyWebhook(rawBody, c.req.header());
    } catch (error) {
      if (error instanceof CloudburstError && error.code === 'unauthorized') {
        logger.warn({ provider: name, reason: error.message }, 'payment webhook rejected: bad signature');
        throw new CloudburstError('forbidden', error.message, { field: error.field });
      }
      throw error;
    }

    const applied = await handlePaymentEvent(paymentDeps(services, logger, now), event);
    return c.json({ received: true, duplicate: !applied });
  });

  return app;
}

function paymentDeps(services: ServerServices, logger: Logger, now: () => number): PaymentDeps {
  const provider: PaymentProvider | undefined = services.payments;
  if (provider === undefined) throw new CloudburstError('not_found', 'card payments are not configured on this server');
  return { db: services.db, provider, logger, now, onOrderChanged: (order) => announceOrder(services.bus, order, logger) };
}

function reply(c: Context, outcome: PaymentOutcome): Response {
  const order = customerView(outcome.order);
  const payment = paymentView(outcome.payment);
  switch (outcome.kind) {
    case 'paid':
      return c.json({ order, payment }, outcome.alreadyPaid ? 200 : 201);
    case 'refunded': {
      const reason = (outcome.error.context?.reason as string | undefined) ?? 'refunded';
      return c.json({ error: { ...outcome.error.toJSON(), reason }, order, payment }, 409);
    }
    case 'requires_action':
      return c.json({ order, payment, nextAction: outcome.nextAction }, 202);
    case 'processing':
      return c.json({ order, payment }, 202);
    case 'declined':
    case 'failed': {
      const error = {
        code: outcome.kind === 'declined' ? 'payment_declined' : 'payment_failed',
        message: outcome.retriable
          ? `payment ${payment.id} ${outcome.kind}: ${outcome.reason}; the order is still ${order.status}, so pay again with a new Idempotency-Key`
          : `payment ${payment.id} ${outcome.kind}: ${outcome.reason}; the order is still ${order.status}, so try another card`,
        field: 'paymentMethod',
        declineCode: payment.declineCode,
        retriable: outcome.retriable,
      };
      return c.json({ error, order, payment }, 402);
    }
  }
}

/** Returns the payment as shown to the customer: of the card, its brand and last four digits only. */
function paymentView(payment: StoredPayment) {
  return {
    id: payment.id,
    status: payment.status,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    cardBrand: payment.cardBrand,
    cardLast4: payment.cardLast4,
    declineCode: payment.declineCode,
  };
}

async function authorizedOrder(c: Context, services: ServerServices): Promise<Order> {
  const id = parseInput(uuidParam, c.req.param('id'), 'id');
  const header = c.req.header('Authorization');
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header.trim());
  if (!match) {
    // The header carries a secret, so the error names it without echoing it.
    throw new CloudburstError('unauthorized', `invalid Authorization: ${header === undefined ? 'missing' : 'malformed'} (expected "Bearer <orderToken>" with the token POST /v1/orders returned)`, {
      field: 'Authorization',
    });
  }
  const order = await getOrder(services.db, id);
  if (!order || !(await orderTokenMatches(services.db, id, hashToken(match[1]!)))) {
    throw new CloudburstError('not_found', `order ${id} not found, or the order token is not this order's`, { field: 'id', value: id });
  }
  return order;
}

function requireIdempotencyKey(c: Context): string {
  const key = c.req.header('Idempotency-Key');
  if (key === undefined || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new CloudburstError('invalid_input', `invalid Idempotency-Key: ${key === undefined ? 'missing' : `${key.length} characters`} (expected a header of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, such as a UUID)`, {
      field: 'Idempotency-Key',
    });
  }
  return key;
}

/** Parses the tokenizer's body without quoting it in any error, because it contains a card number. */
function parseCardBody(text: string): { number: string; expMonth: number | string; expYear: number | string; cvc: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CloudburstError('invalid_input', 'invalid (body): not JSON (expected { number, expMonth, expYear, cvc })', { field: '(body)' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CloudburstError('invalid_input', 'invalid (body): expected a JSON object { number, expMonth, expYear, cvc }', { field: '(body)' });
  }

  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !CARD_FIELDS.includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    throw new CloudburstError('invalid_input', `invalid (body): unknown field ${names} (expected number, expMonth, expYear, cvc)`, { field: unknown[0]!.slice(0, 40) });
  }
  const { number, expMonth, expYear, cvc } = fields;
  if (typeof number !== 'string') throw new CloudburstError('invalid_input', 'invalid number: expected the card number as a string of digits', { field: 'number' });
  if (typeof cvc !== 'string') throw new CloudburstError('invalid_input', 'invalid cvc: expected a string of 3 or 4 digits', { field: 'cvc' });
  if (typeof expMonth !== 'number' && typeof expMonth !== 'string') {
    throw new CloudburstError('invalid_input', 'invalid expMonth: expected a month from 1 to 12', { field: 'expMonth' });
  }
  if (typeof expYear !== 'number' && typeof expYear !== 'string') {
    throw new CloudburstError('invalid_input', 'invalid expYear: expected a four-digit year', { field: 'expYear' });
  }
  return { number, expMonth, expYear, cvc };
}

/**
 * Reads `{ paymentMethod? }` (left out for an order its discount made free). A client may
 * put card details here by mistake, so no error quotes a value or an unknown field's content.
 */
function parsePayBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CloudburstError('invalid_input', 'invalid (body): expected a JSON object { paymentMethod } with the card token', { field: '(body)' });
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => key !== 'paymentMethod');
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    throw new CloudburstError('invalid_input', `invalid (body): unknown field ${names} (expected only paymentMethod, the card token; never send card details here)`, {
      field: unknown[0]!.slice(0, 40),
    });
  }
  const { paymentMethod } = fields;
  if (paymentMethod === undefined) return undefined;
  if (typeof paymentMethod !== 'string' || paymentMethod.length === 0 || paymentMethod.length > MAX_PAYMENT_METHOD_CHARS) {
    throw new CloudburstError(
      'invalid_input',
      `invalid paymentMethod: expected the card token from the tokenizer (a string of 1 to ${MAX_PAYMENT_METHOD_CHARS} characters), not card details`,
      { field: 'paymentMethod' },
    );
  }
  if (/^\d[\d -]{11,}$/.test(paymentMethod)) {
    throw new CloudburstError('invalid_input', 'invalid paymentMethod: a card number (expected the card token from the tokenizer; never send card details here)', {
      field: 'paymentMethod',
    });
  }
  return paymentMethod;
}
