/**
 * Throughput, latency and memory of the proximity engine at the product's scale, with a
 * PostGIS baseline and an optional Tile38 comparison on the same fences and pings.
 * Prints one JSON line on stdout and progress on stderr.
 *
 *   npm run bench:engine                                   # PGlite baseline, no Tile38
 *   . .services/env && npm run bench:engine                # PostgreSQL baseline from DATABASE_URL
 *   npm run bench:engine -- --tile38 127.0.0.1:9851        # also Tile38 (or TILE38_ADDR)
 *   npm run bench:engine -- --help                         # all options
 *
 * 1,000,000 devices replay the real SF taxi trajectories (see TaxiFleet), 10,000 fences
 * sit in the SF bounding box (see buildFences). The engine learns every device from its
 * first ping before the timed loop, which then runs on the main thread for a fixed time.
 * Memory per idle device needs `global.gc`, which the npm script exposes with --expose-gc.
 *
 * The taxi pings are read in place from ../shared/data (or $CLOUDBURST_DATA). They are
 * licensed for internal testing only and must not be copied into the repository.
 */
import { parseArgs } from 'node:util';
import { defaultDataFile } from '../demo/data-files.js';
import { readTrajectories } from '../demo/trajectories.js';
import { ProximityEngine, type EngineEvent, type EnginePing, type Fence } from '../engine/index.js';
import type { SamplePing } from './agreement.js';
import { buildFences, isPolygonFence } from './bench-fences.js';
import { runPostgisBaseline, type PostgisResult } from './postgis-baseline.js';
import { TaxiFleet } from './taxi-fleet.js';
import { runTile38Comparison, type Tile38Result } from './tile38-comparison.js';

/**
 * Whether the fences include 1,000 polygons when neither --polygons nor --no-polygons
 * is given. --no-polygons gives a circle-only workload.
 */
const POLYGONS_BY_DEFAULT = true;

/** Targets that the product promises for one core. */
/** Offset in place and time of the registration pings from each device's first real fix. */
const IDLE_OFFSET_DEG = 1;
const DAY_MS = 86_400_000;

const TARGETS = { pingsPerSecond: 1_000_000, p99Us: 20, bytesPerIdleDevice: 200 };

const DEFAULTS = {
  devices: 1_000_000,
  /** Wall-clock budget of the timed loop. Setup and the comparisons come on top. */
  seconds: 8,
  /** Bounds of each comparison (each PostGIS query form, Tile38): pings and seconds. */
  comparePings: 20_000,
  compareSeconds: 10,
  trajectories: defaultDataFile('sf_cabspotting_2008-06-04_all_cabs.csv.gz'),
};

/** Pings generated, then processed, per step. Generation is outside the timed part. */
const CHUNK = 50_000;
/** One ping in this many is timed on its own for the latency percentiles. */
const SAMPLE_EVERY = 61;

const USAGE = `Usage: npm run bench:engine -- [options]

  --devices N            devices the engine learns before the timed loop (default ${DEFAULTS.devices})
  --seconds S            wall-clock seconds of the timed loop (default ${DEFAULTS.seconds})
  --polygons             include 1,000 polygon fences among the 10,000${POLYGONS_BY_DEFAULT ? ' (default)' : ''}
  --no-polygons          use circles only, 10,000 of them${POLYGONS_BY_DEFAULT ? '' : ' (default)'}
  --no-postgis           skip the PostGIS baseline
  --tile38 HOST:PORT     compare with the Tile38 server there (default: $TILE38_ADDR, else skipped)
  --compare-pings N      pings per comparison, at most (default ${DEFAULTS.comparePings})
  --compare-seconds S    seconds per comparison, at most (default ${DEFAULTS.compareSeconds})
  --trajectories FILE    cabspotting CSV, plain or .gz (default ${DEFAULTS.trajectories})

The PostGIS baseline uses PostgreSQL at $DATABASE_URL when it is set, else embedded PGlite.`;

interface Options {
  devices: number;
  seconds: number;
  polygons: boolean;
  postgis: boolean;
  tile38: string | undefined;
  comparePings: number;
  compareSeconds: number;
  trajectories: string;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string' },
      seconds: { type: 'string' },
      polygons: { type: 'boolean' },
      'no-polygons': { type: 'boolean' },
      'no-postgis': { type: 'boolean' },
      tile38: { type: 'string' },
      'compare-pings': { type: 'string' },
      'compare-seconds': { type: 'string' },
      trajectories: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  if (values.polygons && values['no-polygons']) throw new Error('--polygons and --no-polygons exclude each other; give one');

