// Two processes on one PostgreSQL database and one Kafka namespace, as `npm run
// services:start` starts them: each console shows every offer, whichever process decided
// and recorded it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { silentLogger } from '../common/logger.js';
import type { OfferPayload } from '../common/protocol.js';
import { CloudburstDevice } from '../sdk/index.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { scaledBackendOptions } from './backend.js';
import { createLunchCampaign, openLiveFeed, TEST_ADMIN_TOKEN, type LiveFeedClient } from './helpers.js';

const TRUCK = { lat: 37.7749, lon: -122.4194 };
const DEVICES = 6;
const WAIT_TIMEOUT_MS = 30_000;

describe('two processes sharing Kafka and PostgreSQL', () => {
  const servers: RunningCloudburst[] = [];
  const devices: CloudburstDevice[] = [];
  const feeds: LiveFeedClient[] = [];
  const dataDirs: string[] = [];

  afterAll(async () => {
    for (const feed of feeds) feed.close();
    for (const device of devices) await device.close().catch(() => undefined);
    for (const server of servers) await server.stop();
    for (const dataDir of dataDirs) await rm(dataDir, { recursive: true, force: true });
  });

  it('shows every offer on both consoles', async () => {
    const backend = await scaledBackendOptions();
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-shared-'));
      dataDirs.push(dataDir);
      servers.push(await startCloudburst({ dataDir, port: 0, host: '127.0.0.1', adminToken: TEST_ADMIN_TOKEN, logger: silentLogger(), ...backend }));
    }
    const [first, second] = servers as [RunningCloudburst, RunningCloudburst];

    await createLunchCampaign(first.url, { truckName: 'Shared Tacos', campaignName: 'Shared lunch', at: TRUCK, radiusM: 200 });
    // Both engines learn the fence from the bus.
    for (const server of servers) {
      await expect.poll(() => server.services.engine.fencesNear(TRUCK.lat, TRUCK.lon).length, { timeout: WAIT_TIMEOUT_MS }).toBe(1);
    }
    feeds.push(await openLiveFeed(first.url), await openLiveFeed(second.url));

    // Devices connect to both processes. Their pings are keyed by device, so the offers are
    // decided by both engines and recorded by whichever delivery consumer owns the partition.
    const received: OfferPayload[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const url = servers[i % 2]!.url;
      const { token } = await CloudburstDevice.register(url);
      const device = new CloudburstDevice({ url, token, WebSocket, flushIntervalMs: 10 });
      device.on('offer', (offer) => received.push(offer));
      device.connect();
      devices.push(device);
      device.sendPing({ ...TRUCK, accuracy: 5, ts: Date.now() });
    }
    await expect.poll(() => received.length, { timeout: WAIT_TIMEOUT_MS }).toBe(DEVICES);

    const offerIds = received.map((offer) => offer.offerId).sort();
    for (const feed of feeds) {
      const feedOfferIds = () =>
        [...new Set(feed.frames.flatMap((frame) => (frame.type === 'offer' ? [frame.offer.offerId] : [])))].sort();
      await expect.poll(feedOfferIds, { timeout: WAIT_TIMEOUT_MS }).toEqual(offerIds);
    }
  }, 120_000);
});
