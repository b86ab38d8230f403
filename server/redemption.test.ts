import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import type { OfferBenefit } from '../common/protocol.js';
import type { Db } from '../store/types.js';
import { TEST_STORES, type TestStore } from '../test/stores.js';
import { errorResponse } from './http-errors.js';
import { redeemCode, RedemptionError, type Customer } from './redemption.js';
import { insertCampaign } from './repos/campaigns.js';
import { ensureSegmentCode, getCodeInfo, issueRecipientCode } from './repos/codes.js';
import { upsertTruck } from './repos/trucks.js';
import { codeRoutes } from './routes/codes.js';
import type { ServerServices } from './services.js';

const VALID_FROM = Date.parse('2026-12-04T19:00:00.000Z');
const VALID_UNTIL = Date.parse('2026-12-04T21:00:00.000Z');
const WINDOW = { validFrom: VALID_FROM, validUntil: VALID_UNTIL };
const AT = Date.parse('2026-12-04T20:00:00.000Z');
const BENEFIT: OfferBenefit = { kind: 'percent', value: 15, description: '15% off' };

const ANN = { phone: '+14155552671', email: 'ann@example.com' };

async function rejectionOf(promise: Promise<unknown>): Promise<RedemptionError> {
  return promise.then(
    () => {
      throw new Error('expected a RedemptionError, but the promise resolved');
    },
    (error: unknown) => {
      if (error instanceof RedemptionError) return error;
      throw error;
    },
  );
}

