import { cellToBoundary, cellToLatLng, gridDisk, latLngToCell } from 'h3-js';

import { invalidInput } from '../common/errors.js';
import { distanceM } from './geo.js';

/**
 * Slack in metres added to the cell circumradius in both tests below. It absorbs
 * rounding in H3's face projection and in the distances, both far below a millimetre.
 */
const COVER_SLACK_M = 1;

/**
 * Maximum cells one cover may list. A polygon of 50,000 km² touches about 500,000
 * cells at resolution 9, and each cell costs a distance query, so a larger cover
 * means the caller picked too fine a resolution for the polygon.
 */
export const MAX_COVER_CELLS = 500_000;

/** The queries that covering a polygon needs. */
export interface CoverTarget {
  contains(lat: number, lon: number): boolean;
  boundaryDistanceM(lat: number, lon: number): number;
}

/**
 * Lists the H3 cells at `resolution` that the polygon touches, split into cells
 * wholly inside it and cells that meet its boundary. Both lists are sorted.
 *
 * Flood fill from the cells of `seeds`, one boundary point per part. A cell is kept
 * when its centre is inside, or within its circumradius (plus slack) of the
 * boundary: a cell that contains a polygon point p fails neither, because the path
 * from an outside centre to p crosses the boundary within the circumradius. The
 * cells touching one part form a connected patch, so the fill reaches all of them.
 * A kept cell is inner when its centre is inside and farther than its circumradius
 * from the boundary, since the disk of that radius then lies inside and contains
 * the cell.
 */
export function coverPolygonCells(
  polygon: CoverTarget,
  seeds: Array<{ lat: number; lon: number }>,
  resolution: number,
): { inner: string[]; boundary: string[] } {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
    throw invalidInput('resolution', resolution, 'an H3 resolution, an integer in [0, 15]');
  }

  const seen = new Set<string>();
  const pending: string[] = [];
  for (const seed of seeds) {
    const cell = latLngToCell(seed.lat, seed.lon, resolution);
    if (seen.has(cell)) continue;
    seen.add(cell);
    pending.push(cell);
  }

  const inner: string[] = [];
  const boundary: string[] = [];
  while (pending.length > 0) {
    const cell = pending.pop() as string;
    const [lat, lon] = cellToLatLng(cell);
    const reachM = cellCircumradiusM(cell, lat, lon) + COVER_SLACK_M;
    const inside = polygon.contains(lat, lon);
    const boundaryM = polygon.boundaryDistanceM(lat, lon);
    if (!inside && boundaryM > reachM) continue;

    if (inside && boundaryM > reachM) inner.push(cell);
    else boundary.push(cell);
    if (inner.length + boundary.length > MAX_COVER_CELLS) {
      throw invalidInput('resolution', resolution, `a resolution at which the polygon touches at most ${MAX_COVER_CELLS} cells`);
    }

    for (const neighbour of gridDisk(cell, 1)) {
      if (seen.has(neighbour)) continue;
      seen.add(neighbour);
      pending.push(neighbour);
    }
  }

  return { inner: inner.sort(), boundary: boundary.sort() };
}

/** Returns the largest distance in metres from the centre of `cell` to one of its boundary vertices. */
export function cellCircumradiusM(cell: string, centreLat: number, centreLon: number): number {
  let maxM = 0;
  for (const [vertexLat, vertexLon] of cellToBoundary(cell)) {
    maxM = Math.max(maxM, distanceM(centreLat, centreLon, vertexLat, vertexLon));
  }
  return maxM;
}
