import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelName, ChannelProvider, OutgoingMessage, SendOutcome } from '../../channels/types.js';
import { CHANNEL_NAMES } from '../../channels/types.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import type { Db, Queryable } from '../../store/types.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { getCampaign, insertCampaign, type Campaign } from '../repos/campaigns.js';
import { getContact, recordConsents, upsertContacts } from '../repos/contacts.js';
import { addSegmentMembers, insertSegment } from '../repos/segments.js';
import { queueCampaignSends, recordDeliveryReport, retryJob } from '../repos/send-jobs.js';
import { writeSetting } from '../repos/settings.js';
import { upsertTemplate } from '../repos/templates.js';
import { upsertTruck } from '../repos/trucks.js';
import type { MessagingRules } from './policy.js';
import type { SendLane } from './providers.js';
import { SendScheduler, type SchedulerOptions } from './scheduler.js';

/** 12:00 in Los Angeles on 5 December 2026, outside the default quiet hours. */
const NOON = Date.parse('2026-12-05T20:00:00.000Z');
const HOUR_MS = 3_600_000;
const LEASE_MS = 60_000;
const CAP_OF_TWO: MessagingRules = { quietHours: null, frequencyCap: { max: 2, perHours: 24 } };
const SMS_TEXT = 'Lunch at Taco Uno: 10% off';

/** A provider that records each message and returns the outcomes of its script, then `sent`. */
class ScriptedProvider implements ChannelProvider {
  readonly name = 'scripted';
  readonly calls: OutgoingMessage[] = [];
  /** Outcomes of the next calls in order; an Error is thrown instead of returned. */
  readonly script: Array<SendOutcome | Error> = [];
  /** Runs after each call has been recorded, before it returns. */
  afterSend: (() => void) | undefined;
  /** Time each call takes, so that two schedulers' checks and sends overlap. */
  delayMs = 0;
  /** Whether a repeat of a job reaches no one twice, as for the outbox and the SDK push. */
  repeatSafe = false;
  /** When set, each call waits for it: a provider that hangs until released. */
  gate: Promise<void> | undefined;

  constructor(readonly channel: ChannelName) {}

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    this.calls.push(message);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.gate) await this.gate;
    const next = this.script.shift();
    this.afterSend?.();
    if (next instanceof Error) throw next;
    return next ?? { status: 'sent', providerMessageId: `${this.channel}-${this.calls.length}` };
  }
}

interface FakeLanes {
  lanes: Record<ChannelName, SendLane>;
  providers: Record<ChannelName, ScriptedProvider>;
}

/** Builds one scripted lane per channel, each with a sender of its own so tests do not share a pace. */
function fakeLanes(): FakeLanes {
  const lanes = {} as Record<ChannelName, SendLane>;
  const providers = {} as Record<ChannelName, ScriptedProvider>;
  for (const channel of CHANNEL_NAMES) {
    providers[channel] = new ScriptedProvider(channel);
    lanes[channel] = { channel, provider: providers[channel], sender: `${channel}:${randomUUID()}`, ratePerSecond: 100, outbox: false };
  }
  return { lanes, providers };
}

/** Wraps a store so that its statements throw while `fails(sql)` is true, in transactions too. */
function failingDb(db: Db, fails: (sql: string) => boolean): Db {
  const guard = (run: Queryable): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
      if (fails(sql)) throw new Error(`store unavailable (injected) for: ${sql.trim().slice(0, 60)}`);
      return run.query<Row>(sql, params);
    },
  });
  return {
    kind: db.kind,
    query: guard(db).query,
    transaction: (work) => db.transaction((tx) => work(guard(tx))),
    close: () => db.close(),
  };
}

/** Fails the statements containing `fragment`, the first `times` times. */
function failTimes(fragment: string, times: number): (sql: string) => boolean {
  let left = times;
  return (sql) => sql.includes(fragment) && left-- > 0;
}

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

interface JobRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  reason: string | null;
  recipient: string | null;
  providerMessageId: string | null;
  sentAt: string | null;
  clearedAt: string | null;
}

