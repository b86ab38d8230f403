import { performance } from 'node:perf_hooks';
import type { OfferPayload } from '../common/protocol.js';
import { sleep } from '../common/retry.js';
import { CloudburstDevice, type WebSocketConstructorLike } from '../sdk/index.js';
import { instantToLocal } from '../server/time-zone.js';
import { AdminClient } from './admin-client.js';
import { readApprovedPermits } from './permits.js';
import { percentile } from './stats.js';
import { DEFAULT_FENCE_RULES, type FenceRules } from '../engine/index.js';
import { readTrajectories, type TrajectoryFix } from './trajectories.js';

export interface ReplayOptions {
  /** Base URL of a running Cloudburst, e.g. http://127.0.0.1:8080. */
  url: string;
  adminToken: string;
  trajectoriesFile: string;
  permitsFile: string;
  /** Recorded time runs this many times faster than the wall clock. */
  speedup: number;
  /** Minutes of recorded data to replay, from the file's first fix. */
  minutes: number;
  radiusM: number;
  /** Accuracy reported with every ping; the trajectory files carry none. */
  accuracyM?: number;
  WebSocket: WebSocketConstructorLike;
  /** Called for each offer a device receives. */
  onOffer?: (offer: DemoOffer) => void;
  /** Called with progress lines for a human watching. */
  onProgress?: (message: string) => void;
  /** Called once the trucks exist and before any phone moves, e.g. to publish their menus. */
  onTrucksCreated?: (trucks: ReplayResult['trucks']) => Promise<void>;
}

/** One received offer, as written to `--out`. */
export interface DemoOffer {
  trajectoryId: string;
  deviceId: string;
  permitLocationId: string | null;
  truckId: string;
  truckName: string;
  code: string;
  offerId: string;
  ping: { seq: number; lat: number; lon: number; ts: string; recordedAt: string };
  distanceM: number;
  latencyMs: number;
}

export interface ReplaySummary {
  devices: number;
  pingsSent: number;
  pingsAcknowledged: number;
  offersReceived: number;
  latencyMs: { p50: number; p99: number };
  campaignId: string;
  trucks: number;
}

export interface ReplayResult {
  summary: ReplaySummary;
  offers: DemoOffer[];
  /** The fixes that were sent, per trajectory, with the time each was stamped with. */
  sent: Array<TrajectoryFix & { ts: number }>;
  trucks: Array<{ id: string; permitLocationId: string | null; lat: number; lon: number }>;
}

const DEFAULT_ACCURACY_M = 10;
/** How long to wait for offers still in flight after the last ping is acknowledged. */
const SETTLE_MS = 1_000;
/** How long the demo waits for offers the server has decided to reach their phones. */
const OFFER_WAIT_MS = 60_000;
const OFFER_POLL_MS = 250;
/** Parallel device registrations. */
const REGISTER_CONCURRENCY = 16;
const TRUCK_TIME_ZONE = 'America/Los_Angeles';

