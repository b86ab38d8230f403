import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { CloudburstError } from '../common/errors.js';
import { createSandboxProvider, type SandboxProvider } from './sandbox.js';
import type { WebhookDelivery } from './sandbox-webhooks.js';
import type { CreatePaymentInput, PaymentWebhookEvent } from './types.js';

const SECRET = 'sandbox-webhook-secret';
const START = Date.UTC(2026, 11, 5, 12, 0, 0);

let clock: number;
let deliveries: WebhookDelivery[];
let sandbox: SandboxProvider;

function card(number: string, cvc = number.startsWith('37') ? '1234' : '123') {
  return { number, expMonth: 12, expYear: 2030, cvc };
}

function order(paymentMethod: string, overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput {
  return { orderId: 'order-1', amountMinor: 1250, currency: 'usd', paymentMethod, idempotencyKey: `pay-${paymentMethod}`, ...overrides };
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

function events(): PaymentWebhookEvent[] {
  return deliveries.map((delivery) => sandbox.verifyWebhook(delivery.rawBody, delivery.headers) as PaymentWebhookEvent);
}

beforeEach(() => {
  clock = START;
  // Each sandbox gets its own list, so a delivery still queued by an earlier test cannot land here.
  const received: WebhookDelivery[] = [];
  deliveries = received;
  sandbox = createSandboxProvider({ webhookSecret: SECRET, now: () => clock, onWebhook: (delivery) => void received.push(delivery) });
});

afterEach(async () => {
  await sandbox.webhooksSettled();
});

describe('sandbox tokenizer', () => {
  it('returns a token with brand, last four and expiry', () => {
    const token = sandbox.tokenizeCard({ number: '4242 4242 4242 4242', expMonth: '04', expYear: '29', cvc: '123' });
    expect(token.token).toMatch(/^pm_sandbox_[0-9a-f]{24}$/);
    expect(token).toEqual({ token: token.token, brand: 'visa', last4: '4242', expMonth: 4, expYear: 2029 });
  });

  it('gives each tokenization a new token', () => {
    const first = sandbox.tokenizeCard(card('4242424242424242'));
    const second = sandbox.tokenizeCard(card('4242424242424242'));
    expect(first.token).not.toBe(second.token);
  });

  it('rejects invalid cards naming the field', () => {
    const cases: Array<[ReturnType<typeof card>, string]> = [
      [card('4242424242424241'), 'card.number'],
      [{ ...card('4242424242424242'), expMonth: 13 }, 'card.expMonth'],
      [{ ...card('4242424242424242'), expMonth: 11, expYear: 2026 }, 'card.expMonth'],
      [card('378282246310005', '123'), 'card.cvc'],
    ];
    for (const [input, field] of cases) {
      let failure: unknown;
      try {
        sandbox.tokenizeCard(input);
      } catch (error) {
        failure = error;
      }
      expect(failure, field).toBeInstanceOf(CloudburstError);
      expect((failure as CloudburstError).field).toBe(field);
    }
  });

  it('expires a token after its time to live', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    clock += 30 * 60 * 1000;
    const error = await rejection(sandbox.createPayment(order(token)));
    expect(error.code).toBe('invalid_input');
    expect(error.field).toBe('paymentMethod');
    expect(error.message).toBe('invalid paymentMethod: unknown or expired sandbox token; have the customer enter the card again to get a new token');
  });

  it('keeps at most maxTokens tokens', async () => {
    const small = createSandboxProvider({ webhookSecret: SECRET, now: () => clock, maxTokens: 2 });
    const first = small.tokenizeCard(card('4242424242424242'));
    const second = small.tokenizeCard(card('5555555555554444'));
    const third = small.tokenizeCard(card('378282246310005'));

    expect((await rejection(small.createPayment(order(first.token)))).field).toBe('paymentMethod');
    expect((await small.createPayment(order(second.token))).status).toBe('succeeded');
    expect((await small.createPayment(order(third.token))).status).toBe('succeeded');
  });
});

describe('sandbox test cards', () => {
  const outcomes: Array<[string, string, Record<string, unknown>]> = [
    ['4242424242424242', 'visa', { status: 'succeeded' }],
    ['5555555555554444', 'mastercard', { status: 'succeeded' }],
    ['378282246310005', 'amex', { status: 'succeeded' }],
    ['6011111111111117', 'discover', { status: 'succeeded' }],
    ['4000000000000002', 'visa', { status: 'declined', declineCode: 'generic_decline', reason: 'the card was declined', retriable: false }],
    [
      '4000000000009995',
      'visa',
      { status: 'declined', declineCode: 'insufficient_funds', reason: 'the card has insufficient funds', retriable: false },
    ],
    ['4000002500003155', 'visa', { status: 'requires_action', nextAction: { type: 'sandbox_authenticate' } }],
    [
      '4000000000000119',
      'visa',
      { status: 'failed', reason: 'the sandbox simulated a processing_error; try again with a new idempotency key', retriable: true },
    ],
  ];

  it.each(outcomes)('%s (%s) gives %j', async (number, brand, expected) => {
    const token = sandbox.tokenizeCard(card(number));
    const result = await sandbox.createPayment(order(token.token));

    expect(result.paymentId).toMatch(/^pi_sandbox_[0-9a-f]{24}$/);
    expect(result).toEqual({
      paymentId: result.paymentId,
      amountMinor: 1250,
      currency: 'USD',
      card: { brand, last4: number.slice(-4), expMonth: 12, expYear: 2030 },
      ...expected,
    });
  });

  it('succeeds after the customer authenticates', async () => {
    const token = sandbox.tokenizeCard(card('4000 0025 0000 3155'));
    const created = await sandbox.createPayment(order(token.token));
    const confirmed = await sandbox.confirmPayment(created.paymentId!, { authenticated: true, idempotencyKey: 'confirm-1' });

    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.paymentId).toBe(created.paymentId);
    expect(confirmed.nextAction).toBeUndefined();
    expect(confirmed.card).toEqual({ brand: 'visa', last4: '3155', expMonth: 12, expYear: 2030 });
  });

  it('fails when the customer rejects authentication', async () => {
    const token = sandbox.tokenizeCard(card('4000002500003155'));
    const created = await sandbox.createPayment(order(token.token));
    const confirmed = await sandbox.confirmPayment(created.paymentId!, { authenticated: false, idempotencyKey: 'confirm-1' });

    expect(confirmed.status).toBe('failed');
    expect(confirmed.reason).toBe('the customer did not complete authentication');
    expect(confirmed.retriable).toBe(false);

    const again = await sandbox.confirmPayment(created.paymentId!, { authenticated: true, idempotencyKey: 'confirm-2' });
    expect(again.status).toBe('failed');
  });

  it('requires the authentication result to confirm', async () => {
    const token = sandbox.tokenizeCard(card('4000002500003155'));
    const created = await sandbox.createPayment(order(token.token));

    const missing = await rejection(sandbox.confirmPayment(created.paymentId!, { idempotencyKey: 'confirm-1' }));
    expect(missing.field).toBe('authenticated');
    // The rejected call stored nothing, so the same key works once authenticated is set.
    expect((await sandbox.confirmPayment(created.paymentId!, { authenticated: true, idempotencyKey: 'confirm-1' })).status).toBe('succeeded');
  });

  it('reports a finished payment on confirm', async () => {
    const paid = await sandbox.createPayment(order(sandbox.tokenizeCard(card('4242424242424242')).token, { idempotencyKey: 'pay-2' }));
    const repeated = await sandbox.confirmPayment(paid.paymentId!, { idempotencyKey: 'confirm-2' });
    expect(repeated).toEqual(paid);
  });

  it('rejects confirming an unknown payment', async () => {
    const error = await rejection(sandbox.confirmPayment('pi_sandbox_missing', { authenticated: true, idempotencyKey: 'confirm-1' }));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('sandbox payment "pi_sandbox_missing" not found');
  });
});

