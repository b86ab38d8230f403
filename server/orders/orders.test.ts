import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import { parseMenu, type Menu } from '../../orders/menu.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { RedemptionError } from '../redemption.js';
import { insertCampaign } from '../repos/campaigns.js';
import { ensureSegmentCode, getCodeInfo, issueRecipientCode } from '../repos/codes.js';
import { registerDevice } from '../repos/devices.js';
import { getMenu, getSpecialsSold, saveMenu } from '../repos/menus.js';
import { listOrderEvents } from '../repos/orders.js';
import { upsertTruck } from '../repos/trucks.js';
import { CodeRejectedError } from './code-check.js';
import { placeOrder, type PlaceOrderRequest } from './place.js';
import { redeemOrderCode, setOrderStatus } from './status.js';

/** 12:00 on 2026-12-04 in Los Angeles. */
const NOW = Date.parse('2026-12-04T20:00:00.000Z');
const DAY_MS = 86_400_000;
let contactCount = 0;
const WINDOW = { validFrom: NOW - 3_600_000, validUntil: NOW + 3_600_000 };

const MENU: Menu = parseMenu({
  currency: 'USD',
  items: [
    {
      id: 'burger',
      name: 'Burger',
      priceMinor: 1000,
      available: true,
      soldOut: false,
      options: [{ id: 'extras', name: 'Extras', min: 0, max: 1, choices: [{ id: 'cheddar', name: 'Cheddar', priceDeltaMinor: 150 }] }],
    },
    { id: 'taco', name: 'Taco', priceMinor: 400, available: true, soldOut: false },
    { id: 'brisket', name: 'Brisket', priceMinor: 1200, available: true, soldOut: false },
  ],
  specials: [{ itemId: 'brisket', date: '2026-12-04', quantity: 5, priceMinor: 900 }],
});

async function rejectionOf(promise: Promise<unknown>): Promise<CloudburstError> {
  return promise.then(
    () => {
      throw new Error('expected a CloudburstError, but the promise resolved');
    },
    (error: unknown) => {
      if (error instanceof CloudburstError) return error;
      throw error;
    },
  );
}

