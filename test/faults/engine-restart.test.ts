// Engine restart: state is rebuilt from the store (fences, offers, device positions)
// and, on Kafka, from the pings the topic still holds. Runs on the embedded defaults and
// on PostgreSQL + Kafka as `npm run services:start` starts them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { KafkaBus } from '../../bus/kafka.js';
import { Topics } from '../../bus/types.js';
import { silentLogger } from '../../common/logger.js';
import type { PingRecord } from '../../common/protocol.js';
import { CloudburstDevice, type OfferPayload } from '../../sdk/index.js';
import { startCloudburst, type RunningCloudburst } from '../../server/app-server.js';
import { scaledBackendOptions, type BackendOptions } from '../backend.js';
import { adminRequest, createLunchCampaign, openLiveFeed, TEST_ADMIN_TOKEN } from '../helpers.js';

const TRUCK = { lat: 37.7749, lon: -122.4194 };
/** About 1.1 km north of the truck, well outside its 200 m fence. */
const AWAY = { lat: 37.7849, lon: -122.4194 };
const PINGS_INSIDE = 20;
/** How long the walk away takes: 1.1 km in 14 minutes, under the 15-minute stale time. */
const WALK_MS = 14 * 60_000;
const WAIT_TIMEOUT_MS = 45_000;

/** Connects a device that records the offers it receives. */
function connectDevice(url: string, token: string, lastSeq = 0): { device: CloudburstDevice; offers: OfferPayload[] } {
  const device = new CloudburstDevice({ url, token, WebSocket, flushIntervalMs: 10, lastSeq });
  const offers: OfferPayload[] = [];
  device.on('offer', (offer) => offers.push(offer));
  device.connect();
  return { device, offers };
}

function sendPingsInside(device: CloudburstDevice, count: number): void {
  const start = Date.now();
  for (let i = 0; i < count; i++) device.sendPing({ lat: TRUCK.lat + i * 1e-6, lon: TRUCK.lon, accuracy: 5, ts: start + i });
}

const BACK_ENDS: Array<{ name: string; options: () => Promise<BackendOptions> }> = [
  { name: 'embedded', options: async () => ({}) },
  { name: 'Kafka + PostgreSQL', options: scaledBackendOptions },
];

describe.each(BACK_ENDS)('engine restart on $name', ({ options }) => {
  const devices: CloudburstDevice[] = [];
  const servers: RunningCloudburst[] = [];
  const dataDirs: string[] = [];

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    for (const server of servers) await server.stop();
    for (const dataDir of dataDirs) await rm(dataDir, { recursive: true, force: true });
  });

  it('rebuilds fences, offers and positions, and offers once per device', async () => {
    const backend = await options();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-fault-'));
    dataDirs.push(dataDir);
    const start = () =>
      startCloudburst({ dataDir, port: 0, host: '127.0.0.1', adminToken: TEST_ADMIN_TOKEN, logger: silentLogger(), ...backend });

    const first = await start();
    servers.push(first);
    const { campaignId, fenceId } = await createLunchCampaign(first.url, {
      truckName: 'Restart Tacos',
      campaignName: 'Restart lunch',
      at: TRUCK,
      radiusM: 200,
    });

    // Two devices near the truck get their offers; the second then walks away while the engine is down.
    const stayer = await CloudburstDevice.register(first.url);
    const walker = await CloudburstDevice.register(first.url);
    const before = [connectDevice(first.url, stayer.token), connectDevice(first.url, walker.token)];
    for (const { device } of before) {
      devices.push(device);
      sendPingsInside(device, PINGS_INSIDE);
      await device.onIdle();
    }
    for (const { offers } of before) await expect.poll(() => offers.length, { timeout: WAIT_TIMEOUT_MS }).toBe(1);
    expect(before[0]!.offers[0]).toMatchObject({ campaignId, deviceId: stayer.deviceId });
    // Wait for the offer-acks to be stored, so the new server has no undelivered offer to push again.
    const pushStatuses = async () =>
      (
        await first.services.db.query<{ status: string }>("SELECT status FROM deliveries WHERE channel = 'push' AND offer_id = ANY($1::uuid[])", [
          before.map(({ offers }) => offers[0]!.offerId),
        ])
      ).map((row) => row.status);
    await expect.poll(pushStatuses, { timeout: WAIT_TIMEOUT_MS }).toEqual(['delivered', 'delivered']);
    const lastSeqs = before.map(({ device }) => device.lastSeq);

    for (const { device } of before) await device.close();
    await first.stop();

    // On Kafka, a ping accepted while no engine runs waits in the topic for the next one.
    let replayed = 0;
    if (backend.kafkaBrokers) {
      const bus = new KafkaBus({ brokers: backend.kafkaBrokers, namespace: backend.kafkaNamespace, logger: silentLogger() });
      // Stamped 14 minutes later, so the 1.1 km walk is at walking speed, not a flagged jump.
      const walkedAt = Date.now() + WALK_MS;
      const away: PingRecord = { deviceId: walker.deviceId, seq: lastSeqs[1]! + 1, ...AWAY, accuracy: 5, ts: walkedAt, receivedAt: walkedAt };
      try {
        await bus.produce(Topics.pings, [{ key: walker.deviceId, value: away }]);
      } finally {
        await bus.close();
      }
      replayed = 1;
    }

    const second = await start();
    servers.push(second);
    const { engine, runner } = second.services;
    expect(engine.insideFences(stayer.deviceId)).toEqual([fenceId]);
    const live = await openLiveFeed(second.url);
    live.close();
    const snapshot = live.frames.find((frame) => frame.type === 'snapshot');
    expect(snapshot?.type === 'snapshot' && snapshot.devices.map((device) => device.id)).toContain(stayer.deviceId);
    if (replayed > 0) {
      await expect.poll(() => runner.stats.pingsProcessed, { timeout: WAIT_TIMEOUT_MS }).toBe(replayed);
      expect(engine.insideFences(walker.deviceId)).toEqual([]);
    } else {
      expect(engine.insideFences(walker.deviceId)).toEqual([fenceId]);
    }

    const after = connectDevice(second.url, stayer.token, lastSeqs[0]);
    devices.push(after.device);
    sendPingsInside(after.device, PINGS_INSIDE);
    await after.device.onIdle();
    // Wait until the engine has processed every ping of the returning device before the new device pings.
    await expect.poll(() => runner.stats.pingsProcessed, { timeout: WAIT_TIMEOUT_MS }).toBe(replayed + PINGS_INSIDE);
    expect(runner.stats.offersDecided).toBe(0);
    expect(engine.insideFences(stayer.deviceId)).toEqual([fenceId]);

    const newcomer = await CloudburstDevice.register(second.url);
    const other = connectDevice(second.url, newcomer.token);
    devices.push(other.device);
    sendPingsInside(other.device, PINGS_INSIDE);
    await other.device.onIdle();
    await expect.poll(() => other.offers.length, { timeout: WAIT_TIMEOUT_MS }).toBe(1);
    expect(other.offers[0]).toMatchObject({ campaignId, deviceId: newcomer.deviceId });

    expect(runner.stats.offersDecided).toBe(1);
    expect(after.offers).toEqual([]);
    const listed = await adminRequest(second.url, 'GET', `/v1/admin/campaigns/${campaignId}/offers`);
    expect(listed.status).toBe(200);
    const offersByDevice = listed.body.offers.map((offer: OfferPayload) => offer.deviceId).sort();
    expect(offersByDevice).toEqual([stayer.deviceId, walker.deviceId, newcomer.deviceId].sort());
  }, 180_000);
});
