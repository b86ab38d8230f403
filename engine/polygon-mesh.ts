import { DEG_TO_RAD, EARTH_RADIUS_M } from './geo.js';
import { wrapLongitudeDelta, type RingInput } from './polygon-geojson.js';

/**
 * Flat, precomputed geometry of a validated polygon on the unit sphere: vertex unit
 * vectors, great-circle edge normals, and lon/lat boxes and spherical caps around
 * runs of consecutive edges (chunks), which let queries skip most edges.
 */

const RAD_TO_DEG = 180 / Math.PI;

/** Numbers stored per edge: unit normal n of its great circle, then n × A and B × n for the in-arc test. */
export const EDGE_STRIDE = 9;

/** Edges per chunk. Small enough to skip most of a long ring, large enough that chunk tests stay few. */
const CHUNK_EDGES = 16;

/** Numbers stored per box: longitude of the centre, half width in longitude, then minimum and maximum latitude. */
export const BOX_STRIDE = 4;

/** Numbers stored per cap: unit centre (3), angular radius, and the squared chord within which a point may be on the boundary. */
export const CAP_STRIDE = 5;

/** Boxes are grown by this many degrees of latitude (about 0.1 mm) so that rounding cannot push an edge point out. */
const BOX_PAD_DEG = 1e-9;

/** Caps are grown by this angle (about 6 µm) for the same reason. */
const CAP_PAD_RAD = 1e-12;

/**
 * A point closer than this to the boundary counts as on it, so inside. A point
 * computed to lie on an edge and stored as doubles in degrees is off by a few
 * nanometres at most, far inside this distance.
 */
export const ON_BOUNDARY_M = 1e-6;

const ON_BOUNDARY_RAD = ON_BOUNDARY_M / EARTH_RADIUS_M;

/** Sine of `ON_BOUNDARY_RAD`: a point with |p · n| at most this is that close to the edge's great circle. */
export const ON_BOUNDARY_SINE = Math.sin(ON_BOUNDARY_RAD);

/** Squared chord of `ON_BOUNDARY_RAD`, for the distance from a point to a vertex. */
export const ON_BOUNDARY_CHORD_SQUARED = (2 * Math.sin(ON_BOUNDARY_RAD / 2)) ** 2;

export interface PolygonMesh {
  /** Unit vector of each vertex, x y z in turn. Each ring is stored closed: its first vertex repeats at its end. */
  vertices: Float64Array;
  /** Longitude and latitude in degrees of each vertex, as given. */
  lons: Float64Array;
  lats: Float64Array;
  /** `EDGE_STRIDE` numbers per edge, at the index of its start vertex. The slot of a ring's closing vertex is unused. */
  edges: Float64Array;
  /** Per chunk, its first and last vertex: the chunk has the edges that start at first, ..., last - 1. */
  chunkVertices: Int32Array;
  /** `BOX_STRIDE` numbers per chunk: a lon/lat box containing its edges, poleward bulges included. */
  chunkBoxes: Float64Array;
  /** `CAP_STRIDE` numbers per chunk: a spherical cap containing its edges. */
  chunkCaps: Float64Array;
  /** Per ring: first vertex, end vertex (after the closing one), first chunk and end chunk. */
  rings: Int32Array;
  /** `BOX_STRIDE` numbers per ring: a lon/lat box containing the ring. */
  ringBoxes: Float64Array;
  /** Per part: its first ring (the outer ring) and its end ring. The rings in between are its holes. */
  parts: Int32Array;
  /** The rings as read, in mesh order, for error messages. */
  ringInputs: RingInput[];
}

/** Builds the mesh of validated rings. Pure geometry: it throws nothing. */
export function buildPolygonMesh(parts: RingInput[][]): PolygonMesh {
  const ringInputs = parts.flat();
  let vertexCount = 0;
  let chunkCount = 0;
  for (const ring of ringInputs) {
    vertexCount += ring.lons.length + 1;
    chunkCount += Math.ceil(ring.lons.length / CHUNK_EDGES);
  }

  const mesh: PolygonMesh = {
    vertices: new Float64Array(3 * vertexCount),
    lons: new Float64Array(vertexCount),
    lats: new Float64Array(vertexCount),
    edges: new Float64Array(EDGE_STRIDE * vertexCount),
    chunkVertices: new Int32Array(2 * chunkCount),
    chunkBoxes: new Float64Array(BOX_STRIDE * chunkCount),
    chunkCaps: new Float64Array(CAP_STRIDE * chunkCount),
    rings: new Int32Array(4 * ringInputs.length),
    ringBoxes: new Float64Array(BOX_STRIDE * ringInputs.length),
    parts: new Int32Array(2 * parts.length),
    ringInputs,
  };

  let vertex = 0;
  let chunk = 0;
  ringInputs.forEach((ring, r) => {
    const first = vertex;
    const count = ring.lons.length;
    for (let i = 0; i <= count; i++) setVertex(mesh, vertex++, ring.lons[i % count] as number, ring.lats[i % count] as number);
    for (let i = first; i < first + count; i++) setEdge(mesh, i);

    const firstChunk = chunk;
    for (let e = 0; e < count; e += CHUNK_EDGES) {
      const chunkFirst = first + e;
      const chunkLast = first + Math.min(e + CHUNK_EDGES, count);
      mesh.chunkVertices[2 * chunk] = chunkFirst;
      mesh.chunkVertices[2 * chunk + 1] = chunkLast;
      writeBox(mesh, chunkFirst, chunkLast, mesh.chunkBoxes, BOX_STRIDE * chunk);
      writeCap(mesh, chunkFirst, chunkLast, chunk);
      chunk++;
    }

    mesh.rings.set([first, vertex, firstChunk, chunk], 4 * r);
    writeBox(mesh, first, first + count, mesh.ringBoxes, BOX_STRIDE * r);
  });

  let ring = 0;
  parts.forEach((part, p) => {
    mesh.parts[2 * p] = ring;
    ring += part.length;
    mesh.parts[2 * p + 1] = ring;
  });
  return mesh;
}

