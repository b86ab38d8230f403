/** Spherical geometry for drawing fences and the offline grid. Positions are GeoJSON [lon, lat] in degrees. */

/** WGS84 mean Earth radius in metres, the sphere the proximity engine uses, so drawn fences match the checked ones. */
export const EARTH_RADIUS_M = 6_371_008.8;

export type Position = [lon: number, lat: number];

/** West-south and east-north corners. */
export type Bounds = [Position, Position];

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;
const toDegrees = (radians: number): number => (radians * 180) / Math.PI;

/**
 * Returns the point `distanceM` metres from `origin` along the great circle that starts at
 * `bearingDeg` (clockwise from north). The longitude is not wrapped into [-180, 180], so a ring
 * around a point near the antimeridian stays one continuous shape.
 */
export function destinationPoint(origin: Position, distanceM: number, bearingDeg: number): Position {
  const [lon, lat] = origin;
  const angular = distanceM / EARTH_RADIUS_M;
  const bearing = toRadians(bearingDeg);
  const lat1 = toRadians(lat);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
  const dLon = Math.atan2(
    Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
    Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
  );
  return [lon + toDegrees(dLon), toDegrees(lat2)];
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: Position, b: Position): number {
  const dLat = toRadians(b[1] - a[1]);
  const dLon = toRadians(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a[1])) * Math.cos(toRadians(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Returns the closed ring of a geodesic circle: `vertices` points at equal bearings, starting due
 * north, plus the first point again at the end as GeoJSON requires.
 */
export function circleRing(center: Position, radiusM: number, vertices = 64): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < vertices; i += 1) {
    ring.push(destinationPoint(center, radiusM, (360 * i) / vertices));
  }
  ring.push([...ring[0]!]);
  return ring;
}

/** Returns the smallest box around `positions`, or null when there are none. */
export function boundsOf(positions: Iterable<Position>): Bounds | null {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const [lon, lat] of positions) {
    west = Math.min(west, lon);
    south = Math.min(south, lat);
    east = Math.max(east, lon);
    north = Math.max(north, lat);
  }
  return Number.isFinite(west) ? [[west, south], [east, north]] : null;
}

const GRID_STEPS_DEG = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];

/** Picks the largest grid step that still draws at least `minLines` lines across the wider side of `bounds`. */
export function gridStep(bounds: Bounds, minLines = 6): number {
  const span = Math.max(bounds[1][0] - bounds[0][0], bounds[1][1] - bounds[0][1]);
  return GRID_STEPS_DEG.find((step) => span / step >= minLines) ?? GRID_STEPS_DEG[GRID_STEPS_DEG.length - 1]!;
}

/**
 * Builds meridians and parallels at multiples of `step` degrees that cover `bounds` plus one step
 * of margin. Parallels stop within ±85°, the limit of the Web Mercator projection.
 */
export function gridLines(bounds: Bounds, step: number): Position[][] {
  // Integer multiples of `step`, so adding up floats cannot drift the lines.
  const firstLon = Math.floor(bounds[0][0] / step) - 1;
  const lastLon = Math.ceil(bounds[1][0] / step) + 1;
  const firstLat = Math.max(Math.floor(bounds[0][1] / step) - 1, Math.ceil(-MAX_MERCATOR_LAT / step));
  const lastLat = Math.min(Math.ceil(bounds[1][1] / step) + 1, Math.floor(MAX_MERCATOR_LAT / step));
  const [west, east] = [round(firstLon * step), round(lastLon * step)];
  const [south, north] = [round(firstLat * step), round(lastLat * step)];

  const lines: Position[][] = [];
  for (let k = firstLon; k <= lastLon; k += 1) {
    const lon = round(k * step);
    lines.push([
      [lon, south],
      [lon, north],
    ]);
  }
  for (let k = firstLat; k <= lastLat; k += 1) {
    const lat = round(k * step);
    lines.push([
      [west, lat],
      [east, lat],
    ]);
  }
  return lines;
}

const MAX_MERCATOR_LAT = 85;
const round = (value: number): number => Math.round(value * 1e6) / 1e6;
