import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-log.js';
import { Topics } from '../../bus/types.js';
import { createLogger, silentLogger } from '../../common/logger.js';
import { parseMenu } from '../../orders/menu.js';
import { createSandboxProvider, type SandboxProvider } from '../../payments/sandbox.js';
import type { WebhookDelivery } from '../../payments/sandbox-webhooks.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { createApp } from '../app.js';
import { insertCampaign } from '../repos/campaigns.js';
import { getCodeInfo, issueRecipientCode } from '../repos/codes.js';
import { registerDevice } from '../repos/devices.js';
import { saveMenu } from '../repos/menus.js';
import { getOrder, listOrderEvents } from '../repos/orders.js';
import { upsertTruck } from '../repos/trucks.js';
import { DEFAULT_RATES } from '../sends/channel-config.js';
import type { OrderChange } from '../orders/updates.js';
import type { ServerServices } from '../services.js';
import { listPaymentsOfOrder, upsertPayment } from './repo.js';

const VISA = '4242424242424242';
const DECLINED = '4000000000000002';
const AUTHENTICATE = '4000002500003155';
const CARD_NUMBERS = [VISA, DECLINED, AUTHENTICATE, '4242424242424241'];

const MENU = parseMenu({
  currency: 'USD',
  items: [{ id: 'taco', name: 'Taco', priceMinor: 400, available: true, soldOut: false }],
  specials: [],
});

interface Reply {
  status: number;
  body: Record<string, any>;
}

const ADMIN_TOKEN = 'admin-token-for-tests';

