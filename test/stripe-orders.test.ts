/**
 * The server configured for Stripe (PAYMENT_PROVIDER=stripe) against the loopback
 * stand-in of Stripe's API: orders are paid through payment intents, the sandbox's
 * card tokens are not offered, webhooks are checked with the endpoint's secret, and
 * the staff's refund goes to Stripe.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { DEFAULT_RATES } from '../server/sends/channel-config.js';
import { backendOptions } from './backend.js';
import { adminRequest, TEST_ADMIN_TOKEN } from './helpers.js';
import { startStripeStandIn, type StripeStandIn } from './stand-ins/stripe-api.js';

const SECRET_KEY = 'sk_test_cloudburst';
const WEBHOOK_SECRET = 'whsec_cloudburst';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('orders paid through Stripe', () => {
  let stripe: StripeStandIn;
  let server: RunningCloudburst;
  let dataDir: string;
  let truckId: string;

  beforeAll(async () => {
    stripe = await startStripeStandIn({ secretKey: SECRET_KEY });
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-stripe-'));
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: TEST_ADMIN_TOKEN,
      logger: silentLogger(),
      channels: { rates: DEFAULT_RATES, publicUrl: 'https://truck.example' },
      payment: { provider: 'stripe', secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiBaseUrl: stripe.url },
      ...(await backendOptions()),
    });
    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Pho Real', lat: 37.77, lon: -122.42 });
    truckId = truck.body.truck.id;
    const menu = { currency: 'USD', items: [{ id: 'pho', name: 'Pho', priceMinor: 1300, available: true, soldOut: false }], specials: [] };
    expect((await adminRequest(server.url, 'PUT', `/v1/admin/trucks/${truckId}/menu`, menu)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await stripe?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function placeOrder(): Promise<{ id: string; token: string }> {
    const placed = await post(`${server.url}/v1/orders`, { truckId, lines: [{ itemId: 'pho', quantity: 1 }] }, { 'Idempotency-Key': randomUUID() });
    expect(placed.status).toBe(201);
    return { id: placed.body.order.id, token: placed.body.orderToken };
  }

  it('offers no sandbox card tokens', async () => {
    const reply = await post(`${server.url}/v1/payments/sandbox/tokens`, { number: '4242424242424242', expMonth: 12, expYear: 2031, cvc: '123' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.message).toContain('stripe');
  });

  it('pays with a payment intent, refunds through Stripe', async () => {
    const order = await placeOrder();
    const paid = await post(`${server.url}/v1/orders/${order.id}/payments`, { paymentMethod: 'pm_card_visa' }, { Authorization: `Bearer ${order.token}`, 'Idempotency-Key': 'k1' });
    expect(paid.status).toBe(201);
    expect(paid.body.order).toMatchObject({ status: 'paid', pickupNumber: '001' });
    expect(paid.body.payment).toMatchObject({ amountMinor: 1300, cardBrand: 'visa', cardLast4: '4242' });
    const intent = stripe.requests.find((request) => request.path === '/v1/payment_intents');
    expect(intent?.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(intent?.form).toEqual(expect.arrayContaining([['amount', '1300'], ['currency', 'usd'], ['return_url', 'https://truck.example/order']]));

    const refund = await adminRequest(server.url, 'POST', `/v1/admin/orders/${order.id}/refund`, {});
    expect(refund.status).toBe(200);
    expect(refund.body.order.status).toBe('refunded');
    expect(stripe.requests.filter((request) => request.path === '/v1/refunds')).toHaveLength(1);
  });

  it('rejects a webhook signed with another secret', async () => {
    const order = await placeOrder();
    const target = `${server.url}/v1/webhooks/payments/stripe`;
    const object = { id: 'pi_unknown', object: 'payment_intent', status: 'succeeded', amount: 1300, currency: 'usd', metadata: { orderId: order.id } };
    const forged = await stripe.sendWebhook(target, { type: 'payment_intent.succeeded', object }, { secret: 'whsec_wrong' });
    expect(forged.status).toBe(403);
  });
});
