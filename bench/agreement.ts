/**
 * Compares the fences that the engine has a device inside after a ping with the fences
 * that another system returns for the same point. Near a boundary the two may differ for
 * known reasons, so only fences farther than a margin from the ping count as disagreements.
 */
import type { EnginePing, Fence } from '../engine/types.js';
import { boundaryDistanceM, isPolygonFence } from './bench-fences.js';

/**
 * Margin around a fence boundary where differing results are expected, in metres: the
 * engine's default exit margin (25 m), during which a device that was inside stays inside,
 * plus 5 m. Circles add 1 % of their radius because the engine measures on a sphere and
 * PostGIS geography on the WGS84 spheroid, which differ by up to about 0.5 %, and Tile38
 * gets each circle as a 64-sided polygon.
 */
const BASE_MARGIN_M = 30;
const RADIUS_SHARE = 0.01;
/** Disagreements listed in the output; the rest are only counted. */
const MAX_EXAMPLES = 5;

/** A ping of the comparison sample and the engine's inside set after it. */
export interface SamplePing {
  ping: EnginePing;
  /** Ids of the fences the engine had the device inside after this ping, sorted. */
  engineInside: string[];
}

export interface Disagreement {
  deviceId: string;
  seq: number;
  lat: number;
  lon: number;
  fenceId: string;
  engine: 'inside' | 'outside';
  other: 'inside' | 'outside';
  boundaryDistanceM: number;
}

export interface Agreement {
  pings: number;
  /** (ping, fence) pairs that both systems found inside. */
  bothInside: number;
  /** Pairs found different with the ping within the margin of the boundary. */
  nearBoundary: number;
  /** Pairs found different away from the boundary, which means a bug in one of the systems. */
  disagreements: number;
  examples: Disagreement[];
}

export function compareAnswers(sample: readonly SamplePing[], otherInside: readonly string[][], fenceById: ReadonlyMap<string, Fence>): Agreement {
  const result: Agreement = { pings: otherInside.length, bothInside: 0, nearBoundary: 0, disagreements: 0, examples: [] };

  for (let i = 0; i < otherInside.length; i++) {
    const { ping, engineInside } = sample[i] as SamplePing;
    const engineSet = new Set(engineInside);
    const otherSet = new Set(otherInside[i]);

    for (const fenceId of new Set([...engineSet, ...otherSet])) {
      const engine = engineSet.has(fenceId);
      const other = otherSet.has(fenceId);
      if (engine && other) {
        result.bothInside++;
        continue;
      }

      const fence = fenceById.get(fenceId);
      if (fence === undefined) throw new Error(`unknown fence id ${JSON.stringify(fenceId)} in a result; expected one of the ${fenceById.size} loaded fences`);
      const distance = boundaryDistanceM(fence, ping.lat, ping.lon);
      if (distance <= marginM(fence)) {
        result.nearBoundary++;
        continue;
      }

      result.disagreements++;
      if (result.examples.length < MAX_EXAMPLES) {
        result.examples.push({
          deviceId: ping.deviceId,
          seq: ping.seq,
          lat: ping.lat,
          lon: ping.lon,
          fenceId,
          engine: engine ? 'inside' : 'outside',
          other: other ? 'inside' : 'outside',
          boundaryDistanceM: Number(distance.toFixed(1)),
        });
      }
    }
  }

  return result;
}

function marginM(fence: Fence): number {
  return isPolygonFence(fence) ? BASE_MARGIN_M : BASE_MARGIN_M + RADIUS_SHARE * fence.radiusM;
}