describe('sandbox idempotency', () => {
  it('returns the first result for a repeat and charges once', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    const first = await sandbox.createPayment(order(token, { idempotencyKey: 'key-1' }));
    const second = await sandbox.createPayment(order(token, { idempotencyKey: 'key-1' }));

    expect(second).toEqual(first);
    await sandbox.webhooksSettled();
    expect(events().map((event) => event.paymentId)).toEqual([first.paymentId]);
  });

  it('rejects the same key with other parameters', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    await sandbox.createPayment(order(token, { idempotencyKey: 'key-1' }));

    const error = await rejection(sandbox.createPayment(order(token, { idempotencyKey: 'key-1', amountMinor: 1300 })));
    expect(error.code).toBe('conflict');
    expect(error.field).toBe('idempotencyKey');
    expect(error.message).toBe('idempotencyKey "key-1" was already used for a request with other parameters; use a new key for a new createPayment');
  });

  it('rejects a payment key reused for a refund', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    const paid = await sandbox.createPayment(order(token, { idempotencyKey: 'key-1' }));
    const error = await rejection(sandbox.refund({ paymentId: paid.paymentId!, idempotencyKey: 'key-1' }));
    expect(error.code).toBe('conflict');
  });

  it('stores nothing for a call that failed validation', async () => {
    await rejection(sandbox.createPayment(order('pm_sandbox_unknown', { idempotencyKey: 'key-1' })));
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    expect((await sandbox.createPayment(order(token, { idempotencyKey: 'key-1' }))).status).toBe('succeeded');
  });

  it('treats currency case as the same parameters', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    const first = await sandbox.createPayment(order(token, { currency: 'usd' }));
    expect(await sandbox.createPayment(order(token, { currency: 'USD' }))).toEqual(first);
  });
});

