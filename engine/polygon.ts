import { EARTH_RADIUS_M, type BBox } from './geo.js';
import { coverPolygonCells } from './polygon-cells.js';
import { readPolygonRings } from './polygon-geojson.js';
import { findLabelPoint } from './polygon-label.js';
import { BOX_STRIDE, buildPolygonMesh, normalizeLongitude, ringAreaSr, type PolygonMesh } from './polygon-mesh.js';
import { boundaryAngle, inRingBox, nearRingBoundary, QueryPoint, ringCrossingParity } from './polygon-query.js';
import { assertSimpleRings } from './polygon-simple.js';

export { MAX_COVER_CELLS } from './polygon-cells.js';
export { MAX_POLYGON_POSITIONS } from './polygon-geojson.js';
export { ON_BOUNDARY_M } from './polygon-mesh.js';

/**
 * A validated polygon or multipolygon with holes, ready for point queries. Edges are
 * great-circle arcs on a sphere of radius `EARTH_RADIUS_M`, as in PostGIS
 * geography, so an edge from longitude 179 to -179 is the short arc across the
 * antimeridian. Parts of a multipolygon may overlap: a point in any part is inside.
 *
 * The queries take degrees, do not validate (NaN in, false or NaN out) and
 * allocate nothing. They share scratch space, so an instance is not re-entrant,
 * which single-threaded JavaScript never needs.
 */
export class PreparedPolygon {
  /**
   * Lon/lat boxes containing the polygon, poleward bulges of the edges included: one
   * box, or two when it crosses or touches the antimeridian, as `circleBoxes` returns.
   * For parts far apart, the one box spans the gap between them.
   */
  readonly boxes: BBox[];
  /** A point inside the polygon, away from its boundary, for tests and labels. */
  readonly labelPoint: { lat: number; lon: number };
  /** Area in square metres: each outer ring's area less its holes', summed over parts. */
  readonly areaM2: number;

  private readonly mesh: PolygonMesh;
  private readonly query = new QueryPoint();
  private readonly lowerBounds: Float64Array;

  /** Takes a mesh whose rings passed validation. Call `preparePolygon` instead. */
  constructor(mesh: PolygonMesh) {
    this.mesh = mesh;
    this.lowerBounds = new Float64Array(mesh.chunkVertices.length / 2);
    this.boxes = polygonBoxes(mesh);
    this.areaM2 = polygonAreaM2(mesh);
    this.labelPoint = findLabelPoint(mesh, this);
  }

  /**
   * Tells whether the point is inside the outer ring of some part and not inside one
   * of that part's holes. Points on the boundary, within `ON_BOUNDARY_M`, are inside.
   */
  contains(lat: number, lon: number): boolean {
    const mesh = this.mesh;
    const q = this.query;
    q.set(lat, lon);

    const partCount = mesh.parts.length / 2;
    for (let part = 0; part < partCount; part++) {
      const shell = mesh.parts[2 * part] as number;
      if (!inRingBox(mesh, shell, q)) continue;
      if (!ringCrossingParity(mesh, shell, q) && !nearRingBoundary(mesh, shell, q)) continue;

      // A point on a hole's boundary is on the polygon's boundary, so it stays inside.
      let inHole = false;
      const end = mesh.parts[2 * part + 1] as number;
      for (let hole = shell + 1; hole < end && !inHole; hole++) {
        inHole = inRingBox(mesh, hole, q) && ringCrossingParity(mesh, hole, q) && !nearRingBoundary(mesh, hole, q);
      }
      if (!inHole) return true;
    }
    return false;
  }

  /**
   * Returns 0 when `contains` is true, else the great-circle distance in metres to the
   * nearest boundary point, edge interiors included.
   */
  distanceOutsideM(lat: number, lon: number): number {
    return this.contains(lat, lon) ? 0 : this.boundaryDistanceM(lat, lon);
  }

  /** Returns the great-circle distance in metres to the nearest boundary point, from inside or outside. */
  boundaryDistanceM(lat: number, lon: number): number {
    this.query.set(lat, lon);
    return boundaryAngle(this.mesh, this.query, this.lowerBounds) * EARTH_RADIUS_M;
  }

