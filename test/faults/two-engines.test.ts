import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../common/logger.js';
import type { OfferPayload } from '../../common/protocol.js';
import { CloudburstDevice } from '../../sdk/client.js';
import { startCloudburst, type RunningCloudburst } from '../../server/app-server.js';
import { adminRequest, createLunchCampaign, TEST_ADMIN_TOKEN } from '../helpers.js';
import { startPrivateKafka, type PrivateKafka } from './private-kafka.js';
import { queryOnce, startPrivatePostgres, type PrivatePostgres } from './private-services.js';

const PG_PORT = 31030;
const KAFKA_PORT = 31130;
const REPO = path.resolve(import.meta.dirname, '..', '..');
const DEVICES = 12;
const PINGS_PER_DEVICE = 60;
const PING_INTERVAL_MS = 100;
/** Kafka moves a dead member's partitions after its session times out (10 s, set in bus/kafka.ts). */
const RECOVERY_TIMEOUT_MS = 120_000;
const TRUCK = { lat: 37.7749, lon: -122.4194 };
const OUTSIDE = { lat: 37.8, lon: -122.4194 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts the built server as a second process on the same store and Kafka namespace. */
function startSecondProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/cli/cloudburst.js', 'start'], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second process did not start in time; output:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      if (/console:/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`second process exited with ${code} before starting; output:\n${output}`));
    });
  });
}

describe('two engine processes in one consumer group', () => {
  let postgres: PrivatePostgres;
  let kafka: PrivateKafka;
  let first: RunningCloudburst;
  let second: ChildProcess;
  let dataDirs: string[] = [];
  const devices: Array<{ deviceId: string; client: CloudburstDevice; offerIds: Set<string> }> = [];
  let campaignId: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres(PG_PORT);
    kafka = await startPrivateKafka({ port: KAFKA_PORT });
    const namespace = `two-${randomUUID().slice(0, 8)}.`;
    dataDirs = [await mkdtemp(path.join(tmpdir(), 'cloudburst-a-')), await mkdtemp(path.join(tmpdir(), 'cloudburst-b-'))];

    // The first process migrates the store; the second starts after it, so they never race.
    first = await startCloudburst({
      dataDir: dataDirs[0]!,
      port: 0,
      host: '127.0.0.1',
      adminToken: TEST_ADMIN_TOKEN,
      logger: silentLogger(),
      databaseUrl: postgres.databaseUrl,
      kafkaBrokers: kafka.brokers,
      kafkaNamespace: namespace,
    });
    second = await startSecondProcess({
      DATA_DIR: dataDirs[1]!,
      DATABASE_URL: postgres.databaseUrl,
      KAFKA_BROKERS: kafka.brokers.join(","),
      KAFKA_NAMESPACE: namespace,
    });

    ({ campaignId } = await createLunchCampaign(first.url, { truckName: 'Shared Truck', campaignName: 'Two engines', at: TRUCK, radiusM: 150 }));
  }, 300_000);

  afterAll(async () => {
    for (const device of devices) await device.client.close();
    second?.kill('SIGKILL');
    await first?.stop();
    await kafka?.destroy();
    await postgres?.destroy();
    for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('gives each device one offer after one is killed', async () => {
    for (let i = 0; i < DEVICES; i++) {
      const { deviceId, token } = await CloudburstDevice.register(first.url);
      const client = new CloudburstDevice({ url: first.url, token, WebSocket, flushIntervalMs: 0 });
      const device = { deviceId, client, offerIds: new Set<string>() };
      client.on('offer', (offer: OfferPayload) => void device.offerIds.add(offer.offerId));
      client.connect();
      devices.push(device);
    }

    // Devices stream from outside into the fence; the second process dies mid-stream.
    const start = Date.now();
    for (let index = 0; index < PINGS_PER_DEVICE; index++) {
      if (index === 20) second.kill('SIGKILL');
      const place = index >= 10 ? TRUCK : OUTSIDE;
      for (const device of devices) device.client.sendPing({ ...place, accuracy: 5, ts: start + index * PING_INTERVAL_MS });
      await sleep(PING_INTERVAL_MS);
    }
    await Promise.all(devices.map((device) => device.client.onIdle()));

    await expect
      .poll(() => devices.every((device) => device.offerIds.size >= 1), { timeout: RECOVERY_TIMEOUT_MS, interval: 500 })
      .toBe(true);
    for (const device of devices) expect(device.offerIds.size, `device ${device.deviceId}`).toBe(1);

    const offers = await adminRequest(first.url, 'GET', `/v1/admin/campaigns/${campaignId}/offers`);
    const offered = offers.body.offers.map((offer: { deviceId: string }) => offer.deviceId).sort();
    expect(offered).toEqual(devices.map((device) => device.deviceId).sort());

    // Every acknowledged ping reaches the store once, whichever process recorded it.
    await expect
      .poll(async () => Number((await queryOnce<{ n: string }>(postgres.databaseUrl, 'SELECT count(*) AS n FROM pings'))[0]!.n), {
        timeout: RECOVERY_TIMEOUT_MS,
        interval: 1_000,
      })
      .toBe(DEVICES * PINGS_PER_DEVICE);
  }, 300_000);
});