describe('sandbox refunds', () => {
  async function paid(amountMinor = 1250): Promise<string> {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    return (await sandbox.createPayment(order(token, { amountMinor, idempotencyKey: `pay-${amountMinor}` }))).paymentId!;
  }

  it('refunds everything when no amount is given', async () => {
    const paymentId = await paid();
    const refund = await sandbox.refund({ paymentId, idempotencyKey: 'refund-1' });
    expect(refund.refundId).toMatch(/^re_sandbox_[0-9a-f]{24}$/);
    expect(refund).toEqual({ status: 'succeeded', refundId: refund.refundId, paymentId, amountMinor: 1250, currency: 'USD' });
  });

  it('refunds in parts up to the captured amount', async () => {
    const paymentId = await paid();
    expect((await sandbox.refund({ paymentId, amountMinor: 500, idempotencyKey: 'refund-1' })).amountMinor).toBe(500);

    const tooMuch = await rejection(sandbox.refund({ paymentId, amountMinor: 751, idempotencyKey: 'refund-2' }));
    expect(tooMuch.code).toBe('invalid_input');
    expect(tooMuch.field).toBe('amountMinor');
    expect(tooMuch.message).toBe('invalid amountMinor: 751 (expected at most 750: captured 1250, already refunded 500)');

    expect((await sandbox.refund({ paymentId, idempotencyKey: 'refund-3' })).amountMinor).toBe(750);
    const done = await rejection(sandbox.refund({ paymentId, amountMinor: 1, idempotencyKey: 'refund-4' }));
    expect(done.code).toBe('conflict');
    expect(done.message).toBe(`sandbox payment ${paymentId} is already fully refunded (1250 USD)`);
  });

  it('refunds once per idempotency key', async () => {
    const paymentId = await paid();
    const first = await sandbox.refund({ paymentId, amountMinor: 1000, idempotencyKey: 'refund-1' });
    const second = await sandbox.refund({ paymentId, amountMinor: 1000, idempotencyKey: 'refund-1' });
    expect(second).toEqual(first);
    // Only 250 remain, so a second real refund of 1000 would have been rejected.
    expect((await rejection(sandbox.refund({ paymentId, amountMinor: 1000, idempotencyKey: 'refund-2' }))).field).toBe('amountMinor');
  });

  it('refunds only succeeded payments', async () => {
    const { token } = sandbox.tokenizeCard(card('4000000000000002'));
    const declined = await sandbox.createPayment(order(token));
    const error = await rejection(sandbox.refund({ paymentId: declined.paymentId!, idempotencyKey: 'refund-1' }));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`sandbox payment ${declined.paymentId} is declined; only a succeeded payment can be refunded`);

    const unknown = await rejection(sandbox.refund({ paymentId: 'pi_sandbox_nope', idempotencyKey: 'refund-2' }));
    expect(unknown.code).toBe('not_found');
  });
});

