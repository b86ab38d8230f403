import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryBus } from '../../bus/memory-log.js';
import { Topics } from '../../bus/types.js';
import { silentLogger } from '../../common/logger.js';
import type { DeviceMessage } from '../../common/protocol.js';
import { captureLogs } from '../../ingest/test-server.js';
import { TestDeviceSocket } from '../../ingest/test-client.js';
import { CloudburstDevice } from '../../sdk/index.js';
import type { Db } from '../../store/types.js';
import { scaledBackendOptions } from '../../test/backend.js';
import { adminRequest, TEST_ADMIN_TOKEN } from '../../test/helpers.js';
import { TEST_STORES, type TestStore } from '../../test/stores.js';
import { startCloudburst, type RunningCloudburst } from '../app-server.js';
import { getCampaign, insertCampaign, setCampaignStatus } from '../repos/campaigns.js';
import { recordConsents, upsertContacts } from '../repos/contacts.js';
import { registerDevice } from '../repos/devices.js';
import { addSegmentMembers, insertSegment } from '../repos/segments.js';
import { getSendJob, queueCampaignSends, type SendJob } from '../repos/send-jobs.js';
import { upsertTemplate } from '../repos/templates.js';
import { upsertTruck } from '../repos/trucks.js';
import { instantToLocal } from '../time-zone.js';
import { DEFAULT_RATES } from './channel-config.js';
import { buildLanes } from './providers.js';
import { listUndeliveredPushes, PushRedelivery } from './push-redelivery.js';
import { SendScheduler } from './scheduler.js';

const ZONE = 'America/Los_Angeles';
/** 11:30 in San Francisco, inside the benefit's validity (11:00 to 13:00) and outside the default quiet hours. */
const T0 = Date.parse('2026-12-05T19:30:00.000Z');
/** 13:30 in San Francisco: the benefit ended at 13:00. */
const AFTER_BENEFIT = Date.parse('2026-12-05T21:30:00.000Z');

