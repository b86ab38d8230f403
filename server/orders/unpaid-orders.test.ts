import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-log.js';
import { Topics } from '../../bus/types.js';
import { silentLogger } from '../../common/logger.js';
import { parseMenu } from '../../orders/menu.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { getSpecialsSold, saveMenu } from '../repos/menus.js';
import { getOrder } from '../repos/orders.js';
import { upsertTruck } from '../repos/trucks.js';
import { upsertPayment } from '../payments/repo.js';
import { placeOrder } from './place.js';
import { setOrderStatus } from './status.js';
import { cancelUnpaidOrders } from './unpaid-orders.js';
import type { OrderChange } from './updates.js';

/** 12:00 on 2026-12-04 in Los Angeles. */
const NOW = Date.parse('2026-12-04T20:00:00.000Z');
const MINUTE_MS = 60_000;

const MENU = parseMenu({
  currency: 'USD',
  items: [{ id: 'brisket', name: 'Brisket', priceMinor: 1200, available: true, soldOut: false }],
  specials: [{ itemId: 'brisket', date: '2026-12-04', quantity: 5, priceMinor: 900 }],
});

for (const [storeName, open] of TEST_STORES) {
  describe(`unpaid orders on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let bus: MemoryBus;
    const changes: OrderChange[] = [];

    beforeAll(async () => {
      store = await open();
      db = store.db;
      bus = new MemoryBus({ logger: silentLogger() });
      await bus.subscribe<OrderChange>({ topic: Topics.orders, groupId: 'test', handler: async (records) => void changes.push(...records.map((record) => record.value)) });
    });

    afterAll(async () => {
      await bus?.close();
      await store?.dispose();
    });

    it('cancels stale unpaid orders and frees their specials', async () => {
      const { truck } = await upsertTruck(db, { name: 'Smoke Stack', lat: 37.77, lon: -122.42, timeZone: 'America/Los_Angeles' });
      await saveMenu(db, truck.id, MENU);
      const place = (minutesAgo: number) =>
        placeOrder(db, { truckId: truck.id, idempotencyKey: randomUUID(), lines: [{ itemId: 'brisket', quantity: 1 }], customer: {}, now: NOW - minutesAgo * MINUTE_MS });
      const stale = await place(20);
      const authenticating = await place(20);
      const paid = await place(20);
      const fresh = await place(5);
      const chargedBeforeCrash = await place(20);
      await upsertPayment(db, { id: `pi_crash_${chargedBeforeCrash.order.id}`, orderId: chargedBeforeCrash.order.id, provider: 'sandbox', idempotencyKey: 'k', status: 'succeeded', amountMinor: 900, currency: 'USD', at: NOW - 19 * MINUTE_MS });
      await upsertPayment(db, { id: `pi_auth_${authenticating.order.id}`, orderId: authenticating.order.id, provider: 'sandbox', idempotencyKey: 'k', status: 'requires_action', amountMinor: 900, currency: 'USD', at: NOW - MINUTE_MS });
      await setOrderStatus(db, paid.order.id, 'paid', 'payment', NOW - 19 * MINUTE_MS);
      expect(await getSpecialsSold(db, truck.id, '2026-12-04')).toEqual({ brisket: 5 });

      const cancelled = await cancelUnpaidOrders({ db, bus, logger: silentLogger(), unpaidMs: 15 * MINUTE_MS }, NOW);

      expect(cancelled).toBe(1);
      expect((await getOrder(db, stale.order.id))!.status).toBe('cancelled');
      expect((await getOrder(db, authenticating.order.id))!.status).toBe('placed');
      expect((await getOrder(db, paid.order.id))!.status).toBe('paid');
      expect((await getOrder(db, fresh.order.id))!.status).toBe('placed');
      expect((await getOrder(db, chargedBeforeCrash.order.id))!.status).toBe('placed');
      expect(await getSpecialsSold(db, truck.id, '2026-12-04')).toEqual({ brisket: 4 });
      await expect.poll(() => changes.map((change) => [change.order.id, change.order.status])).toEqual([[stale.order.id, 'cancelled']]);
      expect(await cancelUnpaidOrders({ db, bus, logger: silentLogger(), unpaidMs: 15 * MINUTE_MS }, NOW)).toBe(0);
    });
  });
}