describe('sandbox webhooks', () => {
  it('delivers signed events after the call returns, in order', async () => {
    const { token } = sandbox.tokenizeCard(card('4000002500003155'));
    const created = await sandbox.createPayment(order(token, { orderId: 'order-7' }));
    expect(deliveries).toHaveLength(0);

    await sandbox.confirmPayment(created.paymentId!, { authenticated: true, idempotencyKey: 'confirm-1' });
    await sandbox.webhooksSettled();

    expect(deliveries.map((delivery) => Object.keys(delivery.headers).sort())).toEqual([
      ['content-type', 'sandbox-signature'],
      ['content-type', 'sandbox-signature'],
    ]);
    expect(events()).toEqual([
      {
        id: deliveries[0]!.eventId,
        type: 'payment',
        providerType: 'payment.requires_action',
        createdAt: START,
        paymentId: created.paymentId,
        orderId: 'order-7',
        status: 'requires_action',
        amountMinor: 1250,
        currency: 'USD',
      },
      {
        id: deliveries[1]!.eventId,
        type: 'payment',
        providerType: 'payment.succeeded',
        createdAt: START,
        paymentId: created.paymentId,
        orderId: 'order-7',
        status: 'succeeded',
        amountMinor: 1250,
        currency: 'USD',
      },
    ]);
  });

  it('sends declines and refunds', async () => {
    const declined = await sandbox.createPayment(order(sandbox.tokenizeCard(card('4000000000009995')).token));
    const paid = await sandbox.createPayment(order(sandbox.tokenizeCard(card('4242424242424242')).token, { idempotencyKey: 'pay-2' }));
    const refund = await sandbox.refund({ paymentId: paid.paymentId!, amountMinor: 250, idempotencyKey: 'refund-1' });
    await sandbox.webhooksSettled();

    const received = deliveries.map((delivery) => sandbox.verifyWebhook(delivery.rawBody, delivery.headers));
    expect(received.map((event) => event.providerType)).toEqual(['payment.declined', 'payment.succeeded', 'refund.succeeded']);
    expect(received[0]).toMatchObject({ type: 'payment', paymentId: declined.paymentId, status: 'declined', declineCode: 'insufficient_funds' });
    expect(received[2]).toEqual({
      id: deliveries[2]!.eventId,
      type: 'refund',
      providerType: 'refund.succeeded',
      createdAt: START,
      refundId: refund.refundId,
      paymentId: paid.paymentId,
      status: 'succeeded',
      amountMinor: 250,
      currency: 'USD',
    });
  });

  it('redelivers the same event with a fresh signature', async () => {
    await sandbox.createPayment(order(sandbox.tokenizeCard(card('4242424242424242')).token));
    await sandbox.webhooksSettled();
    clock += 10 * 60 * 1000;
    sandbox.redeliverWebhook(deliveries[0]!.eventId);
    await sandbox.webhooksSettled();

    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]!.rawBody).toBe(deliveries[0]!.rawBody);
    expect(deliveries[1]!.headers['sandbox-signature']).not.toBe(deliveries[0]!.headers['sandbox-signature']);
    expect(sandbox.verifyWebhook(deliveries[1]!.rawBody, deliveries[1]!.headers).id).toBe(deliveries[0]!.eventId);

    const unknown = (() => {
      try {
        sandbox.redeliverWebhook('evt_sandbox_missing');
      } catch (error) {
        return error as CloudburstError;
      }
      throw new Error('expected not_found');
    })();
    expect(unknown.code).toBe('not_found');
  });

  it('rejects tampered, stale and foreign signatures', async () => {
    await sandbox.createPayment(order(sandbox.tokenizeCard(card('4242424242424242')).token));
    await sandbox.webhooksSettled();
    const delivery = deliveries[0]!;

    const tampered = delivery.rawBody.replace('"amountMinor":1250', '"amountMinor":1');
    expect(() => sandbox.verifyWebhook(tampered, delivery.headers)).toThrow(
      'invalid Sandbox-Signature: no v1 signature matches the body (wrong secret, or the body changed after signing)',
    );

    const other = createSandboxProvider({ webhookSecret: 'another-secret', now: () => clock });
    expect(() => other.verifyWebhook(delivery.rawBody, delivery.headers)).toThrow('no v1 signature matches the body');

    expect(() => sandbox.verifyWebhook(delivery.rawBody, { 'content-type': 'application/json' })).toThrow('Sandbox-Signature header is missing');

    clock += 301_000;
    expect(() => sandbox.verifyWebhook(delivery.rawBody, delivery.headers)).toThrow(
      "invalid Sandbox-Signature: signed 301 s ago, outside the tolerance of 300 s (check the sender's clock, or this is a replay)",
    );
  });

  it('logs a failed delivery and keeps delivering', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    let calls = 0;
    const flaky = createSandboxProvider({
      webhookSecret: SECRET,
      now: () => clock,
      logger,
      onWebhook: async (delivery) => {
        calls += 1;
        if (calls === 1) throw new Error('receiver is down');
        deliveries.push(delivery);
      },
    });

    await flaky.createPayment(order(flaky.tokenizeCard(card('4242424242424242')).token));
    await flaky.createPayment(order(flaky.tokenizeCard(card('5555555555554444')).token, { idempotencyKey: 'pay-2' }));
    await flaky.webhooksSettled();

    expect(deliveries).toHaveLength(1);
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.level === 40);
    expect(warning?.msg).toBe('sandbox webhook delivery failed; call redeliverWebhook to send it again');
    expect((warning?.err as { message?: string } | undefined)?.message).toBe('receiver is down');
  });

  it('rejects a signed body that is not an event', () => {
    const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment.succeeded', created: START / 1000, data: { paymentId: 'pi_1' } });
    const headers = { 'sandbox-signature': `t=${START / 1000},v1=${signed(body)}` };
    expect(() => sandbox.verifyWebhook(body, headers)).toThrow('invalid webhook body field (body).data.orderId: ');
  });
});

