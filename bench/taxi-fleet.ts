/**
 * Many devices replayed from a few real taxi trajectories. Device d follows the path of
 * cab d mod C (C cabs) from its own starting point on it, shifted by its own offset of
 * up to JITTER_M metres, and pings once per recorded fix with the recorded time step.
 * A cab's path runs forward to its last fix and then back, so devices never jump across
 * the city. Everything is drawn from a seeded generator, so every run sends the same pings.
 */
import { seededRandom } from '../common/seeded-random.js';
import type { TrajectoryFix } from '../demo/trajectories.js';
import { EARTH_RADIUS_M } from '../engine/index.js';
import type { EnginePing } from '../engine/types.js';

/** Maximum distance of a device's constant offset from its cab's path. */
const JITTER_M = 50;
/** Time step for a cab with a single fix. Cabspotting cabs report about once a minute. */
const SINGLE_FIX_STEP_MS = 60_000;
/** Devices start within this long of each other, so their clocks do not run in step. */
const START_SPREAD_MS = 60_000;
const ACCURACY_M = 10;
const SEED = 7;

const METRES_PER_DEGREE = (Math.PI / 180) * EARTH_RADIUS_M;

export class TaxiFleet {
  /** One id string per device. The engine keeps the same string objects as its map keys. */
  readonly ids: string[];
  readonly cabs: number;

  // Every cab's path, forward then back, one entry per step, concatenated cab after cab.
  private readonly stepLat: Float64Array;
  private readonly stepLon: Float64Array;
  /** Time from the previous step to this one. */
  private readonly stepMs: Float64Array;
  private readonly cycleStart: Int32Array;
  private readonly cycleLength: Int32Array;

  // Per device.
  private readonly position: Int32Array;
  private readonly ts: Float64Array;
  private readonly jitterLat: Float64Array;
  private readonly jitterLon: Float64Array;

  /** Number of completed rounds. In round r every device sends its ping number r + 1, with that seq. */
  private round = 0;
  /** The device whose ping comes next in the current round. */
  private cursor = 0;

  /**
   * `fixes` must be sorted by time, as `readTrajectories` returns them. The id strings are
   * not created here, so a caller can measure the heap with and without them (`createIds`).
   */
  constructor(fixes: readonly TrajectoryFix[], readonly deviceCount: number) {
    const byCab = new Map<string, TrajectoryFix[]>();
    for (const fix of fixes) {
      let path = byCab.get(fix.trajectoryId);
      if (path === undefined) {
        path = [];
        byCab.set(fix.trajectoryId, path);
      }
      path.push(fix);
    }
    const cabIds = [...byCab.keys()].sort();
    this.cabs = cabIds.length;
    if (this.cabs === 0) throw new Error('the trajectory file has no fixes; expected at least one cab');

    const steps = cabIds.reduce((sum, id) => sum + cycleLength((byCab.get(id) as TrajectoryFix[]).length), 0);
    this.stepLat = new Float64Array(steps);
    this.stepLon = new Float64Array(steps);
    this.stepMs = new Float64Array(steps);
    this.cycleStart = new Int32Array(this.cabs);
    this.cycleLength = new Int32Array(this.cabs);
    let offset = 0;
    cabIds.forEach((id, cab) => {
      const path = byCab.get(id) as TrajectoryFix[];
      const length = cycleLength(path.length);
      this.cycleStart[cab] = offset;
      this.cycleLength[cab] = length;

      for (let step = 0; step < length; step++) {
        const fix = path[fixAt(step, path.length)] as TrajectoryFix;
        const previous = path[fixAt(step === 0 ? length - 1 : step - 1, path.length)] as TrajectoryFix;
        this.stepLat[offset + step] = fix.lat;
        this.stepLon[offset + step] = fix.lon;
        this.stepMs[offset + step] = length === 1 ? SINGLE_FIX_STEP_MS : Math.abs(fix.time - previous.time);
      }
      offset += length;
    });

    const next = seededRandom(SEED);
    const startTs = fixes[0]?.time ?? 0;
    this.position = new Int32Array(deviceCount);
    this.ts = new Float64Array(deviceCount);
    this.jitterLat = new Float64Array(deviceCount);
    this.jitterLon = new Float64Array(deviceCount);
    for (let d = 0; d < deviceCount; d++) {
      const cab = d % this.cabs;
      this.position[d] = Math.floor(next() * (this.cycleLength[cab] as number));
      this.ts[d] = startTs + Math.floor(next() * START_SPREAD_MS);

      // Uniform in a disk: the square root spreads the points evenly over the area.
      const r = JITTER_M * Math.sqrt(next());
      const angle = next() * 2 * Math.PI;
      const lat = this.stepLat[(this.cycleStart[cab] as number) + (this.position[d] as number)] as number;
      this.jitterLat[d] = (r * Math.sin(angle)) / METRES_PER_DEGREE;
      this.jitterLon[d] = (r * Math.cos(angle)) / (METRES_PER_DEGREE * Math.cos(lat * (Math.PI / 180)));
    }

    this.ids = Array.from({ length: deviceCount }, () => '');
  }

  /**
   * Creates the id strings: random UUIDs from a seeded generator, as the server gives
   * devices UUIDs. They are parsed from JSON text, as the gateway receives them, so each
   * is one flat string rather than a chain of concatenated parts.
   */
  createIds(): void {
    const next = seededRandom(SEED + 1);
    const hex = () => Math.floor(next() * 0x1_0000).toString(16).padStart(4, '0');
    const quoted: string[] = [];
    for (let d = 0; d < this.deviceCount; d++) {
      quoted.push(`"${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}"`);
    }

    const ids = JSON.parse(`[${quoted.join(',')}]`) as string[];
    for (let d = 0; d < this.deviceCount; d++) this.ids[d] = ids[d] as string;
  }

  /**
   * Fills `out` with the next pings, new objects, continuing where the last call stopped.
   * Round after round, each device sends its next ping in device order, so consecutive
   * pings come from different cabs in different parts of the city.
   */
  nextPings(out: EnginePing[], count: number): void {
    out.length = 0;
    for (let i = 0; i < count; i++) {
      const d = this.cursor;
      const cab = d % this.cabs;

      if (this.round > 0) {
        const next = (this.position[d] as number) + 1;
        this.position[d] = next === this.cycleLength[cab] ? 0 : next;
      }
      const step = (this.cycleStart[cab] as number) + (this.position[d] as number);
      if (this.round > 0) this.ts[d] = (this.ts[d] as number) + (this.stepMs[step] as number);

      out.push({
        deviceId: this.ids[d] as string,
        seq: this.round + 1,
        lat: (this.stepLat[step] as number) + (this.jitterLat[d] as number),
        lon: (this.stepLon[step] as number) + (this.jitterLon[d] as number),
        accuracyM: ACCURACY_M,
        ts: this.ts[d] as number,
      });

      this.cursor++;
      if (this.cursor === this.deviceCount) {
        this.cursor = 0;
        this.round++;
      }
    }
  }
}

/** Steps of a path of `fixes` fixes run forward and back: 0 … n-1, then n-2 … 1. */
function cycleLength(fixes: number): number {
  return fixes < 2 ? 1 : 2 * (fixes - 1);
}

/** Index of the fix at `step` of the forward-and-back cycle of a path of `fixes` fixes. */
function fixAt(step: number, fixes: number): number {
  return step < fixes ? step : 2 * (fixes - 1) - step;
}