for (const [storeName, open] of TEST_STORES) {
  describe(`push redelivery on ${storeName}`, () => {
    let store: TestStore;
    let db: Db;
    let bus: MemoryBus;
    let published: DeviceMessage[];
    let stopCollecting: () => Promise<void>;
    let clock = T0;

    beforeAll(async () => {
      store = await open();
      db = store.db;
      bus = new MemoryBus({ logger: silentLogger() });
      published = [];
      const subscription = await bus.subscribe<DeviceMessage>({
        topic: Topics.messages,
        groupId: 'test-messages',
        fromBeginning: true,
        handler: async (records) => {
          for (const record of records) published.push(record.value);
        },
      });
      stopCollecting = () => subscription.stop();
    });

    afterAll(async () => {
      await stopCollecting?.();
      await bus?.close();
      await store?.dispose();
    });

    function redelivery(now: number, ackWaitMs?: number): PushRedelivery {
      return new PushRedelivery({ db, bus, logger: silentLogger(), publicUrl: () => 'http://127.0.0.1:8080', now: () => now, ackWaitMs });
    }

    async function messagesOnBus(): Promise<DeviceMessage[]> {
      await bus.drain();
      return published.splice(0);
    }

    /**
     * Creates a live push campaign with one contact on a registered device, and sends its
     * push through the real scheduler's push lane while the device is offline. Each call
     * runs a minute later than the previous one, so the push sender's pace never delays it.
     */
    async function sendPushWhileOffline(): Promise<{ job: SendJob; deviceId: string; campaignId: string; contactId: string; sent: DeviceMessage }> {
      clock += 60_000;
      const now = clock;
      const { truck } = await upsertTruck(db, { name: 'Taco Uno', lat: 37.7749, lon: -122.4194, timeZone: ZONE });
      const campaignId = await insertCampaign(db, {
        name: 'Lunch burst',
        window: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' },
        radiusM: 250,
        benefit: { kind: 'percent', value: 10, description: '10% off', valid: { start: '2026-12-05T11:00', end: '2026-12-05T13:00' } },
        truckIds: [truck.id],
        channels: ['push'],
        status: 'active',
        segments: [],
      });
      const segmentId = await insertSegment(db, campaignId, { source: 'facebook', name: 'Likers' });
      await upsertTemplate(db, segmentId, 'push', { subject: '{{truck}}', body: '{{firstName|there}}, {{benefit}} with {{code}}' });
      const { deviceId } = await registerDevice(db, 'test');
      const [contactId] = await upsertContacts(db, [{ firstName: 'Lin', email: `lin-${randomUUID()}@example.com` }]);
      await db.query(`UPDATE contacts SET device_id = $2 WHERE id = $1`, [contactId, deviceId]);
      await addSegmentMembers(db, segmentId, [contactId!]);
      expect(await queueCampaignSends(db, (await getCampaign(db, campaignId))!, now)).toBe(1);

      const lanes = buildLanes({ rates: DEFAULT_RATES, publicUrl: 'http://127.0.0.1:8080' }, db, bus, silentLogger());
      await new SendScheduler({ db, lanes, logger: silentLogger(), publicUrl: 'http://127.0.0.1:8080', now: () => now }).runOnce();

      const [row] = await db.query<{ id: string }>(`SELECT id FROM send_jobs WHERE campaign_id = $1`, [campaignId]);
      const id = row!.id;
      const job = (await getSendJob(db, id))!;
      expect(job).toMatchObject({ kind: 'push', status: 'sent', recipient: deviceId, providerMessageId: `push:${id}` });
      const sent = await messagesOnBus();
      expect(sent).toEqual([{ id, deviceId, campaignId, title: 'Taco Uno', body: `Lin, 10% off with ${job.code}`, code: job.code! }]);
      return { job, deviceId, campaignId, contactId: contactId!, sent: sent[0]! };
    }

    it('resends a sent push as it was first sent', async () => {
      const { job, deviceId, sent } = await sendPushWhileOffline();

      expect(await redelivery(clock).resendUndelivered(deviceId)).toBe(1);
      expect(await messagesOnBus()).toEqual([sent]);
      // Without an ack, every connect sends it again.
      expect(await redelivery(clock).resendUndelivered(deviceId)).toBe(1);
      expect(await messagesOnBus()).toEqual([sent]);
      expect((await getSendJob(db, job.id))!.status).toBe('sent');
    });

    it('marks delivered on ack and stops resending', async () => {
      const { job, deviceId } = await sendPushWhileOffline();

      const acked = await redelivery(clock).acknowledge(deviceId, job.id);

      expect(acked).toMatchObject({ id: job.id, status: 'delivered', reason: null });
      expect((await getSendJob(db, job.id))!.status).toBe('delivered');
      expect(await listUndeliveredPushes(db, deviceId, clock)).toEqual([]);
      expect(await redelivery(clock).resendUndelivered(deviceId)).toBe(0);
      expect(await messagesOnBus()).toEqual([]);
    });

    it("ignores another device's ack and an unknown id", async () => {
      const { job, deviceId } = await sendPushWhileOffline();
      const { deviceId: otherDevice } = await registerDevice(db, 'test');

      expect(await redelivery(clock).acknowledge(otherDevice, job.id)).toBeUndefined();
      expect(await redelivery(clock).acknowledge(deviceId, randomUUID())).toBeUndefined();

      expect((await getSendJob(db, job.id))!.status).toBe('sent');
      expect((await listUndeliveredPushes(db, deviceId, clock)).map((pending) => pending.id)).toEqual([job.id]);
      expect(await listUndeliveredPushes(db, otherDevice, clock)).toEqual([]);
    });

    it('ack waits for the send to be recorded', async () => {
      const { job, deviceId } = await sendPushWhileOffline();
      await db.query(`UPDATE send_jobs SET status = 'sending' WHERE id = $1`, [job.id]);

      const acking = redelivery(clock).acknowledge(deviceId, job.id);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await db.query(`UPDATE send_jobs SET status = 'sent' WHERE id = $1`, [job.id]);

      expect(await acking).toMatchObject({ id: job.id, status: 'delivered' });
    });

    it('ack gives up on a send never recorded', async () => {
      const { job, deviceId } = await sendPushWhileOffline();
      await db.query(`UPDATE send_jobs SET status = 'sending' WHERE id = $1`, [job.id]);

      expect(await redelivery(clock, 150).acknowledge(deviceId, job.id)).toBeUndefined();

      expect((await getSendJob(db, job.id))!.status).toBe('sending');
      await db.query(`UPDATE send_jobs SET status = 'sent' WHERE id = $1`, [job.id]);
    });

    it('does not resend once the benefit ended', async () => {
      const { job, deviceId } = await sendPushWhileOffline();

      expect(await listUndeliveredPushes(db, deviceId, AFTER_BENEFIT)).toEqual([]);
      expect(await redelivery(AFTER_BENEFIT).resendUndelivered(deviceId)).toBe(0);
      expect(await messagesOnBus()).toEqual([]);
      expect((await getSendJob(db, job.id))!.status).toBe('sent');
    });

    it('does not resend for an ended campaign', async () => {
      const { deviceId, campaignId } = await sendPushWhileOffline();
      expect(await setCampaignStatus(db, campaignId, 'active', 'ended')).toBe(true);

      expect(await redelivery(clock).resendUndelivered(deviceId)).toBe(0);
      expect(await messagesOnBus()).toEqual([]);
    });

    it('does not resend after a push opt-out', async () => {
      const { deviceId, contactId } = await sendPushWhileOffline();
      await recordConsents(db, [{ contactId, channel: 'push', granted: false, at: clock, source: 'test: app settings' }]);

      expect(await redelivery(clock).resendUndelivered(deviceId)).toBe(0);
      expect(await messagesOnBus()).toEqual([]);
    });
  });
}