function setVertex(mesh: PolygonMesh, index: number, lon: number, lat: number): void {
  const latRad = lat * DEG_TO_RAD;
  const lonRad = lon * DEG_TO_RAD;
  const cosLat = Math.cos(latRad);
  mesh.vertices[3 * index] = cosLat * Math.cos(lonRad);
  mesh.vertices[3 * index + 1] = cosLat * Math.sin(lonRad);
  mesh.vertices[3 * index + 2] = Math.sin(latRad);
  mesh.lons[index] = lon;
  mesh.lats[index] = lat;
}

/**
 * Stores the edge from vertex `index` to the next one. The normal is A × (B - A),
 * which equals A × B but keeps its precision for short edges. Two distinct
 * positions whose unit vectors round to the same doubles leave a zero normal. Such
 * an edge never passes an in-arc test, and its ends still count as vertices.
 */
function setEdge(mesh: PolygonMesh, index: number): void {
  const v = mesh.vertices;
  const ax = v[3 * index] as number;
  const ay = v[3 * index + 1] as number;
  const az = v[3 * index + 2] as number;
  const bx = v[3 * index + 3] as number;
  const by = v[3 * index + 4] as number;
  const bz = v[3 * index + 5] as number;
  const dx = bx - ax;
  const dy = by - ay;
  const dz = bz - az;

  let nx = ay * dz - az * dy;
  let ny = az * dx - ax * dz;
  let nz = ax * dy - ay * dx;
  const length = Math.hypot(nx, ny, nz);
  if (length === 0) return;
  nx /= length;
  ny /= length;
  nz /= length;

  mesh.edges.set(
    [nx, ny, nz, ny * az - nz * ay, nz * ax - nx * az, nx * ay - ny * ax, by * nz - bz * ny, bz * nx - bx * nz, bx * ny - by * nx],
    EDGE_STRIDE * index,
  );
}

/**
 * Returns the latitude range in degrees of the edge from vertex `index`, including
 * its poleward bulge. A great-circle arc peaks inside the arc when the northernmost
 * point of its circle lies between its ends, and likewise to the south.
 */
export function edgeLatitudeRange(mesh: PolygonMesh, index: number): [number, number] {
  let minLat = Math.min(mesh.lats[index] as number, mesh.lats[index + 1] as number);
  let maxLat = Math.max(mesh.lats[index] as number, mesh.lats[index + 1] as number);

  const e = mesh.edges;
  const o = EDGE_STRIDE * index;
  const nx = e[o] as number;
  const ny = e[o + 1] as number;
  const nz = e[o + 2] as number;
  const horizontal = Math.hypot(nx, ny);
  if (horizontal === 0) return [minLat, maxLat];

  // The northernmost point of the circle is (-nz nx, -nz ny, h²) / h with h = |(nx, ny)|, at latitude asin(h).
  const north = [(-nz * nx) / horizontal, (-nz * ny) / horizontal, horizontal];
  const dotA = (north[0] as number) * (e[o + 3] as number) + (north[1] as number) * (e[o + 4] as number) + horizontal * (e[o + 5] as number);
  const dotB = (north[0] as number) * (e[o + 6] as number) + (north[1] as number) * (e[o + 7] as number) + horizontal * (e[o + 8] as number);
  const extremeDeg = Math.asin(Math.min(1, horizontal)) * RAD_TO_DEG;
  if (dotA > 0 && dotB > 0) maxLat = Math.max(maxLat, extremeDeg);
  if (dotA < 0 && dotB < 0) minLat = Math.min(minLat, -extremeDeg);
  return [minLat, maxLat];
}

