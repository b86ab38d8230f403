import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../../common/logger.js';
import { CloudburstDevice, type OfferPayload } from '../../sdk/index.js';
import { startCloudburst, type RunningCloudburst } from '../../server/app-server.js';
import { instantToLocal } from '../../server/time-zone.js';
import { adminRequest, TEST_ADMIN_TOKEN } from '../helpers.js';

const TRUCK = { lat: 37.7749, lon: -122.4194 };
const PINGS_INSIDE = 20;
const WAIT_TIMEOUT_MS = 20_000;

/** Starts a server on the embedded store and bus, on 127.0.0.1 with a random port. */
function startServer(dataDir: string): Promise<RunningCloudburst> {
  return startCloudburst({ dataDir, port: 0, host: '127.0.0.1', adminToken: TEST_ADMIN_TOKEN, logger: silentLogger() });
}

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

describe('engine restart', () => {
  const devices: CloudburstDevice[] = [];
  const servers: RunningCloudburst[] = [];
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-fault-'));
  });

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    for (const server of servers) await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('offers once per device across restart', async () => {
    const first = await startServer(dataDir!);
    servers.push(first);
    const truck = await adminRequest(first.url, 'POST', '/v1/admin/trucks', { name: 'Restart Tacos', ...TRUCK });
    expect(truck.status).toBe(201);
    const now = Date.now();
    const campaign = await adminRequest(first.url, 'POST', '/v1/admin/campaigns', {
      name: 'Restart lunch',
      truckIds: [truck.body.truck.id],
      window: { start: instantToLocal(now, 'America/Los_Angeles'), end: instantToLocal(now + 3_600_000, 'America/Los_Angeles') },
      radiusM: 200,
      benefit: { kind: 'percent', value: 10 },
    });
    expect(campaign.status).toBe(201);
    const campaignId: string = campaign.body.campaign.id;

    const { deviceId, token } = await CloudburstDevice.register(first.url);
    const before = connectDevice(first.url, token);
    devices.push(before.device);
    sendPingsInside(before.device, PINGS_INSIDE);
    await before.device.onIdle();
    await expect.poll(() => before.offers.length, { timeout: WAIT_TIMEOUT_MS }).toBe(1);
    expect(before.offers[0]).toMatchObject({ campaignId, deviceId });
    const lastSeq = before.device.lastSeq;
    // Wait for the offer-ack to be stored, so the new server has no undelivered offer to push again.
    const pushStatus = async () =>
      (await first.services.db.query<{ status: string }>("SELECT status FROM deliveries WHERE offer_id = $1 AND channel = 'push'", [before.offers[0]!.offerId]))[0]
        ?.status;
    await expect.poll(pushStatus, { timeout: WAIT_TIMEOUT_MS }).toBe('delivered');

    await before.device.close();
    await first.stop();

    const second = await startServer(dataDir!);
    servers.push(second);
    const after = connectDevice(second.url, token, lastSeq);
    devices.push(after.device);
    sendPingsInside(after.device, PINGS_INSIDE);
    await after.device.onIdle();
    // Wait until the engine has processed every ping of the returning device before the new device pings.
    await expect.poll(() => second.services.runner.stats.pingsProcessed, { timeout: WAIT_TIMEOUT_MS }).toBe(PINGS_INSIDE);
    expect(second.services.runner.stats.offersDecided).toBe(0);

    const newcomer = await CloudburstDevice.register(second.url);
    const other = connectDevice(second.url, newcomer.token);
    devices.push(other.device);
    sendPingsInside(other.device, PINGS_INSIDE);
    await other.device.onIdle();
    await expect.poll(() => other.offers.length, { timeout: WAIT_TIMEOUT_MS }).toBe(1);
    expect(other.offers[0]).toMatchObject({ campaignId, deviceId: newcomer.deviceId });

    expect(second.services.runner.stats.offersDecided).toBe(1);
    expect(after.offers).toEqual([]);
    const listed = await adminRequest(second.url, 'GET', `/v1/admin/campaigns/${campaignId}/offers`);
    expect(listed.status).toBe(200);
    const offersByDevice = listed.body.offers.map((offer: OfferPayload) => offer.deviceId);
    expect(offersByDevice.filter((id: string) => id === deviceId)).toHaveLength(1);
    expect(offersByDevice.filter((id: string) => id === newcomer.deviceId)).toHaveLength(1);
    expect(listed.body.offers).toHaveLength(2);
  }, 110_000);
});
