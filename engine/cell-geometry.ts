import { cellToBoundary, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';

import { DEG_TO_RAD, EARTH_RADIUS_M, haversineM } from './geo.js';

/**
 * Slack in metres added to every geometric bound below. It absorbs rounding in
 * H3's face projection and in the haversine (both far below a millimetre), so
 * rounding cannot move a point on a cell edge or a fence boundary across a bound.
 */
const BOUND_SLACK_M = 1;

/** Centre of an H3 cell and the radius of a circle around it that lies inside the cell. */
export interface CellDisk {
  cell: string;
  latRad: number;
  lonRad: number;
  cosLat: number;
  /** Every point closer than this to the centre is in `cell`. Can be 0 for tiny cells. */
  innerRadiusM: number;
}

/** The H3 cells a fence is listed under, split by whether a point there needs the exact test. */
export interface CellCover {
  /** Cells wholly inside the fence: a point in one of them is inside with no distance test. */
  inner: string[];
  /** Cells that meet the fence's boundary: a point in one of them needs the exact test. */
  boundary: string[];
}

/**
 * Lists the H3 cells at `resolution` that a circle can touch, sorted. A point
 * inside the circle lies in one of them (its `latLngToCell`), so looking up that
 * one cell finds every fence whose circle contains the point.
 */
export function coverCircle(lat: number, lon: number, radiusM: number, resolution: number): string[] {
  const { inner, boundary } = coverCircleSplit(lat, lon, radiusM, resolution);
  return [...inner, ...boundary].sort();
}

/**
 * Lists the H3 cells at `resolution` that a circle can touch, each list sorted.
 * Flood fill from the cell of the centre: a cell is kept when its centre is within
 * radius + circumradius of the circle centre, a bound that no cell meeting the
 * circle can fail (triangle inequality). The cells meeting the circle form one
 * connected patch around the centre cell, so the fill reaches all of them. A cell
 * whose centre is within radius - circumradius is wholly inside, by the same bound.
 */
export function coverCircleSplit(lat: number, lon: number, radiusM: number, resolution: number): CellCover {
  const latRad = lat * DEG_TO_RAD;
  const lonRad = lon * DEG_TO_RAD;
  const cosLat = Math.cos(latRad);
  const start = latLngToCell(lat, lon, resolution);
  const seen = new Set<string>([start]);
  const pending = [start];
  const inner: string[] = [];
  const boundary: string[] = [];

  while (pending.length > 0) {
    const cell = pending.pop() as string;
    const [cellLat, cellLon] = cellToLatLng(cell);
    const cellLatRad = cellLat * DEG_TO_RAD;
    const centreDistanceM = haversineM(latRad, lonRad, cosLat, cellLatRad, cellLon * DEG_TO_RAD, Math.cos(cellLatRad));
    const circumradiusM = cellCircumradiusM(cell, cellLat, cellLon);
    if (centreDistanceM > radiusM + circumradiusM + BOUND_SLACK_M) continue;

    if (centreDistanceM + circumradiusM + BOUND_SLACK_M <= radiusM) inner.push(cell);
    else boundary.push(cell);
    for (const neighbour of gridDisk(cell, 1)) {
      if (seen.has(neighbour)) continue;
      seen.add(neighbour);
      pending.push(neighbour);
    }
  }

  return { inner: inner.sort(), boundary: boundary.sort() };
}

/** Computes the centre of a cell and a circle around it that lies inside the cell. */
export function cellDisk(cell: string): CellDisk {
  const [lat, lon] = cellToLatLng(cell);
  const latRad = lat * DEG_TO_RAD;
  const lonRad = lon * DEG_TO_RAD;
  const cosLat = Math.cos(latRad);
  const innerRadiusM = Math.max(0, cellInradiusM(cell, latRad, lonRad) - BOUND_SLACK_M);
  return { cell, latRad, lonRad, cosLat, innerRadiusM };
}

/** Returns the largest distance from the cell centre to a boundary vertex. */
export function cellCircumradiusM(cell: string, centreLat: number, centreLon: number): number {
  let maxM = 0;
  for (const [vertexLat, vertexLon] of cellToBoundary(cell)) {
    const vertexLatRad = vertexLat * DEG_TO_RAD;
    const centreLatRad = centreLat * DEG_TO_RAD;
    const d = haversineM(
      centreLatRad,
      centreLon * DEG_TO_RAD,
      Math.cos(centreLatRad),
      vertexLatRad,
      vertexLon * DEG_TO_RAD,
      Math.cos(vertexLatRad),
    );
    if (d > maxM) maxM = d;
  }
  return maxM;
}

/**
 * Returns the smallest distance from the cell centre to the great circle of any
 * boundary edge. H3 edges are straight in the gnomonic projection of an icosahedron
 * face, which makes them great-circle arcs. A point nearer the centre than every
 * edge's great circle is therefore on the inner side of all edges, in the cell.
 */
function cellInradiusM(cell: string, latRad: number, lonRad: number): number {
  const centre = unitVector(latRad, lonRad);
  const vertices = cellToBoundary(cell).map(([lat, lon]) => unitVector(lat * DEG_TO_RAD, lon * DEG_TO_RAD));
  let minAngle = Math.PI;

  for (let i = 0; i < vertices.length; i++) {
    const a = vertices[i] as Vector3;
    const b = vertices[(i + 1) % vertices.length] as Vector3;
    const normal = cross(a, b);
    const normalLength = Math.hypot(normal[0], normal[1], normal[2]);
    const sine = Math.abs(dot(centre, normal)) / normalLength;
    const angle = Math.asin(Math.min(1, sine));
    if (angle < minAngle) minAngle = angle;
  }

  return minAngle * EARTH_RADIUS_M;
}

type Vector3 = [number, number, number];

function unitVector(latRad: number, lonRad: number): Vector3 {
  const cosLat = Math.cos(latRad);
  return [cosLat * Math.cos(lonRad), cosLat * Math.sin(lonRad), Math.sin(latRad)];
}

function cross(a: Vector3, b: Vector3): Vector3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: Vector3, b: Vector3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
