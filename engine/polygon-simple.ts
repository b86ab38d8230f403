import RBush from 'rbush';

import { invalidInput } from '../common/errors.js';
import { EARTH_RADIUS_M, type BBox } from './geo.js';
import { wrapLongitudeDelta } from './polygon-geojson.js';
import { EDGE_STRIDE, edgeLatitudeRange, ringAreaSr, type PolygonMesh } from './polygon-mesh.js';
import { QueryPoint, ringCrossingParity } from './polygon-query.js';

/**
 * Rings smaller than this are rejected as zero-area. GPS fixes are metres wide, so a
 * fence below 1 m² cannot be distinguished from its boundary, and a ring whose
 * positions all lie on one great circle computes to far less than this.
 */
export const MIN_RING_AREA_M2 = 1;

/** Two edges closer than this angle (about 6 µm) count as touching. */
const TOUCH_RAD = 1e-12;

/** Edge boxes are grown by this many degrees so that rounding cannot hide a pair of touching edges. */
const EDGE_BOX_PAD_DEG = 1e-7;

interface EdgeItem extends BBox {
  ring: number;
  /** Index of the edge's start vertex in the mesh. */
  edge: number;
}

/**
 * Throws `invalidInput` unless every ring has a non-zero area and is simple (no two
 * edges cross or touch, other than neighbours at their shared vertex), and every
 * hole lies inside its outer ring without touching it or another hole. Parts of a
 * multipolygon are not checked against each other: they may overlap.
 */
export function assertSimpleRings(mesh: PolygonMesh): void {
  const ringCount = mesh.ringInputs.length;
  for (let ring = 0; ring < ringCount; ring++) {
    if (ringAreaSr(mesh, ring) * EARTH_RADIUS_M * EARTH_RADIUS_M < MIN_RING_AREA_M2) {
      const input = mesh.ringInputs[ring]!;
      throw invalidInput(input.path, input.value, `a ring enclosing a non-zero area of at least ${MIN_RING_AREA_M2} m²`);
    }
  }

  const partCount = mesh.parts.length / 2;
  for (let part = 0; part < partCount; part++) {
    const shell = mesh.parts[2 * part] as number;
    const end = mesh.parts[2 * part + 1] as number;
    assertNoEdgesMeet(mesh, shell, end);

    // No hole edge meets the outer ring, so one vertex decides whether the whole hole is inside.
    const query = new QueryPoint();
    for (let hole = shell + 1; hole < end; hole++) {
      const first = mesh.rings[4 * hole] as number;
      query.set(mesh.lats[first] as number, mesh.lons[first] as number);
      if (!ringCrossingParity(mesh, shell, query)) {
        const input = mesh.ringInputs[hole]!;
        throw invalidInput(input.path, input.value, `a hole inside the outer ring ${mesh.ringInputs[shell]!.path}`);
      }
    }
  }
}

/**
 * Finds candidate pairs of edges of rings shell, ..., end - 1 through an R-tree of
 * edge boxes and throws at the first pair that meets. Longitudes are unwrapped
 * along each ring, and each hole starts from the copy of its first longitude that
 * lies in the outer ring's span, so boxes of nearby edges overlap even across the
 * antimeridian. A ring that encloses no pole spans less than 360° unwrapped.
 */
