import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { createCampaign } from '../campaigns/service.js';
import { errorResponse } from '../http-errors.js';
import { getSendJob, type SendStatus } from '../repos/send-jobs.js';
import { upsertTruck } from '../repos/trucks.js';
import { MESSAGING_RULES_TTL_MS, QUIET_HOURS_HOLD } from '../sends/policy.js';
import type { ServerServices } from '../services.js';
import { sendRoutes } from './sends.js';

const WINDOW = { start: '2030-06-01T11:00', end: '2030-06-01T14:00' };
/** Send times of the seeded jobs: the listing orders by send time, then kind, then id. */
const FIRST_SEND = '2030-06-01T18:00:00.000Z';
const SECOND_SEND = '2030-06-01T18:30:00.000Z';
const PARKED_REASON = 'outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate';
const SKIPPED_REASON = 'no SMS consent';
const FAILED_REASON = 'undelivered (30003: unreachable destination handset)';

interface Reply {
  status: number;
  body: Record<string, any>;
}

let phoneSequence = 0;
/** Returns a phone number no other job uses, since a campaign has one job per segment, kind and contact. */
function newPhone(): string {
  phoneSequence += 1;
  return `+1415555${String(3000 + phoneSequence).padStart(4, '0')}`;
}

for (const [storeName, open] of TEST_STORES) {
  describe(`send routes on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let app: Hono;
    let truckId: string;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      truckId = truck.id;
      app = new Hono();
      app.onError((error, c) => errorResponse(error, c, silentLogger()));
      app.route('/v1/admin', sendRoutes({ db } as unknown as ServerServices, silentLogger()));
    });

    afterAll(async () => {
      await store?.dispose();
    });

    async function request(method: string, path: string, body?: unknown): Promise<Reply> {
      const init = body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
      const response = await app.request(path, init);
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    }

    /** Creates a draft campaign with one point-of-sale segment and returns both ids. */
    async function newCampaign(): Promise<{ campaignId: string; segmentId: string }> {
      const { campaign } = await createCampaign(db, {
        name: 'Lunch rush',
        truckIds: [truckId],
        window: WINDOW,
        radiusM: 200,
        benefit: { kind: 'percent', value: 15 },
        channels: ['push', 'sms'],
        status: 'draft',
        segments: [{ source: 'point_of_sale', name: 'Window sign-ups' }],
      });
      const segment = campaign.segments.find((candidate) => candidate.source === 'point_of_sale')!;
      return { campaignId: campaign.id, segmentId: segment.id };
    }

    /** Inserts an SMS job for a new contact in the given state, as the scheduler leaves it, and returns its id. */
    async function insertJob(
      target: { campaignId: string; segmentId: string },
      fields: { status: SendStatus; reason?: string; sendAt?: string },
    ): Promise<string> {
      const contactId = randomUUID();
      const phone = newPhone();
      await db.query(`INSERT INTO contacts (id, phone_e164) VALUES ($1, $2)`, [contactId, phone]);
      const id = randomUUID();
      const sendAt = fields.sendAt ?? FIRST_SEND;
      await db.query(
        `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, send_at, status, attempts, next_attempt_at, recipient, reason)
         VALUES ($1, $2, $3, $4, 'sms', $5::timestamptz, $6, 2, $5::timestamptz, $7, $8)`,
        [id, target.campaignId, target.segmentId, contactId, sendAt, fields.status, phone, fields.reason ?? null],
      );
      return id;
    }

    describe('POST /sends/:id/retry', () => {
      let target: { campaignId: string; segmentId: string };

      beforeAll(async () => {
        target = await newCampaign();
      });

      it('requeues a parked job', async () => {
        const id = await insertJob(target, { status: 'parked', reason: PARKED_REASON });
        const before = Date.now();

        const reply = await request('POST', `/v1/admin/sends/${id}/retry`);

        const after = Date.now();
        expect(reply.status).toBe(200);
        expect(reply.body.send).toMatchObject({ id, campaignId: target.campaignId, status: 'queued', attempts: 0, reason: null, sendAt: FIRST_SEND });
        const nextAttemptAt = Date.parse(reply.body.send.nextAttemptAt);
        expect(nextAttemptAt).toBeGreaterThanOrEqual(before);
        expect(nextAttemptAt).toBeLessThanOrEqual(after);
        const stored = await getSendJob(db, id);
        expect(stored?.status).toBe('queued');
        expect(stored?.attempts).toBe(0);
        expect(stored?.reason).toBeNull();
        expect(stored?.nextAttemptAt).toBe(reply.body.send.nextAttemptAt);
      });

      it('requeues failed and skipped jobs', async () => {
        for (const [status, reason] of [
          ['failed', FAILED_REASON],
          ['skipped', SKIPPED_REASON],
        ] as const) {
          const id = await insertJob(target, { status, reason });

          const reply = await request('POST', `/v1/admin/sends/${id}/retry`);

          expect({ status, code: reply.status }).toEqual({ status, code: 200 });
          expect(reply.body.send).toMatchObject({ id, status: 'queued', reason: null });
          expect((await getSendJob(db, id))?.status).toBe('queued');
        }
      });

      it('rejects a second retry with 409', async () => {
        const id = await insertJob(target, { status: 'parked', reason: PARKED_REASON });

        const first = await request('POST', `/v1/admin/sends/${id}/retry`);
        const second = await request('POST', `/v1/admin/sends/${id}/retry`);

        expect(first.status).toBe(200);
        expect(second.status).toBe(409);
        expect(second.body.error).toEqual({
          code: 'conflict',
          message: `send ${id} is queued; only parked, failed or skipped sends can be retried`,
          field: 'id',
          value: id,
        });
      });

      it('rejects jobs that are not closed with 409', async () => {
        for (const status of ['queued', 'sending', 'sent', 'delivered', 'cancelled'] as const) {
          const id = await insertJob(target, { status });

          const reply = await request('POST', `/v1/admin/sends/${id}/retry`);

          expect({ status, code: reply.status }).toEqual({ status, code: 409 });
          expect(reply.body.error).toEqual({
            code: 'conflict',
            message: `send ${id} is ${status}; only parked, failed or skipped sends can be retried`,
            field: 'id',
            value: id,
          });
          const stored = await getSendJob(db, id);
          expect(stored?.status).toBe(status);
          expect(stored?.attempts).toBe(2);
        }
      });

      it('accepts an upper-case id', async () => {
        const id = await insertJob(target, { status: 'parked', reason: PARKED_REASON });

        const reply = await request('POST', `/v1/admin/sends/${id.toUpperCase()}/retry`);

        expect(reply.status).toBe(200);
        expect(reply.body.send.id).toBe(id);
      });

      it('returns 404 for an unknown id', async () => {
        const id = randomUUID();

        const reply = await request('POST', `/v1/admin/sends/${id}/retry`);

        expect(reply.status).toBe(404);
        expect(reply.body.error).toEqual({ code: 'not_found', message: `send ${id} not found`, field: 'id', value: id });
      });

      it('returns 400 for a malformed id', async () => {
        const reply = await request('POST', '/v1/admin/sends/job-7/retry');

        expect(reply.status).toBe(400);
        expect(reply.body.error).toEqual({ code: 'invalid_input', message: 'invalid id: "job-7" (expected a UUID)', field: 'id', value: 'job-7' });
      });
    });

    describe('GET /campaigns/:id/sends', () => {
      let target: { campaignId: string; segmentId: string };
      let parkedId: string;
      let skippedId: string;
      let queuedId: string;
      let sentId: string;

      beforeAll(async () => {
        target = await newCampaign();
        // Inserted out of send order, so the listing must sort them itself.
        queuedId = await insertJob(target, { status: 'queued', sendAt: SECOND_SEND });
        parkedId = await insertJob(target, { status: 'parked', reason: PARKED_REASON });
        skippedId = await insertJob(target, { status: 'skipped', reason: SKIPPED_REASON, sendAt: SECOND_SEND });
        sentId = await insertJob(target, { status: 'sent' });
        // A job of another campaign, which no listing below may show.
        await insertJob(await newCampaign(), { status: 'parked', reason: PARKED_REASON });
      });

      /** Returns the seeded ids in the listing's order: send time, then kind, then id. */
      function expectedOrder(): string[] {
        return [...[parkedId, sentId].sort(), ...[queuedId, skippedId].sort()];
      }

      it('lists every job of the campaign in send order', async () => {
        const reply = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends`);

        expect(reply.status).toBe(200);
        expect(reply.body.sends.map((send: { id: string }) => send.id)).toEqual(expectedOrder());
        expect(reply.body.sends.map((send: { status: string }) => send.status).sort()).toEqual(['parked', 'queued', 'sent', 'skipped']);
      });

      it('filters by status with the reason', async () => {
        const parked = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?status=parked`);
        const skipped = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?status=skipped`);
        const failed = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?status=failed`);

        expect(parked.status).toBe(200);
        expect(parked.body.sends).toHaveLength(1);
        expect(parked.body.sends[0]).toMatchObject({
          id: parkedId,
          campaignId: target.campaignId,
          segmentId: target.segmentId,
          kind: 'sms',
          status: 'parked',
          reason: PARKED_REASON,
          sendAt: FIRST_SEND,
        });
        expect(skipped.body.sends.map((send: { id: string; reason: string }) => [send.id, send.reason])).toEqual([[skippedId, SKIPPED_REASON]]);
        expect(failed.status).toBe(200);
        expect(failed.body.sends).toEqual([]);
      });

      it('pages with limit and offset', async () => {
        const reply = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?limit=2&offset=1`);

        expect(reply.status).toBe(200);
        expect(reply.body.sends.map((send: { id: string }) => send.id)).toEqual(expectedOrder().slice(1, 3));
      });

      it('rejects an unknown status', async () => {
        const reply = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?status=lost`);

        expect(reply.status).toBe(400);
        expect(reply.body.error).toEqual({
          code: 'invalid_input',
          message:
            'invalid status: "lost" (Invalid option: expected one of "queued"|"sending"|"sent"|"delivered"|"failed"|"parked"|"skipped"|"cancelled")',
          field: 'status',
          value: 'lost',
        });
      });

      it('rejects a limit out of range', async () => {
        const reply = await request('GET', `/v1/admin/campaigns/${target.campaignId}/sends?limit=0`);

        expect(reply.status).toBe(400);
        expect(reply.body.error).toMatchObject({ code: 'invalid_input', field: 'limit', value: '0' });
      });

      it('returns 404 for an unknown campaign', async () => {
        const id = randomUUID();

        const reply = await request('GET', `/v1/admin/campaigns/${id}/sends?status=parked`);

        expect(reply.status).toBe(404);
        expect(reply.body.error).toEqual({ code: 'not_found', message: `campaign ${id} not found`, field: 'id', value: id });
      });

      it('returns 400 for a malformed campaign id', async () => {
        const reply = await request('GET', '/v1/admin/campaigns/lunch/sends');

        expect(reply.status).toBe(400);
        expect(reply.body.error).toEqual({ code: 'invalid_input', message: 'invalid id: "lunch" (expected a UUID)', field: 'id', value: 'lunch' });
      });
    });

    describe('PUT /settings/messaging', () => {
      it('releases messages held for the old quiet hours', async () => {
        const target = await newCampaign();
        const quietEnd = new Date(Date.now() + 8 * 3_600_000).toISOString();
        const held = await insertJob(target, { status: 'queued', reason: `${QUIET_HOURS_HOLD} ${quietEnd}`, sendAt: quietEnd });
        const waiting = await insertJob(target, { status: 'queued', reason: 'temporary error: 503', sendAt: quietEnd });
        const before = Date.now();

        const reply = await request('PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: { max: 2, perHours: 24 } });

        expect(reply.status).toBe(200);
        const due = async (id: string) => Date.parse((await getSendJob(db, id))!.nextAttemptAt);
        // Due once every sender has read the new rules, not at the old quiet hours' end.
        expect(await due(held)).toBeGreaterThanOrEqual(before + MESSAGING_RULES_TTL_MS);
        expect(await due(held)).toBeLessThan(Date.parse(quietEnd));
        expect(await due(waiting)).toBe(Date.parse(quietEnd));
      });
    });
  });
}
