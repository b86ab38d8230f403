import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { startStripeStandIn, type StripeStandIn } from '../test/stand-ins/stripe-api.js';
import { createStripeProvider, STRIPE_API_VERSION } from './stripe.js';
import type { CreatePaymentInput, PaymentProvider, WebhookEvent } from './types.js';

const SECRET_KEY = 'sk_test_51Hcloudburst0secret0key';
const WEBHOOK_SECRET = 'whsec_cloudburst_test';
const RETURN_URL = 'https://pay.example.test/return';
const NOW = 1_765_000_000_000;
const VISA_CARD = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 };

let standIn: StripeStandIn;
let provider: PaymentProvider;
let logLines: string[];

function order(paymentMethod: string, overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return { orderId: 'order-42', amountMinor: 1850, currency: 'USD', paymentMethod, idempotencyKey: 'pay-42', ...overrides };
}

function makeProvider(overrides: { secretKey?: string; timeoutMs?: number } = {}): PaymentProvider {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  return createStripeProvider({
    secretKey: overrides.secretKey ?? SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    returnUrl: RETURN_URL,
    apiBaseUrl: standIn.url,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    logger,
    now: () => NOW,
  });
}

async function rejection(promise: Promise<unknown>): Promise<CloudburstError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError, the call succeeded');
}

beforeEach(async () => {
  logLines = [];
  standIn = await startStripeStandIn({ secretKey: SECRET_KEY, now: () => NOW });
  provider = makeProvider();
});

afterEach(async () => {
  await standIn.close();
});

describe('Stripe createPayment', () => {
  it('posts the exact form and headers', async () => {
    const result = await provider.createPayment(order('pm_card_visa', { description: 'Taco Cloud order 42' }));

    expect(result).toEqual({ status: 'succeeded', paymentId: 'pi_standin_000001', amountMinor: 1850, currency: 'USD', card: VISA_CARD });
    expect(standIn.requests).toHaveLength(1);
    const request = standIn.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/payment_intents');
    expect(request.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(request.idempotencyKey).toBe('pay-42');
    expect(request.stripeVersion).toBe(STRIPE_API_VERSION);
    expect(request.form).toEqual([
      ['amount', '1850'],
      ['currency', 'usd'],
      ['payment_method', 'pm_card_visa'],
      ['payment_method_types[]', 'card'],
      ['confirm', 'true'],
      ['confirmation_method', 'manual'],
      ['return_url', RETURN_URL],
      ['metadata[order_id]', 'order-42'],
      ['description', 'Taco Cloud order 42'],
      ['expand[]', 'payment_method'],
    ]);
    expect(request.rawBody).toContain('metadata%5Border_id%5D=order-42');
  });

  it('uses the return URL of the call when given', async () => {
    await provider.createPayment(order('pm_card_visa', { returnUrl: 'https://pay.example.test/orders/42' }));
    expect(standIn.requests[0]!.form).toContainEqual(['return_url', 'https://pay.example.test/orders/42']);
  });

  it('maps a decline to declined with the decline code', async () => {
    const generic = await provider.createPayment(order('pm_card_chargeDeclined'));
    expect(generic).toEqual({
      status: 'declined',
      paymentId: 'pi_standin_000001',
      amountMinor: 1850,
      currency: 'USD',
      card: { brand: 'visa', last4: '0002', expMonth: 12, expYear: 2034 },
      declineCode: 'generic_decline',
      reason: 'The card was declined by the issuer.',
      retriable: false,
    });

    const funds = await provider.createPayment(order('pm_card_chargeDeclinedInsufficientFunds', { idempotencyKey: 'pay-43' }));
    expect(funds.status).toBe('declined');
    expect(funds.declineCode).toBe('insufficient_funds');
  });

  it('rejects a payment method Stripe does not know', async () => {
    const error = await rejection(provider.createPayment(order('pm_card_unknown')));
    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('paymentMethod');
    expect(error.message).toBe('invalid paymentMethod: Stripe has no such payment method; have the customer enter the card again');
  });

  it('rejects a card number before any request', async () => {
    const error = await rejection(provider.createPayment(order('4242 4242 4242 4242')));
    expect(error.field).toBe('paymentMethod');
    expect(error.message).not.toContain('4242');
    expect(standIn.requests).toHaveLength(0);
  });
});

describe('Stripe authentication', () => {
  it('returns the redirect, then confirms after the customer authenticated', async () => {
    const created = await provider.createPayment(order('pm_card_authenticationRequired'));
    expect(created).toEqual({
      status: 'requires_action',
      paymentId: 'pi_standin_000001',
      amountMinor: 1850,
      currency: 'USD',
      card: { brand: 'visa', last4: '3155', expMonth: 12, expYear: 2034 },
      nextAction: { type: 'redirect', url: `${standIn.url}/authenticate/pi_standin_000001` },
    });

    standIn.completeAuthentication('pi_standin_000001', true);
    const confirmed = await provider.confirmPayment('pi_standin_000001', { idempotencyKey: 'confirm-42' });

    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.paymentId).toBe('pi_standin_000001');
    const request = standIn.requests[1]!;
    expect(request.path).toBe('/v1/payment_intents/pi_standin_000001/confirm');
    expect(request.idempotencyKey).toBe('confirm-42');
    expect(request.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(request.form).toEqual([['expand[]', 'payment_method']]);
  });

  it('fails when authentication failed', async () => {
    await provider.createPayment(order('pm_card_authenticationRequired'));
    standIn.completeAuthentication('pi_standin_000001', false);
    const confirmed = await provider.confirmPayment('pi_standin_000001', { idempotencyKey: 'confirm-42' });

    expect(confirmed).toEqual({
      status: 'failed',
      paymentId: 'pi_standin_000001',
      amountMinor: 1850,
      currency: 'USD',
      card: { brand: 'visa', last4: '3155', expMonth: 12, expYear: 2034 },
      reason: 'Authentication of the payment method failed.',
      retriable: false,
    });
  });

  it('still requires action when the customer has not answered', async () => {
    await provider.createPayment(order('pm_card_authenticationRequired'));
    const confirmed = await provider.confirmPayment('pi_standin_000001', { idempotencyKey: 'confirm-42' });
    expect(confirmed.status).toBe('requires_action');
  });

  it('reports an already succeeded payment as it is', async () => {
    await provider.createPayment(order('pm_card_visa'));
    const confirmed = await provider.confirmPayment('pi_standin_000001', { idempotencyKey: 'confirm-42' });
    expect(confirmed).toEqual({ status: 'succeeded', paymentId: 'pi_standin_000001', amountMinor: 1850, currency: 'USD' });
  });

  it('rejects an unknown payment', async () => {
    const error = await rejection(provider.confirmPayment('pi_missing', { idempotencyKey: 'confirm-42' }));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`Stripe payment "pi_missing" not found (No such payment_intent: 'pi_missing')`);
  });
});

