import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-log.js';
import { Topics } from '../../bus/types.js';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { createApp } from '../app.js';
import { errorResponse } from '../http-errors.js';
import { upsertTruck } from '../repos/trucks.js';
import { channelSettingsFromEnv } from '../sends/channel-config.js';
import type { ServerServices } from '../services.js';
import { setOrderStatus } from '../orders/status.js';
import type { OrderChange } from '../orders/updates.js';
import { orderAdminRoutes, orderRoutes } from './orders.js';

/** 12:00 on 2026-12-04 in Los Angeles. */
const NOW = Date.parse('2026-12-04T20:00:00.000Z');

const MENU = {
  currency: 'USD',
  items: [
    { id: 'taco', name: 'Taco', priceMinor: 400, available: true, soldOut: false },
    { id: 'brisket', name: 'Brisket', priceMinor: 1200, available: true, soldOut: false },
    { id: 'chili', name: 'Winter chili', priceMinor: 700, available: false, soldOut: false },
  ],
  specials: [{ itemId: 'brisket', date: '2026-12-04', quantity: 5, priceMinor: 900 }],
};

interface Reply {
  status: number;
  body: Record<string, any>;
  headers: Headers;
}

for (const [storeName, open] of TEST_STORES) {
  describe(`order routes on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let app: Hono;
    let bus: MemoryBus;
    const changes: OrderChange[] = [];

    beforeAll(async () => {
      store = await open();
      db = store.db;
      bus = new MemoryBus({ logger: silentLogger() });
      await bus.subscribe<OrderChange>({ topic: Topics.orders, groupId: 'test', handler: async (records) => void changes.push(...records.map((record) => record.value)) });
      const services = { db, bus } as unknown as ServerServices;
      app = new Hono();
      app.onError((error, c) => errorResponse(error, c, silentLogger()));
      app.route('/v1', orderRoutes(services, { now: () => NOW, logger: silentLogger() }));
      app.route('/v1/admin', orderAdminRoutes(services, { now: () => NOW, logger: silentLogger() }));
    });

    afterAll(async () => {
      await bus?.close();
      await store?.dispose();
    });

    async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
      if (body !== undefined) init.body = JSON.stringify(body);
      const response = await app.request(path, init);
      return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
    }

    async function truckWithMenu(): Promise<string> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const saved = await request('PUT', `/v1/admin/trucks/${truck.id}/menu`, MENU);
      expect(saved.status).toBe(200);
      return truck.id;
    }

    function placeBody(truckId: string, lines: unknown = [{ itemId: 'taco', quantity: 2 }]) {
      return { truckId, lines };
    }

    it('menu PUT rejects a bad price naming the field', async () => {
      const truckId = await truckWithMenu();
      const reply = await request('PUT', `/v1/admin/trucks/${truckId}/menu`, { ...MENU, items: [{ ...MENU.items[0], priceMinor: 4.5 }] });

      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'invalid_input', field: 'items.0.priceMinor', value: 4.5 });
    });

    it('menu PUT for an unknown truck is 404', async () => {
      const id = randomUUID();
      const reply = await request('PUT', `/v1/admin/trucks/${id}/menu`, MENU);

      expect(reply.status).toBe(404);
      expect(reply.body.error).toEqual({ code: 'not_found', message: `truck ${id} not found`, field: 'id', value: id });
    });

    it('menu PUT with If-Match refuses a stale version', async () => {
      const truckId = await truckWithMenu();
      const loaded = await request('GET', `/v1/admin/trucks/${truckId}/menu`);
      const version = `"${loaded.body.updatedAt}"`;
      const cheaper = { ...MENU, items: MENU.items.map((item) => (item.id === 'taco' ? { ...item, priceMinor: 350 } : item)) };

      const first = await request('PUT', `/v1/admin/trucks/${truckId}/menu`, cheaper, { 'If-Match': version });
      expect(first.status).toBe(200);
      const stale = await request('PUT', `/v1/admin/trucks/${truckId}/menu`, MENU, { 'If-Match': version });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatchObject({ code: 'conflict', field: 'If-Match', value: loaded.body.updatedAt });
      const bad = await request('PUT', `/v1/admin/trucks/${truckId}/menu`, MENU, { 'If-Match': 'yesterday' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('If-Match');
      expect((await request('GET', `/v1/admin/trucks/${truckId}/menu`)).body.menu.items[0].priceMinor).toBe(350);
    });

    it('menu item PATCH flips one flag only', async () => {
      const truckId = await truckWithMenu();
      const cheaper = { ...MENU, items: MENU.items.map((item) => (item.id === 'taco' ? { ...item, priceMinor: 350 } : item)) };
      await request('PUT', `/v1/admin/trucks/${truckId}/menu`, cheaper);

      const flipped = await request('PATCH', `/v1/admin/trucks/${truckId}/menu/items/brisket`, { soldOut: true });
      expect(flipped.status).toBe(200);
      const items = flipped.body.menu.items as Array<{ id: string; priceMinor: number; soldOut: boolean }>;
      expect(items.map((item) => [item.id, item.priceMinor, item.soldOut])).toEqual([
        ['taco', 350, false],
        ['brisket', 1200, true],
        ['chili', 700, false],
      ]);
      const unknown = await request('PATCH', `/v1/admin/trucks/${truckId}/menu/items/pizza`, { soldOut: true });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ field: 'itemId', value: 'pizza' });
      const empty = await request('PATCH', `/v1/admin/trucks/${truckId}/menu/items/taco`, {});
      expect(empty.status).toBe(400);
      const published = await request('GET', `/v1/trucks/${truckId}/menu`);
      expect(published.body.truck).toMatchObject({ id: truckId, name: 'Taco Uno' });
      expect(published.body.menu.items.find((item: { id: string }) => item.id === 'brisket').soldOut).toBe(true);
    });

    it('prep time sets the ready estimates', async () => {
      const truckId = await truckWithMenu();
      expect((await request('GET', `/v1/admin/trucks/${truckId}/menu`)).body.prepTime).toEqual({ secondsPerItem: 60, secondsPerOrder: 120 });
      const set = await request('PUT', `/v1/admin/trucks/${truckId}/prep-time`, { secondsPerItem: 90, secondsPerOrder: 30 });
      expect(set.status).toBe(200);
      expect(set.body.prepTime).toEqual({ secondsPerItem: 90, secondsPerOrder: 30 });
      const bad = await request('PUT', `/v1/admin/trucks/${truckId}/prep-time`, { secondsPerItem: -5, secondsPerOrder: 30 });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ field: 'secondsPerItem', value: -5 });

      const placed = await request('POST', '/v1/orders', placeBody(truckId), { 'Idempotency-Key': randomUUID() });
      const paid = await setOrderStatus(db, placed.body.order.id, 'paid', 'payment', NOW);
      // Two tacos: 30 s for the order and 90 s for each unit.
      expect(paid.estimatedReadyAt).toBe(new Date(NOW + (30 + 2 * 90) * 1000).toISOString());

      const { truck } = await upsertTruck(db, { name: 'No Menu Yet', lat: 37.7, lon: -122.4, timeZone: 'America/Los_Angeles' });
      expect((await request('PUT', `/v1/admin/trucks/${truck.id}/prep-time`, { secondsPerItem: 60, secondsPerOrder: 60 })).status).toBe(404);
    });

    it('published menu shows the specials left', async () => {
      const truckId = await truckWithMenu();
      const placed = await request('POST', '/v1/orders', placeBody(truckId, [{ itemId: 'brisket', quantity: 2 }]), { 'Idempotency-Key': randomUUID() });
      expect(placed.status).toBe(201);
      const reply = await request('GET', `/v1/trucks/${truckId}/menu`);

      expect(reply.status).toBe(200);
      expect(reply.body.menu.date).toBe('2026-12-04');
      expect(reply.body.menu.items.map((item: { id: string }) => item.id)).toEqual(['taco', 'brisket']);
      expect(reply.body.menu.items[1]).toMatchObject({ priceMinor: 900, regularPriceMinor: 1200, soldOut: false, special: { quantity: 5, remaining: 3 } });
      const admin = await request('GET', `/v1/admin/trucks/${truckId}/menu`);
      expect(admin.body.menu.items).toHaveLength(3);
    });

    it('order POST needs an Idempotency-Key', async () => {
      const truckId = await truckWithMenu();
      const missing = await request('POST', '/v1/orders', placeBody(truckId));
      const tooLong = await request('POST', '/v1/orders', placeBody(truckId), { 'Idempotency-Key': 'k'.repeat(201) });

      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ code: 'invalid_input', field: 'Idempotency-Key' });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error).toMatchObject({ code: 'invalid_input', field: 'Idempotency-Key' });
    });

    it('order POST ignores client totals and replays by key', async () => {
      const truckId = await truckWithMenu();
      const key = randomUUID();
      const body = { ...placeBody(truckId, [{ itemId: 'taco', quantity: 2, unitPriceMinor: 1 }]), totalMinor: 2 };
      const first = await request('POST', '/v1/orders', body, { 'Idempotency-Key': key });
      const again = await request('POST', '/v1/orders', body, { 'Idempotency-Key': key });
      const other = await request('POST', '/v1/orders', placeBody(truckId, [{ itemId: 'taco', quantity: 3 }]), { 'Idempotency-Key': key });

      expect(first.status).toBe(201);
      expect(first.body.order).toMatchObject({ status: 'placed', subtotalMinor: 800, totalMinor: 800, currency: 'USD' });
      expect(first.body.order.tracking).toBeUndefined();
      expect(again.status).toBe(200);
      expect(again.body.order.id).toBe(first.body.order.id);
      expect(other.status).toBe(409);
      expect(other.body.error).toMatchObject({ code: 'conflict', field: 'Idempotency-Key', value: key });
    });

    it('order GET requires its order token', async () => {
      const truckId = await truckWithMenu();
      const placed = await request('POST', '/v1/orders', placeBody(truckId), { 'Idempotency-Key': randomUUID() });
      const { order, orderToken } = placed.body;

      const none = await request('GET', `/v1/orders/${order.id}`);
      expect(none.status).toBe(401);
      expect(none.body.error).toMatchObject({ code: 'unauthorized', field: 'Authorization' });

      const other = await request('POST', '/v1/orders', placeBody(truckId), { 'Idempotency-Key': randomUUID() });
      const wrong = await request('GET', `/v1/orders/${order.id}`, undefined, { Authorization: `Bearer ${other.body.orderToken}` });
      expect(wrong.status).toBe(404);
      expect(JSON.stringify(wrong.body)).not.toContain(other.body.orderToken);

      const right = await request('GET', `/v1/orders/${order.id}`, undefined, { Authorization: `Bearer ${orderToken}` });
      expect(right.status).toBe(200);
      expect(right.body.order).toEqual(order);
    });

    it('customer cancels an unpaid order with its token', async () => {
      const truckId = await truckWithMenu();
      const placed = await request('POST', '/v1/orders', placeBody(truckId, [{ itemId: 'brisket', quantity: 2 }]), { 'Idempotency-Key': randomUUID() });
      const id = placed.body.order.id as string;
      const auth = { Authorization: `Bearer ${placed.body.orderToken}` };
      expect((await request('GET', `/v1/trucks/${truckId}/menu`)).body.menu.items.find((item: { id: string }) => item.id === 'brisket').special.remaining).toBe(3);

      const wrong = await request('POST', `/v1/orders/${id}/cancel`, undefined, { Authorization: 'Bearer not-the-token' });
      expect(wrong.status).toBe(404);
      const withBody = await request('POST', `/v1/orders/${id}/cancel`, { reason: 'changed my mind' }, auth);
      expect(withBody.status).toBe(400);
      expect(withBody.body.error.field).toBe('(body)');

      const cancelled = await request('POST', `/v1/orders/${id}/cancel`, undefined, auth);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.order.status).toBe('cancelled');
      expect(cancelled.body.order.tracking).toBeUndefined();
      expect((await request('GET', `/v1/trucks/${truckId}/menu`)).body.menu.items.find((item: { id: string }) => item.id === 'brisket').special.remaining).toBe(5);
      await expect.poll(() => changes.filter((change) => change.order.id === id).map((change) => change.order.status)).toEqual(['placed', 'cancelled']);

      const again = await request('POST', `/v1/orders/${id}/cancel`, undefined, auth);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'conflict', field: 'status', value: 'cancelled' });
    });

    it('staff board moves orders and rejects invalid moves', async () => {
      const truckId = await truckWithMenu();
      const placed = await request('POST', '/v1/orders', placeBody(truckId), { 'Idempotency-Key': randomUUID() });
      const id = placed.body.order.id as string;

      const early = await request('POST', `/v1/admin/orders/${id}/status`, { status: 'ready' });
      expect(early.status).toBe(409);
      expect(early.body.error).toMatchObject({ code: 'conflict', field: 'status', value: 'ready' });

      const bogus = await request('POST', `/v1/admin/orders/${id}/status`, { status: 'eaten' });
      expect(bogus.status).toBe(400);
      expect(bogus.body.error).toMatchObject({ code: 'invalid_input', field: 'status', value: 'eaten' });

      const staffPaid = await request('POST', `/v1/admin/orders/${id}/status`, { status: 'paid' });
      expect(staffPaid.status).toBe(400);
      expect(staffPaid.body.error).toMatchObject({ code: 'invalid_input', field: 'status', value: 'paid' });

      // The payment step marks it paid (see server/payments).
      const paid = await setOrderStatus(db, id, 'paid', 'payment', NOW);
      expect(paid).toMatchObject({ status: 'paid', pickupNumber: '001' });
      const preparing = await request('POST', `/v1/admin/orders/${id}/status`, { status: 'preparing' });
      expect(preparing.status).toBe(200);
      expect(preparing.body.order.status).toBe('preparing');
      await expect.poll(() => changes.filter((change) => change.order.id === id).map((change) => change.order.status)).toEqual(['placed', 'preparing']);

      const board = await request('GET', `/v1/admin/trucks/${truckId}/orders`);
      expect(board.body.orders.map((o: { id: string }) => o.id)).toEqual([id]);
      const placedOnly = await request('GET', `/v1/admin/trucks/${truckId}/orders?status=placed`);
      expect(placedOnly.body.orders).toEqual([]);
      const badFilter = await request('GET', `/v1/admin/trucks/${truckId}/orders?status=paid,lost`);
      expect(badFilter.status).toBe(400);
      expect(badFilter.body.error).toMatchObject({ code: 'invalid_input', field: 'status', value: 'lost' });
    });
  });
}

describe('order routes in the app', () => {
  let store: TestStore;
  let app: Hono;

  beforeAll(async () => {
    store = await TEST_STORES[0]![1]();
    const services = { db: store.db, adminToken: 'admin-secret', isReady: () => true } as unknown as ServerServices;
    app = createApp(services, { logger: silentLogger(), channels: channelSettingsFromEnv({}, 'http://127.0.0.1:1') });
  });

  afterAll(async () => {
    await store?.dispose();
  });

  it('admin routes need the admin token', async () => {
    const response = await app.request(`/v1/admin/trucks/${randomUUID()}/orders`);
    expect(response.status).toBe(401);
  });

  it('public routes allow other origins', async () => {
    const response = await app.request('/v1/orders', {
      method: 'OPTIONS',
      headers: { Origin: 'https://truck.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'idempotency-key' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('public menu of an unknown truck is 404', async () => {
    const id = randomUUID();
    const response = await app.request(`/v1/trucks/${id}/menu`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: `truck ${id} not found`, field: 'id', value: id } });
  });
});
