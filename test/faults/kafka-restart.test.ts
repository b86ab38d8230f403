import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../common/logger.js';
import type { OfferPayload } from '../../common/protocol.js';
import { CloudburstDevice } from '../../sdk/client.js';
import type { DeviceError } from '../../sdk/errors.js';
import { startCloudburst, type RunningCloudburst } from '../../server/app-server.js';
import { adminRequest, createLunchCampaign, TEST_ADMIN_TOKEN } from '../helpers.js';
import { startPrivateKafka, type PrivateKafka } from './private-kafka.js';

/** PLAINTEXT port of the private broker. Its KRaft controller listens on the next port. */
const KAFKA_PORT = 31100;
const DEVICES = 20;
const PINGS_PER_DEVICE = 100;
const PING_INTERVAL_MS = 100;
/** Time after the first ping at which the broker stops. */
const OUTAGE_START_MS = 2_500;
const OUTAGE_MS = 7_000;
/** Acks may still arrive for a moment after the JVM exited, from responses already on their way. */
const ACK_GRACE_MS = 500;
// A loaded 2-core CI machine once needed more than 90 s, while the test alone takes about 25 s.
const RECOVERY_TIMEOUT_MS = 150_000;

const TRUCK = { lat: 37.7749, lon: -122.4194 };
/** About 2.8 km north of the truck, far outside the fence. */
const OUTSIDE = { lat: 37.8, lon: -122.4194 };

/**
 * Pings 20-39 and 70-89 are at the truck, the rest outside, so every device enters the
 * fence twice and must get exactly one offer.
 */
function isInside(index: number): boolean {
  return (index >= 20 && index < 40) || (index >= 70 && index < 90);
}

