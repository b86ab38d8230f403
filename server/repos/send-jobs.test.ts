import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { getCampaign, insertCampaign, type Campaign } from './campaigns.js';
import { upsertContacts } from './contacts.js';
import { addSegmentMembers, insertSegment } from './segments.js';
import {
  cancelQueuedSends,
  claimDueJobs,
  clearJobToSend,
  closeJob,
  countSentToContact,
  findSentInCampaign,
  lockContactForSend,
  markSent,
  parkExpiredClaims,
  requeueUnclearedClaims,
  parkUnrecordedSend,
  queueCampaignSends,
  requeueJob,
  type ClaimRequest,
  type SendJob,
} from './send-jobs.js';
import { upsertTemplate } from './templates.js';
import { upsertTruck } from './trucks.js';

const T0 = Date.parse('2026-12-05T19:00:00.000Z');

for (const [storeName, open] of TEST_STORES) {
  describe(`send jobs on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let seeds = 0;

    beforeAll(async () => {
      store = await open();
      db = store.db;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    // The queue is shared by every campaign, so each case starts with nothing queued.
    beforeEach(async () => {
      await db.query(`UPDATE send_jobs SET status = 'cancelled' WHERE status = 'queued'`);
    });

    /** A campaign on sms and email with one segment of `members` contacts: all with phones, half with emails. */
    async function seed(members: number, channels: Campaign['channels'] = ['sms', 'email']): Promise<{ campaign: Campaign; segmentId: string }> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
        radiusM: 250,
        benefit: { kind: 'percent', value: 10, description: '10% off' },
        truckIds: [truck.id],
        channels,
        status: 'scheduled',
        segments: [{ source: 'nearby', name: 'Nearby phones' }],
      });
      const segmentId = await insertSegment(db, campaignId, { source: 'facebook', name: 'Likers' });
      await upsertTemplate(db, segmentId, 'sms', { body: '{{code}}' });
      await upsertTemplate(db, segmentId, 'email', { subject: 'Hi', body: '{{code}}' });
      await upsertTemplate(db, segmentId, 'messenger', { body: '{{code}}' });
      const suffix = ++seeds;
      const ids = await upsertContacts(
        db,
        Array.from({ length: members }, (_, i) => ({
          phone: `+1415${String(suffix).padStart(3, '0')}${String(i).padStart(4, '0')}`,
          ...(i % 2 === 0 ? { email: `p${suffix}-${i}@example.com` } : {}),
        })),
      );
      await addSegmentMembers(db, segmentId, ids);
      return { campaign: (await getCampaign(db, campaignId))!, segmentId };
    }

    function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
      return { sender: `+1415555${Math.floor(Math.random() * 1e4)}`, provider: 'twilio', kinds: ['sms'], ratePerSecond: 2, burst: 2, leaseMs: 60_000, now: T0, ...overrides };
    }

    it('queues one job per member, kind and address, once, for the campaign channels only', async () => {
      const { campaign } = await seed(6);
      expect(await queueCampaignSends(db, campaign, T0)).toBe(6 + 3);
      expect(await queueCampaignSends(db, campaign, T0)).toBe(0);

      // Unscheduling cancels; scheduling again queues the cancelled jobs, not new ones.
      expect(await cancelQueuedSends(db, campaign.id, 'unscheduled')).toBe(9);
      expect(await queueCampaignSends(db, campaign, T0 + 1_000)).toBe(9);
      const [row] = await db.query<{ count: string | number }>(`SELECT count(*) AS count FROM send_jobs WHERE campaign_id = $1`, [campaign.id]);
      expect(Number(row!.count)).toBe(9);
    });

    it('never queues a sent job again', async () => {
      const { campaign } = await seed(2, ['sms']);
      await queueCampaignSends(db, campaign, T0);
      const request = claimRequest({ burst: 1, ratePerSecond: 1 });
      const [job] = await db.transaction((tx) => claimDueJobs(tx, request));
      await markSent(db, job!.id, { recipient: 'x', code: null, providerMessageId: 'SM1', at: T0 });
      await cancelQueuedSends(db, campaign.id, 'unscheduled');
      expect(await queueCampaignSends(db, campaign, T0)).toBe(1);
      const statuses = await db.query<{ status: string }>(`SELECT status FROM send_jobs WHERE campaign_id = $1 ORDER BY status`, [campaign.id]);
      expect(statuses.map((row) => row.status)).toEqual(['queued', 'sent']);
    });

    it("paces each sender: no more than its rate, and at most a burst after an idle spell", async () => {
      const { campaign } = await seed(10, ['sms']);
      await queueCampaignSends(db, campaign, T0);
      const request = claimRequest({ kinds: ['sms'] });
      const claim = (now: number) => db.transaction((tx) => claimDueJobs(tx, { ...request, now }));

      // A new sender starts with its burst.
      expect(await claim(T0)).toHaveLength(2);
      expect(await claim(T0)).toHaveLength(0);
      expect(await claim(T0 + 499)).toHaveLength(0);
      expect(await claim(T0 + 500)).toHaveLength(1);
      // Ten idle seconds buy no more than the burst of 2.
      expect(await claim(T0 + 10_500)).toHaveLength(2);
      expect(await claim(T0 + 10_500)).toHaveLength(0);
      expect(await claim(T0 + 11_000)).toHaveLength(1);
    });

    it('shares the pace between processes claiming side by side, and never hands one job out twice', async () => {
      const { campaign } = await seed(40, ['sms']);
      await queueCampaignSends(db, campaign, T0);
      const request = claimRequest({ ratePerSecond: 100, burst: 10 });
      const claimed = (await Promise.all(Array.from({ length: 8 }, () => db.transaction((tx) => claimDueJobs(tx, { ...request, now: T0 + 100 }))))).flat();
      expect(new Set(claimed.map((job) => job.id)).size).toBe(claimed.length);
      // A new sender's burst is all the processes get between them at one instant.
      expect(claimed).toHaveLength(10);
    });

    it('parks a claim whose lease ran out, and a late answer cannot undo the park', async () => {
      const { campaign } = await seed(2, ['sms']);
      await queueCampaignSends(db, campaign, T0);
      const request = claimRequest({ leaseMs: 1_000, ratePerSecond: 10, burst: 2 });
      const jobs = await db.transaction((tx) => claimDueJobs(tx, request));
      expect(jobs).toHaveLength(2);
      await closeJob(db, jobs[1]!.id, 'skipped', 'no consent');
      expect(await db.transaction((tx) => clearJobToSend(tx, jobs[0]!.id, T0 + 10))).toBe(true);

      expect(await parkExpiredClaims(db, T0 + 999)).toEqual([]);
      const parked = await parkExpiredClaims(db, T0 + 1_001);
      expect(parked.map((job) => job.id)).toEqual([jobs[0]!.id]);
      expect(parked[0]!.reason).toMatch(/outcome unknown/);

      expect(await markSent(db, jobs[0]!.id, { recipient: 'x', code: null, providerMessageId: 'SM2', at: T0 + 2_000 })).toBe(false);
      const [row] = await db.query<{ status: string }>(`SELECT status FROM send_jobs WHERE id = $1`, [jobs[0]!.id]);
      expect(row!.status).toBe('parked');
    });

    /** Claims the one queued sms job of a fresh one-member campaign. */
    async function claimOne(): Promise<{ campaign: Campaign; segmentId: string; job: SendJob }> {
      const { campaign, segmentId } = await seed(1, ['sms']);
      await queueCampaignSends(db, campaign, T0);
      const [job] = await db.transaction((tx) => claimDueJobs(tx, claimRequest({ burst: 1 })));
      expect(job!.campaignId).toBe(campaign.id);
      return { campaign, segmentId, job: job! };
    }

    async function clearedAt(id: string): Promise<string | null> {
      const [row] = await db.query<{ cleared_at: Date | string | null }>(`SELECT cleared_at FROM send_jobs WHERE id = $1`, [id]);
      return row!.cleared_at === null ? null : new Date(row!.cleared_at).toISOString();
    }

    it('counts a cleared job until it is requeued', async () => {
      const { job } = await claimOne();
      const contactId = job.contactId!;
      const since = T0 - 24 * 3_600_000;
      expect(await countSentToContact(db, contactId, since)).toBe(0);

      expect(await db.transaction((tx) => clearJobToSend(tx, job.id, T0))).toBe(true);
      expect(await clearedAt(job.id)).toBe(new Date(T0).toISOString());
      expect(await countSentToContact(db, contactId, since)).toBe(1);

      await requeueJob(db, job.id, T0 + 5_000, 'twilio: 503', { countAttempt: true });
      expect(await clearedAt(job.id)).toBeNull();
      expect(await countSentToContact(db, contactId, since)).toBe(0);

      // A new claim starts uncleared, and a sent message is counted once, by its send time.
      const [again] = await db.transaction((tx) => claimDueJobs(tx, claimRequest({ burst: 1, now: T0 + 5_000 })));
      expect(again!.id).toBe(job.id);
      await db.transaction((tx) => clearJobToSend(tx, job.id, T0 + 5_000));
      expect(await markSent(db, job.id, { recipient: '+14150010000', code: null, providerMessageId: 'SM3', at: T0 + 5_000 })).toBe(true);
      expect(await countSentToContact(db, contactId, since)).toBe(1);
      expect(await countSentToContact(db, contactId, T0 + 5_001)).toBe(0);
    });

    it('does not clear a job whose claim was requeued', async () => {
      const { job } = await claimOne();
      // Earlier tests in this store left claims too, so only this job's fate is checked.
      expect((await requeueUnclearedClaims(db, T0 + 61_000)).map((requeued) => requeued.id)).toContain(job.id);
      expect((await parkExpiredClaims(db, T0 + 61_000)).map((parked) => parked.id)).not.toContain(job.id);
      expect(await db.transaction((tx) => clearJobToSend(tx, job.id, T0 + 61_000))).toBe(false);
      expect(await clearedAt(job.id)).toBeNull();
    });

    it('finds a campaign message in flight, sent or parked', async () => {
      const { campaign, job } = await claimOne();
      const otherSegment = await insertSegment(db, campaign.id, { source: 'twitter', name: 'Followers' });
      await upsertTemplate(db, otherSegment, 'sms', { body: '{{code}}' });
      await addSegmentMembers(db, otherSegment, [job.contactId!]);
      await queueCampaignSends(db, campaign, T0);
      const [second] = await db.query<{ id: string }>(`SELECT id FROM send_jobs WHERE segment_id = $1`, [otherSegment]);
      const other = { ...job, id: second!.id };

      // Claimed but not cleared: it may still be skipped or requeued, so it does not count yet.
      expect(await findSentInCampaign(db, other)).toBeUndefined();
      await db.transaction((tx) => clearJobToSend(tx, job.id, T0));
      expect(await findSentInCampaign(db, other)).toEqual({ id: job.id, status: 'sending' });
      expect(await findSentInCampaign(db, job)).toBeUndefined();

      const reason = 'sent by twilio as SM4, but the store write failed; do not retry it';
      expect(await parkUnrecordedSend(db, job.id, { recipient: '+14150010000', providerMessageId: 'SM4', at: T0, reason })).toBe(true);
      expect(await findSentInCampaign(db, other)).toEqual({ id: job.id, status: 'parked' });
      expect(await countSentToContact(db, job.contactId!, T0)).toBe(1);
      const [row] = await db.query<{ status: string; reason: string; provider_message_id: string }>(
        `SELECT status, reason, provider_message_id FROM send_jobs WHERE id = $1`,
        [job.id],
      );
      expect(row).toEqual({ status: 'parked', reason, provider_message_id: 'SM4' });
    });

    it('contact lock serialises two checks', async () => {
      const { job } = await claimOne();
      const contactId = job.contactId!;
      const since = T0 - 24 * 3_600_000;
      let locked!: () => void;
      const firstHoldsLock = new Promise<void>((resolve) => (locked = resolve));
      let release!: () => void;
      const commit = new Promise<void>((resolve) => (release = resolve));

      const first = db.transaction(async (tx) => {
        expect(await lockContactForSend(tx, contactId)).toBe(true);
        await clearJobToSend(tx, job.id, T0);
        locked();
        await commit;
      });
      await firstHoldsLock;
      const second = db.transaction(async (tx) => {
        await lockContactForSend(tx, contactId);
        return countSentToContact(tx, contactId, since);
      });
      // Without the lock the second count would run now and miss the uncommitted clearance.
      setTimeout(release, 200);
      await first;
      expect(await second).toBe(1);
    });

    it('reports a contact that no longer exists', async () => {
      expect(await db.transaction((tx) => lockContactForSend(tx, '00000000-0000-4000-8000-000000000000'))).toBe(false);
    });
  });
}