describe('Stripe error mapping', () => {
  it('maps 429 to a retriable failure', async () => {
    standIn.failNext(1, 429);
    const result = await provider.createPayment(order('pm_card_visa'));
    expect(result).toEqual({
      status: 'failed',
      amountMinor: 1850,
      currency: 'USD',
      reason: 'Stripe rate limit reached (429, invalid_request_error rate_limit) [req_standin_000001]',
      retriable: true,
    });
  });

  it('maps 5xx to a retriable failure', async () => {
    standIn.failNext(1, 500);
    const result = await provider.createPayment(order('pm_card_visa'));
    expect(result.status).toBe('failed');
    expect(result.retriable).toBe(true);
    expect(result.reason).toBe('Stripe API error (500, api_error): The stand-in simulated a server error. [req_standin_000001]');

    standIn.failNext(1, 502, { body: '<html>Bad gateway</html>' });
    const html = await provider.createPayment(order('pm_card_visa', { idempotencyKey: 'pay-43' }));
    expect(html.reason).toBe('Stripe API error (502, HTTP 502) [req_standin_000002]');
    expect(html.retriable).toBe(true);
  });

  it('lets Stripe-Should-Retry decide', async () => {
    standIn.failNext(1, 500, { headers: { 'stripe-should-retry': 'false' } });
    expect((await provider.createPayment(order('pm_card_visa'))).retriable).toBe(false);

    standIn.failNext(1, 400, {
      body: { error: { type: 'invalid_request_error', code: 'lock_timeout', message: 'This object cannot be accessed right now.' } },
      headers: { 'stripe-should-retry': 'true' },
    });
    expect((await provider.createPayment(order('pm_card_visa', { idempotencyKey: 'pay-43' }))).retriable).toBe(true);
  });

  it('maps 401 to a permanent failure without the key', async () => {
    const wrongKey = makeProvider({ secretKey: 'sk_test_wrong0key0value' });
    const result = await wrongKey.createPayment(order('pm_card_visa'));
    expect(result).toEqual({
      status: 'failed',
      amountMinor: 1850,
      currency: 'USD',
      reason: 'Stripe rejected the secret key (401); check the configured key [req_standin_000001]',
      retriable: false,
    });
    expect(standIn.requests[0]!.authorization).toBe('Bearer sk_test_wrong0key0value');
  });

  it('maps 403 and other 4xx to permanent failures', async () => {
    standIn.failNext(1, 403, { body: { error: { type: 'invalid_request_error', code: 'secret_key_required', message: 'Restricted key.' } } });
    const forbidden = await provider.createPayment(order('pm_card_visa'));
    expect(forbidden.reason).toBe('the Stripe key lacks permission for this request (403, invalid_request_error secret_key_required) [req_standin_000001]');
    expect(forbidden.retriable).toBe(false);

    standIn.failNext(1, 400, {
      body: { error: { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: amount' } },
    });
    const bad = await provider.createPayment(order('pm_card_visa', { idempotencyKey: 'pay-43' }));
    expect(bad.reason).toBe(
      'Stripe rejected the request (400, invalid_request_error parameter_invalid_integer on amount): Invalid integer: amount [req_standin_000002]',
    );
    expect(bad.retriable).toBe(false);
  });

  it('maps 409 to a retriable failure', async () => {
    standIn.failNext(1, 409, { body: { error: { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'in use' } } });
    const result = await provider.createPayment(order('pm_card_visa'));
    expect(result.retriable).toBe(true);
    expect(result.reason).toBe(
      'Stripe is still processing a request with this idempotency key (409, invalid_request_error idempotency_key_in_use) [req_standin_000001]',
    );
  });

  it('maps a timeout to a retriable failure', async () => {
    const impatient = makeProvider({ timeoutMs: 200 });
    standIn.stallNext(1);
    const result = await impatient.createPayment(order('pm_card_visa'));
    expect(result).toEqual({
      status: 'failed',
      amountMinor: 1850,
      currency: 'USD',
      reason: 'Stripe did not answer within 200 ms; retry with the same idempotency key',
      retriable: true,
    });
  });

  it('maps a refused connection to a retriable failure', async () => {
    await standIn.close();
    const result = await provider.createPayment(order('pm_card_visa'));
    expect(result.status).toBe('failed');
    expect(result.retriable).toBe(true);
    expect(result.reason).toMatch(/^Stripe request failed: fetch failed \(ECONNREFUSED\); retry with the same idempotency key$/);
    standIn = await startStripeStandIn({ secretKey: SECRET_KEY });
  });
});

describe('Stripe idempotency', () => {
  it('replays the first reply for the same key', async () => {
    const first = await provider.createPayment(order('pm_card_visa'));
    const second = await provider.createPayment(order('pm_card_visa'));

    expect(second).toEqual(first);
    expect(standIn.requests.map((request) => request.idempotencyKey)).toEqual(['pay-42', 'pay-42']);
    expect(standIn.paymentIntent('pi_standin_000001')).toBeDefined();
    expect(standIn.paymentIntent('pi_standin_000002')).toBeUndefined();
  });

  it('rejects the same key with other parameters', async () => {
    await provider.createPayment(order('pm_card_visa'));
    const error = await rejection(provider.createPayment(order('pm_card_visa', { amountMinor: 1900 })));
    expect(error.code).toBe('conflict');
    expect(error.field).toBe('idempotencyKey');
    expect(error.message).toBe(
      'Stripe rejected the idempotency key (Idempotency key pay-42 was first used with other parameters or another endpoint.); use a new key for a new attempt',
    );
  });

  it('sends a failed attempt again under the same key', async () => {
    standIn.failNext(1, 429);
    expect((await provider.createPayment(order('pm_card_visa'))).retriable).toBe(true);
    expect((await provider.createPayment(order('pm_card_visa'))).status).toBe('succeeded');
    expect(standIn.requests.map((request) => request.idempotencyKey)).toEqual(['pay-42', 'pay-42']);
  });
});

describe('Stripe refunds', () => {
  beforeEach(async () => {
    await provider.createPayment(order('pm_card_visa'));
  });

  it('refunds all or part with the exact form', async () => {
    const part = await provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 500, idempotencyKey: 'refund-1' });
    expect(part).toEqual({ status: 'succeeded', refundId: 're_standin_000002', paymentId: 'pi_standin_000001', amountMinor: 500, currency: 'USD' });
    const request = standIn.requests[1]!;
    expect(request.path).toBe('/v1/refunds');
    expect(request.idempotencyKey).toBe('refund-1');
    expect(request.form).toEqual([
      ['payment_intent', 'pi_standin_000001'],
      ['amount', '500'],
    ]);

    const rest = await provider.refund({ paymentId: 'pi_standin_000001', idempotencyKey: 'refund-2' });
    expect(rest.amountMinor).toBe(1350);
    expect(standIn.requests[2]!.form).toEqual([['payment_intent', 'pi_standin_000001']]);
  });

  it('rejects more than the refundable amount', async () => {
    await provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 1000, idempotencyKey: 'refund-1' });
    const tooMuch = await rejection(provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 851, idempotencyKey: 'refund-2' }));
    expect(tooMuch.code).toBe('invalid_input');
    expect(tooMuch.field).toBe('amountMinor');
    expect(tooMuch.message).toBe(
      'invalid amountMinor: 851 is more than Stripe can refund (Refund amount (851) is greater than unrefunded amount on charge (850))',
    );

    await provider.refund({ paymentId: 'pi_standin_000001', idempotencyKey: 'refund-3' });
    const done = await rejection(provider.refund({ paymentId: 'pi_standin_000001', idempotencyKey: 'refund-4' }));
    expect(done.code).toBe('conflict');
    expect(done.message).toBe(
      'Stripe payment pi_standin_000001 cannot be refunded: Charge for pi_standin_000001 has already been refunded. (charge_already_refunded)',
    );
  });

  it('refunds once per idempotency key', async () => {
    const first = await provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 1000, idempotencyKey: 'refund-1' });
    const second = await provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 1000, idempotencyKey: 'refund-1' });
    expect(second).toEqual(first);
    expect((await provider.refund({ paymentId: 'pi_standin_000001', idempotencyKey: 'refund-2' })).amountMinor).toBe(850);
  });

  it('rejects refunds of unknown or unpaid payments', async () => {
    const unknown = await rejection(provider.refund({ paymentId: 'pi_missing', idempotencyKey: 'refund-1' }));
    expect(unknown.code).toBe('not_found');

    await provider.createPayment(order('pm_card_chargeDeclined', { idempotencyKey: 'pay-43' }));
    const unpaid = await rejection(provider.refund({ paymentId: 'pi_standin_000002', idempotencyKey: 'refund-2' }));
    expect(unpaid.code).toBe('conflict');
  });

  it('maps a rate limit to a retriable failure', async () => {
    standIn.failNext(1, 429);
    const result = await provider.refund({ paymentId: 'pi_standin_000001', amountMinor: 100, idempotencyKey: 'refund-1' });
    expect(result).toEqual({
      status: 'failed',
      paymentId: 'pi_standin_000001',
      amountMinor: 100,
      reason: 'Stripe rate limit reached (429, invalid_request_error rate_limit) [req_standin_000002]',
      retriable: true,
    });
  });
});

