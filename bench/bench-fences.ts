/**
 * The fences of the engine benchmark and the geometry that the comparisons need:
 * circles at the real SF truck locations, random circles and random polygons over the
 * San Francisco Bay Area, each fence set built the same way on every run.
 */
import { seededRandom } from '../common/seeded-random.js';
import { BUNDLED_PERMITS } from '../demo/data-files.js';
import { readApprovedPermits } from '../demo/permits.js';
import { distanceM, EARTH_RADIUS_M } from '../engine/index.js';
import type { CircleFence, Fence, PolygonFence, Position } from '../engine/types.js';

export const TOTAL_FENCES = 10_000;
/** Polygon fences among the 10,000 when polygons are on. When they are off, random circles take their places. */
export const POLYGON_FENCES = 1_000;
/** Radius of the fences at real truck locations. */
const TRUCK_FENCE_RADIUS_M = 150;
/** Radius range of the random fences: walking distance to a truck. */
const RADIUS_M = { min: 50, max: 300 };
/** Share of random fences above the default large-fence threshold (about 2 km), which go to the R-tree. */
const LARGE_FENCE_SHARE = 0.002;
const LARGE_RADIUS_M = { min: 2_500, max: 5_000 };
/** Size of a polygon fence: the distance from its centre to its farthest vertex. */
const POLYGON_RADIUS_M = { min: 60, max: 300 };
const CAMPAIGNS = 50;
/**
 * The Bay Area, about 110 km by 88 km, where the random fences go. Spread over it, 10,000
 * fences cover about a tenth of the ground, so a phone is near a few trucks at most, as
 * in a real city. Packed into San Francisco alone they would cover every point about five
 * times over, and each ping would enter a handful of campaigns.
 */
export const FENCE_BOX = { minLat: 37.2, maxLat: 38.2, minLon: -122.6, maxLon: -121.6 };

const CIRCLE_SEED = 42;
const POLYGON_SEED = 43;

/** Metres per degree of latitude on the engine's sphere. */
const METRES_PER_DEGREE = (Math.PI / 180) * EARTH_RADIUS_M;

export interface BenchFences {
  fences: Fence[];
  truckFences: number;
  randomCircleFences: number;
  largeFences: number;
  polygonFences: number;
}

/**
 * Builds the 10,000 fences. Circles come from one seeded generator and polygons from
 * another, so turning polygons off changes no circle: it appends more circles instead.
 */
export async function buildFences(options: { polygons: boolean }): Promise<BenchFences> {
  const permits = await readApprovedPermits(BUNDLED_PERMITS);
  const fences: Fence[] = permits.map(
    (permit): CircleFence => ({
      id: `truck-${permit.locationId}`,
      campaignId: 'lunch',
      truckId: permit.locationId,
      lat: permit.lat,
      lon: permit.lon,
      radiusM: TRUCK_FENCE_RADIUS_M,
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    }),
  );
  const truckFences = fences.length;

  const polygonCount = options.polygons ? POLYGON_FENCES : 0;
  const nextCircle = seededRandom(CIRCLE_SEED);
  let largeFences = 0;
  while (fences.length < TOTAL_FENCES - polygonCount) {
    const i = fences.length;
    const large = nextCircle() < LARGE_FENCE_SHARE;
    if (large) largeFences++;

    fences.push({
      id: `random-${i}`,
      campaignId: `campaign-${i % CAMPAIGNS}`,
      truckId: `random-truck-${i}`,
      lat: FENCE_BOX.minLat + nextCircle() * (FENCE_BOX.maxLat - FENCE_BOX.minLat),
      lon: FENCE_BOX.minLon + nextCircle() * (FENCE_BOX.maxLon - FENCE_BOX.minLon),
      radiusM: large ? between(nextCircle, LARGE_RADIUS_M) : between(nextCircle, RADIUS_M),
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
  }
  const randomCircleFences = fences.length - truckFences;

  fences.push(...buildPolygonFences(polygonCount));
  return { fences, truckFences, randomCircleFences, largeFences, polygonFences: polygonCount };
}

/**
 * Builds `count` polygon fences at random places in FENCE_BOX: irregular star-shaped
 * polygons (60 %), rotated rectangles such as blocks and plazas (25 %), polygons with a
 * hole (10 %) and multipolygons of two parts (5 %). Outer rings run counterclockwise and
 * holes clockwise, as RFC 7946 requires.
 */
export function buildPolygonFences(count: number): PolygonFence[] {
  const next = seededRandom(POLYGON_SEED);
  const fences: PolygonFence[] = [];

  for (let i = 0; i < count; i++) {
    const lat = FENCE_BOX.minLat + next() * (FENCE_BOX.maxLat - FENCE_BOX.minLat);
    const lon = FENCE_BOX.minLon + next() * (FENCE_BOX.maxLon - FENCE_BOX.minLon);
    const radiusM = between(next, POLYGON_RADIUS_M);
    const kind = next();

    let geometry: PolygonFence['geometry'];
    if (kind < 0.6) {
      geometry = { type: 'Polygon', coordinates: [starRing(next, lat, lon, radiusM)] };
    } else if (kind < 0.85) {
      geometry = { type: 'Polygon', coordinates: [rectangleRing(next, lat, lon, radiusM)] };
    } else if (kind < 0.95) {
      const hole = regularRing(lat, lon, radiusM * 0.3, 8).reverse();
      geometry = { type: 'Polygon', coordinates: [starRing(next, lat, lon, radiusM, 0.7), hole] };
    } else {
      // Two parts side by side, 2.5 part radii apart, so they never overlap.
      const partM = radiusM / 2;
      const shiftLon = (1.25 * partM) / (METRES_PER_DEGREE * Math.cos(lat * (Math.PI / 180)));
      geometry = {
        type: 'MultiPolygon',
        coordinates: [[starRing(next, lat, lon - shiftLon, partM)], [starRing(next, lat, lon + shiftLon, partM)]],
      };
    }

    fences.push({
      shape: 'polygon',
      id: `polygon-${i}`,
      campaignId: `campaign-${i % CAMPAIGNS}`,
      truckId: `polygon-truck-${i}`,
      geometry,
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
  }
  return fences;
}

export function isPolygonFence(fence: Fence): fence is PolygonFence {
  return fence.shape === 'polygon';
}

/**
 * Returns a closed ring that contains the circle: `sides` vertices on the circle of
 * radius r / cos(π / sides), so each edge touches the circle at its midpoint. For 64
 * sides the ring reaches at most 0.12 % of the radius beyond the circle.
 */
export function circleAsRing(fence: CircleFence, sides: number): Position[] {
  const outerRadiusM = fence.radiusM / Math.cos(Math.PI / sides);
  const ring: Position[] = [];
  // Bearings are clockwise from north, so walking them backwards runs counterclockwise.
  for (let i = 0; i < sides; i++) ring.push(destination(fence.lat, fence.lon, outerRadiusM, (-2 * Math.PI * i) / sides));
  ring.push(ring[0] as Position);
  return ring;
}

/**
 * Returns the distance in metres from a point to the nearest boundary of a fence: the
 * circle line, or the nearest edge of any ring of a polygon. Polygon edges are measured
 * in a plane tangent at the point, which is within centimetres for fences of a few
 * hundred metres.
 */
export function boundaryDistanceM(fence: Fence, lat: number, lon: number): number {
  if (!isPolygonFence(fence)) return Math.abs(distanceM(lat, lon, fence.lat, fence.lon) - fence.radiusM);

  const metresPerDegreeLon = METRES_PER_DEGREE * Math.cos(lat * (Math.PI / 180));
  const polygons = fence.geometry.type === 'Polygon' ? [fence.geometry.coordinates] : fence.geometry.coordinates;
  let nearest = Infinity;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const [lon1, lat1] = ring[i - 1] as Position;
        const [lon2, lat2] = ring[i] as Position;
        const d = segmentDistanceFromOrigin(
          (lon1 - lon) * metresPerDegreeLon,
          (lat1 - lat) * METRES_PER_DEGREE,
          (lon2 - lon) * metresPerDegreeLon,
          (lat2 - lat) * METRES_PER_DEGREE,
        );
        if (d < nearest) nearest = d;
      }
    }
  }
  return nearest;
}

function segmentDistanceFromOrigin(x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, -(x1 * dx + y1 * dy) / lengthSquared));
  return Math.hypot(x1 + t * dx, y1 + t * dy);
}