  return {
    devices: positiveNumber('--devices', values.devices, DEFAULTS.devices, true),
    seconds: positiveNumber('--seconds', values.seconds, DEFAULTS.seconds, false),
    polygons: values.polygons ?? (values['no-polygons'] ? false : POLYGONS_BY_DEFAULT),
    postgis: !values['no-postgis'],
    tile38: values.tile38 ?? (process.env.TILE38_ADDR || undefined),
    comparePings: positiveNumber('--compare-pings', values['compare-pings'], DEFAULTS.comparePings, true),
    compareSeconds: positiveNumber('--compare-seconds', values['compare-seconds'], DEFAULTS.compareSeconds, false),
    trajectories: values.trajectories ?? DEFAULTS.trajectories,
  };
}

function positiveNumber(flag: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!(value > 0 && Number.isFinite(value)) || (integer && !Number.isInteger(value))) {
    throw new Error(`invalid ${flag} ${JSON.stringify(text)} (expected a ${integer ? 'whole ' : ''}number above 0)`);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Engine

/** Adds the fences, and names the fence and the switch when the engine rejects a polygon. */
function loadEngine(fences: readonly Fence[]): ProximityEngine {
  const engine = new ProximityEngine();
  for (const fence of fences) {
    try {
      engine.upsertFence(fence);
    } catch (error) {
      if (!isPolygonFence(fence)) throw error;
      throw new Error(`the engine rejected polygon fence ${fence.id}: ${String(error)}. Run with --no-polygons until it accepts polygons.`, {
        cause: error,
      });
    }
  }
  return engine;
}

/** Runs a full garbage collection and returns the heap in use, or undefined without --expose-gc. */
function heapUsedAfterGc(): number | undefined {
  if (globalThis.gc === undefined) return undefined;
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

interface Memory {
  /** Engine state plus the id string, per device: the figure the target applies to. */
  bytesPerIdleDevice: number;
  /** Map entry, device record and whatever else the engine keeps per device, without the id. */
  engineBytesPerIdleDevice: number;
  /** The id string. The benchmark's id array exists before the first measurement, so its slots do not count. */
  idBytesPerDevice: number;
}

/**
 * Creates the device ids and feeds every device its first ping, measuring the heap
 * before the ids, after them and after the engine has learned the devices.
 */
function registerDevices(
  engine: ProximityEngine,
  fleet: TaxiFleet,
): { registerSeconds: number; devicesInside: number; memory: Memory | string } {
  const chunk: EnginePing[] = [];
  const heapBefore = heapUsedAfterGc();
  fleet.createIds();
  const heapWithIds = heapUsedAfterGc();

  const start = performance.now();
  let devicesInside = 0;
  for (let remaining = fleet.deviceCount; remaining > 0; remaining -= CHUNK) {
    fleet.nextPings(chunk, Math.min(CHUNK, remaining));
    for (const ping of chunk) {
      // The first ping lands a degree south of the fences a day earlier, so every device
      // is known and idle, and the move to its real place a day later is a plausible speed.
      const idle = { ...ping, lat: ping.lat - IDLE_OFFSET_DEG, ts: ping.ts - DAY_MS };
      if (engine.process(idle).some((event) => event.type === 'enter')) devicesInside++;
    }
  }
  const registerSeconds = (performance.now() - start) / 1000;
  chunk.length = 0;
  if (engine.deviceCount !== fleet.deviceCount) {
    throw new Error(`the engine knows ${engine.deviceCount} devices after registration; expected ${fleet.deviceCount}`);
  }

  const heapWithDevices = heapUsedAfterGc();
  if (heapBefore === undefined || heapWithIds === undefined || heapWithDevices === undefined) {
    return { registerSeconds, devicesInside, memory: 'not measured: global.gc is missing; run node with --expose-gc, as npm run bench:engine does' };
  }
  const idBytes = (heapWithIds - heapBefore) / fleet.deviceCount;
  const engineBytes = (heapWithDevices - heapWithIds) / fleet.deviceCount;
  return {
    registerSeconds,
    devicesInside,
    memory: {
      bytesPerIdleDevice: Math.round(engineBytes + idBytes),
      engineBytesPerIdleDevice: Math.round(engineBytes),
      idBytesPerDevice: Math.round(idBytes),
    },
  };
}

interface TimedLoop {
  pings: number;
  events: number;
  offers: number;
  flagged: number;
  pingsPerSecond: number;
  pingsPerCpuSecond: number;
  p50Us: number;
  p99Us: number;
  latencySamples: number;
}

/** Feeds the fleet's next pings to the engine for `seconds`, timing only the `process` calls. */
function runTimedLoop(engine: ProximityEngine, fleet: TaxiFleet, seconds: number): TimedLoop {
  const chunk: EnginePing[] = [];
  const samples: number[] = [];
  let pings = 0;
  let events = 0;
  let offers = 0;
  let flagged = 0;
  let processNs = 0n;
  let cpuMicros = 0;

  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    fleet.nextPings(chunk, CHUNK);

    const cpuStart = process.cpuUsage();
    const chunkStart = process.hrtime.bigint();
    for (let i = 0; i < chunk.length; i++) {
      const ping = chunk[i] as EnginePing;
      let result: EngineEvent[];
      if (i % SAMPLE_EVERY === 0) {
        const t0 = process.hrtime.bigint();
        result = engine.process(ping);
        samples.push(Number(process.hrtime.bigint() - t0));
      } else {
        result = engine.process(ping);
      }

      events += result.length;
      for (const event of result) {
        if (event.type === 'offer') offers++;
        else if (event.type === 'flagged') flagged++;
      }
    }
    processNs += process.hrtime.bigint() - chunkStart;
    const cpu = process.cpuUsage(cpuStart);
    cpuMicros += cpu.user + cpu.system;
    pings += chunk.length;
  }

  const sorted = Float64Array.from(samples).sort();
  return {
    pings,
    events,
    offers,
    flagged,
    pingsPerSecond: Math.round(pings / (Number(processNs) / 1e9)),
    // Other processes on the machine lower the wall-clock rate, but CPU time less so.
    // CPU time counts every thread of the process, so V8's background GC threads too.
    pingsPerCpuSecond: Math.round(pings / (cpuMicros / 1e6)),
    // Single-ping timings include one process.hrtime.bigint() pair, about 50 ns on the development machine.
    p50Us: round(percentile(sorted, 0.5) / 1000, 2),
    p99Us: round(percentile(sorted, 0.99) / 1000, 2),
    latencySamples: sorted.length,
  };
}

/**
 * Feeds the next `count` pings to the engine, untimed, and keeps each with the fences
 * the engine has its device inside afterwards. Pings that the engine flagged for speed
 * drive no transition, so their inside set is stale and they are left out.
 */
function buildComparisonSample(engine: ProximityEngine, fleet: TaxiFleet, count: number): { sample: SamplePing[]; flaggedLeftOut: number } {
  const pings: EnginePing[] = [];
  fleet.nextPings(pings, count);

  const sample: SamplePing[] = [];
  let flaggedLeftOut = 0;
  for (const ping of pings) {
    const events = engine.process(ping);
    if (events.some((event) => event.type === 'flagged')) {
      flaggedLeftOut++;
      continue;
    }
    sample.push({ ping, engineInside: engine.insideFences(ping.deviceId) });
  }
  return { sample, flaggedLeftOut };
}

// ---------------------------------------------------------------------------
// Comparisons

async function comparePostgis(options: Options, fences: readonly Fence[], sample: readonly SamplePing[], enginePingsPerSecond: number) {
  if (!options.postgis) return 'skipped: --no-postgis';

  const databaseUrl = process.env.DATABASE_URL || undefined;
  progress(`PostGIS baseline on ${databaseUrl === undefined ? 'embedded PGlite' : 'DATABASE_URL'}`);
  let result: PostgisResult;
  try {
    result = await runPostgisBaseline({ databaseUrl, fences, sample, maxPings: options.comparePings, maxSeconds: options.compareSeconds });
  } catch (error) {
    process.exitCode = 1;
    return `failed: ${String(error)}`;
  }

  const { asWritten, indexed } = result.queries;
  return {
    ...result,
    // The engine's rate over the indexed query's, the stronger of the two baselines.
    engineToPostgis: round(enginePingsPerSecond / indexed.pingsPerSecond, 1),
    engineToPostgisAsWritten: round(enginePingsPerSecond / asWritten.pingsPerSecond, 1),
  };
}

async function compareTile38(options: Options, fences: readonly Fence[], sample: readonly SamplePing[], enginePingsPerSecond: number) {
  if (options.tile38 === undefined) return 'skipped: no Tile38 address given (--tile38 HOST:PORT)';

  progress(`Tile38 comparison against ${options.tile38}`);
  let result: Tile38Result;
  try {
    result = await runTile38Comparison({ address: options.tile38, fences, sample, maxPings: options.comparePings, maxSeconds: options.compareSeconds });
  } catch (error) {
    process.exitCode = 1;
    return `failed: ${String(error)}`;
  }
  return { ...result, engineToTile38: round(enginePingsPerSecond / result.pingsPerSecond, 1) };
}

// ---------------------------------------------------------------------------
// Run

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) return;

  progress(`building ${options.polygons ? 'circle and polygon' : 'circle'} fences`);
  const setupStart = performance.now();
  const built = await buildFences({ polygons: options.polygons });
  const engine = loadEngine(built.fences);
  const setupMs = performance.now() - setupStart;

  progress(`reading ${options.trajectories}`);
  const { fixes } = await readTrajectories(options.trajectories);
  const fleet = new TaxiFleet(fixes, options.devices);

  progress(`registering ${options.devices} devices`);
  const { registerSeconds, devicesInside, memory } = registerDevices(engine, fleet);

  progress(`timed loop for ${options.seconds} s`);
  const loop = runTimedLoop(engine, fleet, options.seconds);

  const comparing = options.postgis || options.tile38 !== undefined;
  const { sample, flaggedLeftOut } = comparing ? buildComparisonSample(engine, fleet, options.comparePings) : { sample: [], flaggedLeftOut: 0 };
  const postgis = await comparePostgis(options, built.fences, sample, loop.pingsPerSecond);
  const tile38 = await compareTile38(options, built.fences, sample, loop.pingsPerSecond);

  const bytesPerIdleDevice = typeof memory === 'string' ? undefined : memory.bytesPerIdleDevice;
  console.log(
    JSON.stringify({
      fences: engine.fenceCount,
      truckFences: built.truckFences,
      randomCircleFences: built.randomCircleFences,
      largeFences: built.largeFences,
      polygonFences: built.polygonFences,
      polygons: options.polygons ? 'on' : 'off (--no-polygons)',
      indexStats: engine.indexStats(),
      setupMs: Math.round(setupMs),
      trajectories: { file: options.trajectories, cabs: fleet.cabs, fixes: fixes.length },
      devices: engine.deviceCount,
      deviceIdLength: fleet.ids[0]?.length,
      registerSeconds: round(registerSeconds, 1),
      // Devices inside at least one fence after their first ping. Their inside state adds to the memory figures.
      devicesInsideAfterRegistration: devicesInside,
      seconds: options.seconds,
      pings: loop.pings,
      rounds: round(loop.pings / options.devices, 2),
      events: loop.events,
      eventsPerPing: round(loop.events / loop.pings, 3),
      offers: loop.offers,
      flagged: loop.flagged,
      pingsPerSecond: loop.pingsPerSecond,
      pingsPerCpuSecond: loop.pingsPerCpuSecond,
      p50Us: loop.p50Us,
      p99Us: loop.p99Us,
      latencySamples: loop.latencySamples,
      memory,
      targets: {
        pingsPerSecond: { min: TARGETS.pingsPerSecond, met: loop.pingsPerSecond >= TARGETS.pingsPerSecond },
        p99Us: { max: TARGETS.p99Us, met: loop.p99Us <= TARGETS.p99Us },
        bytesPerIdleDevice: { max: TARGETS.bytesPerIdleDevice, met: bytesPerIdleDevice === undefined ? null : bytesPerIdleDevice <= TARGETS.bytesPerIdleDevice },
      },
      comparisonSample: { pings: sample.length, flaggedLeftOut },
      postgis,
      tile38,
      heapUsedMB: round(process.memoryUsage().heapUsed / 2 ** 20, 1),
      node: process.version,
    }),
  );
}

function progress(message: string): void {
  console.error(`bench: ${message}`);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
