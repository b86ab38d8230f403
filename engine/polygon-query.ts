import { DEG_TO_RAD } from './geo.js';
import {
  BOX_STRIDE,
  CAP_STRIDE,
  EDGE_STRIDE,
  ON_BOUNDARY_CHORD_SQUARED,
  ON_BOUNDARY_SINE,
  normalizeLongitude,
  type PolygonMesh,
} from './polygon-mesh.js';

/**
 * Point queries on a `PolygonMesh`. They read typed arrays and the fields of a
 * reused `QueryPoint`, so a query allocates nothing.
 *
 * Point in ring: cast a ray from the point along its meridian to the north pole,
 * which lies outside every ring (rings around a pole are rejected), and count the
 * edges it crosses. A vertex belongs to the east side of the meridian when
 * v · m > 0, m being the meridian plane's east normal, and to the west side
 * otherwise. An edge crosses the meridian's plane when its ends lie on different
 * sides. That half-open rule counts a ray through a vertex once when the ring
 * passes through the meridian there and zero or two times when it only touches it.
 */

/** A query point in the three forms the queries use: degrees, unit vector, and its meridian plane. */
export class QueryPoint {
  lat = 0;
  /** Longitude wrapped into [-180, 180). */
  lon = 0;
  x = 0;
  y = 0;
  z = 0;
  /** Unit normal of the meridian plane, pointing east: (-sin lon, cos lon, 0). */
  mx = 0;
  my = 0;
  /** Unit vector where the meridian meets the equator: (cos lon, sin lon, 0). */
  ex = 0;
  ey = 0;

  set(lat: number, lon: number): void {
    const latRad = lat * DEG_TO_RAD;
    const lonRad = lon * DEG_TO_RAD;
    const cosLat = Math.cos(latRad);
    const cosLon = Math.cos(lonRad);
    const sinLon = Math.sin(lonRad);
    this.lat = lat;
    this.lon = normalizeLongitude(lon);
    this.x = cosLat * cosLon;
    this.y = cosLat * sinLon;
    this.z = Math.sin(latRad);
    this.mx = -sinLon;
    this.my = cosLon;
    this.ex = cosLon;
    this.ey = sinLon;
  }
}

/** Tells whether the point's longitude lies in the box at `offset`. */
function boxHasLongitude(boxes: Float64Array, offset: number, lon: number): boolean {
  const halfWidth = boxes[offset + 1] as number;
  if (halfWidth >= 180) return true;
  let delta = lon - (boxes[offset] as number);
  if (delta > 180) delta -= 360;
  else if (delta < -180) delta += 360;
  return Math.abs(delta) <= halfWidth;
}

/** Tells whether the point lies in the box of `ring`. A point outside it is outside the ring and off its boundary. */
export function inRingBox(mesh: PolygonMesh, ring: number, q: QueryPoint): boolean {
  const offset = BOX_STRIDE * ring;
  const boxes = mesh.ringBoxes;
  return q.lat >= (boxes[offset + 2] as number) && q.lat <= (boxes[offset + 3] as number) && boxHasLongitude(boxes, offset, q.lon);
}

/**
 * Tells whether the ray from the point to the north pole crosses the edges of
 * `ring` an odd number of times, which puts the point inside the ring. A point
 * within rounding of the boundary may come out either way, so callers also test
 * `nearRingBoundary`.
 */
export function ringCrossingParity(mesh: PolygonMesh, ring: number, q: QueryPoint): boolean {
  const v = mesh.vertices;
  const e = mesh.edges;
  const boxes = mesh.chunkBoxes;
  const endChunk = mesh.rings[4 * ring + 3] as number;
  let odd = false;

  for (let chunk = mesh.rings[4 * ring + 2] as number; chunk < endChunk; chunk++) {
    // The ray runs north from the point, so a chunk wholly south of it, or off its meridian, has no crossing.
    const offset = BOX_STRIDE * chunk;
    if ((boxes[offset + 3] as number) < q.lat || !boxHasLongitude(boxes, offset, q.lon)) continue;

    const first = mesh.chunkVertices[2 * chunk] as number;
    const last = mesh.chunkVertices[2 * chunk + 1] as number;
    let ax = v[3 * first] as number;
    let ay = v[3 * first + 1] as number;
    let sideA = ax * q.mx + ay * q.my;

    for (let i = first; i < last; i++) {
      const bx = v[3 * i + 3] as number;
      const by = v[3 * i + 4] as number;
      const sideB = bx * q.mx + by * q.my;

      if (sideA > 0 !== sideB > 0) {
        // The edge meets the meridian plane at X = sideB A - sideA B (up to sign). Keep the
        // crossing on the point's half of the meridian, not on the opposite one.
        const alongMeridian = sideB * (ax * q.ex + ay * q.ey) - sideA * (bx * q.ex + by * q.ey);
        if (alongMeridian * (sideB - sideA) > 0) {
          // On that half meridian, p · n changes sign once, at the crossing, and has the sign of nz
          // at the north pole. So the crossing lies north of the point when p · n and nz differ in sign.
          const o = EDGE_STRIDE * i;
          const nz = e[o + 2] as number;
          const pn = q.x * (e[o] as number) + q.y * (e[o + 1] as number) + q.z * nz;
          if (pn * nz < 0) odd = !odd;
        }
      }

      ax = bx;
      ay = by;
      sideA = sideB;
    }
  }
  return odd;
}