function assertNoEdgesMeet(mesh: PolygonMesh, shell: number, end: number): void {
  const items: EdgeItem[] = [];
  let shellMinLon = 0;

  for (let ring = shell; ring < end; ring++) {
    const first = mesh.rings[4 * ring] as number;
    const last = (mesh.rings[4 * ring + 1] as number) - 1;
    let lon = mesh.lons[first] as number;
    if (ring > shell) {
      while (lon < shellMinLon) lon += 360;
      while (lon >= shellMinLon + 360) lon -= 360;
    }

    let ringMinLon = lon;
    for (let i = first; i < last; i++) {
      const nextLon = lon + wrapLongitudeDelta((mesh.lons[i + 1] as number) - (mesh.lons[i] as number));
      const [minLat, maxLat] = edgeLatitudeRange(mesh, i);
      items.push({
        minX: Math.min(lon, nextLon) - EDGE_BOX_PAD_DEG,
        minY: minLat - EDGE_BOX_PAD_DEG,
        maxX: Math.max(lon, nextLon) + EDGE_BOX_PAD_DEG,
        maxY: maxLat + EDGE_BOX_PAD_DEG,
        ring,
        edge: i,
      });
      lon = nextLon;
      ringMinLon = Math.min(ringMinLon, lon);
    }
    if (ring === shell) shellMinLon = ringMinLon;
  }

  // The error names the first meeting pair in ring order, whatever order the tree returns.
  const tree = new RBush<EdgeItem>();
  tree.load(items);
  for (const item of items) {
    let firstMet: EdgeItem | undefined;
    for (const other of tree.search(item)) {
      if (other.edge <= item.edge || (firstMet !== undefined && other.edge > firstMet.edge)) continue;
      if (edgesMeet(mesh, item.edge, other.edge, adjacency(mesh, item, other))) firstMet = other;
    }
    if (firstMet !== undefined) throw meetingEdgesError(mesh, item, firstMet);
  }
}

/** Kind of vertex sharing between two edges: 'next' when `b` follows `a` in one ring, 'closing' when `b` is its last edge and `a` its first. */
type Adjacency = 'none' | 'next' | 'closing';

function adjacency(mesh: PolygonMesh, a: EdgeItem, b: EdgeItem): Adjacency {
  if (a.ring !== b.ring) return 'none';
  if (b.edge === a.edge + 1) return 'next';
  const first = mesh.rings[4 * a.ring] as number;
  const lastEdge = (mesh.rings[4 * a.ring + 1] as number) - 2;
  return a.edge === first && b.edge === lastEdge ? 'closing' : 'none';
}

/**
 * Tells whether edges `i` and `j` (i < j) meet. Edges that share a vertex meet
 * elsewhere only when one folds back onto the other, which puts the far end of one
 * on the other. Other edges meet when an end of one lies on the other, or when
 * each crosses the other's great circle at the same one of the two points where
 * the circles intersect.
 */
function edgesMeet(mesh: PolygonMesh, i: number, j: number, shared: Adjacency): boolean {
  if (shared === 'next') return pointArcAngle(mesh, i, j) <= TOUCH_RAD || pointArcAngle(mesh, j + 1, i) <= TOUCH_RAD;
  if (shared === 'closing') return pointArcAngle(mesh, i + 1, j) <= TOUCH_RAD || pointArcAngle(mesh, j, i) <= TOUCH_RAD;

  // An arc whose ends both lie farther than TOUCH_RAD on one side of the other arc's circle
  // stays on that side, because such a cap is convex. Most candidate pairs end here.
  const sideC = vertexDot(mesh, j, i);
  const sideD = vertexDot(mesh, j + 1, i);
  const sideA = vertexDot(mesh, i, j);
  const sideB = vertexDot(mesh, i + 1, j);
  if (sameSide(sideC, sideD) || sameSide(sideA, sideB)) return false;

  if (
    pointArcAngle(mesh, i, j) <= TOUCH_RAD ||
    pointArcAngle(mesh, i + 1, j) <= TOUCH_RAD ||
    pointArcAngle(mesh, j, i) <= TOUCH_RAD ||
    pointArcAngle(mesh, j + 1, i) <= TOUCH_RAD
  ) {
    return true;
  }

  if (!(sideC * sideD < 0 && sideA * sideB < 0)) return false;

  // The circles meet at ±X with X = n1 × n2. An arc shorter than 180° contains the one of
  // the two that lies on the side of its midpoint.
  const e = mesh.edges;
  const n1 = EDGE_STRIDE * i;
  const n2 = EDGE_STRIDE * j;
  const x = (e[n1 + 1] as number) * (e[n2 + 2] as number) - (e[n1 + 2] as number) * (e[n2 + 1] as number);
  const y = (e[n1 + 2] as number) * (e[n2] as number) - (e[n1] as number) * (e[n2 + 2] as number);
  const z = (e[n1] as number) * (e[n2 + 1] as number) - (e[n1 + 1] as number) * (e[n2] as number);
  return midpointDot(mesh, i, x, y, z) * midpointDot(mesh, j, x, y, z) > 0;
}