describe('Stripe webhooks', () => {
  let receiver: Server;
  let receiverUrl: string;
  let received: Array<WebhookEvent | CloudburstError>;

  beforeEach(async () => {
    received = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
        try {
          received.push(provider.verifyWebhook(Buffer.concat(chunks).toString('utf8'), headers));
          response.writeHead(200).end();
        } catch (error) {
          received.push(error as CloudburstError);
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
  });

  afterEach(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('normalizes payment events', async () => {
    await provider.createPayment(order('pm_card_visa'));
    const object = standIn.paymentIntent('pi_standin_000001')!;
    const reply = await standIn.sendWebhook(receiverUrl, { type: 'payment_intent.succeeded', object, id: 'evt_1' }, { secret: WEBHOOK_SECRET });

    expect(reply.status).toBe(200);
    expect(received).toEqual([
      {
        id: 'evt_1',
        type: 'payment',
        providerType: 'payment_intent.succeeded',
        createdAt: NOW,
        paymentId: 'pi_standin_000001',
        status: 'succeeded',
        amountMinor: 1850,
        currency: 'USD',
        orderId: 'order-42',
      },
    ]);
  });

  it('normalizes declines and refunds and passes other types', async () => {
    await provider.createPayment(order('pm_card_chargeDeclinedInsufficientFunds'));
    await standIn.sendWebhook(
      receiverUrl,
      { type: 'payment_intent.payment_failed', object: standIn.paymentIntent('pi_standin_000001')!, id: 'evt_1' },
      { secret: WEBHOOK_SECRET },
    );
    const refund = { id: 're_1', object: 'refund', amount: 300, currency: 'usd', status: 'succeeded', payment_intent: 'pi_standin_000009' };
    await standIn.sendWebhook(receiverUrl, { type: 'refund.updated', object: refund, id: 'evt_2' }, { secret: WEBHOOK_SECRET });
    await standIn.sendWebhook(receiverUrl, { type: 'customer.created', object: { id: 'cus_1' }, id: 'evt_3' }, { secret: WEBHOOK_SECRET });

    expect(received[0]).toMatchObject({ type: 'payment', status: 'declined', declineCode: 'insufficient_funds', paymentId: 'pi_standin_000001' });
    expect(received[1]).toEqual({
      id: 'evt_2',
      type: 'refund',
      providerType: 'refund.updated',
      createdAt: NOW,
      refundId: 're_1',
      paymentId: 'pi_standin_000009',
      status: 'succeeded',
      amountMinor: 300,
      currency: 'USD',
    });
    expect(received[2]).toEqual({ id: 'evt_3', type: 'other', providerType: 'customer.created', createdAt: NOW });
  });

  it('rejects an old timestamp and a wrong secret', async () => {
    const object = { id: 'cus_1' };
    const old = await standIn.sendWebhook(receiverUrl, { type: 'customer.created', object }, { secret: WEBHOOK_SECRET, timestampSeconds: NOW / 1000 - 301 });
    const foreign = await standIn.sendWebhook(receiverUrl, { type: 'customer.created', object }, { secret: 'whsec_someone_else' });

    expect([old.status, foreign.status]).toEqual([400, 400]);
    expect((received[0] as CloudburstError).message).toBe(
      "invalid Stripe-Signature: signed 301 s ago, outside the tolerance of 300 s (check the sender's clock, or this is a replay)",
    );
    expect((received[1] as CloudburstError).message).toBe(
      'invalid Stripe-Signature: no v1 signature matches the body (wrong secret, or the body changed after signing)',
    );
  });

  it('rejects a tampered body', async () => {
    const sent = await standIn.sendWebhook(receiverUrl, { type: 'customer.created', object: { id: 'cus_1' } }, { secret: WEBHOOK_SECRET });
    expect(sent.status).toBe(200);

    const tampered = sent.rawBody.replace('cus_1', 'cus_2');
    expect(() => provider.verifyWebhook(tampered, { 'Stripe-Signature': sent.signature })).toThrow(
      'invalid Stripe-Signature: no v1 signature matches the body (wrong secret, or the body changed after signing)',
    );
  });

  it('rejects a signed body that is not an event', async () => {
    const reply = await standIn.sendWebhook(receiverUrl, { type: 'payment_intent.succeeded', object: { id: 'pi_1' } }, { secret: WEBHOOK_SECRET });
    expect(reply.status).toBe(400);
    expect((received[0] as CloudburstError).code).toBe('invalid_input');
    expect((received[0] as CloudburstError).message).toMatch(/^invalid webhook body field \(body\)\.data\.object\.object: /);
  });
});

describe('Stripe logging', () => {
  it('never logs the secret key or the payment method', async () => {
    await provider.createPayment(order('pm_card_visa'));
    await provider.createPayment(order('pm_card_chargeDeclined', { idempotencyKey: 'pay-43' }));
    standIn.failNext(1, 500);
    await provider.createPayment(order('pm_card_visa', { idempotencyKey: 'pay-44' }));
    await makeProvider({ secretKey: 'sk_test_wrong0key0value' }).createPayment(order('pm_card_visa', { idempotencyKey: 'pay-45' }));

    expect(logLines.length).toBeGreaterThanOrEqual(5);
    const text = logLines.join('\n');
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain('wrong0key0value');
    expect(text).not.toContain('pm_card_');
    expect(text).toContain('"msg":"stripe createPayment declined"');
  });

  it('keeps the key out of construction errors', () => {
    expect(() => createStripeProvider({ secretKey: 'pk_live_public0key', webhookSecret: 'x', returnUrl: RETURN_URL })).toThrow(
      'invalid Stripe secretKey: expected a secret key (sk_...) or a restricted key (rk_...)',
    );
  });
});
