import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloudburstDevice, type OfferPayload } from '../../sdk/index.js';
import { startCloudburst, type RunningCloudburst } from '../../server/app-server.js';
import { adminRequest, createLunchCampaign, TEST_ADMIN_TOKEN } from '../helpers.js';
import { queryOnce, startPrivatePostgres, type PrivatePostgres } from './private-services.js';

/** Port of this file's private PostgreSQL, inside the range reserved for fault tests. */
const POSTGRES_PORT = 31010;
const TRUCK = { lat: 37.7749, lon: -122.4194 };
/** About 2 km north of the truck, far outside its fence. */
const OUTSIDE = { lat: 37.7929, lon: -122.4194 };
/** Limit on recovery after PostgreSQL is back, in milliseconds. The embedded bus retries a failed batch after at most 5 s. */
const RECOVERY_TIMEOUT_MS = 30_000;

interface LogLine {
  msg: string;
  groupId?: string;
}

/** Creates a logger that keeps warnings and errors in memory, so the test can see which writes failed. */
function capturingLogger(lines: LogLine[]) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      callback();
    },
  });
  return pino({ level: 'warn' }, sink);
}

describe('PostgreSQL restart', () => {
  const logLines: LogLine[] = [];
  let postgres: PrivatePostgres | undefined;
  let server: RunningCloudburst | undefined;
  let device: CloudburstDevice | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    postgres = await startPrivatePostgres(POSTGRES_PORT);
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-fault-'));
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: TEST_ADMIN_TOKEN,
      logger: capturingLogger(logLines),
      databaseUrl: postgres.databaseUrl,
    });
  });

  afterAll(async () => {
    await device?.close().catch(() => undefined);
    // The server's clean stop drains the bus, which waits for the store, so PostgreSQL must run.
    await postgres?.start().catch(() => undefined);
    await server?.stop();
    await postgres?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('recovers pings and offers after outage', async () => {
    const url = server!.url;
    const { campaignId } = await createLunchCampaign(url, { truckName: 'Outage Tacos', campaignName: 'Outage lunch', at: TRUCK, radiusM: 200 });

    const { deviceId, token } = await CloudburstDevice.register(url);
    device = new CloudburstDevice({ url, token, WebSocket, flushIntervalMs: 10 });
    const offers: OfferPayload[] = [];
    let highestAck = 0;
    device.on('offer', (offer) => offers.push(offer));
    device.on('ack', (seq) => (highestAck = Math.max(highestAck, seq)));
    device.connect();

    const start = Date.now();
    let sent = 0;
    const sendPings = (count: number, place: { lat: number; lon: number }) => {
      for (let i = 0; i < count; i++) {
        device!.sendPing({ lat: place.lat + (sent % 10) * 1e-6, lon: place.lon, accuracy: 5, ts: start + sent });
        sent++;
      }
    };
    sendPings(50, OUTSIDE);
    await device.onIdle();

    await postgres!.stop('immediate');

    const during = await adminRequest(url, 'GET', '/v1/admin/trucks');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(during.body.error.code).toBe('unavailable');

    // The gateway acknowledges pings once the bus has them, so streaming continues.
    sendPings(200, OUTSIDE);
    sendPings(50, TRUCK);
    await device.onIdle();
    expect(highestAck).toBe(sent);
    expect(offers).toEqual([]);

    // Both the recorder and delivery must have hit the outage, or the test proves nothing.
    const failedGroups = () =>
      new Set(logLines.filter((line) => line.msg === 'bus handler failed; the batch will be delivered again').map((line) => line.groupId));
    await expect.poll(() => failedGroups().has('recorder'), { timeout: RECOVERY_TIMEOUT_MS }).toBe(true);
    await expect.poll(() => failedGroups().has('delivery'), { timeout: RECOVERY_TIMEOUT_MS }).toBe(true);

    await postgres!.start();

    await expect
      .poll(async () => (await adminRequest(url, 'GET', '/v1/admin/trucks')).status, { timeout: RECOVERY_TIMEOUT_MS, interval: 250 })
      .toBe(200);

    const countPings = async () =>
      (await queryOnce<{ n: number }>(postgres!.databaseUrl, 'SELECT count(*)::int AS n FROM pings WHERE device_id = $1', [deviceId]))[0]!.n;
    await expect.poll(countPings, { timeout: RECOVERY_TIMEOUT_MS, interval: 250 }).toBe(sent);
    const seqs = await queryOnce<{ n: number; distinct_seqs: number; min_seq: number; max_seq: number }>(
      postgres!.databaseUrl,
      'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct_seqs, min(seq)::int AS min_seq, max(seq)::int AS max_seq FROM pings WHERE device_id = $1',
      [deviceId],
    );
    expect(seqs[0]).toEqual({ n: sent, distinct_seqs: sent, min_seq: 1, max_seq: sent });

    await expect.poll(() => offers.length, { timeout: RECOVERY_TIMEOUT_MS, interval: 100 }).toBe(1);
    expect(offers[0]).toMatchObject({ campaignId, deviceId });

    // More pings inside the fence after recovery must not produce a second offer.
    sendPings(20, TRUCK);
    await device.onIdle();
    await expect.poll(countPings, { timeout: RECOVERY_TIMEOUT_MS, interval: 250 }).toBe(sent);

    const listed = await adminRequest(url, 'GET', `/v1/admin/campaigns/${campaignId}/offers`);
    expect(listed.status).toBe(200);
    expect(listed.body.offers).toHaveLength(1);
    expect(listed.body.offers[0]).toMatchObject({ offerId: offers[0]!.offerId, deviceId });
    const offerRows = await queryOnce<{ n: number }>(
      postgres!.databaseUrl,
      'SELECT count(*)::int AS n FROM offers WHERE campaign_id = $1 AND device_id = $2',
      [campaignId, deviceId],
    );
    expect(offerRows[0]!.n).toBe(1);
    expect(offers).toHaveLength(1);
  }, 110_000);
});
