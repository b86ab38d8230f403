import { invalidInput } from '../common/errors.js';
import { assertLatitude, assertLongitude } from './geo.js';

/**
 * Maximum positions in one polygon or multipolygon, counted over all rings as given
 * (closing positions included). Preparing a ring checks every pair of nearby edges
 * for crossings, and queries may visit every edge, so the count bounds that work.
 */
export const MAX_POLYGON_POSITIONS = 10_000;

/**
 * Edges spanning at least this many degrees of longitude are rejected. An edge of
 * exactly 180° runs through a pole, and one slightly shorter passes so close to it
 * that the sign tests of the point-in-polygon test would depend on rounding.
 */
const MAX_EDGE_LONGITUDE_SPAN_DEG = 180 - 1e-9;

/** One linear ring as read from GeoJSON: open (no closing repeat) and without consecutive duplicates. */
export interface RingInput {
  /** Field path of the ring for error messages, e.g. `fence.geometry.coordinates[1]`. */
  path: string;
  lons: number[];
  lats: number[];
  /**
   * Index in the input array of each kept position, plus one last entry for the
   * closing position, so an error can name a position as the caller sent it.
   */
  sourceIndex: number[];
  /** The ring as received, echoed in error messages about the whole ring. */
  value: unknown;
}

/**
 * Reads a GeoJSON Polygon or MultiPolygon into parts, each a list of rings with the
 * outer ring first. Checks the structure, the positions, ring closure and the
 * position limit, and rejects rings that touch or enclose a pole. Throws
 * `invalidInput` naming the exact field path, e.g. `${field}.coordinates[0][3]`.
 */
export function readPolygonRings(field: string, geometry: unknown): RingInput[][] {
  if (typeof geometry !== 'object' || geometry === null || Array.isArray(geometry)) {
    throw invalidInput(field, geometry, 'a GeoJSON Polygon or MultiPolygon object');
  }

  const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
  const counter: PositionCounter = { field: `${field}.coordinates`, positions: 0 };
  if (type === 'Polygon') return [readPolygon(`${field}.coordinates`, coordinates, counter)];
  if (type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) {
      throw invalidInput(`${field}.coordinates`, coordinates, 'a non-empty array of polygons, each an array of rings');
    }
    return coordinates.map((polygon: unknown, i) => readPolygon(`${field}.coordinates[${i}]`, polygon, counter));
  }
  throw invalidInput(`${field}.type`, type, '"Polygon" or "MultiPolygon"');
}

interface PositionCounter {
  field: string;
  positions: number;
}

function readPolygon(path: string, value: unknown, counter: PositionCounter): RingInput[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidInput(path, value, 'a non-empty array of linear rings: the outer ring, then the holes');
  }
  return value.map((ring: unknown, i) => readRing(`${path}[${i}]`, ring, counter));
}

