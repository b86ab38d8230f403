import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { OrderUpdate } from '../../common/protocol.js';
import { adminRequest, startTestServer } from '../../test/helpers.js';
import { CloudburstDevice } from '../client.js';
import { ApiError } from './http.js';
import { OrderClient } from './client.js';
import { buildOrderBody } from './requests.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const MENU = { currency: 'USD', items: [{ id: 'gyoza', name: 'Gyoza', priceMinor: 750, available: true, soldOut: false }], specials: [] };
const CARD = { expMonth: 12, expYear: 2031, cvc: '123' };

describe('OrderClient against a real server', () => {
  let server: TestServer;
  let client: OrderClient;
  let truckId: string;

  beforeAll(async () => {
    server = await startTestServer();
    client = new OrderClient({ url: `${server.url}/` });
    truckId = (await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Gyoza Go', lat: 37.78, lon: -122.4 })).body.truck.id;
    await adminRequest(server.url, 'PUT', `/v1/admin/trucks/${truckId}/menu`, MENU);
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it('orders, pays after a decline, hears the staff', async () => {
    const { token } = await CloudburstDevice.register(server.url);
    const device = new CloudburstDevice({ url: server.url, token, WebSocket, flushIntervalMs: 10 });
    const updates: OrderUpdate[] = [];
    device.on('order', (update) => updates.push(update));
    const welcomed = new Promise((resolve) => device.on('welcome', resolve));
    device.connect();
    try {
      await welcomed;
      expect((await client.menu(truckId)).items.map((item) => item.id)).toEqual(['gyoza']);
      const body = buildOrderBody({
        truckId,
        lines: [{ itemId: 'gyoza', quantity: 2, choices: [] }],
        customer: { name: 'Mei', phone: '+14155550177', email: '', smsUpdates: true },
        deviceToken: token,
        language: 'zh-CN',
      });
      const key = randomUUID();
      const placed = await client.placeOrder(body, key);
      const retried = await client.placeOrder(body, key);
      expect(retried.order.id).toBe(placed.order.id);
      expect(placed.order).toMatchObject({ status: 'placed', totalMinor: 1500, currency: 'USD' });

      const declinedCard = await client.tokenizeSandboxCard({ number: '4000000000000002', ...CARD });
      const declined = await client.pay(placed.order.id, placed.orderToken, declinedCard.token, randomUUID());
      expect(declined.status).toBe(402);
      expect(declined.error).toMatchObject({ code: 'payment_declined', declineCode: 'generic_decline' });
      expect(declined.order.status).toBe('placed');

      const card = await client.tokenizeSandboxCard({ number: '4242 4242 4242 4242', ...CARD });
      const paid = await client.pay(placed.order.id, placed.orderToken, card.token, randomUUID());
      expect(paid.status).toBe(201);
      expect(paid.payment).toMatchObject({ cardBrand: 'visa', cardLast4: '4242', amountMinor: 1500 });

      await adminRequest(server.url, 'POST', `/v1/admin/orders/${placed.order.id}/status`, { status: 'ready' });
      await expect.poll(() => updates.map((update) => update.status), { timeout: 20_000 }).toEqual(['placed', 'paid', 'ready']);
      expect((await client.getOrder(placed.order.id, placed.orderToken)).status).toBe('ready');
      const stored = await adminRequest(server.url, 'GET', `/v1/admin/orders/${placed.order.id}`);
      expect(stored.body.order.customer).toMatchObject({ smsUpdates: true, language: 'zh-CN' });
    } finally {
      device.close();
    }
  });

  it('cancels an unpaid order once', async () => {
    const body = buildOrderBody({ truckId, lines: [{ itemId: 'gyoza', quantity: 1, choices: [] }], customer: { name: '', phone: '', email: '', smsUpdates: false } });
    const placed = await client.placeOrder(body, randomUUID());

    const cancelled = await client.cancelOrder(placed.order.id, placed.orderToken);
    expect(cancelled).toMatchObject({ id: placed.order.id, status: 'cancelled' });
    const again = await client.cancelOrder(placed.order.id, placed.orderToken).catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(ApiError);
    expect(again).toMatchObject({ status: 409, code: 'conflict', field: 'status' });
  });

  it('throws the server error with field and value', async () => {
    const error = await client.placeOrder({ truckId, lines: [{ itemId: 'ramen', quantity: 1, choices: [] }], customer: {} }, randomUUID()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', field: 'lines.0.itemId', value: 'ramen' });

    const unknownOrder = await client.getOrder(randomUUID(), 'not-a-token').catch((caught: unknown) => caught);
    expect(unknownOrder).toMatchObject({ status: 404, code: 'not_found' });
  });
});
