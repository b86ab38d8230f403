import { invalidInput } from '../common/errors.js';

/**
 * Sphere radius in metres: the WGS84 mean radius (2a + b) / 3 = 6,371,008.7714 m
 * rounded to 0.1 m. liblwgeom (PostGIS) defines WGS84_RADIUS with the unrounded
 * formula, so distances differ from it by about 4.5e-9 relative (2.2 µm at 500 m).
 */
export const EARTH_RADIUS_M = 6_371_008.8;

export const DEG_TO_RAD = Math.PI / 180;

const RAD_TO_DEG = 180 / Math.PI;

/**
 * Returns the haversine distance in metres between two points given in radians,
 * with the cosine of each latitude precomputed by the caller. The result is
 * bit-for-bit symmetric in the two points, and `distanceM` calls this function,
 * so the hot path and the public function agree exactly at a fence boundary.
 */
export function haversineM(
  lat1Rad: number,
  lon1Rad: number,
  cosLat1: number,
  lat2Rad: number,
  lon2Rad: number,
  cosLat2: number,
): number {
  const sinHalfDLat = Math.sin((lat2Rad - lat1Rad) / 2);
  const sinHalfDLon = Math.sin((lon2Rad - lon1Rad) / 2);
  const a = sinHalfDLat * sinHalfDLat + cosLat1 * cosLat2 * sinHalfDLon * sinHalfDLon;

  // Rounding can push `a` a hair above 1 for antipodal points. Near the antipode asin
  // is flat, so the result can be off by about 0.2 m there. Short arcs are unaffected.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Returns the great-circle distance in metres between two WGS84 points in degrees,
 * on a sphere of radius `EARTH_RADIUS_M`. Longitudes may differ by more than 180°
 * (the antimeridian needs no special case). Does not validate: NaN in, NaN out.
 */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const lat1Rad = lat1 * DEG_TO_RAD;
  const lat2Rad = lat2 * DEG_TO_RAD;
  return haversineM(lat1Rad, lon1 * DEG_TO_RAD, Math.cos(lat1Rad), lat2Rad, lon2 * DEG_TO_RAD, Math.cos(lat2Rad));
}

/**
 * Returns the point reached by travelling `distanceM` metres from (lat, lon) along
 * the great circle with initial bearing `bearingDeg` (clockwise from north), as
 * [lat, lon] in degrees with the longitude normalised to [-180, 180].
 */
export function destinationPoint(lat: number, lon: number, bearingDeg: number, distanceM: number): [number, number] {
  const angular = distanceM / EARTH_RADIUS_M;
  const bearing = bearingDeg * DEG_TO_RAD;
  const latRad = lat * DEG_TO_RAD;
  const sinLat2 = Math.sin(latRad) * Math.cos(angular) + Math.cos(latRad) * Math.sin(angular) * Math.cos(bearing);
  const lat2Rad = Math.asin(Math.max(-1, Math.min(1, sinLat2)));
  const lon2Rad =
    lon * DEG_TO_RAD +
    Math.atan2(Math.sin(bearing) * Math.sin(angular) * Math.cos(latRad), Math.cos(angular) - Math.sin(latRad) * sinLat2);

  const lon2 = ((((lon2Rad * RAD_TO_DEG + 180) % 360) + 360) % 360) - 180;
  return [lat2Rad * RAD_TO_DEG, lon2];
}

/** An axis-aligned box in degrees, in the rbush vocabulary (x = longitude, y = latitude). */
export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * Computes the longitude/latitude boxes that contain a circle on the sphere: one box,
 * or two when the circle crosses the antimeridian. A circle that contains a pole
 * spans every longitude. The longitude half-width asin(sin(r) / cos(lat)) is the
 * exact extent of a spherical cap.
 */
export function circleBoxes(lat: number, lon: number, radiusM: number): BBox[] {
  const angularRadius = radiusM / EARTH_RADIUS_M;
  const angularRadiusDeg = angularRadius * RAD_TO_DEG;
  const minY = lat - angularRadiusDeg;
  const maxY = lat + angularRadiusDeg;

  if (minY <= -90 || maxY >= 90) {
    return [{ minX: -180, minY: Math.max(-90, minY), maxX: 180, maxY: Math.min(90, maxY) }];
  }

  // The cap contains no pole, so sin(r) < cos(lat) and the asin argument is below 1.
  const halfWidthDeg = Math.asin(Math.sin(angularRadius) / Math.cos(lat * DEG_TO_RAD)) * RAD_TO_DEG;
  const minX = lon - halfWidthDeg;
  const maxX = lon + halfWidthDeg;

  // A box ending exactly at ±180 is split too, so a point at the other spelling of
  // that meridian (-180 for 180) is still inside a box.
  if (minX <= -180) {
    return [
      { minX: minX + 360, minY, maxX: 180, maxY },
      { minX: -180, minY, maxX, maxY },
    ];
  }
  if (maxX >= 180) {
    return [
      { minX, minY, maxX: 180, maxY },
      { minX: -180, minY, maxX: maxX - 360, maxY },
    ];
  }
  return [{ minX, minY, maxX, maxY }];
}

/** Throws unless `value` is a latitude in degrees, a finite number in [-90, 90]. */
export function assertLatitude(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= -90 && value <= 90)) {
    throw invalidInput(field, value, 'a latitude in degrees, a number in [-90, 90]');
  }
}

/** Throws unless `value` is a longitude in degrees, a finite number in [-180, 180]. */
export function assertLongitude(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value >= -180 && value <= 180)) {
    throw invalidInput(field, value, 'a longitude in degrees, a number in [-180, 180]');
  }
}