/** Tells whether the point is within `ON_BOUNDARY_M` of an edge of `ring`. */
export function nearRingBoundary(mesh: PolygonMesh, ring: number, q: QueryPoint): boolean {
  const v = mesh.vertices;
  const e = mesh.edges;
  const caps = mesh.chunkCaps;
  const endChunk = mesh.rings[4 * ring + 3] as number;

  for (let chunk = mesh.rings[4 * ring + 2] as number; chunk < endChunk; chunk++) {
    const c = CAP_STRIDE * chunk;
    const dx = q.x - (caps[c] as number);
    const dy = q.y - (caps[c + 1] as number);
    const dz = q.z - (caps[c + 2] as number);
    if (dx * dx + dy * dy + dz * dz > (caps[c + 4] as number)) continue;

    const first = mesh.chunkVertices[2 * chunk] as number;
    const last = mesh.chunkVertices[2 * chunk + 1] as number;
    for (let i = first; i < last; i++) {
      if (Math.abs(edgeDot(e, i, 0, q)) <= ON_BOUNDARY_SINE && edgeDot(e, i, 3, q) > 0 && edgeDot(e, i, 6, q) > 0) return true;
    }
    for (let i = first; i <= last; i++) {
      if (vertexChordSquared(v, i, q) <= ON_BOUNDARY_CHORD_SQUARED) return true;
    }
  }
  return false;
}

/**
 * Returns the angle in radians from the point to the nearest boundary point of any
 * ring, edge interiors included. Visits the chunk whose cap is nearest first, then
 * only the chunks whose cap could hold a nearer point. `lowerBounds` is scratch
 * space with one slot per chunk. A chord is never longer than its arc, so the chord
 * to a cap's centre less the cap's radius is a lower bound that needs no asin.
 */
export function boundaryAngle(mesh: PolygonMesh, q: QueryPoint, lowerBounds: Float64Array): number {
  const caps = mesh.chunkCaps;
  const chunkCount = lowerBounds.length;
  let nearestChunk = 0;

  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const c = CAP_STRIDE * chunk;
    const dx = q.x - (caps[c] as number);
    const dy = q.y - (caps[c + 1] as number);
    const dz = q.z - (caps[c + 2] as number);
    lowerBounds[chunk] = Math.sqrt(dx * dx + dy * dy + dz * dz) - (caps[c + 3] as number);
    if ((lowerBounds[chunk] as number) < (lowerBounds[nearestChunk] as number)) nearestChunk = chunk;
  }

  let best = chunkBoundaryAngle(mesh, nearestChunk, q);
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    if (chunk === nearestChunk || (lowerBounds[chunk] as number) > best) continue;
    best = Math.min(best, chunkBoundaryAngle(mesh, chunk, q));
  }
  return best;
}

/**
 * Returns the angle from the point to the nearest point of a chunk's edges. The
 * nearest point is either a vertex or, when the point projects onto the inside of
 * an arc, the foot on that arc, at angle asin(|p · n|).
 */
function chunkBoundaryAngle(mesh: PolygonMesh, chunk: number, q: QueryPoint): number {
  const v = mesh.vertices;
  const e = mesh.edges;
  const first = mesh.chunkVertices[2 * chunk] as number;
  const last = mesh.chunkVertices[2 * chunk + 1] as number;
  let minSine = 1;
  let minChordSquared = 4;

  for (let i = first; i < last; i++) {
    if (edgeDot(e, i, 3, q) > 0 && edgeDot(e, i, 6, q) > 0) minSine = Math.min(minSine, Math.abs(edgeDot(e, i, 0, q)));
  }
  for (let i = first; i <= last; i++) minChordSquared = Math.min(minChordSquared, vertexChordSquared(v, i, q));

  return Math.min(Math.asin(minSine), 2 * Math.asin(Math.min(1, Math.sqrt(minChordSquared) / 2)));
}

/** Returns p · w for the vector w stored at `component` (0 normal, 3 the A-side test, 6 the B-side test) of edge `i`. */
function edgeDot(e: Float64Array, i: number, component: number, q: QueryPoint): number {
  const o = EDGE_STRIDE * i + component;
  return q.x * (e[o] as number) + q.y * (e[o + 1] as number) + q.z * (e[o + 2] as number);
}

/** Returns |p - v|² for vertex `i`, from differences so that short chords keep their precision. */
function vertexChordSquared(v: Float64Array, i: number, q: QueryPoint): number {
  const dx = q.x - (v[3 * i] as number);
  const dy = q.y - (v[3 * i + 1] as number);
  const dz = q.z - (v[3 * i + 2] as number);
  return dx * dx + dy * dy + dz * dz;
}