  /**
   * Lists the H3 cells at `resolution` that the polygon touches, sorted: `inner` cells
   * lie wholly inside, so a point there needs no exact test, and `boundary` cells need
   * `contains`. Together they contain `latLngToCell(p)` for every point p inside.
   *
   * Runs in time proportional to the cells listed. Throws `invalidInput` for a
   * resolution outside [0, 15], or one at which the polygon touches more than
   * `MAX_COVER_CELLS` cells (see `areaM2` to choose a resolution).
   */
  coverCells(resolution: number): { inner: string[]; boundary: string[] } {
    const mesh = this.mesh;
    const seeds: Array<{ lat: number; lon: number }> = [];
    for (let part = 0; part < mesh.parts.length / 2; part++) {
      const first = mesh.rings[4 * (mesh.parts[2 * part] as number)] as number;
      seeds.push({ lat: mesh.lats[first] as number, lon: mesh.lons[first] as number });
    }
    return coverPolygonCells(this, seeds, resolution);
  }
}

/**
 * Validates a GeoJSON Polygon or MultiPolygon and prepares it for queries.
 *
 * Throws `invalidInput` naming the exact field path (such as
 * `${field}.coordinates[0][3]`), the value and what was expected. It rejects:
 * - a wrong type, or a ring of fewer than 4 positions or not closed
 * - a non-finite or out-of-range longitude or latitude
 * - more than `MAX_POLYGON_POSITIONS` positions in all
 * - a ring that touches or encloses a pole, or has an edge spanning 180° of longitude
 * - a ring of zero area (consecutive duplicate positions are fine)
 * - a ring whose edges cross or touch
 * - a hole outside its outer ring, or crossing or touching another ring
 */
export function preparePolygon(field: string, geometry: unknown): PreparedPolygon {
  const mesh = buildPolygonMesh(readPolygonRings(field, geometry));
  assertSimpleRings(mesh);
  return new PreparedPolygon(mesh);
}

function polygonAreaM2(mesh: PolygonMesh): number {
  let areaSr = 0;
  for (let part = 0; part < mesh.parts.length / 2; part++) {
    const shell = mesh.parts[2 * part] as number;
    areaSr += ringAreaSr(mesh, shell);
    for (let hole = shell + 1; hole < (mesh.parts[2 * part + 1] as number); hole++) areaSr -= ringAreaSr(mesh, hole);
  }
  return areaSr * EARTH_RADIUS_M * EARTH_RADIUS_M;
}

/**
 * Computes the boxes of the outer rings' union: the latitude range of all of them,
 * and the shortest longitude arc that contains every ring's longitude span, which is
 * the circle less the widest gap between spans.
 */
function polygonBoxes(mesh: PolygonMesh): BBox[] {
  const spans: Array<{ start: number; width: number }> = [];
  let minY = 90;
  let maxY = -90;
  for (let part = 0; part < mesh.parts.length / 2; part++) {
    const o = BOX_STRIDE * (mesh.parts[2 * part] as number);
    const halfWidth = mesh.ringBoxes[o + 1] as number;
    spans.push({ start: normalizeLongitude((mesh.ringBoxes[o] as number) - halfWidth), width: 2 * halfWidth });
    minY = Math.min(minY, mesh.ringBoxes[o + 2] as number);
    maxY = Math.max(maxY, mesh.ringBoxes[o + 3] as number);
  }
  minY = Math.max(-90, minY);
  maxY = Math.min(90, maxY);

  // Each gap ends where a span starts. Before the first span, the reach is the furthest
  // end of any span less 360, which accounts for spans that wrap past the first start.
  spans.sort((a, b) => a.start - b.start);
  let reach = Math.max(...spans.map((span) => span.start + span.width)) - 360;
  let widestGap = 0;
  let arcStart = -180;
  for (const span of spans) {
    if (span.start - reach > widestGap) {
      widestGap = span.start - reach;
      arcStart = span.start;
    }
    reach = Math.max(reach, span.start + span.width);
  }
  if (widestGap <= 0) return [{ minX: -180, minY, maxX: 180, maxY }];

  // A box ending exactly at ±180 is split too, as in `circleBoxes`, so both spellings of that meridian are inside.
  const minX = arcStart;
  const maxX = arcStart + 360 - widestGap;
  if (maxX >= 180) {
    return [
      { minX, minY, maxX: 180, maxY },
      { minX: -180, minY, maxX: maxX - 360, maxY },
    ];
  }
  if (minX <= -180) {
    return [
      { minX: 180, minY, maxX: 180, maxY },
      { minX: -180, minY, maxX, maxY },
    ];
  }
  return [{ minX, minY, maxX, maxY }];
}
