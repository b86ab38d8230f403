import { seededRandom } from '../common/seeded-random.js';

/** Mean Earth radius in metres, the sphere on which the engine measures fence distances. */
const EARTH_RADIUS_M = 6_371_008.8;

export interface LatLon {
  lat: number;
  lon: number;
}

/** Points of a device's walk outside the fences, 10 m apart. */
export const PATH_POINTS = 16;
const STEP_M = 10;
/** Path points keep this distance from every fence edge, so rounding never puts one inside. */
const EDGE_MARGIN_M = 30;
/** A device walks on a circle around its home truck, this far beyond the fence edge. */
const RING_BEYOND_EDGE_M = { min: EDGE_MARGIN_M, max: 200 };
const MAX_ATTEMPTS = 100;
/**
 * Maximum distance between consecutive points of a walk into a fence. The engine's
 * default speed rule holds back a ping that implies more than 70 m/s, and it divides
 * the distance by at least 1 s, so these steps pass at any ping interval.
 */
const APPROACH_STEP_M = 50;

/** Walk of one synthetic device. */
export interface DevicePath {
  /** Latitude and longitude pairs of PATH_POINTS points outside every fence. */
  outside: Float64Array;
  /** The truck the walk circles around. */
  home: LatLon;
}

/**
 * Builds the walk of device `deviceIndex`: an arc of PATH_POINTS points on a circle
 * around its home truck, each outside every truck's fence. The same index always
 * gives the same path. A device whose arc crosses a fence tries another circle, then
 * the next truck as its home.
 */
export function buildDevicePath(deviceIndex: number, trucks: LatLon[], radiusM: number): DevicePath {
  const random = seededRandom(deviceIndex + 1);
  const minDistanceM = radiusM + EDGE_MARGIN_M;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const home = trucks[(deviceIndex + Math.floor(attempt / 10)) % trucks.length]!;
    const ringM = radiusM + RING_BEYOND_EDGE_M.min + random() * (RING_BEYOND_EDGE_M.max - RING_BEYOND_EDGE_M.min);
    const startBearing = random() * 2 * Math.PI;
    const outside = new Float64Array(PATH_POINTS * 2);

    let clear = true;
    for (let i = 0; i < PATH_POINTS && clear; i++) {
      const point = destination(home, startBearing + (i * STEP_M) / ringM, ringM);
      clear = trucks.every((truck) => haversineM(point, truck) > minDistanceM);
      outside[i * 2] = point.lat;
      outside[i * 2 + 1] = point.lon;
    }
    if (clear) return { outside, home: { lat: home.lat, lon: home.lon } };
  }
  throw new Error(`found no walk outside every fence for device ${deviceIndex} after ${MAX_ATTEMPTS} attempts; use a smaller --radius`);
}

/** Returns the maximum number of pings that a walk into a fence of `radiusM` takes, from a device's circle to its end. */
export function maxApproachPings(radiusM: number): number {
  return Math.ceil((RING_BEYOND_EDGE_M.max + radiusM / 2) / APPROACH_STEP_M);
}

/**
 * Returns the walk from `from` straight to `home`, in steps of at most 50 m, ending
 * halfway between the fence edge and the truck. Within a few hundred metres a
 * straight line in degrees is close enough to the great circle.
 */
export function approachPoints(from: LatLon, home: LatLon, radiusM: number): LatLon[] {
  const distanceM = haversineM(from, home);
  const endM = Math.min(distanceM, radiusM / 2);
  const steps = Math.max(1, Math.ceil((distanceM - endM) / APPROACH_STEP_M));

  const points: LatLon[] = [];
  for (let i = 1; i <= steps; i++) {
    const fraction = (distanceM - ((distanceM - endM) * i) / steps) / distanceM;
    points.push({ lat: home.lat + (from.lat - home.lat) * fraction, lon: home.lon + (from.lon - home.lon) * fraction });
  }
  return points;
}

/** Index into a path of PATH_POINTS points for the `step`-th ping: the device walks the arc forth and back. */
export function pathIndex(step: number): number {
  const period = PATH_POINTS * 2 - 2;
  const phase = step % period;
  return phase < PATH_POINTS ? phase : period - phase;
}

/** Great-circle distance in metres (haversine). */
export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLon = toRadians(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Returns the point `distanceM` metres from `from` along the initial bearing `bearing` (radians clockwise from north). */
export function destination(from: LatLon, bearing: number, distanceM: number): LatLon {
  const angular = distanceM / EARTH_RADIUS_M;
  const lat1 = toRadians(from.lat);
  const lon1 = toRadians(from.lon);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
  const lon2 = lon1 + Math.atan2(Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1), Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: toDegrees(lat2), lon: toDegrees(lon2) };
}

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

function toDegrees(radians: number): number {
  return (radians * 180) / Math.PI;
}