/**
 * Replays recorded trajectories as live devices. Loads the approved trucks of the
 * permit file, creates a campaign around them and registers one device per trajectory.
 * Then sends each fix through the SDK at its recorded time, shifted to now and sped up.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const progress = options.onProgress ?? (() => {});
  const admin = new AdminClient(options.url, options.adminToken);

  // Trucks and campaign.
  const permits = await readApprovedPermits(options.permitsFile);
  const trucks: ReplayResult['trucks'] = [];
  for (const permit of permits) {
    const { truck } = await admin.request<{ truck: { id: string; permitLocationId: string | null; lat: number; lon: number; name: string } }>(
      'POST',
      '/v1/admin/trucks',
      { name: permit.applicant, lat: permit.lat, lon: permit.lon, timeZone: TRUCK_TIME_ZONE, permitLocationId: permit.locationId },
    );
    trucks.push(truck);
  }
  const truckById = new Map(trucks.map((truck) => [truck.id, truck]));
  await options.onTrucksCreated?.(trucks);

  const { fixes: allFixes, layout } = await readTrajectories(options.trajectoriesFile);
  if (allFixes.length === 0) throw new Error(`no fixes in ${options.trajectoriesFile}`);
  const firstTime = allFixes[0]!.time;
  const fixes = allFixes.filter((fix) => fix.time < firstTime + options.minutes * 60_000);

  const wallDurationMs = (options.minutes * 60_000) / options.speedup;
  const startEpoch = Date.now() + 2_000;
  const windowStart = instantToLocal(startEpoch - 60_000, TRUCK_TIME_ZONE);
  const windowEnd = instantToLocal(startEpoch + wallDurationMs + 10 * 60_000, TRUCK_TIME_ZONE);
  const { campaign } = await admin.request<{ campaign: { id: string } }>('POST', '/v1/admin/campaigns', {
    name: `Demo cloud burst ${new Date().toISOString().slice(0, 16)}`,
    truckIds: trucks.map((truck) => truck.id),
    window: { start: windowStart, end: windowEnd },
    radiusM: options.radiusM,
    benefit: { kind: 'percent', value: 20, description: '20% off your first lunch' },
    rules: sped(options.speedup),
  });
  progress(`${trucks.length} trucks, campaign ${campaign.id}, ${fixes.length} ${layout} fixes to replay`);

  // Devices, one per trajectory.
  const trajectoryIds = [...new Set(fixes.map((fix) => fix.trajectoryId))];
  const devices = new Map<string, { client: CloudburstDevice; deviceId: string; sentAt: Map<number, number>; acked: number }>();
  const offers: DemoOffer[] = [];
  const latencies: number[] = [];
  const fixesByDeviceSeq = new Map<string, TrajectoryFix>();

  await forEachConcurrently(trajectoryIds, REGISTER_CONCURRENCY, async (trajectoryId) => {
    const { deviceId, token } = await CloudburstDevice.register(options.url, { platform: 'demo' });
    const client = new CloudburstDevice({ url: options.url, token, WebSocket: options.WebSocket, flushIntervalMs: 0 });
    const device = { client, deviceId, sentAt: new Map<number, number>(), acked: 0 };

    client.on('ack', (seq: number) => {
      device.acked = Math.max(device.acked, seq);
    });
    client.on('offer', (offer: OfferPayload) => {
      // Other campaigns still running on the server may send offers too; only this one counts.
      if (offer.campaignId !== campaign.id) return;
      const sentAt = device.sentAt.get(offer.ping.seq);
      const latencyMs = sentAt === undefined ? Number.NaN : performance.now() - sentAt;
      if (Number.isFinite(latencyMs)) latencies.push(latencyMs);
      const truck = truckById.get(offer.truck.id);
      const recorded = fixesByDeviceSeq.get(`${deviceId}:${offer.ping.seq}`);
      const demoOffer: DemoOffer = {
        trajectoryId,
        deviceId,
        permitLocationId: truck?.permitLocationId ?? null,
        truckId: offer.truck.id,
        truckName: offer.truck.name,
        code: offer.code,
        offerId: offer.offerId,
        ping: {
          seq: offer.ping.seq,
          lat: offer.ping.lat,
          lon: offer.ping.lon,
          ts: new Date(offer.ping.ts).toISOString(),
          recordedAt: recorded ? new Date(recorded.time).toISOString() : '',
        },
        distanceM: offer.distanceM,
        latencyMs: Math.round(latencyMs * 100) / 100,
      };
      offers.push(demoOffer);
      options.onOffer?.(demoOffer);
    });

    client.connect();
    devices.set(trajectoryId, device);
  });
  progress(`${devices.size} devices connected; replaying ${options.minutes} min at ${options.speedup}x (${(wallDurationMs / 1000).toFixed(1)} s)`);

  // The engine's count of processed pings, to tell later when it has caught up with this replay.
  const before = await admin.request<EngineCounters>('GET', '/v1/admin/stats');

  // Replay at recorded pace.
  const sent: ReplayResult['sent'] = [];
  const wallStart = performance.now();
  await sleep(Math.max(0, startEpoch - Date.now()));

  for (const fix of fixes) {
    const dueMs = (fix.time - firstTime) / options.speedup;
    const aheadMs = dueMs - (performance.now() - wallStart);
    if (aheadMs > 1) await sleep(aheadMs);

    const device = devices.get(fix.trajectoryId)!;
    const ts = Math.round(startEpoch + dueMs);
    // The SDK writes the frame synchronously, and an offer cannot arrive before this
    // turn of the event loop ends, so stamping after sendPing loses nothing.
    const sentAt = performance.now();
    const seq = device.client.sendPing({ lat: fix.lat, lon: fix.lon, accuracy: options.accuracyM ?? DEFAULT_ACCURACY_M, ts });
    device.sentAt.set(seq, sentAt);
    fixesByDeviceSeq.set(`${device.deviceId}:${seq}`, fix);
    sent.push({ ...fix, ts });
  }

  await Promise.all([...devices.values()].map((device) => device.client.onIdle()));
  await sleep(SETTLE_MS);
  const pending = await waitForOffers(admin, campaign.id, before, sent.length, () => offers.length);
  if (pending > 0) progress(`${pending} offers the server decided had not reached their phones after ${OFFER_WAIT_MS / 1000} s`);
  await Promise.all([...devices.values()].map((device) => device.client.close()));

  const summary: ReplaySummary = {
    devices: devices.size,
    pingsSent: sent.length,
    pingsAcknowledged: [...devices.values()].reduce((sum, device) => sum + device.acked, 0),
    offersReceived: offers.length,
    latencyMs: { p50: round2(percentile(latencies, 0.5)), p99: round2(percentile(latencies, 0.99)) },
    campaignId: campaign.id,
    trucks: trucks.length,
  };
  return { summary, offers, sent, trucks };
}

/** The engine counters of GET /v1/admin/stats that the demo reads. */
interface EngineCounters {
  pingsProcessed: number;
  offersDecided: number;
}

