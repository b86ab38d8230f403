/**
 * Throughput benchmark of the proximity engine: real San Francisco food-truck
 * locations plus random circles (10,000 fences), fed with two hours of real taxi
 * GPS pings replayed several times. Prints one JSON line. Runs for about 10 s.
 *
 *   npm run bench:engine
 *
 * The taxi pings are read in place from ../shared/data (or $CLOUDBURST_DATA).
 * They are licensed for internal testing only and must not be copied into the repository.
 */
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';
import { readApprovedPermits } from '../demo/permits.js';
import { readTrajectories } from '../demo/trajectories.js';
import { ProximityEngine, type CircleFence, type EnginePing } from '../engine/index.js';
import { seededRandom } from '../common/seeded-random.js';

const PINGS_FILE = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

const TOTAL_FENCES = 10_000;
/** Radius of the fences at real truck locations. */
const TRUCK_FENCE_RADIUS_M = 150;
/** Radius range of the random fences: walking distance to a truck. */
const RADIUS_M = { min: 50, max: 300 };
/** Share of random fences above the default large-fence threshold (about 2 km), which go to the R-tree. */
const LARGE_FENCE_SHARE = 0.002;
const LARGE_RADIUS_M = { min: 2_500, max: 5_000 };
const CAMPAIGNS = 50;
/** San Francisco, roughly the bounding box of the permit locations. */
const SF_BOX = { minLat: 37.7, maxLat: 37.83, minLon: -122.52, maxLon: -122.36 };

/** Wall-clock budget for the replay loop. Setup and reporting come on top. */
const REPLAY_BUDGET_MS = 8_000;
const MAX_PASSES = 500;
/** One ping in this many is timed on its own for the latency percentiles. */
const SAMPLE_EVERY = 61;

// ---------------------------------------------------------------------------
// Input

async function buildFences(): Promise<{ fences: CircleFence[]; truckFences: number; largeFences: number }> {
  const permits = await readApprovedPermits(BUNDLED_PERMITS);
  const fences: CircleFence[] = [];

  for (const permit of permits) {
    fences.push({
      id: `truck-${permit.locationId}`,
      campaignId: 'lunch',
      truckId: permit.locationId,
      lat: permit.lat,
      lon: permit.lon,
      radiusM: TRUCK_FENCE_RADIUS_M,
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
  }
  const truckFences = fences.length;

  const next = seededRandom(42);
  let largeFences = 0;
  while (fences.length < TOTAL_FENCES) {
    const i = fences.length;
    const large = next() < LARGE_FENCE_SHARE;
    if (large) largeFences++;

    fences.push({
      id: `random-${i}`,
      campaignId: `campaign-${i % CAMPAIGNS}`,
      truckId: `random-truck-${i}`,
      lat: SF_BOX.minLat + next() * (SF_BOX.maxLat - SF_BOX.minLat),
      lon: SF_BOX.minLon + next() * (SF_BOX.maxLon - SF_BOX.minLon),
      radiusM: large ? LARGE_RADIUS_M.min + next() * (LARGE_RADIUS_M.max - LARGE_RADIUS_M.min) : RADIUS_M.min + next() * (RADIUS_M.max - RADIUS_M.min),
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
  }

  return { fences, truckFences, largeFences };
}

/** Reads the taxi pings in time order and numbers each cab's pings from 1. */
async function loadPings(): Promise<{ pings: EnginePing[]; maxSeq: number; spanMs: number }> {
  const { fixes } = await readTrajectories(PINGS_FILE);

  // One id string per cab, as the ingest gateway keeps one per device connection.
  // Distinct but equal strings would make every Map lookup compare characters.
  const deviceIds = new Map<string, string>();
  // readTrajectories returns the fixes sorted by time already.
  const pings = fixes.map((fix) => {
    let deviceId = deviceIds.get(fix.trajectoryId);
    if (deviceId === undefined) {
      deviceId = fix.trajectoryId;
      deviceIds.set(deviceId, deviceId);
    }
    return { deviceId, seq: 0, lat: fix.lat, lon: fix.lon, accuracyM: 10, ts: fix.time };
  });

  const lastSeq = new Map<string, number>();
  let maxSeq = 0;
  for (const ping of pings) {
    const seq = (lastSeq.get(ping.deviceId) ?? 0) + 1;
    lastSeq.set(ping.deviceId, seq);
    ping.seq = seq;
    maxSeq = Math.max(maxSeq, seq);
  }

  const spanMs = (pings.at(-1)?.ts ?? 0) - (pings[0]?.ts ?? 0);
  return { pings, maxSeq, spanMs };
}

// ---------------------------------------------------------------------------
// Run

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const setupStart = performance.now();
  const { fences, truckFences, largeFences } = await buildFences();
  const engine = new ProximityEngine();
  for (const fence of fences) engine.upsertFence(fence);
  const setupMs = performance.now() - setupStart;

  const { pings, maxSeq, spanMs } = await loadPings();
  const baseSeq = pings.map((ping) => ping.seq);
  const baseTs = pings.map((ping) => ping.ts);

  const samples: number[] = [];
  let processed = 0;
  let events = 0;
  let offers = 0;
  let processNs = 0n;
  let firstPassPingsPerSecond = 0;
  let passes = 0;
  const replayStart = performance.now();
  const cpuStart = process.cpuUsage();

  while (passes < MAX_PASSES && performance.now() - replayStart < REPLAY_BUDGET_MS) {
    // Each pass continues every cab's sequence and clock, so no ping is a duplicate.
    for (let i = 0; i < pings.length; i++) {
      const ping = pings[i] as EnginePing;
      ping.seq = (baseSeq[i] as number) + passes * maxSeq;
      ping.ts = (baseTs[i] as number) + passes * (spanMs + 60_000);
    }

    const passStart = process.hrtime.bigint();
    for (let i = 0; i < pings.length; i++) {
      const ping = pings[i] as EnginePing;
      let result;
      if (i % SAMPLE_EVERY === 0) {
        const t0 = process.hrtime.bigint();
        result = engine.process(ping);
        samples.push(Number(process.hrtime.bigint() - t0));
      } else {
        result = engine.process(ping);
      }

      events += result.length;
      for (const event of result) if (event.type === 'offer') offers++;
    }
    const passNs = process.hrtime.bigint() - passStart;

    if (passes === 0) firstPassPingsPerSecond = Math.round(pings.length / (Number(passNs) / 1e9));
    processNs += passNs;
    processed += pings.length;
    passes++;
  }

  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sorted = Float64Array.from(samples).sort();
  console.log(
    JSON.stringify({
      fences: engine.fenceCount,
      truckFences,
      largeFences,
      indexStats: engine.indexStats(),
      setupMs: Math.round(setupMs),
      devices: engine.deviceCount,
      pings: processed,
      passes,
      events,
      // Taxis ping once a minute and move a median 220 m (mean 460 m) in between, through dense fences.
      eventsPerPing: Number((events / processed).toFixed(2)),
      offers,
      pingsPerSecond: Math.round(processed / (Number(processNs) / 1e9)),
      // Other processes on the machine lower the wall-clock rate, but CPU time less so.
      pingsPerCpuSecond: Math.round(processed / cpuSeconds),
      firstPassPingsPerSecond,
      // Single-ping timings include one process.hrtime.bigint() pair, about 50 ns on the development machine.
      p50Us: Number((percentile(sorted, 0.5) / 1000).toFixed(2)),
      p99Us: Number((percentile(sorted, 0.99) / 1000).toFixed(2)),
      latencySamples: sorted.length,
      heapUsedMB: Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)),
      node: process.version,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