/** The server's store back ends; the bus is the in-process log on both. */
const SERVER_STORES: Array<[string, () => Promise<{ databaseUrl?: string; dispose(): Promise<void> }>]> = [
  ['PGlite', async () => ({ dispose: async () => {} })],
  [
    'PostgreSQL',
    async () => {
      const { databaseUrl } = await scaledBackendOptions();
      const schema = /search_path=([a-z0-9_]+)/.exec(new URL(databaseUrl).searchParams.get('options') ?? '')![1]!;
      return {
        databaseUrl,
        async dispose() {
          const client = new pg.Client({ connectionString: databaseUrl });
          await client.connect();
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  ],
];

/** Polls `read` until `done` holds, or fails naming what it waited for and the last value. */
async function waitFor<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last value ${JSON.stringify(value).slice(0, 1000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const [storeName, openStore] of SERVER_STORES) {
  describe(`campaign push to an offline phone, server on ${storeName}`, () => {
    let server: RunningCloudburst;
    let dataDir: string;
    let dispose: () => Promise<void>;
    let logs: Array<Record<string, unknown>>;

    beforeAll(async () => {
      const backend = await openStore();
      dispose = backend.dispose;
      dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-push-redelivery-'));
      const captured = captureLogs();
      logs = captured.lines;
      server = await startCloudburst({
        dataDir,
        port: 0,
        host: '127.0.0.1',
        adminToken: TEST_ADMIN_TOKEN,
        logger: captured.logger,
        sendTickMs: 50,
        ...(backend.databaseUrl ? { databaseUrl: backend.databaseUrl } : {}),
      });
    });

    afterAll(async () => {
      await server?.stop();
      await dispose?.();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    /** Returns the resend passes the server ran for the device, in order: one per welcome. */
    function resendPasses(deviceId: string): Array<Record<string, unknown>> {
      return logs.filter((line) => line.msg === 'resent undelivered campaign messages' && line.deviceId === deviceId);
    }

    async function sendOf(campaignId: string): Promise<Record<string, any>> {
      const sends = (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}/sends`)).body.sends as Array<Record<string, any>>;
      expect(sends).toHaveLength(1);
      return sends[0]!;
    }

    /** Creates a scheduled push campaign on the truck with a point-of-sale segment for sign-ups. Its sends fall due in ten minutes. */
    async function createPushCampaign(name: string, truckId: string): Promise<{ campaignId: string; segmentId: string }> {
      const now = Date.now();
      const created = await adminRequest(server.url, 'POST', '/v1/admin/campaigns', {
        name,
        status: 'draft',
        truckIds: [truckId],
        window: { start: instantToLocal(now - 60_000, ZONE), end: instantToLocal(now + 2 * 3_600_000, ZONE) },
        sendAt: instantToLocal(now + 10 * 60_000, ZONE),
        radiusM: 150,
        benefit: { kind: 'free_item', item: 'spring roll' },
        channels: ['push'],
        segments: [{ source: 'point_of_sale', name: 'Window', codeMode: 'shared', templates: { push: { subject: '{{truck}}', body: `${name}: {{benefit}} with {{code}}` } } }],
      });
      expect(created.body.error).toBeUndefined();
      const campaignId = created.body.campaign.id as string;
      const segmentId = created.body.campaign.segments.find((segment: { source: string }) => segment.source === 'point_of_sale').id as string;
      expect((await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${campaignId}/status`, { status: 'scheduled' })).status).toBe(200);
      return { campaignId, segmentId };
    }

    it('delivers a push once after connect, then never again', async () => {
      await adminRequest(server.url, 'PUT', '/v1/admin/settings/messaging', { quietHours: null, frequencyCap: null });
      const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Wok On', lat: 37.76, lon: -122.43 });
      const running = await createPushCampaign('Noodle noon', truck.body.truck.id);
      const expiring = await createPushCampaign('Dumpling dash', truck.body.truck.id);

      // The phone signs up at the window with its SDK token but has never connected.
      const { deviceId, token } = await CloudburstDevice.register(server.url);
      const codes: string[] = [];
      for (const { segmentId } of [running, expiring]) {
        const signup = await fetch(`${server.url}/v1/signups/${segmentId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ firstName: 'Lin', phone: '+14155552611', deviceToken: token }),
        });
        expect(signup.status).toBe(200);
        codes.push(((await signup.json()) as { code: string }).code);
      }
      // The send time comes; both pushes go out while the phone is offline.
      await server.services.db.query(`UPDATE send_jobs SET next_attempt_at = now() WHERE campaign_id IN ($1, $2)`, [running.campaignId, expiring.campaignId]);
      const runningJob = await waitFor('the first push to be sent', () => sendOf(running.campaignId), (send) => send.status === 'sent');
      const expiringJob = await waitFor('the second push to be sent', () => sendOf(expiring.campaignId), (send) => send.status === 'sent');
      expect(runningJob.recipient).toBe(deviceId);
      expect(expiringJob.recipient).toBe(deviceId);
      // Time passes for the second campaign: its benefit ended a minute ago.
      const now = Date.now();
      await server.services.db.query(`UPDATE campaigns SET benefit = benefit || jsonb_build_object('valid', jsonb_build_object('start', $2::text, 'end', $3::text)) WHERE id = $1`, [
        expiring.campaignId,
        instantToLocal(now - 3_600_000, ZONE).slice(0, 16),
        instantToLocal(now - 60_000, ZONE).slice(0, 16),
      ]);

      // Every frame on the wire, so a frame sent twice cannot hide behind the SDK's deduplication.
      const wireMessages: Array<{ connection: number; message: DeviceMessage }> = [];
      let connections = 0;
      class RecordingWebSocket extends WebSocket {
        constructor(url: string) {
          super(url);
          const connection = ++connections;
          this.addEventListener('message', (event) => {
            const frame = JSON.parse(String(event.data)) as { type: string; message?: DeviceMessage };
            if (frame.type === 'message') wireMessages.push({ connection, message: frame.message! });
          });
        }
      }

      const phone = new CloudburstDevice({ url: server.url, token, WebSocket: RecordingWebSocket });
      const received: DeviceMessage[] = [];
      phone.on('message', (message) => received.push(message));
      phone.connect();
      try {
        await waitFor('the message-ack to mark the push delivered', () => sendOf(running.campaignId), (send) => send.status === 'delivered');
        await waitFor('the resend pass of the first connect', () => resendPasses(deviceId), (passes) => passes.length === 1);
      } finally {
        await phone.close();
      }

      const expected: DeviceMessage = { id: runningJob.id, deviceId, campaignId: running.campaignId, title: 'Wok On', body: `Noodle noon: free spring roll with ${codes[0]}`, code: codes[0]! };
      expect(received).toEqual([expected]);
      expect(wireMessages).toEqual([{ connection: 1, message: expected }]);
      expect(resendPasses(deviceId)[0]).toMatchObject({ undelivered: 2, resent: 1 });
      expect((await sendOf(expiring.campaignId)).status).toBe('sent');

      // A new session on the phone: nothing is pending, so nothing comes.
      const again = new CloudburstDevice({ url: server.url, token, WebSocket: RecordingWebSocket });
      again.on('message', (message) => received.push(message));
      again.connect();
      try {
        await waitFor('the resend pass of the second connect', () => resendPasses(deviceId), (passes) => passes.length === 2);
      } finally {
        await again.close();
      }

      expect(resendPasses(deviceId)[1]).toMatchObject({ undelivered: 1, resent: 0 });
      expect(connections).toBe(2);
      expect(received).toEqual([expected]);
      expect(wireMessages).toEqual([{ connection: 1, message: expected }]);
      expect((await sendOf(running.campaignId)).status).toBe('delivered');
      expect((await sendOf(expiring.campaignId)).status).toBe('sent');
    });

    it('answers a malformed message-ack with an error frame', async () => {
      const { token } = await CloudburstDevice.register(server.url);
      const { device } = await TestDeviceSocket.connect(`${server.url.replace(/^http/, 'ws')}/v1/devices/connect`, token);

      let error: unknown;
      try {
        device.send({ type: 'message-ack', messageId: 'job-1' });
        error = await device.next('error');
      } finally {
        device.close();
      }

      expect(error).toEqual({
        type: 'error',
        code: 'invalid_input',
        message: 'invalid messageId: "job-1" (expected the id of a received message, a UUID)',
        field: 'messageId',
        value: 'job-1',
      });
    });
  });
}