/** Returns the point `distance` metres from (lat, lon) along `bearing` (radians clockwise from north), as [lon, lat]. */
function destination(lat: number, lon: number, distance: number, bearing: number): Position {
  const toRad = Math.PI / 180;
  const angle = distance / EARTH_RADIUS_M;
  const lat1 = lat * toRad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angle) + Math.cos(lat1) * Math.sin(angle) * Math.cos(bearing));
  const lon2 =
    lon * toRad + Math.atan2(Math.sin(bearing) * Math.sin(angle) * Math.cos(lat1), Math.cos(angle) - Math.sin(lat1) * Math.sin(lat2));
  return [lon2 / toRad, lat2 / toRad];
}

/** Builds a closed ring with vertices at sorted random angles and random radii, so it never crosses itself. */
function starRing(next: () => number, lat: number, lon: number, radiusM: number, minShare = 0.6): Position[] {
  const vertices = 5 + Math.floor(next() * 8);
  const angles = Array.from({ length: vertices }, (_, i) => ((i + 0.2 + 0.6 * next()) / vertices) * 2 * Math.PI);
  return closedRing(
    lat,
    lon,
    angles.map((angle) => [angle, radiusM * (minShare + (1 - minShare) * next())]),
  );
}

function rectangleRing(next: () => number, lat: number, lon: number, radiusM: number): Position[] {
  const rotation = next() * Math.PI;
  // Corner angles of a rectangle with sides in the ratio 1 : (0.4 to 1).
  const half = Math.atan(0.4 + 0.6 * next());
  const corners = [half, Math.PI - half, Math.PI + half, 2 * Math.PI - half];
  return closedRing(
    lat,
    lon,
    corners.map((angle) => [angle + rotation, radiusM]),
  );
}

function regularRing(lat: number, lon: number, radiusM: number, vertices: number): Position[] {
  return closedRing(
    lat,
    lon,
    Array.from({ length: vertices }, (_, i) => [(i / vertices) * 2 * Math.PI, radiusM]),
  );
}

/** Turns (angle counterclockwise from east, metres) pairs around a centre into a closed [lon, lat] ring. */
function closedRing(lat: number, lon: number, polar: [number, number][]): Position[] {
  const metresPerDegreeLon = METRES_PER_DEGREE * Math.cos(lat * (Math.PI / 180));
  const ring = polar.map(([angle, r]): Position => [lon + (r * Math.cos(angle)) / metresPerDegreeLon, lat + (r * Math.sin(angle)) / METRES_PER_DEGREE]);
  ring.push(ring[0] as Position);
  return ring;
}

function between(next: () => number, range: { min: number; max: number }): number {
  return range.min + next() * (range.max - range.min);
}