/**
 * Writes a lon/lat box containing the edges that start at first, ..., last - 1.
 * Longitudes are unwrapped along the path, so the box may cross the antimeridian.
 * A box that would span 360° gets a half width of 180, meaning every longitude.
 */
function writeBox(mesh: PolygonMesh, first: number, last: number, out: Float64Array, offset: number): void {
  let lonOffset = 0;
  let minOffset = 0;
  let maxOffset = 0;
  let minLat = Infinity;
  let maxLat = -Infinity;

  for (let i = first; i < last; i++) {
    lonOffset += wrapLongitudeDelta((mesh.lons[i + 1] as number) - (mesh.lons[i] as number));
    minOffset = Math.min(minOffset, lonOffset);
    maxOffset = Math.max(maxOffset, lonOffset);
    const [edgeMin, edgeMax] = edgeLatitudeRange(mesh, i);
    minLat = Math.min(minLat, edgeMin);
    maxLat = Math.max(maxLat, edgeMax);
  }

  // A degree of longitude shrinks with cos(latitude), so the pad in longitude grows by its inverse.
  const maxAbsLat = Math.max(Math.abs(minLat), Math.abs(maxLat)) + BOX_PAD_DEG;
  const lonPad = maxAbsLat >= 90 ? 180 : BOX_PAD_DEG / Math.cos(maxAbsLat * DEG_TO_RAD);
  const halfWidth = Math.min(180, (maxOffset - minOffset) / 2 + lonPad);
  out[offset] = normalizeLongitude((mesh.lons[first] as number) + (minOffset + maxOffset) / 2);
  out[offset + 1] = halfWidth;
  out[offset + 2] = minLat - BOX_PAD_DEG;
  out[offset + 3] = maxLat + BOX_PAD_DEG;
}

/**
 * Writes a cap around vertices first, ..., last. A cap narrower than a hemisphere
 * is convex, so it contains the arcs between those vertices too. A chunk that needs
 * a wider cap gets radius π, which no query can prune.
 */
function writeCap(mesh: PolygonMesh, first: number, last: number, chunk: number): void {
  const v = mesh.vertices;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let i = first; i <= last; i++) {
    cx += v[3 * i] as number;
    cy += v[3 * i + 1] as number;
    cz += v[3 * i + 2] as number;
  }
  const length = Math.hypot(cx, cy, cz);

  let radius = Math.PI;
  if (length > 0) {
    cx /= length;
    cy /= length;
    cz /= length;
    let maxChord = 0;
    for (let i = first; i <= last; i++) {
      maxChord = Math.max(maxChord, Math.hypot((v[3 * i] as number) - cx, (v[3 * i + 1] as number) - cy, (v[3 * i + 2] as number) - cz));
    }
    const angle = 2 * Math.asin(Math.min(1, maxChord / 2)) + CAP_PAD_RAD;
    if (angle < Math.PI / 2) radius = angle;
  }

  const nearAngle = radius + ON_BOUNDARY_RAD + CAP_PAD_RAD;
  const nearChordSquared = nearAngle >= Math.PI ? 4 : (2 * Math.sin(nearAngle / 2)) ** 2;
  mesh.chunkCaps.set([cx, cy, cz, radius, nearChordSquared], CAP_STRIDE * chunk);
}

/** Returns `lon` in degrees wrapped into [-180, 180). */
export function normalizeLongitude(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * Returns the area of a ring in steradians: the fan of triangles from its first
 * vertex, each by the Van Oosterom–Strackee formula, with the triple product taken
 * on differences of vertices so that small rings keep their precision. Of the two
 * sides of the ring, the result is the smaller one.
 */
export function ringAreaSr(mesh: PolygonMesh, ring: number): number {
  const v = mesh.vertices;
  const first = mesh.rings[4 * ring] as number;
  const end = mesh.rings[4 * ring + 1] as number;
  const ax = v[3 * first] as number;
  const ay = v[3 * first + 1] as number;
  const az = v[3 * first + 2] as number;
  let sum = 0;

  for (let i = first + 1; i < end - 2; i++) {
    const bx = v[3 * i] as number;
    const by = v[3 * i + 1] as number;
    const bz = v[3 * i + 2] as number;
    const cx = v[3 * i + 3] as number;
    const cy = v[3 * i + 4] as number;
    const cz = v[3 * i + 5] as number;
    const ux = bx - ax;
    const uy = by - ay;
    const uz = bz - az;
    const wx = cx - ax;
    const wy = cy - ay;
    const wz = cz - az;
    const triple = ax * (uy * wz - uz * wy) + ay * (uz * wx - ux * wz) + az * (ux * wy - uy * wx);
    const denominator = 1 + ax * bx + ay * by + az * bz + bx * cx + by * cy + bz * cz + cx * ax + cy * ay + cz * az;
    sum += 2 * Math.atan2(triple, denominator);
  }

  const area = Math.abs(sum);
  return Math.min(area, 4 * Math.PI - area);
}