/** Tells whether two signed distances (sines) from a great circle are both beyond `TOUCH_RAD` on the same side. */
function sameSide(a: number, b: number): boolean {
  return (a > TOUCH_RAD && b > TOUCH_RAD) || (a < -TOUCH_RAD && b < -TOUCH_RAD);
}

/** Returns the angle from vertex `vertex` to the arc of edge `edge`. */
function pointArcAngle(mesh: PolygonMesh, vertex: number, edge: number): number {
  const inArc = vertexDot(mesh, vertex, edge, 3) > 0 && vertexDot(mesh, vertex, edge, 6) > 0;
  if (inArc) return Math.asin(Math.min(1, Math.abs(vertexDot(mesh, vertex, edge))));
  return Math.min(chordAngle(mesh, vertex, edge), chordAngle(mesh, vertex, edge + 1));
}

/** Returns v · w for vertex `vertex` and the vector stored at `component` of edge `edge`. */
function vertexDot(mesh: PolygonMesh, vertex: number, edge: number, component = 0): number {
  const v = mesh.vertices;
  const e = mesh.edges;
  const o = EDGE_STRIDE * edge + component;
  return (v[3 * vertex] as number) * (e[o] as number) + (v[3 * vertex + 1] as number) * (e[o + 1] as number) + (v[3 * vertex + 2] as number) * (e[o + 2] as number);
}

function chordAngle(mesh: PolygonMesh, a: number, b: number): number {
  const v = mesh.vertices;
  const dx = (v[3 * a] as number) - (v[3 * b] as number);
  const dy = (v[3 * a + 1] as number) - (v[3 * b + 1] as number);
  const dz = (v[3 * a + 2] as number) - (v[3 * b + 2] as number);
  const chord = Math.sqrt(dx * dx + dy * dy + dz * dz);
  return 2 * Math.asin(Math.min(1, chord / 2));
}

/** Returns (x, y, z) · (A + B) for the ends A and B of edge `edge`. */
function midpointDot(mesh: PolygonMesh, edge: number, x: number, y: number, z: number): number {
  const v = mesh.vertices;
  const a = 3 * edge;
  return x * ((v[a] as number) + (v[a + 3] as number)) + y * ((v[a + 1] as number) + (v[a + 4] as number)) + z * ((v[a + 2] as number) + (v[a + 5] as number));
}

function meetingEdgesError(mesh: PolygonMesh, a: EdgeItem, b: EdgeItem): Error {
  const ringA = mesh.ringInputs[a.ring]!;
  const ringB = mesh.ringInputs[b.ring]!;
  const sourceA = ringA.sourceIndex[a.edge - (mesh.rings[4 * a.ring] as number)] as number;
  const sourceB = ringB.sourceIndex[b.edge - (mesh.rings[4 * b.ring] as number)] as number;
  const edgeA = `the edge from ${ringA.path}[${sourceA}]`;
  const edgeB = `the edge from ${ringB.path}[${sourceB}]`;
  if (a.ring === b.ring) {
    return invalidInput(`${ringA.path}[${sourceA}]`, (ringA.value as unknown[])[sourceA], `a ring whose edges do not cross or touch, but ${edgeA} meets ${edgeB}`);
  }
  // Rings come outer ring first, so `b` is a hole: the error names the hole's position.
  return invalidInput(
    `${ringB.path}[${sourceB}]`,
    (ringB.value as unknown[])[sourceB],
    `a hole that does not cross or touch another ring, but ${edgeB} meets ${edgeA}`,
  );
}