describe('sandbox payment input', () => {
  it('rejects bad arguments before charging', async () => {
    const { token } = sandbox.tokenizeCard(card('4242424242424242'));
    const cases: Array<[Partial<CreatePaymentInput>, string, string]> = [
      [{ amountMinor: 0 }, 'amountMinor', 'invalid amountMinor: 0 (expected a whole number of minor units from 1 to 99999999)'],
      [{ amountMinor: 12.5 }, 'amountMinor', 'invalid amountMinor: 12.5 (expected a whole number of minor units from 1 to 99999999)'],
      [{ currency: 'US' }, 'currency', 'invalid currency: "US" (expected a three-letter ISO 4217 code such as USD)'],
      [{ orderId: ' ' }, 'orderId', 'invalid orderId: " " (expected a non-empty string of at most 200 characters)'],
      [{ idempotencyKey: '' }, 'idempotencyKey', 'invalid idempotencyKey: "" (expected 1 to 255 printable ASCII characters without spaces)'],
      [{ paymentMethod: '' }, 'paymentMethod', 'paymentMethod is missing (expected a provider token such as pm_...)'],
      [{ returnUrl: 'ftp://example.com' }, 'returnUrl', 'invalid returnUrl: "ftp://example.com" (expected an absolute http or https URL)'],
    ];
    for (const [overrides, field, message] of cases) {
      const error = await rejection(sandbox.createPayment(order(token, overrides)));
      expect(error.field, field).toBe(field);
      expect(error.message).toBe(message);
    }
    await sandbox.webhooksSettled();
    expect(deliveries).toHaveLength(0);
  });
});

/** Signs like Stripe, computed here so the test does not depend on the module it checks. */
function signed(body: string): string {
  return createHmac('sha256', SECRET).update(`${START / 1000}.${body}`).digest('hex');
}