/**
 * Waits until the server's engine has processed the `sent` pings, the campaign lists
 * every offer the engine decided since `before`, and the phones have received every
 * listed offer, or OFFER_WAIT_MS. Gateways acknowledge a ping once it is on the bus, and
 * an offer is listed once delivery has stored it, so under load both lag the last
 * acknowledgement. Returns how many listed offers were still missing at the phones.
 * NOTE: with several engine processes, the process serving the stats counts only its partitions'
 * pings, so the wait runs to OFFER_WAIT_MS.
 */
async function waitForOffers(
  admin: AdminClient,
  campaignId: string,
  before: EngineCounters,
  sent: number,
  received: () => number,
): Promise<number> {
  const deadline = Date.now() + OFFER_WAIT_MS;
  for (;;) {
    const now = await admin.request<EngineCounters>('GET', '/v1/admin/stats');
    const { offers } = await admin.request<{ offers: unknown[] }>('GET', `/v1/admin/campaigns/${campaignId}/offers`);
    const missing = offers.length - received();
    const engineDone = now.pingsProcessed - before.pingsProcessed >= sent;
    const allListed = offers.length >= now.offersDecided - before.offersDecided;
    if ((engineDone && allListed && missing <= 0) || Date.now() >= deadline) return Math.max(0, missing);
    await sleep(OFFER_POLL_MS);
  }
}

async function forEachConcurrently<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(workers);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Scales the campaign's time and speed rules to the replay: recorded time runs
 * `speedup` times faster than the clock, so a taxi seems `speedup` times faster and
 * a minute of dwell passes in 1/`speedup` of a minute.
 */
function sped(speedup: number): Partial<FenceRules> {
  return {
    dwellMs: Math.round(DEFAULT_FENCE_RULES.dwellMs / speedup),
    staleAfterMs: Math.max(1_000, Math.round(DEFAULT_FENCE_RULES.staleAfterMs / speedup)),
    maxSpeedMps: Math.min(100_000, DEFAULT_FENCE_RULES.maxSpeedMps * speedup),
  };
}