const isoOrNull = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

for (const [storeName, open] of TEST_STORES) {
  describe(`send scheduler on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let contacts = 0;
    const clock = { now: NOON };

    beforeAll(async () => {
      store = await open();
      db = store.db;
    });

    afterAll(async () => {
      await store?.dispose();
    });

    // The queue and the messaging rules are shared by the whole store, so each case starts clean.
    beforeEach(async () => {
      await db.query(`UPDATE send_jobs SET status = 'cancelled', lease_until = NULL WHERE status IN ('queued', 'sending')`);
      await writeSetting(db, 'messaging', CAP_OF_TWO);
      clock.now = NOON;
    });

    function scheduler(lanes: Record<ChannelName, SendLane>, overrides: Partial<SchedulerOptions> = {}): SendScheduler {
      return new SendScheduler({
        db,
        lanes,
        logger: silentLogger(),
        publicUrl: 'http://127.0.0.1:8080',
        now: () => clock.now,
        leaseMs: LEASE_MS,
        random: () => 0.5,
        writeRetry: { retries: 2, initialMs: 1, maxMs: 2 },
        ...overrides,
      });
    }

    /** Seeds a campaign of Taco Uno (Los Angeles), valid from 5 to 7 December, with `segments` segments of sms and email templates. */
    async function seedCampaign(channels: Campaign['channels'] = ['sms', 'email'], segments = 1): Promise<{ campaign: Campaign; segmentIds: string[] }> {
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: 'America/Los_Angeles' });
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
        radiusM: 250,
        benefit: { kind: 'percent', value: 10, description: '10% off', valid: { start: '2026-12-05T08:00', end: '2026-12-07T20:00' } },
        truckIds: [truck.id],
        channels,
        status: 'active',
        segments: [],
      });
      const segmentIds: string[] = [];
      for (let i = 0; i < segments; i++) {
        // A shared segment without a code keeps the texts exact: no random single-use code.
        const segmentId = await insertSegment(db, campaignId, { source: 'facebook', name: `Likers ${i + 1}`, codeMode: 'shared' });
        await upsertTemplate(db, segmentId, 'sms', { body: 'Lunch at {{truck}}: {{benefit}}' });
        await upsertTemplate(db, segmentId, 'email', { subject: 'Lunch', body: 'Lunch at {{truck}}: {{benefit}}' });
        segmentIds.push(segmentId);
      }
      return { campaign: (await getCampaign(db, campaignId))!, segmentIds };
    }

    /** Adds a contact with a phone and an email who consented to both, a day before NOON. */
    async function seedContact(): Promise<{ id: string; phone: string; email: string }> {
      const n = ++contacts;
      const phone = `+1415555${String(n).padStart(4, '0')}`;
      const email = `guest${n}-${randomUUID().slice(0, 8)}@example.com`;
      const [id] = await upsertContacts(db, [{ phone, email }]);
      await recordConsents(db, [
        { contactId: id!, channel: 'sms', granted: true, at: NOON - 24 * HOUR_MS, source: 'sign-up form' },
        { contactId: id!, channel: 'email', granted: true, at: NOON - 24 * HOUR_MS, source: 'sign-up form' },
      ]);
      return { id: id!, phone, email };
    }

    /** Seeds a campaign with the contact in each of its segments and queues its sends at the current clock. */
    async function queueFor(contactId: string, channels: Campaign['channels'] = ['sms'], segments = 1): Promise<Campaign> {
      const { campaign, segmentIds } = await seedCampaign(channels, segments);
      for (const segmentId of segmentIds) await addSegmentMembers(db, segmentId, [contactId]);
      await queueCampaignSends(db, campaign, clock.now);
      return campaign;
    }

    async function jobsOf(campaignId: string): Promise<JobRow[]> {
      const rows = await db.query<{
        id: string;
        kind: string;
        status: string;
        attempts: number;
        next_attempt_at: Date | string;
        reason: string | null;
        recipient: string | null;
        provider_message_id: string | null;
        sent_at: Date | string | null;
        cleared_at: Date | string | null;
      }>(
        `SELECT j.id, j.kind, j.status, j.attempts, j.next_attempt_at, j.reason, j.recipient, j.provider_message_id, j.sent_at, j.cleared_at
         FROM send_jobs j JOIN segments s ON s.id = j.segment_id WHERE j.campaign_id = $1 ORDER BY s.created_at, j.kind`,
        [campaignId],
      );
      return rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        status: row.status,
        attempts: Number(row.attempts),
        nextAttemptAt: new Date(row.next_attempt_at).toISOString(),
        reason: row.reason,
        recipient: row.recipient,
        providerMessageId: row.provider_message_id,
        sentAt: isoOrNull(row.sent_at),
        clearedAt: isoOrNull(row.cleared_at),
      }));
    }

    async function onlyJob(campaignId: string): Promise<JobRow> {
      const jobs = await jobsOf(campaignId);
      expect(jobs).toHaveLength(1);
      return jobs[0]!;
    }

    it('sends a due job once and records it', async () => {
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      const job = await onlyJob(campaign.id);
      expect(providers.sms.calls).toEqual([
        { jobId: job.id, campaignId: campaign.id, channel: 'sms', sender: lanes.sms.sender, to: contact.phone, text: SMS_TEXT },
      ]);
      expect(job).toEqual({
        id: job.id,
        kind: 'sms',
        status: 'sent',
        attempts: 1,
        nextAttemptAt: new Date(NOON).toISOString(),
        reason: null,
        recipient: contact.phone,
        providerMessageId: 'sms-1',
        sentAt: new Date(NOON).toISOString(),
        clearedAt: new Date(NOON).toISOString(),
      });

      clock.now = NOON + 2 * LEASE_MS;
      await sends.runOnce();
      expect(providers.sms.calls).toHaveLength(1);
      expect(sends.stats).toEqual({ sent: 1, retried: 0, parked: 0, skipped: 0 });
    });

    it('backs off a temporary error, doubling the delay', async () => {
      const { lanes, providers } = fakeLanes();
      providers.sms.script.push({ status: 'retry', reason: 'twilio: 503 Service Unavailable' }, { status: 'retry', reason: 'twilio: 503 Service Unavailable' });
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes);

      // Attempt 1 waits 7.5 s: half of 10 s fixed, plus half of the other half for a random draw of 0.5.
      await sends.runOnce();
      let job = await onlyJob(campaign.id);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(1);
      expect(job.nextAttemptAt).toBe(new Date(NOON + 7_500).toISOString());
      expect(job.reason).toBe('twilio: 503 Service Unavailable');
      expect(job.clearedAt).toBeNull();

      clock.now = NOON + 7_499;
      await sends.runOnce();
      expect(providers.sms.calls).toHaveLength(1);

      // Attempt 2 waits 15 s.
      clock.now = NOON + 7_500;
      await sends.runOnce();
      job = await onlyJob(campaign.id);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(2);
      expect(job.nextAttemptAt).toBe(new Date(NOON + 22_500).toISOString());

      clock.now = NOON + 22_500;
      await sends.runOnce();
      job = await onlyJob(campaign.id);
      expect(job.status).toBe('sent');
      expect(job.attempts).toBe(3);
      expect(job.sentAt).toBe(new Date(NOON + 22_500).toISOString());
      expect(providers.sms.calls).toHaveLength(3);
      expect(sends.stats).toEqual({ sent: 1, retried: 2, parked: 0, skipped: 0 });
    });

    it("honours the provider's retryAfterMs", async () => {
      const { lanes, providers } = fakeLanes();
      providers.sms.script.push(
        { status: 'retry', reason: 'twilio: 429 Too Many Requests', retryAfterMs: 60_000 },
        { status: 'retry', reason: 'twilio: 429 Too Many Requests', retryAfterMs: 1_000 },
      );
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      expect((await onlyJob(campaign.id)).nextAttemptAt).toBe(new Date(NOON + 60_000).toISOString());

      // 1 s is shorter than the 15 s backoff of attempt 2, so the backoff wins.
      clock.now = NOON + 60_000;
      await sends.runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.attempts).toBe(2);
      expect(job.nextAttemptAt).toBe(new Date(NOON + 75_000).toISOString());
    });

    it('parks a job after maxAttempts temporary errors', async () => {
      const { lanes, providers } = fakeLanes();
      for (let i = 0; i < 3; i++) providers.sms.script.push({ status: 'retry', reason: 'twilio: 503 Service Unavailable' });
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes, { maxAttempts: 3 });

      for (const at of [NOON, NOON + 7_500, NOON + 22_500]) {
        clock.now = at;
        await sends.runOnce();
      }
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('parked');
      expect(job.attempts).toBe(3);
      expect(job.reason).toBe('gave up after 3 attempts: twilio: 503 Service Unavailable');
      expect(sends.stats).toEqual({ sent: 0, retried: 2, parked: 1, skipped: 0 });

      clock.now = NOON + HOUR_MS;
      await sends.runOnce();
      expect(providers.sms.calls).toHaveLength(3);
    });

    it('requeues a job after an unexpected error before the send', async () => {
      const { lanes, providers } = fakeLanes();
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes, { db: failingDb(db, failTimes('FROM contacts c WHERE c.id', 1)) });

      await sends.runOnce();
      let job = await onlyJob(campaign.id);
      expect(providers.sms.calls).toHaveLength(0);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(1);
      expect(job.nextAttemptAt).toBe(new Date(NOON + 7_500).toISOString());
      expect(job.reason).toBe('internal error: see the server log');

      clock.now = NOON + 7_500;
      await sends.runOnce();
      job = await onlyJob(campaign.id);
      expect(job.status).toBe('sent');
      expect(job.attempts).toBe(2);
      expect(providers.sms.calls).toHaveLength(1);
    });

    it('requeues for quiet hours without counting an attempt', async () => {
      await writeSetting(db, 'messaging', { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: null } satisfies MessagingRules);
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      // 22:00 in Los Angeles; the quiet hours end at 08:00 there, 16:00 UTC.
      clock.now = Date.parse('2026-12-06T06:00:00.000Z');
      const campaign = await queueFor(contact.id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      let job = await onlyJob(campaign.id);
      expect(providers.sms.calls).toHaveLength(0);
      expect(job.status).toBe('queued');
      expect(job.attempts).toBe(0);
      expect(job.nextAttemptAt).toBe('2026-12-06T16:00:00.000Z');
      expect(job.reason).toBe('quiet hours for the recipient until 2026-12-06T16:00:00.000Z');
      expect(job.clearedAt).toBeNull();

      clock.now = Date.parse('2026-12-06T16:00:00.000Z');
      await sends.runOnce();
      job = await onlyJob(campaign.id);
      expect(job.status).toBe('sent');
      expect(job.attempts).toBe(1);
    });

    it('sends other channels while one provider hangs', async () => {
      const { lanes, providers } = fakeLanes();
      let release!: () => void;
      providers.sms.gate = new Promise<void>((resolve) => (release = resolve));
      const texted = await queueFor((await seedContact()).id, ['sms']);
      const sends = scheduler(lanes, { tickMs: 10 });

      sends.start();
      try {
        await expect.poll(() => providers.sms.calls.length).toBe(1);
        // Queued while the SMS hangs: the next passes must still reach it.
        const mailed = await queueFor((await seedContact()).id, ['email']);
        await expect.poll(async () => (await onlyJob(mailed.id)).status).toBe('sent');
        expect((await onlyJob(texted.id)).status).toBe('sending');
      } finally {
        release();
        await sends.stop();
      }
      expect((await onlyJob(texted.id)).status).toBe('sent');
    });

    it('lets a retried undelivered SMS past the cap', async () => {
      await writeSetting(db, 'messaging', { quietHours: null, frequencyCap: { max: 1, perHours: 24 } } satisfies MessagingRules);
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id);
      const sends = scheduler(lanes);
      await sends.runOnce();
      const sent = await onlyJob(campaign.id);
      expect(sent.status).toBe('sent');

      // The carrier could not deliver it; a person retries the same job.
      await recordDeliveryReport(db, sent.providerMessageId!, { delivered: false, reason: 'twilio 30003: unreachable handset' });
      expect((await retryJob(db, sent.id, clock.now))!.status).toBe('queued');
      await sends.runOnce();
      expect((await onlyJob(campaign.id)).status).toBe('sent');
      expect(providers.sms.calls).toHaveLength(2);
    });

    it("counts another campaign's sends toward the frequency cap", async () => {
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const first = await queueFor(contact.id, ['sms', 'email']);
      const sends = scheduler(lanes);
      await sends.runOnce();
      expect((await jobsOf(first.id)).map((job) => [job.kind, job.status])).toEqual([
        ['email', 'sent'],
        ['sms', 'sent'],
      ]);

      clock.now = NOON + HOUR_MS;
      const second = await queueFor(contact.id);
      await sends.runOnce();
      const capped = await onlyJob(second.id);
      expect(capped.status).toBe('skipped');
      expect(capped.reason).toBe('frequency cap: 2 messages in the last 24 h (at most 2)');
      expect(capped.recipient).toBe(contact.phone);
      expect(providers.sms.calls).toHaveLength(1);

      // One second after the 24 h window has passed the first two sends, the contact may hear from us again.
      clock.now = NOON + 24 * HOUR_MS + 1_000;
      const third = await queueFor(contact.id);
      await sends.runOnce();
      expect((await onlyJob(third.id)).status).toBe('sent');
      expect(providers.sms.calls).toHaveLength(2);
    });

    it('sends a contact in two segments once', async () => {
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id, ['sms'], 2);
      const sends = scheduler(lanes);

      await sends.runOnce();
      const jobs = await jobsOf(campaign.id);
      const sent = jobs.filter((job) => job.status === 'sent');
      const skipped = jobs.filter((job) => job.status === 'skipped');
      expect(sent).toHaveLength(1);
      expect(skipped).toHaveLength(1);
      expect(skipped[0]!.reason).toBe(`already sent this campaign's sms to this contact (send ${sent[0]!.id})`);
      expect(providers.sms.calls.map((call) => call.jobId)).toEqual([sent[0]!.id]);
      expect(sends.stats).toEqual({ sent: 1, retried: 0, parked: 0, skipped: 1 });
    });

    it('Twilio 21610 opts the contact out of SMS', async () => {
      const { lanes, providers } = fakeLanes();
      const reason = 'twilio 21610: attempt to send to unsubscribed recipient';
      providers.sms.script.push({ status: 'failed', reason, providerCode: '21610' });
      const contact = await seedContact();
      const first = await queueFor(contact.id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      const parked = await onlyJob(first.id);
      expect(parked.status).toBe('parked');
      expect(parked.reason).toBe(reason);
      const after = await getContact(db, contact.id);
      expect(after!.consents.sms).toEqual({ granted: false, at: new Date(NOON).toISOString(), source: 'twilio: recipient unsubscribed (21610)' });
      expect(after!.consents.email!.granted).toBe(true);

      clock.now = NOON + 1_000;
      const second = await queueFor(contact.id, ['sms', 'email']);
      await sends.runOnce();
      const [email, sms] = await jobsOf(second.id);
      expect(sms!.status).toBe('skipped');
      expect(sms!.reason).toBe(`opted out of sms on ${new Date(NOON).toISOString()} (twilio: recipient unsubscribed (21610))`);
      expect(email!.status).toBe('sent');
      expect(providers.sms.calls).toHaveLength(1);
    });

    it('retries a failed write of a sent message', async () => {
      const { lanes, providers } = fakeLanes();
      const { logger, lines } = capturingLogger();
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes, { db: failingDb(db, failTimes(`SET status = 'sent'`, 1)), logger });

      await sends.runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('sent');
      expect(job.providerMessageId).toBe('sms-1');
      const retries = lines.filter((line) => line.msg === 'recording the sent message failed; retrying');
      expect(retries.map((line) => [line.jobId, line.attempt])).toEqual([[job.id, 1]]);

      clock.now = NOON + 2 * LEASE_MS;
      await sends.runOnce();
      expect(providers.sms.calls).toHaveLength(1);
      expect((await onlyJob(campaign.id)).status).toBe('sent');
    });

    it('parks a sent message it cannot record', async () => {
      const { lanes, providers } = fakeLanes();
      const { logger, lines } = capturingLogger();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id, ['sms'], 2);
      // The cap would allow both segments' messages; the once-per-campaign rule must see the parked one as sent.
      const sends = scheduler(lanes, { db: failingDb(db, (sql) => sql.includes(`SET status = 'sent'`)), logger, burst: 1 });

      await sends.runOnce();
      const jobs = await jobsOf(campaign.id);
      const parked = jobs.find((job) => job.status === 'parked');
      const waiting = jobs.find((job) => job.id !== parked?.id);
      expect(parked!.status).toBe('parked');
      expect(parked!.reason).toBe('sent by scripted as sms-1, but the store write failed; do not retry it');
      expect(parked!.providerMessageId).toBe('sms-1');
      expect(parked!.sentAt).toBe(new Date(NOON).toISOString());
      expect(parked!.recipient).toBe(contact.phone);
      expect(waiting!.status).toBe('queued');
      const retries = lines.filter((line) => line.msg === 'recording the sent message failed; retrying');
      expect(retries.map((line) => [line.jobId, line.attempt])).toEqual([
        [parked!.id, 1],
        [parked!.id, 2],
      ]);
      expect(lines.filter((line) => line.msg === 'could not record the sent message').map((line) => line.jobId)).toEqual([parked!.id]);

      clock.now = NOON + 2 * LEASE_MS;
      await sends.runOnce();
      const skipped = (await jobsOf(campaign.id)).find((job) => job.id === waiting!.id);
      expect(skipped!.status).toBe('skipped');
      expect(skipped!.reason).toBe(`already sent this campaign's sms to this contact (send ${parked!.id})`);
      expect(providers.sms.calls).toHaveLength(1);
    });

    it('leaves the claim when the store fails after a send', async () => {
      const { lanes, providers } = fakeLanes();
      let storeDown = false;
      providers.sms.afterSend = () => {
        storeDown = true;
      };
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes, { db: failingDb(db, () => storeDown) });

      await sends.runOnce();
      storeDown = false;
      providers.sms.afterSend = undefined;
      expect((await onlyJob(campaign.id)).status).toBe('sending');

      clock.now = NOON + LEASE_MS + 1;
      await sends.runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('parked');
      expect(job.reason).toBe('outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate');
      expect(providers.sms.calls).toHaveLength(1);
    });

    it('requeues a claim that expired before clearance', async () => {
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id);
      const { id } = await onlyJob(campaign.id);
      // A process claimed the job and stopped before checking the rules: no provider saw it.
      await db.query(`UPDATE send_jobs SET status = 'sending', attempts = 1, lease_until = $2::timestamptz WHERE id = $1`, [id, new Date(NOON - 1).toISOString()]);

      await scheduler(lanes).runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('sent');
      expect(job.recipient).toBe(contact.phone);
      expect(providers.sms.calls.map((message) => message.to)).toEqual([contact.phone]);
    });

    it('parks a cleared expired claim with its recipient', async () => {
      const { lanes, providers } = fakeLanes();
      const contact = await seedContact();
      const campaign = await queueFor(contact.id);
      const { id } = await onlyJob(campaign.id);
      // This one was cleared to send, so its provider may have taken it.
      await db.query(`UPDATE send_jobs SET status = 'sending', attempts = 1, cleared_at = $2::timestamptz, lease_until = $2::timestamptz WHERE id = $1`, [
        id,
        new Date(NOON - 1).toISOString(),
      ]);

      await scheduler(lanes).runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('parked');
      expect(job.recipient).toBe(contact.phone);
      expect(job.reason).toBe('outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate');
      expect(providers.sms.calls).toHaveLength(0);
    });

    it('parks a job whose provider threw', async () => {
      const { lanes, providers } = fakeLanes();
      providers.sms.script.push(new Error('socket hang up'));
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      const job = await onlyJob(campaign.id);
      expect(job.status).toBe('parked');
      expect(job.reason).toBe('outcome unknown: the scripted provider failed with "socket hang up"; not sent again automatically to avoid a duplicate');

      clock.now = NOON + HOUR_MS;
      await sends.runOnce();
      expect(providers.sms.calls).toHaveLength(1);
    });

    it('retries a throw from a repeat-safe provider', async () => {
      const { lanes, providers } = fakeLanes();
      providers.sms.repeatSafe = true;
      providers.sms.script.push(new Error('bus unavailable'));
      const campaign = await queueFor((await seedContact()).id);
      const sends = scheduler(lanes);

      await sends.runOnce();
      const queued = await onlyJob(campaign.id);
      expect(queued.status).toBe('queued');
      expect(queued.attempts).toBe(1);
      expect(queued.reason).toBe('the scripted provider failed with "bus unavailable"');

      clock.now = NOON + HOUR_MS;
      await sends.runOnce();
      expect((await onlyJob(campaign.id)).status).toBe('sent');
      expect(providers.sms.calls).toHaveLength(2);
    });

    /**
     * Two schedulers share the store, each claiming two of the contact's jobs at the same
     * instant, with a provider slow enough that their checks and sends overlap.
     */
    async function race(contactId: string, campaigns: Campaign[]): Promise<{ calls: number; statuses: string[]; reasons: string[] }> {
      const racers = [fakeLanes(), fakeLanes()];
      for (const { providers } of racers) providers.sms.delayMs = 5;
      const schedulers = racers.map(({ lanes }) => scheduler(lanes, { burst: 2 }));
      await Promise.all(schedulers.map((sends) => sends.runOnce()));

      const jobs = (await Promise.all(campaigns.map((campaign) => jobsOf(campaign.id)))).flat();
      expect(jobs.every((job) => job.status !== 'queued' && job.status !== 'sending')).toBe(true);
      const [claimed] = await db.query<{ count: string | number }>(`SELECT count(*) AS count FROM send_jobs WHERE contact_id = $1 AND status = 'sending'`, [
        contactId,
      ]);
      expect(Number(claimed!.count)).toBe(0);
      return {
        calls: racers.reduce((sum, { providers }) => sum + providers.sms.calls.length, 0),
        statuses: jobs.map((job) => job.status).sort(),
        reasons: jobs.flatMap((job) => (job.status === 'skipped' ? [job.reason!] : [])),
      };
    }

    it('two schedulers keep the frequency cap', async () => {
      for (let round = 0; round < 5; round++) {
        clock.now = NOON + round * 1_000;
        const contact = await seedContact();
        const campaigns = [];
        for (let i = 0; i < 4; i++) campaigns.push(await queueFor(contact.id));

        const result = await race(contact.id, campaigns);
        expect(result.calls).toBe(2);
        expect(result.statuses).toEqual(['sent', 'sent', 'skipped', 'skipped']);
        expect(result.reasons).toEqual([
          'frequency cap: 2 messages in the last 24 h (at most 2)',
          'frequency cap: 2 messages in the last 24 h (at most 2)',
        ]);
      }
    });

    it('two schedulers send once per campaign', async () => {
      await writeSetting(db, 'messaging', { quietHours: null, frequencyCap: null } satisfies MessagingRules);
      for (let round = 0; round < 5; round++) {
        clock.now = NOON + round * 1_000;
        const contact = await seedContact();
        const campaign = await queueFor(contact.id, ['sms'], 4);

        const result = await race(contact.id, [campaign]);
        expect(result.calls).toBe(1);
        expect(result.statuses).toEqual(['sent', 'skipped', 'skipped', 'skipped']);
        for (const reason of result.reasons) expect(reason).toMatch(/^already (sent|sending) this campaign's sms to this contact \(send [0-9a-f-]{36}\)$/);
      }
    });
  });
}