function readRing(path: string, value: unknown, counter: PositionCounter): RingInput {
  if (!Array.isArray(value) || value.length < 4) {
    throw invalidInput(path, value, 'a closed ring, an array of at least 4 positions');
  }

  // Count before reading, so a huge ring is rejected before its positions are walked.
  counter.positions += value.length;
  if (counter.positions > MAX_POLYGON_POSITIONS) {
    throw invalidInput(
      counter.field,
      `${counter.positions} or more positions`,
      `at most ${MAX_POLYGON_POSITIONS} positions in all rings together`,
    );
  }

  const positions = value.map((position: unknown, j) => readPosition(`${path}[${j}]`, position));
  const first = positions[0] as [number, number];
  const lastIndex = positions.length - 1;
  const last = positions[lastIndex] as [number, number];
  if (!samePoint(last[0], last[1], first[0], first[1])) {
    throw invalidInput(
      `${path}[${lastIndex}]`,
      value[lastIndex],
      `${JSON.stringify(value[0])}, the first position repeated to close the ring`,
    );
  }

  // Drop consecutive duplicates, then any copies of the first position before the closing one.
  const ring: RingInput = { path, lons: [], lats: [], sourceIndex: [], value };
  for (let j = 0; j < lastIndex; j++) {
    const [lon, lat] = positions[j] as [number, number];
    const keptCount = ring.lons.length;
    if (keptCount > 0 && samePoint(lon, lat, ring.lons[keptCount - 1] as number, ring.lats[keptCount - 1] as number)) continue;
    ring.lons.push(lon);
    ring.lats.push(lat);
    ring.sourceIndex.push(j);
  }
  while (ring.lons.length > 1 && samePoint(first[0], first[1], ring.lons.at(-1) as number, ring.lats.at(-1) as number)) {
    ring.lons.pop();
    ring.lats.pop();
    ring.sourceIndex.pop();
  }
  ring.sourceIndex.push(lastIndex);
  if (ring.lons.length < 3) {
    throw invalidInput(path, value, 'a ring enclosing a non-zero area, with at least 3 distinct positions');
  }

  assertRingAvoidsPoles(ring);
  return ring;
}

function readPosition(path: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    throw invalidInput(path, value, 'a position [longitude, latitude] or [longitude, latitude, altitude]');
  }

  const [lon, lat] = value as unknown[];
  assertLongitude(`${path}[0]`, lon);
  assertLatitude(`${path}[1]`, lat);
  if (lat === 90 || lat === -90) {
    throw invalidInput(`${path}[1]`, lat, 'a latitude in (-90, 90): rings that touch a pole are not supported');
  }
  if (value.length === 3 && (typeof value[2] !== 'number' || !Number.isFinite(value[2]))) {
    throw invalidInput(`${path}[2]`, value[2], 'an altitude, a finite number, which is ignored');
  }
  return [lon, lat];
}

/** Tells whether two positions name the same point: equal, or at the two spellings (±180) of the antimeridian. */
function samePoint(lon1: number, lat1: number, lon2: number, lat2: number): boolean {
  return lat1 === lat2 && (lon1 === lon2 || Math.abs(lon1) + Math.abs(lon2) === 360);
}

/** Returns `degrees` wrapped into [-180, 180], for a difference of two longitudes. */
export function wrapLongitudeDelta(degrees: number): number {
  if (degrees > 180) return degrees - 360;
  if (degrees < -180) return degrees + 360;
  return degrees;
}

/**
 * Throws when an edge passes through a pole or when the ring winds around one.
 * Every edge spans less than 180° of longitude, so its longitude changes
 * monotonically by the wrapped difference of its ends. Summed over the ring, those
 * differences give 0 when both poles are outside and ±360 when a pole is enclosed.
 */
function assertRingAvoidsPoles(ring: RingInput): void {
  const count = ring.lons.length;
  let windingDeg = 0;

  for (let i = 0; i < count; i++) {
    const next = (i + 1) % count;
    const deltaDeg = wrapLongitudeDelta((ring.lons[next] as number) - (ring.lons[i] as number));
    if (Math.abs(deltaDeg) >= MAX_EDGE_LONGITUDE_SPAN_DEG) {
      const source = ring.sourceIndex[i + 1] as number;
      throw invalidInput(
        `${ring.path}[${source}]`,
        (ring.value as unknown[])[source],
        `a position less than 180° of longitude from the previous position ${JSON.stringify((ring.value as unknown[])[ring.sourceIndex[i] as number])}, ` +
          'because an edge spanning 180° runs through a pole',
      );
    }
    windingDeg += deltaDeg;
  }

  // NOTE: rings around a pole are rejected, not supported, because the point-in-polygon
  // test casts its ray to the north pole and needs that pole outside every ring.
  if (Math.abs(windingDeg) > 180) {
    throw invalidInput(ring.path, ring.value, 'a ring that does not enclose a pole, because rings around a pole are not supported');
  }
}