for (const [storeName, openStore] of TEST_STORES) describe(`order payments on ${storeName}`, () => {
  let store: TestStore;
  let bus: MemoryBus;
  const changes: OrderChange[] = [];
  let db: Db;
  let app: Hono;
  let provider: SandboxProvider;
  const logLines: string[] = [];
  const deliveries: WebhookDelivery[] = [];

  beforeAll(async () => {
    store = await openStore();
    db = store.db;
    bus = new MemoryBus({ logger: silentLogger() });
    await bus.subscribe<OrderChange>({ topic: Topics.orders, groupId: 'test', handler: async (records) => void changes.push(...records.map((record) => record.value)) });
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    provider = createSandboxProvider({ webhookSecret: 'test-webhook-secret', logger, onWebhook: (delivery) => void deliveries.push(delivery) });
    const services = { db, bus, payments: provider, adminToken: ADMIN_TOKEN, isReady: () => true } as unknown as ServerServices;
    app = createApp(services, { logger, channels: { rates: DEFAULT_RATES, publicUrl: '' } });
  });

  afterAll(async () => {
    await bus?.close();
    await store?.dispose();
  });

  async function request(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async function truckWithMenu(): Promise<string> {
    const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
    await saveMenu(db, truck.id, MENU);
    return truck.id;
  }

  async function placeOrder(truckId: string, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
    const placed = await request('/v1/orders', { truckId, lines: [{ itemId: 'taco', quantity: 2 }], ...extra }, { 'Idempotency-Key': randomUUID() });
    expect(placed.status).toBe(201);
    return { id: placed.body.order.id, token: placed.body.orderToken };
  }

  async function tokenize(number: string): Promise<string> {
    const reply = await request('/v1/payments/sandbox/tokens', { number, expMonth: 12, expYear: 2030, cvc: '123' });
    expect(reply.status).toBe(201);
    return reply.body.token;
  }

  function pay(order: { id: string; token: string }, paymentMethod: string, key: string = randomUUID()): Promise<Reply> {
    return request(`/v1/orders/${order.id}/payments`, { paymentMethod }, { Authorization: `Bearer ${order.token}`, 'Idempotency-Key': key });
  }

  async function sentEvents(type: string): Promise<WebhookDelivery[]> {
    await provider.webhooksSettled();
    return deliveries.filter((delivery) => JSON.parse(delivery.rawBody).type === type);
  }

  /** Returns the sandbox's delivery of `type` for the payment, once every queued delivery has been made. */
  async function deliveryFor(type: string, paymentId: string): Promise<WebhookDelivery> {
    await provider.webhooksSettled();
    const found = deliveries.find((delivery) => {
      const event = JSON.parse(delivery.rawBody);
      return event.type === type && event.data.paymentId === paymentId;
    });
    if (!found) throw new Error(`no ${type} delivery for payment ${paymentId}`);
    return found;
  }

  function postWebhook(delivery: WebhookDelivery, rawBody = delivery.rawBody): Promise<Reply> {
    return request('/v1/webhooks/payments/sandbox', rawBody, delivery.headers);
  }

  it('token route returns brand and last4 only', async () => {
    const reply = await request('/v1/payments/sandbox/tokens', { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' });

    expect(reply.status).toBe(201);
    expect(reply.body.token).toMatch(/^pm_sandbox_[0-9a-f]{24}$/);
    expect(reply.body.brand).toBe('visa');
    expect(reply.body.last4).toBe('4242');
    expect(Object.keys(reply.body).sort()).toEqual(['brand', 'last4', 'token']);
  });

  it('token route names the field without echoing the number', async () => {
    const checksum = await request('/v1/payments/sandbox/tokens', { number: '4242424242424241', expMonth: 12, expYear: 2030, cvc: '123' });
    const notJson = await request('/v1/payments/sandbox/tokens', `{"number":"${VISA}",`);
    const numeric = await request('/v1/payments/sandbox/tokens', { number: Number(VISA), expMonth: 12, expYear: 2030, cvc: '123' });
    const expired = await request('/v1/payments/sandbox/tokens', { number: VISA, expMonth: 1, expYear: 2020, cvc: '123' });

    expect(checksum.status).toBe(400);
    expect(checksum.body.error.field).toBe('card.number');
    expect(checksum.body.error.value).toBe('**** 4241');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toEqual({ code: 'invalid_input', message: 'invalid (body): not JSON (expected { number, expMonth, expYear, cvc })', field: '(body)' });
    expect(numeric.status).toBe(400);
    expect(numeric.body.error).toEqual({ code: 'invalid_input', message: 'invalid number: expected the card number as a string of digits', field: 'number' });
    expect(expired.status).toBe(400);
    expect(expired.body.error.field).toMatch(/^card\.exp(Month|Year)$/);
    for (const reply of [checksum, notJson, numeric, expired]) {
      expect(JSON.stringify(reply.body)).not.toContain('424242424242');
    }
  });

  it('payment marks the order paid with pickup 001', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const reply = await pay(order, await tokenize(VISA));

    expect(reply.status).toBe(201);
    expect(reply.body.order.status).toBe('paid');
    expect(reply.body.order.pickupNumber).toBe('001');
    expect(reply.body.payment).toMatchObject({ status: 'succeeded', amountMinor: 800, currency: 'USD', cardBrand: 'visa', cardLast4: '4242' });
    const [row] = await db.query<Record<string, unknown>>(`SELECT * FROM payments WHERE order_id = $1`, [order.id]);
    expect(row!.card_brand).toBe('visa');
    expect(row!.card_last4).toBe('4242');
    expect(Object.keys(row!).sort()).toEqual([
      'amount_minor', 'applied_at', 'card_brand', 'card_last4', 'created_at', 'currency', 'decline_code', 'id', 'idempotency_key', 'order_id', 'provider', 'status', 'updated_at',
    ]);
  });

  it('payment needs the order token', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const token = await tokenize(VISA);
    const missing = await request(`/v1/orders/${order.id}/payments`, { paymentMethod: token }, { 'Idempotency-Key': randomUUID() });
    const wrong = await pay({ id: order.id, token: 'not-the-order-token' }, token);
    const noKey = await request(`/v1/orders/${order.id}/payments`, { paymentMethod: token }, { Authorization: `Bearer ${order.token}` });

    expect(missing.status).toBe(401);
    expect(missing.body.error.field).toBe('Authorization');
    expect(wrong.status).toBe(404);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.field).toBe('Idempotency-Key');
    expect(await listPaymentsOfOrder(db, order.id)).toEqual([]);
  });

  it('declined card keeps the order placed', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const declined = await pay(order, await tokenize(DECLINED));

    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('payment_declined');
    expect(declined.body.error.declineCode).toBe('generic_decline');
    expect(declined.body.order.status).toBe('placed');
    expect((await getOrder(db, order.id))!.status).toBe('placed');

    const paid = await pay(order, await tokenize(VISA));
    expect(paid.status).toBe(201);
    expect(paid.body.order.status).toBe('paid');
    expect(paid.body.order.pickupNumber).toBe('001');
    expect((await listPaymentsOfOrder(db, order.id)).map((payment) => payment.status)).toEqual(['declined', 'succeeded']);
  });

  it('authentication card pays after confirm', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const token = await tokenize(AUTHENTICATE);
    const key = randomUUID();
    const started = await pay(order, token, key);

    expect(started.status).toBe(202);
    expect(started.body.nextAction).toEqual({ type: 'sandbox_authenticate' });
    expect(started.body.payment.status).toBe('requires_action');
    expect(started.body.order.status).toBe('placed');

    const paymentId = started.body.payment.id as string;
    const confirmed = await request(`/v1/orders/${order.id}/payments/${paymentId}/confirm`, { authenticated: true }, { Authorization: `Bearer ${order.token}` });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.order.status).toBe('paid');
    expect(confirmed.body.order.pickupNumber).toBe('001');
    expect(confirmed.body.payment).toMatchObject({ id: paymentId, status: 'succeeded', cardLast4: '3155' });
    const retried = await pay(order, token, key);
    expect(retried.status).toBe(200);
    expect(retried.body.order.pickupNumber).toBe('001');
    expect(retried.body.payment.status).toBe('succeeded');
  });

  it('same Idempotency-Key pays once', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const token = await tokenize(VISA);
    const key = randomUUID();
    const first = await pay(order, token, key);
    const again = await pay(order, token, key);

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.payment.id).toBe(first.body.payment.id);
    expect(again.body.order.pickupNumber).toBe('001');
    expect(await listPaymentsOfOrder(db, order.id)).toHaveLength(1);
    const events = await listOrderEvents(db, order.id);
    expect(events.filter((event) => event.status === 'paid')).toHaveLength(1);
  });

  it('paid order rejects another payment', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    expect((await pay(order, await tokenize(VISA))).status).toBe(201);
    const second = await pay(order, await tokenize(VISA));

    expect(second.status).toBe(409);
    expect(second.body.error.message).toBe(`order ${order.id} is paid; only a placed order can be paid`);
    expect(await listPaymentsOfOrder(db, order.id)).toHaveLength(1);
  });

  it('webhook pays a placed order once', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    // A payment the route never stored, as when its process stopped after charging.
    const result = await provider.createPayment({ orderId: order.id, amountMinor: 800, currency: 'USD', paymentMethod: await tokenize(VISA), idempotencyKey: randomUUID() });
    const delivery = await deliveryFor('payment.succeeded', result.paymentId!);

    const first = await postWebhook(delivery);
    const duplicate = await postWebhook(delivery);

    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toEqual({ received: true, duplicate: true });
    const stored = (await getOrder(db, order.id))!;
    expect(stored.status).toBe('paid');
    expect(stored.pickupNumber).toBe('001');
    expect((await listOrderEvents(db, order.id)).map((event) => event.status)).toEqual(['placed', 'paid']);
    const payments = await listPaymentsOfOrder(db, order.id);
    expect(payments.map((payment) => [payment.id, payment.status])).toEqual([[result.paymentId, 'succeeded']]);
    const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_events WHERE event_id = $1`, [JSON.parse(delivery.rawBody).id]);
    expect(count!.n).toBe(1);
  });

  it('refund webhook refunds the order once', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const paid = await pay(order, await tokenize(VISA));
    await provider.refund({ paymentId: paid.body.payment.id, idempotencyKey: randomUUID() });
    const delivery = await deliveryFor('refund.succeeded', paid.body.payment.id);

    expect((await postWebhook(delivery)).body.duplicate).toBe(false);
    expect((await postWebhook(delivery)).body.duplicate).toBe(true);
    expect((await getOrder(db, order.id))!.status).toBe('refunded');
    expect((await listOrderEvents(db, order.id)).map((event) => event.status)).toEqual(['placed', 'paid', 'refunded']);
    expect((await listPaymentsOfOrder(db, order.id))[0]!.status).toBe('refunded');
  });

  it('tampered webhook is 403', async () => {
    const [delivery] = await sentEvents('payment.succeeded');
    const tampered = delivery!.rawBody.replace(/"amountMinor":\d+/, '"amountMinor":1');
    const replyTampered = await postWebhook(delivery!, tampered);
    const unsigned = await request('/v1/webhooks/payments/sandbox', delivery!.rawBody, { 'content-type': 'application/json' });
    const otherProvider = await request('/v1/webhooks/payments/stripe', delivery!.rawBody, delivery!.headers);

    expect(tampered).not.toBe(delivery!.rawBody);
    expect(replyTampered.status).toBe(403);
    expect(replyTampered.body.error.code).toBe('forbidden');
    expect(unsigned.status).toBe(403);
    expect(otherProvider.status).toBe(404);
  });

  it('single-use code: second payment refunded, 409', async () => {
    const truckId = await truckWithMenu();
    const now = Date.now();
    const device = await registerDevice(db, 'ios');
    const contactId = randomUUID();
    await db.query(`INSERT INTO contacts (id, first_name, phone_e164, device_id) VALUES ($1, 'Ann', '+14155550199', $2)`, [contactId, device.deviceId]);
    const campaignId = await insertCampaign(db, {
      name: 'Lunch burst',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 250,
      benefit: { description: 'a treat', kind: 'percent', value: 10 } as never,
      truckIds: [truckId],
      segments: [{ source: 'group', name: 'Fans' }],
    });
    const [segment] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1`, [campaignId]);
    const { code } = await issueRecipientCode(db, { campaignId, segmentId: segment!.id, contactId, deviceId: device.deviceId, validFrom: now - 3_600_000, validUntil: now + 3_600_000 });

    const customer = { deviceToken: device.token };
    const first = await placeOrder(truckId, { code, customer });
    const second = await placeOrder(truckId, { code, customer });
    const firstPaid = await pay(first, await tokenize(VISA));
    const secondPaid = await pay(second, await tokenize(VISA));

    expect(firstPaid.status).toBe(201);
    expect(firstPaid.body.order).toMatchObject({ status: 'paid', pickupNumber: '001', totalMinor: 720 });
    expect(secondPaid.status).toBe(409);
    expect(secondPaid.body.error.reason).toBe('already_redeemed');
    expect(secondPaid.body.error.field).toBe('code');
    expect(secondPaid.body.payment.status).toBe('refunded');
    expect(secondPaid.body.order.status).toBe('cancelled');
    expect(secondPaid.body.order.pickupNumber).toBeNull();
    expect((await getCodeInfo(db, code))!.redeemedAt).not.toBeNull();

    // The provider's refund event leaves the cancelled order as it is.
    const refundEvent = await deliveryFor('refund.succeeded', secondPaid.body.payment.id);
    expect((await postWebhook(refundEvent)).status).toBe(200);
    expect((await getOrder(db, second.id))!.status).toBe('cancelled');
    expect((await getOrder(db, first.id))!.status).toBe('paid');
  });

  /** Issues a single-use code of the truck's campaign for a new phone: the code and the phone's device token. */
  async function recipientCode(truckId: string, percent: number): Promise<{ code: string; deviceToken: string; deviceId: string }> {
    const now = Date.now();
    const device = await registerDevice(db, 'ios');
    const contactId = randomUUID();
    await db.query(`INSERT INTO contacts (id, first_name, device_id) VALUES ($1, 'Bea', $2)`, [contactId, device.deviceId]);
    const campaignId = await insertCampaign(db, {
      name: 'Free lunch',
      window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
      radiusM: 250,
      benefit: { description: `${percent}% off`, kind: 'percent', value: percent } as never,
      truckIds: [truckId],
      segments: [{ source: 'group', name: 'Regulars' }],
    });
    const [segment] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1`, [campaignId]);
    const { code } = await issueRecipientCode(db, { campaignId, segmentId: segment!.id, contactId, deviceId: device.deviceId, validFrom: now - 3_600_000, validUntil: now + 3_600_000 });
    return { code, deviceToken: device.token, deviceId: device.deviceId };
  }

  function admin(path: string, body: unknown): Promise<Reply> {
    return request(path, body, { Authorization: `Bearer ${ADMIN_TOKEN}` });
  }

  it('free order is paid without a card', async () => {
    const truckId = await truckWithMenu();
    const { code, deviceToken } = await recipientCode(truckId, 100);
    const order = await placeOrder(truckId, { code, customer: { deviceToken } });
    const withCard = await pay(order, await tokenize(VISA));
    expect(withCard.status).toBe(400);
    expect(withCard.body.error.field).toBe('paymentMethod');

    const free = await request(`/v1/orders/${order.id}/payments`, {}, { Authorization: `Bearer ${order.token}`, 'Idempotency-Key': 'free-1' });
    expect(free.status).toBe(201);
    expect(free.body.order).toMatchObject({ status: 'paid', pickupNumber: '001', totalMinor: 0, discountMinor: 800 });
    expect(free.body.payment).toMatchObject({ id: `free_${order.id}`, status: 'succeeded', amountMinor: 0, cardBrand: null, cardLast4: null });
    expect((await getCodeInfo(db, code))!.redeemedAt).not.toBeNull();

    const again = await request(`/v1/orders/${order.id}/payments`, {}, { Authorization: `Bearer ${order.token}`, 'Idempotency-Key': 'free-1' });
    expect(again.status).toBe(200);
    expect((await listOrderEvents(db, order.id)).map((event) => event.status)).toEqual(['placed', 'paid']);

    const refunded = await admin(`/v1/admin/orders/${order.id}/refund`, {});
    expect(refunded.status).toBe(200);
    expect(refunded.body.refund).toEqual({ status: 'succeeded', amountMinor: 0 });
  });

  it('payment body never echoes card details', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const headers = { Authorization: `Bearer ${order.token}` };
    const bodies = [{ paymentMethod: Number(VISA) }, { paymentMethod: [VISA] }, { number: VISA }, { paymentMethod: '4242 4242 4242 4242' }, [VISA]];
    for (const body of bodies) {
      const reply = await request(`/v1/orders/${order.id}/payments`, body, { ...headers, 'Idempotency-Key': randomUUID() });
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('invalid_input');
      expect(JSON.stringify(reply.body)).not.toContain('4242424242');
      expect(JSON.stringify(reply.body)).not.toContain('4242 4242');
    }
    expect(await listPaymentsOfOrder(db, order.id)).toEqual([]);
  });

  it('retry after a crash settles, never charges twice', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    // The process stored a succeeded charge for key "k-crash", then stopped before settling it.
    await upsertPayment(db, { id: `pi_before_crash_${order.id}`, orderId: order.id, provider: 'sandbox', idempotencyKey: 'k-crash', status: 'succeeded', amountMinor: 800, currency: 'USD', at: Date.now() });
    const retried = await pay(order, await tokenize(VISA), 'k-crash');

    expect(retried.status).toBe(201);
    expect(retried.body.payment.id).toBe(`pi_before_crash_${order.id}`);
    expect(retried.body.order).toMatchObject({ status: 'paid', pickupNumber: '001' });
    expect((await listPaymentsOfOrder(db, order.id)).map((payment) => payment.id)).toEqual([`pi_before_crash_${order.id}`]);
  });

  it('retry replaces a payment the provider forgot', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    // Awaiting authentication when the sandbox's memory was lost with its process.
    await upsertPayment(db, { id: `pi_forgotten_${order.id}`, orderId: order.id, provider: 'sandbox', idempotencyKey: 'k-lost', status: 'requires_action', amountMinor: 800, currency: 'USD', at: Date.now() });
    const retried = await pay(order, await tokenize(VISA), 'k-lost');

    expect(retried.status).toBe(201);
    const payments = await listPaymentsOfOrder(db, order.id);
    expect(payments.map((payment) => [payment.idempotencyKey, payment.status])).toEqual([['k-lost', 'succeeded']]);
    expect(payments[0]!.id).not.toBe(`pi_forgotten_${order.id}`);
  });

  it('card payment needs paymentMethod', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const missing = await request(`/v1/orders/${order.id}/payments`, {}, { Authorization: `Bearer ${order.token}`, 'Idempotency-Key': randomUUID() });

    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid_input', field: 'paymentMethod' });
    expect(missing.body.error.message).toContain('totals 800 USD');
  });

  it('admin refund refunds the card once', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const placedOnly = await admin(`/v1/admin/orders/${order.id}/refund`, {});
    expect(placedOnly.status).toBe(409);
    expect(placedOnly.body.error).toMatchObject({ code: 'conflict', field: 'status', value: 'refunded' });

    const paid = await pay(order, await tokenize(VISA));
    const unauthorized = await request(`/v1/admin/orders/${order.id}/refund`, {});
    expect(unauthorized.status).toBe(401);

    const partial = await admin(`/v1/admin/orders/${order.id}/refund`, { amountMinor: 1 });
    expect(partial.status).toBe(400);
    expect(partial.body.error.field).toBe('(body)');

    const refund = await admin(`/v1/admin/orders/${order.id}/refund`, {});
    expect(refund.status).toBe(200);
    expect(refund.body.order.status).toBe('refunded');
    expect(refund.body.refund).toEqual({ status: 'succeeded', amountMinor: 800 });
    expect((await listPaymentsOfOrder(db, order.id)).map((payment) => [payment.id, payment.status])).toEqual([[paid.body.payment.id, 'refunded']]);

    const twice = await admin(`/v1/admin/orders/${order.id}/refund`, {});
    expect(twice.status).toBe(409);
    await provider.webhooksSettled();
    const refundEvents = deliveries.filter((delivery) => {
      const event = JSON.parse(delivery.rawBody);
      return event.type === 'refund.succeeded' && event.data.paymentId === paid.body.payment.id;
    });
    expect(refundEvents).toHaveLength(1);
  });

  it('staff cannot set paid', async () => {
    const truckId = await truckWithMenu();
    const order = await placeOrder(truckId);
    const reply = await admin(`/v1/admin/orders/${order.id}/status`, { status: 'paid' });

    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'invalid_input', field: 'status', value: 'paid' });
    expect((await getOrder(db, order.id))!.status).toBe('placed');
  });

  it('announces each change to the board and the phone', async () => {
    const truckId = await truckWithMenu();
    const { deviceToken, deviceId } = await recipientCode(truckId, 10);
    const order = await placeOrder(truckId, { customer: { deviceToken, name: 'Bea' } });
    await pay(order, await tokenize(DECLINED));
    await pay(order, await tokenize(VISA));
    for (const status of ['preparing', 'ready', 'picked_up']) {
      expect((await admin(`/v1/admin/orders/${order.id}/status`, { status })).status).toBe(200);
    }

    await expect.poll(() => changes.filter((change) => change.order.id === order.id).length).toBe(5);
    const mine = changes.filter((change) => change.order.id === order.id);
    expect(mine.map((change) => change.order.status)).toEqual(['placed', 'paid', 'preparing', 'ready', 'picked_up']);
    expect(mine.every((change) => change.deviceId === deviceId)).toBe(true);
    expect(mine[1]!.order).toMatchObject({ truckId, pickupNumber: '001', customerName: 'Bea', itemCount: 2, totalMinor: 800, currency: 'USD' });
    expect(mine[1]!.order.lines).toEqual([{ itemId: 'taco', name: 'Taco', quantity: 2, choices: [] }]);
  });

  it('no card number in rows or logs', async () => {
    const tables = ['payments', 'payment_events', 'orders', 'order_events'];
    for (const table of tables) {
      const rows = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
      expect(rows.length).toBeGreaterThan(0);
      for (const { row } of rows) {
        for (const number of CARD_NUMBERS) expect(row).not.toContain(number);
      }
    }
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((line) => line.includes('sandbox payment created'))).toBe(true);
    for (const line of logLines) {
      for (const number of CARD_NUMBERS) expect(line).not.toContain(number);
    }
  });
});