interface DeviceUnderTest {
  deviceId: string;
  client: CloudburstDevice;
  sentSeqs: number[];
  ackTimes: number[];
  errors: DeviceError[];
  offerIds: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true, and rejects naming `what` after `timeoutMs`. Hooks need it because expect.poll works only inside a test. */
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(100);
  }
}

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Kafka broker restart during ingest', () => {
  let kafka: PrivateKafka | undefined;
  let server: RunningCloudburst | undefined;
  let dataDir: string | undefined;
  let campaignId: string;
  const devices: DeviceUnderTest[] = [];

  beforeAll(async () => {
    const setupStart = Date.now();
    kafka = await startPrivateKafka({ port: KAFKA_PORT });
    const kafkaReadyAt = Date.now();
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-kafka-restart-'));
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: TEST_ADMIN_TOKEN,
      logger: silentLogger(),
      kafkaBrokers: kafka.brokers,
      kafkaNamespace: `kafka-restart-${randomUUID().slice(0, 8)}.`,
    });
    const serverReadyAt = Date.now();

    ({ campaignId } = await createLunchCampaign(server.url, {
      truckName: 'Restart Tacos',
      campaignName: 'Broker restart lunch',
      at: TRUCK,
      radiusM: 150,
    }));
    // The engine learns fences from the bus.
    await waitUntil(() => server!.services.engine.fencesNear(TRUCK.lat, TRUCK.lon).length === 1, 30_000, 'the engine has the fence');

    for (let i = 0; i < DEVICES; i++) {
      const { deviceId, token } = await CloudburstDevice.register(server.url);
      const client = new CloudburstDevice({
        url: server.url,
        token,
        WebSocket: WebSocket as never,
        flushIntervalMs: 50,
        backoff: { initialMs: 200, maxMs: 2_000 },
      });
      const device: DeviceUnderTest = { deviceId, client, sentSeqs: [], ackTimes: [], errors: [], offerIds: [] };
      client.on('ack', () => device.ackTimes.push(Date.now()));
      client.on('error', (error) => device.errors.push(error));
      client.on('offer', (offer: OfferPayload) => device.offerIds.push(offer.offerId));
      client.connect();
      devices.push(device);
    }
    await waitUntil(() => devices.every((device) => device.client.state === 'open'), 15_000, 'every device got its welcome');
    console.info(`kafka restart setup: broker ${kafkaReadyAt - setupStart} ms, server ${serverReadyAt - kafkaReadyAt} ms, campaign and devices ${Date.now() - serverReadyAt} ms`);
  });

  afterAll(async () => {
    await Promise.allSettled(devices.map((device) => device.client.close()));
    // If the test stopped the broker and failed, start it again so the server can drain and close.
    if (kafka && !kafka.running) await kafka.start().catch(() => undefined);
    await server?.stop();
    await kafka?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores each ping and offer once', { timeout: 150_000 }, async () => {
    const streamStart = Date.now();
    const streaming = Promise.all(
      devices.map(async (device, deviceIndex) => {
        // Spread the devices over one interval so frames do not all arrive at once.
        await sleep((deviceIndex * PING_INTERVAL_MS) / DEVICES);
        for (let i = 0; i < PINGS_PER_DEVICE; i++) {
          const position = isInside(i) ? TRUCK : OUTSIDE;
          device.sentSeqs.push(device.client.sendPing({ ...position, accuracy: 5 }));
          await sleep(PING_INTERVAL_MS);
        }
      }),
    );

    await sleep(OUTAGE_START_MS - (Date.now() - streamStart));
    await withTimeout(kafka!.stop(), 45_000, 'stopping the broker');
    const stoppedAt = Date.now();
    const pendingAtStop = devices.reduce((sum, device) => sum + device.client.pendingCount, 0);
    await sleep(OUTAGE_MS);
    const pendingBeforeRestart = devices.reduce((sum, device) => sum + device.client.pendingCount, 0);
    const restartAt = Date.now();
    await withTimeout(kafka!.start(), 60_000, 'starting the broker again');
    const restartedAt = Date.now();

    // While the broker is down, the gateway acknowledges nothing and the devices keep every ping.
    const acksDuringOutage = devices.flatMap((device) => device.ackTimes.filter((time) => time > stoppedAt + ACK_GRACE_MS && time < restartAt));
    expect(acksDuringOutage).toEqual([]);
    expect(pendingBeforeRestart).toBeGreaterThan(pendingAtStop);
    const overflows = devices.filter((device) => device.client.pendingCount > PINGS_PER_DEVICE);
    expect(overflows).toEqual([]);

    await streaming;
    await withTimeout(
      Promise.all(devices.map((device) => device.client.onIdle())),
      RECOVERY_TIMEOUT_MS,
      `devices waiting for acks: ${devices.filter((device) => device.client.pendingCount > 0).length}`,
    );
    const idleAt = Date.now();
    const sent = devices.reduce((sum, device) => sum + device.sentSeqs.length, 0);
    expect(sent).toBe(DEVICES * PINGS_PER_DEVICE);

    // The gateway either held the pings (its send retried until the broker was back) or
    // rejected them, and every error it sent is the retriable 'unavailable'. Which of the
    // two happens depends on how the outage lines up with the producer's retries, so only
    // the kind of error is checked. The checks above show nothing was acknowledged meanwhile.
    const errors = devices.flatMap((device) => device.errors);
    const unexpectedErrors = errors.filter((error) => error.code !== 'unavailable' || error.retriable !== true);
    expect(unexpectedErrors.map((error) => `${error.code}: ${error.message}`)).toEqual([]);

    const { db, runner } = server!.services;
    await expect
      .poll(async () => Number((await db.query<{ count: string }>('SELECT count(*) AS count FROM pings'))[0]!.count), { timeout: 60_000 })
      .toBe(sent);
    const storedAt = Date.now();
    await expect.poll(() => runner.stats.pingsProcessed, { timeout: 60_000 }).toBeGreaterThanOrEqual(sent);
    const processedAt = Date.now();

    const duplicates = await db.query('SELECT device_id, seq, count(*) AS count FROM pings GROUP BY device_id, seq HAVING count(*) > 1');
    expect(duplicates).toEqual([]);
    for (const device of devices) {
      const rows = await db.query<{ seq: number }>('SELECT seq FROM pings WHERE device_id = $1 ORDER BY seq', [device.deviceId]);
      expect(rows.map((row) => Number(row.seq)), `stored seqs of device ${device.deviceId}`).toEqual(device.sentSeqs);
    }

    // Every device entered the fence, so each has one offer, and a redelivered batch made no second one.
    await expect.poll(() => runner.stats.offersDecided, { timeout: 30_000 }).toBe(DEVICES);
    const decidedAt = Date.now();
    // Delivery records offers from its own consumer group, which may still be rejoining
    // after the restart, so the listing can trail the decisions for a while.
    const listOfferDevices = async () => {
      const listed = await adminRequest(server!.url, 'GET', `/v1/admin/campaigns/${campaignId}/offers`);
      expect(listed.status).toBe(200);
      return (listed.body.offers as OfferPayload[]).map((offer) => offer.deviceId).sort();
    };
    await expect.poll(listOfferDevices, { timeout: 60_000, interval: 500 }).toEqual(devices.map((device) => device.deviceId).sort());

    await expect.poll(() => devices.filter((device) => device.offerIds.length === 0).length, { timeout: 60_000 }).toBe(0);
    const pushedAt = Date.now();
    for (const device of devices) {
      expect(new Set(device.offerIds).size, `distinct offers pushed to device ${device.deviceId}`).toBe(1);
    }

    console.info(
      `kafka restart: sent ${sent} pings, ${pendingAtStop} pending at stop, ${pendingBeforeRestart} before restart, ` +
        `${errors.length} 'unavailable' error frames, engine processed ${runner.stats.pingsProcessed} pings, ` +
        `pings stored ${storedAt - idleAt} ms, processed ${processedAt - idleAt} ms and offers decided ${decidedAt - idleAt} ms and pushed ${pushedAt - idleAt} ms after the last ack, ` +
        `broker restart took ${restartedAt - restartAt} ms, every ping acked ${idleAt - restartedAt} ms after the restart, ` +
        `${Date.now() - streamStart} ms from first ping to the end of the checks`,
    );
  });
});
