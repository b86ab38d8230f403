import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-log.js';
import { silentLogger } from '../../common/logger.js';
import { parseMenu } from '../../orders/menu.js';
import type { Db } from '../../store/types.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../test/stand-ins/twilio-api.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { registerDevice } from '../repos/devices.js';
import { saveMenu } from '../repos/menus.js';
import { getOrderNotice } from '../repos/order-notices.js';
import { upsertTruck } from '../repos/trucks.js';
import { DEFAULT_RATES } from '../sends/channel-config.js';
import { buildLanes, type SendLane } from '../sends/providers.js';
import { acknowledgeOrderUpdate } from './order-feed.js';
import { placeOrder } from './place.js';
import { sendDueReadyTexts } from './ready-texts.js';
import { setOrderStatus } from './status.js';

/** 12:00 on 2026-12-04 in Los Angeles. */
const NOW = Date.parse('2026-12-04T20:00:00.000Z');
const DELAY_MS = 20_000;
const TWILIO_FROM = '+14155550100';

const MENU = parseMenu({ currency: 'USD', items: [{ id: 'taco', name: 'Taco', priceMinor: 400, available: true, soldOut: false }], specials: [] });

for (const [storeName, open] of TEST_STORES) {
  describe(`ready-order texts on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let bus: MemoryBus;
    let twilio: TwilioStandIn;
    let smsLane: SendLane;
    let outboxLane: SendLane;
    let truckId: string;
    let phoneCount = 0;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      bus = new MemoryBus({ logger: silentLogger() });
      twilio = await startTwilioStandIn();
      const twilioSettings = { accountSid: twilio.accountSid, authToken: twilio.authToken, from: TWILIO_FROM, apiBaseUrl: twilio.url };
      smsLane = buildLanes({ twilio: twilioSettings, rates: DEFAULT_RATES, publicUrl: 'http://127.0.0.1:1' }, db, bus, silentLogger()).sms;
      outboxLane = buildLanes({ rates: DEFAULT_RATES, publicUrl: '' }, db, bus, silentLogger()).sms;
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      await saveMenu(db, truck.id, MENU);
      truckId = truck.id;
    });

    afterAll(async () => {
      await twilio?.close();
      await bus?.close();
      await store?.dispose();
    });

    /** Places, pays and readies an order at NOW for a new phone number; returns its ids. */
    async function readyOrder(customer: Record<string, unknown> = {}): Promise<{ orderId: string; phone: string; deviceId: string }> {
      const device = await registerDevice(db, 'web');
      const phone = `+1415555${String(2000 + phoneCount++)}`;
      const placed = await placeOrder(db, {
        truckId,
        idempotencyKey: randomUUID(),
        lines: [{ itemId: 'taco', quantity: 1 }],
        customer: { phone, smsUpdates: true, deviceToken: device.token, ...customer },
        now: NOW,
      });
      await setOrderStatus(db, placed.order.id, 'paid', 'payment', NOW);
      await setOrderStatus(db, placed.order.id, 'ready', 'staff', NOW);
      return { orderId: placed.order.id, phone, deviceId: device.deviceId };
    }

    function run(lane: SendLane, at: number): Promise<void> {
      return sendDueReadyTexts({ db, lane, logger: silentLogger(), delayMs: DELAY_MS }, at);
    }

    it('texts a ready order once, after the delay', async () => {
      const { orderId, phone } = await readyOrder();
      await run(smsLane, NOW + DELAY_MS - 1);
      expect(twilio.messages.filter((message) => message.form.To === phone)).toHaveLength(0);

      await run(smsLane, NOW + DELAY_MS);
      await run(smsLane, NOW + DELAY_MS + 60_000);
      const sent = twilio.messages.filter((message) => message.form.To === phone);
      expect(sent.map((message) => message.form.Body)).toEqual([expect.stringMatching(/^Taco Uno: your order \d{3} is ready\. Show this number at the pickup window\.$/)]);
      expect(sent[0]!.form.From).toBe(TWILIO_FROM);
      expect(await getOrderNotice(db, orderId)).toMatchObject({ status: 'sent', provider: 'twilio', attempts: 1, providerMessageId: sent[0]!.sid });
    });

    it('sends nothing when the app showed it', async () => {
      const { orderId, phone, deviceId } = await readyOrder();
      const other = await registerDevice(db, 'web');
      await acknowledgeOrderUpdate(db, silentLogger(), other.deviceId, orderId, 'ready');
      expect((await getOrderNotice(db, orderId))!.status).toBe('pending');
      await acknowledgeOrderUpdate(db, silentLogger(), deviceId, orderId, 'preparing');
      expect((await getOrderNotice(db, orderId))!.status).toBe('pending');

      await acknowledgeOrderUpdate(db, silentLogger(), deviceId, orderId, 'ready');
      await run(smsLane, NOW + DELAY_MS);
      expect(twilio.messages.filter((message) => message.form.To === phone)).toHaveLength(0);
      expect(await getOrderNotice(db, orderId)).toMatchObject({ status: 'not_needed', reason: 'the app showed the update' });
    });

    it('sends nothing after pickup or STOP', async () => {
      const collected = await readyOrder();
      await setOrderStatus(db, collected.orderId, 'picked_up', 'staff', NOW + 5_000);
      const stopped = await readyOrder();
      const contactId = randomUUID();
      await db.query(`INSERT INTO contacts (id, phone_e164) VALUES ($1, $2)`, [contactId, stopped.phone]);
      await db.query(`INSERT INTO consents (contact_id, channel, granted, at, source) VALUES ($1, 'sms', false, now(), 'sms_stop')`, [contactId]);

      await run(smsLane, NOW + DELAY_MS);
      expect(twilio.messages.filter((message) => [collected.phone, stopped.phone].includes(message.form.To!))).toHaveLength(0);
      expect(await getOrderNotice(db, collected.orderId)).toMatchObject({ status: 'not_needed', reason: 'order is picked_up' });
      expect(await getOrderNotice(db, stopped.orderId)).toMatchObject({ status: 'skipped', reason: 'the number opted out of SMS' });
    });

    it('retries a rate limit, parks an invalid number', async () => {
      const limited = await readyOrder();
      twilio.setRule({ kind: 'error', to: limited.phone, httpStatus: 429, code: 20429, message: 'Too Many Requests' });
      await run(smsLane, NOW + DELAY_MS);
      expect(await getOrderNotice(db, limited.orderId)).toMatchObject({ status: 'pending', attempts: 1 });
      twilio.clearRules();
      await run(smsLane, NOW + DELAY_MS + 60_000);
      expect(await getOrderNotice(db, limited.orderId)).toMatchObject({ status: 'sent', attempts: 2 });

      const invalid = await readyOrder();
      twilio.setRule({ kind: 'invalid-number', to: invalid.phone });
      await run(smsLane, NOW + DELAY_MS);
      twilio.clearRules();
      const notice = await getOrderNotice(db, invalid.orderId);
      expect(notice).toMatchObject({ status: 'failed', attempts: 1 });
      expect(notice!.reason).toContain('21211');
    });

    it('keeps the text in Chinese without a provider', async () => {
      const { orderId } = await readyOrder({ language: 'zh-CN' });
      await run(outboxLane, NOW + DELAY_MS);
      const notice = await getOrderNotice(db, orderId);
      expect(notice).toMatchObject({ status: 'sent', provider: 'outbox' });
      expect(notice!.body).toMatch(/^Taco Uno：您的订单 \d{3} 已备好，请到取餐窗口取餐。$/);
    });

    it('fails a claim its process left', async () => {
      const { orderId, phone } = await readyOrder();
      await db.query(`UPDATE order_notices SET status = 'sending', attempts = 1, lease_until = $2::timestamptz WHERE order_id = $1`, [
        orderId,
        new Date(NOW).toISOString(),
      ]);
      await run(smsLane, NOW + DELAY_MS);
      expect(await getOrderNotice(db, orderId)).toMatchObject({ status: 'failed', reason: 'outcome unknown: the process stopped while sending' });
      expect(twilio.messages.filter((message) => message.form.To === phone)).toHaveLength(0);
    });

    it('needs a phone for texts', async () => {
      const error = await placeOrder(db, { truckId, idempotencyKey: randomUUID(), lines: [{ itemId: 'taco', quantity: 1 }], customer: { smsUpdates: true }, now: NOW }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'invalid_input', field: 'customer.smsUpdates', value: true });
    });
  });
}