for (const [storeName, open] of TEST_STORES) {
  describe(`redeemCode on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let annId: string;
    let bobId: string;
    let outsideTruckId: string;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      annId = randomUUID();
      bobId = randomUUID();
      await db.query(`INSERT INTO contacts (id, first_name, phone_e164, email) VALUES ($1, 'Ann', $2, $3), ($4, 'Bob', NULL, 'bob@example.com')`, [
        annId,
        ANN.phone,
        ANN.email,
        bobId,
      ]);
      const { truck } = await upsertTruck(db, { name: 'Crepe Deux', lat: 40.7128, lon: -74.006, timeZone: 'America/New_York' });
      outsideTruckId = truck.id;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    interface Seeded {
      campaignId: string;
      segmentId: string;
      truckId: string;
      sharedCode: string;
      /** Ann's single-use code. */
      annCode: string;
    }

    /** Creates a campaign with one truck and one segment, the segment's shared code and Ann's own code. */
    async function seed(status = 'active'): Promise<Seeded> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-04T11:00', end: '2026-12-04T13:00' },
        radiusM: 250,
        benefit: BENEFIT,
        truckIds: [truck.id],
        segments: [{ source: 'group', name: 'Burger fans' }],
      });
      await db.query(`UPDATE campaigns SET status = $2 WHERE id = $1`, [campaignId, status]);
      const [segment] = await db.query<{ id: string }>(`SELECT id FROM segments WHERE campaign_id = $1`, [campaignId]);
      const segmentId = segment!.id;
      const shared = await ensureSegmentCode(db, { campaignId, segmentId, ...WINDOW });
      const ann = await issueRecipientCode(db, { campaignId, segmentId, contactId: annId, ...WINDOW });
      return { campaignId, segmentId, truckId: truck.id, sharedCode: shared.code, annCode: ann.code };
    }

    describe('single-use codes', () => {
      it('redeems once and records the time', async () => {
        const seeded = await seed();
        const redemption = await redeemCode(db, { code: seeded.annCode, truckId: seeded.truckId, customer: { contactId: annId }, at: AT });

        expect(redemption).toEqual({
          ok: true,
          code: seeded.annCode,
          campaignId: seeded.campaignId,
          segmentId: seeded.segmentId,
          singleUse: true,
          benefit: BENEFIT,
          redeemedAt: '2026-12-04T20:00:00.000Z',
        });
        expect(await getCodeInfo(db, seeded.annCode)).toMatchObject({ redeemedAt: '2026-12-04T20:00:00.000Z', redemptions: 1 });
      });

      it('lets one of 50 simultaneous redemptions win', async () => {
        const seeded = await seed();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => redeemCode(db, { code: seeded.annCode, customer: {}, at: AT + i })),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const error of lost) {
          expect(error).toBeInstanceOf(RedemptionError);
          expect((error as RedemptionError).reason).toBe('already_redeemed');
          expect((error as RedemptionError).code).toBe('conflict');
        }
        const info = await getCodeInfo(db, seeded.annCode);
        expect(info!.redeemedAt).toBe((won[0] as PromiseFulfilledResult<{ redeemedAt: string }>).value.redeemedAt);
      });

      it('rejects a second redemption with the first time', async () => {
        const seeded = await seed();
        await redeemCode(db, { code: seeded.annCode, customer: {}, at: AT });
        const error = await rejectionOf(redeemCode(db, { code: seeded.annCode, customer: {}, at: AT + 60_000 }));

        expect(error.message).toBe(`code ${seeded.annCode} was already redeemed at 2026-12-04T20:00:00.000Z`);
        expect(error.toJSON()).toEqual({
          code: 'conflict',
          message: error.message,
          field: 'code',
          value: seeded.annCode,
          reason: 'already_redeemed',
          redeemedAt: '2026-12-04T20:00:00.000Z',
        });
      });

      it("rejects another recipient's code", async () => {
        const seeded = await seed();
        for (const customer of [{ contactId: bobId }, { email: 'bob@example.com' }, { phone: '+14155552672', contactId: bobId }]) {
          const error = await rejectionOf(redeemCode(db, { code: seeded.annCode, customer, at: AT }));
          expect(error.reason).toBe('foreign');
          expect(error.field).toBe('customer');
          expect(error.message).toBe(`code ${seeded.annCode} was issued to another customer`);
        }
        expect((await getCodeInfo(db, seeded.annCode))!.redeemedAt).toBeNull();
      });

      it('accepts the recipient however identified', async () => {
        const customers: Customer[] = [{ contactId: annId }, { phone: ANN.phone }, { email: 'Ann@Example.com' }, {}];
        for (const customer of customers) {
          const seeded = await seed();
          const redemption = await redeemCode(db, { code: seeded.annCode, customer, at: AT });
          expect(redemption.code).toBe(seeded.annCode);
        }
      });
    });

    describe('shared codes', () => {
      it('lets one of 30 simultaneous redemptions by one customer win', async () => {
        const seeded = await seed();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 30 }, () => redeemCode(db, { code: seeded.sharedCode, customer: { contactId: annId }, at: AT })),
        );

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as RedemptionError).reason] : []));
        expect(reasons).toEqual(Array.from({ length: 29 }, () => 'already_redeemed'));
        expect(await getCodeInfo(db, seeded.sharedCode)).toMatchObject({ singleUse: false, redemptions: 1, redeemedAt: null });
      });

      it('lets 30 simultaneous customers all win', async () => {
        const seeded = await seed();
        const redemptions = await Promise.all(
          Array.from({ length: 30 }, () =>
            redeemCode(db, { code: seeded.sharedCode, truckId: seeded.truckId, customer: { deviceId: randomUUID() }, at: AT }),
          ),
        );

        expect(redemptions.every((redemption) => redemption.code === seeded.sharedCode && !redemption.singleUse)).toBe(true);
        expect((await getCodeInfo(db, seeded.sharedCode))!.redemptions).toBe(30);
        const [row] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM redemptions WHERE code = $1 AND truck_id = $2`, [
          seeded.sharedCode,
          seeded.truckId,
        ]);
        expect(row!.n).toBe(30);
      });

      it('matches a contact by id, phone and email', async () => {
        const seeded = await seed();
        await redeemCode(db, { code: seeded.sharedCode, customer: { phone: ' +1 415 555 2671' }, at: AT });

        for (const customer of [{ contactId: annId }, { email: 'ANN@example.com' }]) {
          const error = await rejectionOf(redeemCode(db, { code: seeded.sharedCode, customer, at: AT + 1000 }));
          expect(error.reason).toBe('already_redeemed');
          expect(error.message).toBe(`code ${seeded.sharedCode} was already redeemed by this customer at 2026-12-04T20:00:00.000Z`);
        }
        const [row] = await db.query<{ customer_key: string }>(`SELECT customer_key FROM redemptions WHERE code = $1`, [seeded.sharedCode]);
        expect(row!.customer_key).toBe(`contact:${annId}`);
      });

      it('keys an unknown customer by the identifier given', async () => {
        const seeded = await seed();
        const deviceId = randomUUID();
        await redeemCode(db, { code: seeded.sharedCode, customer: { deviceId }, at: AT });
        await redeemCode(db, { code: seeded.sharedCode, customer: { phone: '+442071838750' }, at: AT });
        await redeemCode(db, { code: seeded.sharedCode, customer: { email: ' New@Example.com ' }, at: AT });

        const rows = await db.query<{ customer_key: string }>(`SELECT customer_key FROM redemptions WHERE code = $1 ORDER BY customer_key`, [
          seeded.sharedCode,
        ]);
        expect(rows.map((row) => row.customer_key)).toEqual([`device:${deviceId}`, 'email:new@example.com', 'phone:+442071838750']);
      });

      it('requires a customer', async () => {
        const seeded = await seed();
        const error = await rejectionOf(redeemCode(db, { code: seeded.sharedCode, customer: {}, at: AT }));
        expect(error.code).toBe('invalid_input');
        expect(error.reason).toBe('customer_required');
        expect(error.field).toBe('customer');
        expect(error.message).toContain('give a contactId, deviceId, phone or email');
      });
    });

    describe('validity window', () => {
      it('rejects a code before its window', async () => {
        const seeded = await seed();
        const error = await rejectionOf(redeemCode(db, { code: seeded.annCode, customer: {}, at: VALID_FROM - 1 }));
        expect(error.reason).toBe('not_yet_valid');
        expect(error.code).toBe('invalid_input');
        expect(error.message).toBe(`code ${seeded.annCode} is not valid until 2026-12-04T19:00:00.000Z`);
        expect(error.toJSON()).toMatchObject({ reason: 'not_yet_valid', validFrom: '2026-12-04T19:00:00.000Z' });

        expect((await redeemCode(db, { code: seeded.annCode, customer: {}, at: VALID_FROM })).ok).toBe(true);
      });

      it('rejects a code at the end of its window', async () => {
        const seeded = await seed();
        const error = await rejectionOf(redeemCode(db, { code: seeded.sharedCode, customer: { contactId: annId }, at: VALID_UNTIL }));
        expect(error.reason).toBe('expired');
        expect(error.message).toBe(`code ${seeded.sharedCode} expired at 2026-12-04T21:00:00.000Z`);
        expect(error.toJSON()).toMatchObject({ reason: 'expired', validUntil: '2026-12-04T21:00:00.000Z' });

        expect((await redeemCode(db, { code: seeded.sharedCode, customer: { contactId: annId }, at: VALID_UNTIL - 1 })).ok).toBe(true);
      });
    });

    describe('code, campaign and truck', () => {
      it('rejects an unknown code', async () => {
        const error = await rejectionOf(redeemCode(db, { code: 'ZZZZ-2345', customer: {}, at: AT }));
        expect(error.reason).toBe('unknown');
        expect(error.code).toBe('invalid_input');
        expect(error.field).toBe('code');
        expect(error.message).toBe('code ZZZZ-2345 not found; check the code as written');
      });

      it('rejects a code of another campaign', async () => {
        const seeded = await seed();
        const other = await seed();
        const error = await rejectionOf(redeemCode(db, { code: seeded.annCode, campaignId: other.campaignId, customer: {}, at: AT }));
        expect(error.reason).toBe('foreign');
        expect(error.field).toBe('campaignId');
        expect(error.message).toBe(`code ${seeded.annCode} belongs to another campaign than ${other.campaignId}`);

        expect((await redeemCode(db, { code: seeded.annCode, campaignId: seeded.campaignId, customer: {}, at: AT })).ok).toBe(true);
      });

      it("rejects a truck outside the code's campaign", async () => {
        const seeded = await seed();
        const error = await rejectionOf(redeemCode(db, { code: seeded.sharedCode, truckId: outsideTruckId, customer: { contactId: annId }, at: AT }));
        expect(error.reason).toBe('foreign');
        expect(error.field).toBe('truckId');
        expect(error.value).toBe(outsideTruckId);
        expect(error.message).toBe(`code ${seeded.sharedCode} is not valid at truck ${outsideTruckId}, which is not in the code's campaign`);
        expect((await getCodeInfo(db, seeded.sharedCode))!.redemptions).toBe(0);
      });

      it('rejects a draft or ended campaign', async () => {
        for (const status of ['draft', 'ended']) {
          const seeded = await seed(status);
          const error = await rejectionOf(redeemCode(db, { code: seeded.annCode, customer: {}, at: AT }));
          expect(error.reason).toBe('campaign_not_live');
          expect(error.message).toBe(`code ${seeded.annCode} belongs to a campaign that is ${status}, not live`);
        }
        const scheduled = await seed('scheduled');
        expect((await redeemCode(db, { code: scheduled.annCode, customer: {}, at: AT })).ok).toBe(true);
      });

      it('accepts lower case and spaces', async () => {
        const seeded = await seed();
        const typed = ` ${seeded.sharedCode.toLowerCase().split('').join(' ')} `;
        const redemption = await redeemCode(db, { code: typed, customer: { contactId: annId }, at: AT });
        expect(redemption.code).toBe(seeded.sharedCode);
      });

      it('rejects ambiguous characters by name', async () => {
        const cases: Array<[string, string, string]> = [
          ['BURGER-7KQO', 'O', '0'],
          ['burger-7kq0', '0', 'O'],
          ['burger-7kql', 'L', '1 and I'],
          ['BURGER-1KQ2', '1', 'I and L'],
        ];
        for (const [code, character, lookalike] of cases) {
          const error = await rejectionOf(redeemCode(db, { code, customer: {}, at: AT }));
          expect(error.reason).toBe('malformed');
          expect(error.field).toBe('code');
          expect(error.value).toBe(code);
          expect(error.message).toBe(
            `invalid code: ${JSON.stringify(code)} contains "${character}", which codes never use because it looks like ${lookalike}; check the code as written`,
          );
        }
      });

      it('rejects malformed identifiers', async () => {
        const seeded = await seed();
        const cases: Array<[Customer, string]> = [
          [{ contactId: 'ann' }, 'customer.contactId'],
          [{ phone: '4155552671' }, 'customer.phone'],
          [{ phone: '+1415' }, 'customer.phone'],
          [{ email: 'ann-at-example.com' }, 'customer.email'],
        ];
        for (const [customer, field] of cases) {
          const error = await redeemCode(db, { code: seeded.sharedCode, customer, at: AT }).then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(error).toBeInstanceOf(CloudburstError);
          expect((error as CloudburstError).code).toBe('invalid_input');
          expect((error as CloudburstError).field).toBe(field);
        }
      });
    });

    describe('code routes', () => {
      let clock = AT;

      function request(path: string, body?: unknown): Promise<Response> {
        const app = new Hono();
        app.onError((error, c) => errorResponse(error, c, silentLogger()));
        app.route('/v1/admin', codeRoutes({ db } as ServerServices, { now: () => clock }));
        const init: RequestInit =
          body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
        return Promise.resolve(app.request(path, init));
      }

      it('redeems and then answers 409', async () => {
        const seeded = await seed();
        clock = AT;
        const body = { code: seeded.sharedCode.toLowerCase(), truckId: seeded.truckId, customer: { contactId: annId } };

        const first = await request('/v1/admin/codes/redeem', body);
        expect(first.status).toBe(200);
        expect(await first.json()).toEqual({
          redemption: {
            ok: true,
            code: seeded.sharedCode,
            campaignId: seeded.campaignId,
            segmentId: seeded.segmentId,
            singleUse: false,
            benefit: BENEFIT,
            redeemedAt: '2026-12-04T20:00:00.000Z',
          },
        });

        const second = await request('/v1/admin/codes/redeem', body);
        expect(second.status).toBe(409);
        expect(await second.json()).toMatchObject({ error: { code: 'conflict', reason: 'already_redeemed', redeemedAt: '2026-12-04T20:00:00.000Z' } });
      });

      it('answers 400 with the reason', async () => {
        const seeded = await seed();
        clock = VALID_UNTIL;
        const response = await request('/v1/admin/codes/redeem', { code: seeded.annCode });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({
          error: {
            code: 'invalid_input',
            message: `code ${seeded.annCode} expired at 2026-12-04T21:00:00.000Z`,
            field: 'code',
            value: seeded.annCode,
            reason: 'expired',
            validUntil: '2026-12-04T21:00:00.000Z',
          },
        });
      });

      it('names the invalid field', async () => {
        const cases: Array<[unknown, string, unknown]> = [
          [{ code: 'ABCD-2345', truckId: 'truck-1' }, 'truckId', 'truck-1'],
          [{ code: 'ABCD-2345', customer: { contactID: annId } }, 'customer', undefined],
          [{ code: 42 }, 'code', 42],
        ];
        for (const [body, field, value] of cases) {
          const response = await request('/v1/admin/codes/redeem', body);
          expect(response.status).toBe(400);
          const { error } = (await response.json()) as { error: { field: string; value?: unknown } };
          expect(error.field).toBe(field);
          if (value !== undefined) expect(error.value).toBe(value);
        }
      });

      it('gives an empty or missing code a clear error', async () => {
        const empty = await request('/v1/admin/codes/redeem', { code: '' });
        expect(empty.status).toBe(400);
        expect(await empty.json()).toMatchObject({ error: { field: 'code', value: '', reason: 'malformed' } });

        const missing = await request('/v1/admin/codes/redeem', { customer: { contactId: annId } });
        expect(missing.status).toBe(400);
        const { error } = (await missing.json()) as { error: { field: string; message: string } };
        expect(error.field).toBe('code');
        expect(error.message).toBe('invalid code: missing (expected the code as a string, like "WRAP-7788")');
      });

      it('returns what is known about a code', async () => {
        const seeded = await seed();
        const response = await request(`/v1/admin/codes/${encodeURIComponent(seeded.annCode.toLowerCase())}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          code: {
            code: seeded.annCode,
            campaign: { id: seeded.campaignId, name: 'Lunch burst', status: 'active' },
            segment: { id: seeded.segmentId, name: 'Burger fans' },
            singleUse: true,
            recipient: { contactId: annId, deviceId: null },
            validFrom: '2026-12-04T19:00:00.000Z',
            validUntil: '2026-12-04T21:00:00.000Z',
            redeemedAt: null,
            redemptions: 0,
          },
        });
      });

      it('answers 404 for an unknown code', async () => {
        const response = await request('/v1/admin/codes/ZZZZ-2345');
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'code ZZZZ-2345 not found', field: 'code', value: 'ZZZZ-2345' } });
      });

      it('answers 400 for an ambiguous code', async () => {
        const response = await request('/v1/admin/codes/ZZZO-2345');
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { message: string } }).error.message).toContain('contains "O"');
      });
    });
  });
}
