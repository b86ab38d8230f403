/**
 * Ordering ahead end to end on the selected back end, through the public API and the device
 * SDK. A phone near the truck gets an offer, looks its code up, orders with it and pays with
 * sandbox cards (a decline, then a success). The phone and the console's live feed receive
 * each status change the staff make. The phone acknowledges the ready order, so no text is sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LiveFrame, OfferPayload, OrderUpdate } from '../common/protocol.js';
import { CloudburstDevice } from '../sdk/index.js';
import { adminRequest, createLunchCampaign, openLiveFeed, startTestServer, type LiveFeedClient } from './helpers.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

const TRUCK_AT = { lat: 37.7793, lon: -122.4193 };

const MENU = {
  currency: 'USD',
  items: [
    {
      id: 'burrito',
      name: 'Burrito',
      priceMinor: 1100,
      available: true,
      soldOut: false,
      options: [{ id: 'salsa', name: 'Salsa', min: 1, max: 1, choices: [{ id: 'verde', name: 'Verde', priceDeltaMinor: 0 }, { id: 'roja', name: 'Roja', priceDeltaMinor: 50 }] }],
    },
    { id: 'horchata', name: 'Horchata', priceMinor: 350, available: true, soldOut: false },
  ],
  specials: [],
};

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('order ahead from a phone near the truck', () => {
  let server: TestServer;
  let feed: LiveFeedClient;
  let device: CloudburstDevice;
  let deviceToken: string;
  const offers: OfferPayload[] = [];
  const updates: OrderUpdate[] = [];
  let truckId: string;
  let code: string;
  let orderId: string;
  let orderToken: string;

  beforeAll(async () => {
    server = await startTestServer();
    const lunch = await createLunchCampaign(server.url, { truckName: 'Burrito Bus', campaignName: 'Order-ahead lunch', at: TRUCK_AT, radiusM: 200 });
    truckId = lunch.truckId;
    expect((await adminRequest(server.url, 'PUT', `/v1/admin/trucks/${truckId}/menu`, MENU)).status).toBe(200);
    feed = await openLiveFeed(server.url);
    ({ token: deviceToken } = await CloudburstDevice.register(server.url));
    device = new CloudburstDevice({ url: server.url, token: deviceToken, WebSocket, flushIntervalMs: 10 });
    device.on('offer', (offer) => offers.push(offer));
    device.on('order', (update) => updates.push(update));
    device.connect();
  }, 120_000);

  afterAll(async () => {
    device?.close();
    feed?.close();
    await server?.cleanup();
  });

  it('gets an offer near the truck and looks its code up', async () => {
    device.sendPing({ ...TRUCK_AT, accuracy: 5, ts: Date.now() });
    await expect.poll(() => offers.length, { timeout: 20_000 }).toBe(1);
    code = offers[0]!.code;

    const lookup = await fetch(`${server.url}/v1/codes/${code.toLowerCase()}/offer`);
    expect(lookup.status).toBe(200);
    const { offer } = (await lookup.json()) as Record<string, any>;
    expect(offer).toMatchObject({ code, campaignName: 'Order-ahead lunch', state: 'usable', benefit: { kind: 'percent', value: 10 } });
    expect(offer.trucks).toEqual([{ id: truckId, name: 'Burrito Bus', ...TRUCK_AT, timeZone: 'America/Los_Angeles' }]);

    const unknown = await fetch(`${server.url}/v1/codes/ZZZZ2222/offer`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Record<string, any>).error).toMatchObject({ code: 'not_found', field: 'code', value: 'ZZZZ2222' });
  });

  it('orders with the code, once per key', async () => {
    const key = randomUUID();
    const body = {
      truckId,
      code,
      lines: [{ itemId: 'burrito', quantity: 2, choices: ['roja'] }, { itemId: 'horchata', quantity: 1 }],
      customer: { name: 'Wen', phone: '+14155550123', smsUpdates: true, language: 'zh-CN', deviceToken },
    };
    const first = await post(`${server.url}/v1/orders`, body, { 'Idempotency-Key': key });
    const retry = await post(`${server.url}/v1/orders`, body, { 'Idempotency-Key': key });

    expect(first.status).toBe(201);
    expect(first.body.order).toMatchObject({ status: 'placed', subtotalMinor: 2650, discountMinor: 265, totalMinor: 2385, code });
    expect(retry.status).toBe(200);
    expect(retry.body.order.id).toBe(first.body.order.id);
    orderId = first.body.order.id;
    orderToken = first.body.orderToken;

    const stored = await adminRequest(server.url, 'GET', `/v1/admin/orders/${orderId}`);
    expect(stored.body.order.tracking).toMatchObject({ campaignId: offers[0]!.campaignId, channel: 'push', deviceId: offers[0]!.deviceId });
  });

  it('pays after a declined card', async () => {
    const auth = { Authorization: `Bearer ${orderToken}` };
    const declinedCard = await post(`${server.url}/v1/payments/sandbox/tokens`, { number: '4000 0000 0000 0002', expMonth: 12, expYear: 2031, cvc: '123' });
    const declined = await post(`${server.url}/v1/orders/${orderId}/payments`, { paymentMethod: declinedCard.body.token }, { ...auth, 'Idempotency-Key': randomUUID() });
    expect(declined.status).toBe(402);
    expect(declined.body.order.status).toBe('placed');

    const card = await post(`${server.url}/v1/payments/sandbox/tokens`, { number: '4242424242424242', expMonth: 12, expYear: 2031, cvc: '123' });
    const paid = await post(`${server.url}/v1/orders/${orderId}/payments`, { paymentMethod: card.body.token }, { ...auth, 'Idempotency-Key': randomUUID() });
    expect(paid.status).toBe(201);
    expect(paid.body.order).toMatchObject({ status: 'paid', pickupNumber: '001' });
    expect(paid.body.payment).toMatchObject({ amountMinor: 2385, cardBrand: 'visa', cardLast4: '4242' });
  });

  it('hears each staff move on the phone and the board', async () => {
    for (const status of ['preparing', 'ready']) {
      expect((await adminRequest(server.url, 'POST', `/v1/admin/orders/${orderId}/status`, { status })).status).toBe(200);
    }
    await expect.poll(() => updates.map((update) => update.status), { timeout: 20_000 }).toEqual(['placed', 'paid', 'preparing', 'ready']);
    expect(updates[3]).toMatchObject({ orderId, truckId, pickupNumber: '001' });

    const boardFrames = () => feed.frames.filter((frame): frame is Extract<LiveFrame, { type: 'order' }> => frame.type === 'order' && frame.order.id === orderId);
    await expect.poll(() => boardFrames().map((frame) => frame.order.status), { timeout: 20_000 }).toEqual(['placed', 'paid', 'preparing', 'ready']);
    expect(boardFrames()[3]!.order).toMatchObject({
      pickupNumber: '001',
      customerName: 'Wen',
      lines: [
        { itemId: 'burrito', name: 'Burrito', quantity: 2, choices: ['Roja'] },
        { itemId: 'horchata', name: 'Horchata', quantity: 1, choices: [] },
      ],
    });

    // The SDK acknowledged the ready update, so the customer gets no text.
    await expect
      .poll(async () => (await adminRequest(server.url, 'GET', `/v1/admin/orders/${orderId}`)).body.readyText?.status, { timeout: 20_000 })
      .toBe('not_needed');

    const picked = await adminRequest(server.url, 'POST', `/v1/admin/orders/${orderId}/status`, { status: 'picked_up' });
    expect(picked.body.order.status).toBe('picked_up');
    const again = await adminRequest(server.url, 'POST', `/v1/admin/orders/${orderId}/status`, { status: 'preparing' });
    expect(again.status).toBe(409);

    const lookup = await fetch(`${server.url}/v1/codes/${code}/offer`);
    expect(((await lookup.json()) as Record<string, any>).offer.state).toBe('redeemed');
  });

  it("counts the order in the campaign's summary", async () => {
    const summary = await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${offers[0]!.campaignId}/summary`);
    expect(summary.body.converted).toBe(1);
    expect(summary.body.orders).toMatchObject({ count: 1, revenueMinor: 2385, discountMinor: 265, currency: 'USD' });
    expect(summary.body.orders.byChannel).toEqual({ push: { count: 1, revenueMinor: 2385, discountMinor: 265 } });
  });
});
