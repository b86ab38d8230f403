import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../campaigns/admin-api.js';
import { json, stubFetch } from '../test-fetch.js';
import { PickupApi, toLiveOrder, type AdminOrder } from './pickup-api.js';

/** An order as GET /v1/admin/orders/:id returns it, with fields the board does not read. */
const ADMIN_ORDER = {
  id: 'order-1',
  truckId: 'truck-1',
  status: 'paid' as const,
  pickupNumber: '012',
  localDate: '2026-12-04',
  currency: 'USD',
  lines: [
    {
      index: 0,
      itemId: 'burger',
      name: 'Burger',
      quantity: 1,
      choices: [{ groupId: 'extras', choiceId: 'cheddar', name: 'Cheddar', priceDeltaMinor: 150 }],
      unitBaseMinor: 1000,
      unitPriceMinor: 1150,
      lineTotalMinor: 1150,
    },
    { itemId: 'taco', name: 'Taco', quantity: 2, choices: [] },
  ],
  itemCount: 3,
  subtotalMinor: 1950,
  discountMinor: 0,
  totalMinor: 1950,
  code: null,
  customer: { name: 'Ana', phone: '+14155550101' },
  tracking: { campaignId: null, segmentId: null, contactId: null, deviceId: null, channel: null },
  paidAt: '2026-12-04T20:00:00.000Z',
  estimatedReadyAt: '2026-12-04T20:08:00.000Z',
  createdAt: '2026-12-04T19:59:00.000Z',
  updatedAt: '2026-12-04T20:00:00.000Z',
};

const LIVE_ORDER = {
  id: 'order-1',
  truckId: 'truck-1',
  status: 'paid',
  pickupNumber: '012',
  customerName: 'Ana',
  lines: [
    { itemId: 'burger', name: 'Burger', quantity: 1, choices: ['Cheddar'] },
    { itemId: 'taco', name: 'Taco', quantity: 2, choices: [] },
  ],
  itemCount: 3,
  totalMinor: 1950,
  currency: 'USD',
  paidAt: '2026-12-04T20:00:00.000Z',
  estimatedReadyAt: '2026-12-04T20:08:00.000Z',
  createdAt: '2026-12-04T19:59:00.000Z',
  updatedAt: '2026-12-04T20:00:00.000Z',
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('toLiveOrder', () => {
  it('shapes an admin order as the live feed does', () => {
    expect(toLiveOrder(ADMIN_ORDER)).toEqual(LIVE_ORDER);
  });

  it('gives a customer without a name a null name', () => {
    const order: AdminOrder = { ...ADMIN_ORDER, customer: {} };
    expect(toLiveOrder(order).customerName).toBeNull();
  });
});

describe('PickupApi', () => {
  it('lists the queue with the token', async () => {
    const calls = stubFetch(() => json(200, { orders: [ADMIN_ORDER] }));
    const orders = await new PickupApi({ token: 'secret' }).listQueue('truck-1');
    expect(orders).toEqual([LIVE_ORDER]);
    expect(calls).toEqual([{ url: '/v1/admin/trucks/truck-1/orders', method: 'GET', headers: { authorization: 'Bearer secret' }, body: undefined }]);
  });

  it('reads one order', async () => {
    const calls = stubFetch(() => json(200, { order: ADMIN_ORDER }));
    expect(await new PickupApi({ token: 't' }).getOrder('order-1')).toEqual(LIVE_ORDER);
    expect(calls[0]!.url).toBe('/v1/admin/orders/order-1');
  });

  it('posts a status', async () => {
    const calls = stubFetch(() => json(200, { order: { ...ADMIN_ORDER, status: 'preparing' } }));
    const order = await new PickupApi({ token: 'secret' }).setStatus('order-1', 'preparing');
    expect(order.status).toBe('preparing');
    expect(calls).toEqual([
      {
        url: '/v1/admin/orders/order-1/status',
        method: 'POST',
        headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
        body: '{"status":"preparing"}',
      },
    ]);
  });

  it('posts a refund without a body', async () => {
    const calls = stubFetch(() => json(200, { order: { ...ADMIN_ORDER, status: 'refunded' }, refund: { status: 'succeeded', amountMinor: 1950 } }));
    const reply = await new PickupApi({ token: 'secret' }).refund('order-1');
    expect(reply).toEqual({ order: { ...LIVE_ORDER, status: 'refunded' }, refund: { status: 'succeeded', amountMinor: 1950 } });
    expect(calls).toEqual([{ url: '/v1/admin/orders/order-1/refund', method: 'POST', headers: { authorization: 'Bearer secret' }, body: undefined }]);
  });

  it('reads a pending refund from a 202 reply', async () => {
    stubFetch(() => json(202, { order: ADMIN_ORDER, refund: { status: 'pending', amountMinor: 1950 } }));
    const reply = await new PickupApi({ token: 't' }).refund('order-1');
    expect(reply.refund).toEqual({ status: 'pending', amountMinor: 1950 });
    expect(reply.order.status).toBe('paid');
  });

  it('turns a refund 409 into an ApiError', async () => {
    const message = 'order order-1 cannot go from refunded to refunded: refunded is final';
    stubFetch(() => json(409, { error: { code: 'conflict', message, field: 'status', value: 'refunded' } }));
    const error = await new PickupApi({ token: 't' }).refund('order-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message, field: 'status', value: 'refunded' });
  });

  it('escapes ids in the path', async () => {
    const calls = stubFetch(() => json(200, { orders: [] }));
    await new PickupApi({ token: 't' }).listQueue('a/b?c');
    expect(calls[0]!.url).toBe('/v1/admin/trucks/a%2Fb%3Fc/orders');
  });

  it('turns a 409 reply into an ApiError with its code and field', async () => {
    const message = 'order order-1 cannot go from picked_up to ready: from picked_up an order can become refunded';
    stubFetch(() => json(409, { error: { code: 'conflict', message, field: 'status', value: 'ready' } }));
    const error = await new PickupApi({ token: 't' }).setStatus('order-1', 'ready').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message, field: 'status', value: 'ready' });
  });

  it('reports a reply that is not JSON by its status', async () => {
    stubFetch(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await new PickupApi({ token: 't' }).listQueue('truck-1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'http', message: 'HTTP 502 Bad Gateway' });
  });

  it('calls onUnauthorized on HTTP 401', async () => {
    stubFetch(() => json(401, { error: { code: 'unauthorized', message: 'invalid admin token' } }));
    const onUnauthorized = vi.fn();
    const error = await new PickupApi({ token: 't', onUnauthorized }).listQueue('truck-1').catch((caught: unknown) => caught);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