for (const [storeName, open] of TEST_STORES) {
  describe(`orders on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;

    beforeAll(async () => {
      store = await open();
      db = store.db;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    /** Creates a truck in Los Angeles with MENU. */
    async function truckWithMenu(): Promise<string> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      await saveMenu(db, truck.id, MENU);
      return truck.id;
    }

    function order(truckId: string, overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
      return { truckId, idempotencyKey: randomUUID(), lines: [{ itemId: 'taco', quantity: 1 }], customer: {}, now: NOW, ...overrides };
    }

    /** Creates an active campaign at `truckIds` with one segment, and a single-use code for a new contact with a device. */
    async function campaignCode(truckIds: string[], benefit: Record<string, unknown>) {
      const device = await registerDevice(db, 'ios');
      const contactId = randomUUID();
      await db.query(`INSERT INTO contacts (id, first_name, phone_e164, device_id) VALUES ($1, 'Ann', $2, $3)`, [
        contactId,
        `+1415555${String(1000 + contactCount++)}`,
        device.deviceId,
      ]);
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
        radiusM: 250,
        benefit: { description: 'a treat', ...benefit } as never,
        truckIds,
        segments: [{ source: 'group', name: 'Fans' }],
      });
      const [segment] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1`, [campaignId]);
      const issued = await issueRecipientCode(db, { campaignId, segmentId: segment!.id, contactId, deviceId: device.deviceId, ...WINDOW });
      return { code: issued.code, campaignId, segmentId: segment!.id, contactId, device };
    }

    it('menu round trip keeps the parsed menu', async () => {
      const truckId = await truckWithMenu();
      const stored = await getMenu(db, truckId);

      expect(stored!.menu).toEqual(MENU);
      expect(stored!.prepSecondsPerItem).toBe(60);
      expect(stored!.prepBaseSeconds).toBe(120);
      expect(await getMenu(db, randomUUID())).toBeUndefined();
    });

    it('order totals come from the menu, not the client', async () => {
      const truckId = await truckWithMenu();
      const placed = await placeOrder(
        db,
        order(truckId, {
          lines: [
            { itemId: 'burger', quantity: 2, choices: ['cheddar'], unitPriceMinor: 1, lineTotalMinor: 2 },
            { itemId: 'brisket', quantity: 1, priceMinor: 0 },
          ],
          customer: { name: 'Ann', phone: '+1 415 555 2671', email: 'Ann@Example.com' },
        }),
      );

      expect(placed.created).toBe(true);
      expect(placed.orderToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(placed.order).toMatchObject({
        truckId,
        status: 'placed',
        pickupNumber: null,
        localDate: '2026-12-04',
        currency: 'USD',
        itemCount: 3,
        subtotalMinor: 2 * 1150 + 900,
        discountMinor: 0,
        totalMinor: 3200,
        code: null,
        customer: { name: 'Ann', phone: '+14155552671', email: 'ann@example.com' },
        tracking: { campaignId: null, segmentId: null, contactId: null, deviceId: null, channel: null },
        createdAt: new Date(NOW).toISOString(),
      });
      expect(placed.order.lines.map((line) => [line.itemId, line.unitPriceMinor, line.lineTotalMinor, line.special])).toEqual([
        ['burger', 1150, 2300, false],
        ['brisket', 900, 900, true],
      ]);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 1 });
      expect(await listOrderEvents(db, placed.order.id)).toEqual([{ status: 'placed', at: new Date(NOW).toISOString(), actor: 'customer' }]);
    });

    it('order with an invalid line names the field', async () => {
      const truckId = await truckWithMenu();
      const error = await rejectionOf(placeOrder(db, order(truckId, { lines: [{ itemId: 'pizza', quantity: 1 }] })));

      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe('lines.0.itemId');
      expect(error.value).toBe('pizza');
    });

    it('same idempotency key and body returns the first order', async () => {
      const truckId = await truckWithMenu();
      const request = order(truckId, { lines: [{ itemId: 'brisket', quantity: 2 }] });
      const first = await placeOrder(db, request);
      const again = await placeOrder(db, { ...request, now: NOW + 5_000 });

      expect(again.created).toBe(false);
      expect(again.order).toEqual(first.order);
      expect(again.orderToken).not.toBe(first.orderToken);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 2 });
    });

    it('same idempotency key with another body is a conflict', async () => {
      const truckId = await truckWithMenu();
      const request = order(truckId);
      const first = await placeOrder(db, request);
      const error = await rejectionOf(placeOrder(db, { ...request, lines: [{ itemId: 'taco', quantity: 2 }] }));

      expect(error.code).toBe('conflict');
      expect(error.field).toBe('Idempotency-Key');
      expect(error.value).toBe(request.idempotencyKey);
      expect(error.message).toBe(
        `Idempotency-Key "${request.idempotencyKey}" was already used for order ${first.order.id} with another request; use a new key for a new order`,
      );
    });

    it('simultaneous same-key orders create one order', async () => {
      const truckId = await truckWithMenu();
      const request = order(truckId, { lines: [{ itemId: 'brisket', quantity: 1 }] });
      const results = await Promise.all(Array.from({ length: 5 }, () => placeOrder(db, request)));

      expect(new Set(results.map((result) => result.order.id)).size).toBe(1);
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 1 });
    });

    it('30 simultaneous orders sell exactly 5 specials', async () => {
      const truckId = await truckWithMenu();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, () => placeOrder(db, order(truckId, { lines: [{ itemId: 'brisket', quantity: 1 }] }))),
      );

      const placed = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const rejected = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      expect(placed).toHaveLength(5);
      expect(rejected).toHaveLength(25);
      for (const error of rejected) {
        expect(error).toBeInstanceOf(CloudburstError);
        expect((error as CloudburstError).code).toBe('conflict');
        expect((error as CloudburstError).message).toContain('Brisket');
        expect((error as CloudburstError).field).toMatch(/^lines\.0\./);
      }
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 5 });
      const [count] = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM orders WHERE truck_id = $1`, [truckId]);
      expect(Number(count!.n)).toBe(5);
    });

    it('code below its minimum spend is rejected with the reason', async () => {
      const truckId = await truckWithMenu();
      const { code } = await campaignCode([truckId], { kind: 'percent', value: 10, currency: 'USD', minSpendMinor: 1500 });
      const error = await rejectionOf(placeOrder(db, order(truckId, { code })));

      expect(error).toBeInstanceOf(CodeRejectedError);
      expect(error.code).toBe('invalid_input');
      expect(error.field).toBe('code');
      expect(error.value).toBe(code);
      expect(error.message).toBe(`code ${code} does not apply to this order: this code needs an order of at least $15.00; add $11.00 more`);
      expect(error.toJSON()).toMatchObject({ reason: 'min_spend', missingMinor: 1100 });
    });

    it('code meeting its minimum spend takes the discount', async () => {
      const truckId = await truckWithMenu();
      const { code } = await campaignCode([truckId], { kind: 'percent', value: 10, currency: 'USD', minSpendMinor: 1500 });
      const placed = await placeOrder(db, order(truckId, { code: code.toLowerCase(), lines: [{ itemId: 'taco', quantity: 4 }] }));

      expect(placed.order).toMatchObject({ code, subtotalMinor: 1600, discountMinor: 160, totalMinor: 1440 });
      expect((await getCodeInfo(db, code))!.redeemedAt).toBeNull();
    });

    it('code of a campaign without the truck is foreign', async () => {
      const truckId = await truckWithMenu();
      const otherTruckId = await truckWithMenu();
      const { code } = await campaignCode([otherTruckId], { kind: 'percent', value: 10 });
      const error = await rejectionOf(placeOrder(db, order(truckId, { code })));

      expect(error).toBeInstanceOf(RedemptionError);
      expect((error as RedemptionError).reason).toBe('foreign');
      expect(error.field).toBe('code');
      expect(error.message).toBe(`code ${code} is not valid at truck ${truckId}, which is not in the code's campaign`);
    });

    it('code outside its window or campaign is rejected', async () => {
      const truckId = await truckWithMenu();
      const { code, campaignId } = await campaignCode([truckId], { kind: 'percent', value: 10 });

      const early = await rejectionOf(placeOrder(db, order(truckId, { code, now: WINDOW.validFrom - 1 })));
      expect((early as RedemptionError).reason).toBe('not_yet_valid');
      expect(early.message).toBe(`code ${code} is not valid until ${new Date(WINDOW.validFrom).toISOString()}`);
      const late = await rejectionOf(placeOrder(db, order(truckId, { code, now: WINDOW.validUntil })));
      expect((late as RedemptionError).reason).toBe('expired');

      await db.query(`UPDATE campaigns SET status = 'ended' WHERE id = $1`, [campaignId]);
      const ended = await rejectionOf(placeOrder(db, order(truckId, { code })));
      expect((ended as RedemptionError).reason).toBe('campaign_not_live');
      expect(ended.message).toBe(`code ${code} belongs to a campaign that is ended, not live`);
    });

    it('code issued to another device is foreign', async () => {
      const truckId = await truckWithMenu();
      const { code } = await campaignCode([truckId], { kind: 'percent', value: 10 });
      const stranger = await registerDevice(db, 'android');
      const error = await rejectionOf(placeOrder(db, order(truckId, { code, customer: { deviceToken: stranger.token } })));

      expect((error as RedemptionError).reason).toBe('foreign');
      expect(error.field).toBe('customer');
    });

    it('unknown device token is rejected without echoing it', async () => {
      const truckId = await truckWithMenu();
      const error = await rejectionOf(placeOrder(db, order(truckId, { customer: { deviceToken: 'not-a-token' } })));

      expect(error.field).toBe('customer.deviceToken');
      expect(error.value).toBeUndefined();
      expect(error.message).not.toContain('not-a-token');
    });

    it('tracking columns come from the code', async () => {
      const truckId = await truckWithMenu();
      const seeded = await campaignCode([truckId], { kind: 'amount', value: 200, currency: 'USD' });
      await db.query(
        `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, code, send_at, status, next_attempt_at, sent_at)
         VALUES ($1, $2, $3, $4, 'sms', $5, $6, 'sent', $6, $6)`,
        [randomUUID(), seeded.campaignId, seeded.segmentId, seeded.contactId, seeded.code, new Date(NOW - 60_000).toISOString()],
      );
      const placed = await placeOrder(db, order(truckId, { code: seeded.code, customer: { deviceToken: seeded.device.token } }));

      expect(placed.order.tracking).toEqual({
        campaignId: seeded.campaignId,
        segmentId: seeded.segmentId,
        contactId: seeded.contactId,
        deviceId: seeded.device.deviceId,
        channel: 'sms',
      });
      expect(placed.order.customer).toEqual({ deviceId: seeded.device.deviceId });
      expect(placed.order).toMatchObject({ subtotalMinor: 400, discountMinor: 200, totalMinor: 200 });
    });

    it('shared code tracks the message that reached this customer', async () => {
      const truckId = await truckWithMenu();
      const seeded = await campaignCode([truckId], { kind: 'amount', value: 100, currency: 'USD' });
      const { code } = await ensureSegmentCode(db, { campaignId: seeded.campaignId, segmentId: seeded.segmentId, ...WINDOW });
      const texted = randomUUID();
      const emailed = randomUUID();
      await db.query(`INSERT INTO contacts (id, phone_e164) VALUES ($1, '+14155559001')`, [texted]);
      await db.query(`INSERT INTO contacts (id, email) VALUES ($1, 'lu@example.com')`, [emailed]);
      for (const [contactId, kind, minutesAgo] of [[texted, 'sms', 5], [emailed, 'email', 1]] as const) {
        await db.query(
          `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, code, send_at, status, next_attempt_at, sent_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', $7, $7)`,
          [randomUUID(), seeded.campaignId, seeded.segmentId, contactId, kind, code, new Date(NOW - minutesAgo * 60_000).toISOString()],
        );
      }

      const byText = await placeOrder(db, order(truckId, { code, customer: { phone: '+14155559001' } }));
      const byEmail = await placeOrder(db, order(truckId, { code, customer: { email: 'LU@example.com' } }));
      const walkIn = await placeOrder(db, order(truckId, { code, customer: { phone: '+14155559002' } }));

      expect(byText.order.tracking).toMatchObject({ segmentId: seeded.segmentId, contactId: texted, channel: 'sms' });
      expect(byEmail.order.tracking).toMatchObject({ segmentId: seeded.segmentId, contactId: emailed, channel: 'email' });
      expect(walkIn.order.tracking).toMatchObject({ segmentId: seeded.segmentId, contactId: null, channel: null });
    });

    it('order code is redeemed at payment, once', async () => {
      const truckId = await truckWithMenu();
      const seeded = await campaignCode([truckId], { kind: 'percent', value: 10 });
      const first = await placeOrder(db, order(truckId, { code: seeded.code, customer: { deviceToken: seeded.device.token } }));
      const second = await placeOrder(db, order(truckId, { code: seeded.code, customer: { deviceToken: seeded.device.token } }));

      const redemption = await redeemOrderCode(db, first.order, NOW + 1_000);
      expect(redemption).toMatchObject({ code: seeded.code, campaignId: seeded.campaignId, redeemedAt: new Date(NOW + 1_000).toISOString() });
      const error = await rejectionOf(redeemOrderCode(db, second.order, NOW + 2_000));
      expect((error as RedemptionError).reason).toBe('already_redeemed');
      const third = await rejectionOf(placeOrder(db, order(truckId, { code: seeded.code, customer: { deviceToken: seeded.device.token } })));
      expect((third as RedemptionError).reason).toBe('already_redeemed');
    });

    it('status moves along valid transitions', async () => {
      const truckId = await truckWithMenu();
      const { order: placed } = await placeOrder(db, order(truckId));

      const paid = await setOrderStatus(db, placed.id, 'paid', 'staff', NOW + 1_000);
      expect(paid).toMatchObject({
        status: 'paid',
        pickupNumber: '001',
        paidAt: new Date(NOW + 1_000).toISOString(),
        // 120 s per order and 60 s for the one item, with an empty queue.
        estimatedReadyAt: new Date(NOW + 1_000 + 180_000).toISOString(),
      });
      expect((await setOrderStatus(db, placed.id, 'preparing', 'staff', NOW + 2_000)).status).toBe('preparing');
      expect((await setOrderStatus(db, placed.id, 'ready', 'staff', NOW + 3_000)).status).toBe('ready');
      expect((await setOrderStatus(db, placed.id, 'picked_up', 'staff', NOW + 4_000)).status).toBe('picked_up');
      expect((await listOrderEvents(db, placed.id)).map((event) => [event.status, event.actor])).toEqual([
        ['placed', 'customer'],
        ['paid', 'staff'],
        ['preparing', 'staff'],
        ['ready', 'staff'],
        ['picked_up', 'staff'],
      ]);
    });

    it('invalid status move is a conflict', async () => {
      const truckId = await truckWithMenu();
      const { order: placed } = await placeOrder(db, order(truckId));
      const error = await rejectionOf(setOrderStatus(db, placed.id, 'ready', 'staff', NOW));

      expect(error.code).toBe('conflict');
      expect(error.field).toBe('status');
      expect(error.value).toBe('ready');
      expect(error.message).toBe(`order ${placed.id} cannot go from placed to ready: from placed an order can become paid, cancelled`);
      const missing = await rejectionOf(setOrderStatus(db, randomUUID(), 'paid', 'staff', NOW));
      expect(missing.code).toBe('not_found');
    });

    it('cancel and early refund release specials', async () => {
      const truckId = await truckWithMenu();
      const cancelled = await placeOrder(db, order(truckId, { lines: [{ itemId: 'brisket', quantity: 2 }] }));
      const refunded = await placeOrder(db, order(truckId, { lines: [{ itemId: 'brisket', quantity: 1 }] }));
      const collected = await placeOrder(db, order(truckId, { lines: [{ itemId: 'brisket', quantity: 1 }] }));
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 4 });

      await setOrderStatus(db, cancelled.order.id, 'cancelled', 'customer', NOW);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 2 });
      await setOrderStatus(db, refunded.order.id, 'paid', 'staff', NOW);
      await setOrderStatus(db, refunded.order.id, 'refunded', 'staff', NOW);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 1 });
      for (const status of ['paid', 'ready', 'picked_up', 'refunded'] as const) await setOrderStatus(db, collected.order.id, status, 'staff', NOW);
      expect(await getSpecialsSold(db, truckId, '2026-12-04')).toEqual({ brisket: 1 });
    });

    it('pickup numbers count per truck and day under concurrency', async () => {
      const truckId = await truckWithMenu();
      const otherTruckId = await truckWithMenu();
      const placed = await Promise.all(Array.from({ length: 10 }, () => placeOrder(db, order(truckId))));
      const paid = await Promise.all(placed.map((p) => setOrderStatus(db, p.order.id, 'paid', 'payment', NOW)));

      expect(paid.map((o) => o.pickupNumber).sort()).toEqual(['001', '002', '003', '004', '005', '006', '007', '008', '009', '010']);
      // Each order waits for those paid before it: 180 s apiece for one taco.
      expect(paid.map((o) => Date.parse(o.estimatedReadyAt!) - NOW).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 10 }, (_, i) => (i + 1) * 180_000),
      );

      const other = await placeOrder(db, order(otherTruckId));
      expect((await setOrderStatus(db, other.order.id, 'paid', 'payment', NOW)).pickupNumber).toBe('001');
      const tomorrow = await placeOrder(db, order(truckId, { now: NOW + DAY_MS }));
      expect((await setOrderStatus(db, tomorrow.order.id, 'paid', 'payment', NOW + DAY_MS)).pickupNumber).toBe('001');
    });
  });
}
