/**
 * Throughput of pings through Kafka to engine decisions: produces the SF lunch-slice taxi
 * pings to a `pings` topic and lets one EngineRunner consume them, as a Cloudburst process
 * does, with offers produced back to Kafka. Prints one JSON line.
 *
 *   npm run services:start && . .services/env && npm run bench:kafka
 *
 * Needs a broker at KAFKA_BROKERS (default 127.0.0.1:59092). It uses a fresh topic
 * namespace per run, bounded to PASSES replays of the 45,886 pings.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { KafkaBus } from '../bus/kafka.js';
import { Topics } from '../bus/types.js';
import { silentLogger } from '../common/logger.js';
import type { PingRecord } from '../common/protocol.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../demo/data-files.js';
import { readApprovedPermits } from '../demo/permits.js';
import { readTrajectories } from '../demo/trajectories.js';
import { ProximityEngine } from '../engine/index.js';
import { EngineRunner } from '../server/engine-runner.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:59092').split(',');
const PASSES = 4;
const PARTITIONS = 4;
/** Records per produce call, as the gateway sends one device frame's pings at a time in bulk. */
const PRODUCE_BATCH = 1_000;
const RADIUS_M = 200;
const TIMEOUT_MS = 300_000;

async function main(): Promise<void> {
  const engine = new ProximityEngine();
  for (const permit of await readApprovedPermits(BUNDLED_PERMITS)) {
    engine.upsertFence({
      id: `bench:${permit.locationId}`,
      campaignId: 'bench',
      truckId: permit.locationId,
      lat: permit.lat,
      lon: permit.lon,
      radiusM: RADIUS_M,
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
  }

  const { fixes } = await readTrajectories(defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv'));
  const seqs = new Map<string, number>();
  const pings: PingRecord[] = [];
  const span = fixes.at(-1)!.time - fixes[0]!.time + 60_000;
  for (let pass = 0; pass < PASSES; pass++) {
    for (const fix of fixes) {
      const seq = (seqs.get(fix.trajectoryId) ?? 0) + 1;
      seqs.set(fix.trajectoryId, seq);
      const ts = fix.time + pass * span;
      pings.push({ deviceId: fix.trajectoryId, seq, lat: fix.lat, lon: fix.lon, accuracy: 10, ts, receivedAt: ts });
    }
  }

  const bus = new KafkaBus({ brokers: BROKERS, partitions: PARTITIONS, namespace: `bench-${randomUUID().slice(0, 8)}.`, logger: silentLogger() });
  await bus.connect();
  const runner = new EngineRunner({ bus, engine, logger: silentLogger(), instanceId: 'bench' });
  await runner.start();

  const start = performance.now();
  for (let i = 0; i < pings.length; i += PRODUCE_BATCH) {
    const batch = pings.slice(i, i + PRODUCE_BATCH);
    await bus.produce(Topics.pings, batch.map((ping) => ({ key: ping.deviceId, value: ping })));
  }
  const producedMs = performance.now() - start;

  while (runner.stats.pingsProcessed < pings.length) {
    if (performance.now() - start > TIMEOUT_MS) throw new Error(`timed out: ${runner.stats.pingsProcessed} of ${pings.length} pings processed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const processedMs = performance.now() - start;

  await runner.stop();
  await bus.close();
  console.log(
    JSON.stringify({
      pings: pings.length,
      partitions: PARTITIONS,
      offers: runner.stats.offersDecided,
      producePingsPerSecond: Math.round(pings.length / (producedMs / 1000)),
      endToEndPingsPerSecond: Math.round(pings.length / (processedMs / 1000)),
      seconds: Math.round(processedMs) / 1000,
      node: process.version,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
