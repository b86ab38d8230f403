import { DEG_TO_RAD } from './geo.js';
import { BOX_STRIDE, normalizeLongitude, type PolygonMesh } from './polygon-mesh.js';

const RAD_TO_DEG = 180 / Math.PI;

/** Meridians sampled per part when looking for a label point. */
const LABEL_MERIDIANS = 8;

/** Inside stretches tried per meridian, longest first. */
const STRETCHES_PER_MERIDIAN = 4;

/** The queries that choosing a label point needs. */
export interface LabelTarget {
  contains(lat: number, lon: number): boolean;
  boundaryDistanceM(lat: number, lon: number): number;
}

/**
 * Chooses a point inside the polygon, away from its boundary. Along a few meridians
 * through each part, the edges of the part's rings cut the meridian into stretches
 * that alternate outside and inside, starting outside at the north pole. The
 * midpoints of the longest inside stretches are candidates, and the candidate
 * farthest from the boundary wins. Falls back to the first vertex, which is on the boundary and
 * so inside, if no candidate passes `contains`.
 */
export function findLabelPoint(mesh: PolygonMesh, polygon: LabelTarget): { lat: number; lon: number } {
  let best = { lat: mesh.lats[0] as number, lon: mesh.lons[0] as number };
  let bestDistanceM = -1;
  const partCount = mesh.parts.length / 2;

  for (let part = 0; part < partCount; part++) {
    const shell = mesh.parts[2 * part] as number;
    const end = mesh.parts[2 * part + 1] as number;
    const centre = mesh.ringBoxes[BOX_STRIDE * shell] as number;
    const halfWidth = mesh.ringBoxes[BOX_STRIDE * shell + 1] as number;

    for (let k = 0; k < LABEL_MERIDIANS; k++) {
      const lon = normalizeLongitude(centre - halfWidth + ((k + 0.5) * 2 * halfWidth) / LABEL_MERIDIANS);
      const crossings = meridianCrossings(mesh, shell, end, lon).sort((a, b) => b - a);

      // Only the longest few stretches are tried: a ring with thousands of teeth must not
      // cost thousands of distance queries.
      const stretches: Array<[number, number]> = [];
      for (let i = 0; i + 1 < crossings.length; i += 2) stretches.push([crossings[i] as number, crossings[i + 1] as number]);
      stretches.sort((a, b) => b[0] - b[1] - (a[0] - a[1]));

      for (const [north, south] of stretches.slice(0, STRETCHES_PER_MERIDIAN)) {
        const lat = (north + south) / 2;
        if (!polygon.contains(lat, lon)) continue;
        const distanceM = polygon.boundaryDistanceM(lat, lon);
        if (distanceM > bestDistanceM) {
          best = { lat, lon };
          bestDistanceM = distanceM;
        }
      }
    }
  }
  return best;
}

/** Returns the latitudes in degrees where the edges of rings first, ..., end - 1 cross the half meridian at `lon`. */
function meridianCrossings(mesh: PolygonMesh, firstRing: number, endRing: number, lon: number): number[] {
  const v = mesh.vertices;
  const mx = -Math.sin(lon * DEG_TO_RAD);
  const my = Math.cos(lon * DEG_TO_RAD);
  const crossings: number[] = [];

  for (let ring = firstRing; ring < endRing; ring++) {
    const first = mesh.rings[4 * ring] as number;
    const last = (mesh.rings[4 * ring + 1] as number) - 1;
    for (let i = first; i < last; i++) {
      const sideA = (v[3 * i] as number) * mx + (v[3 * i + 1] as number) * my;
      const sideB = (v[3 * i + 3] as number) * mx + (v[3 * i + 4] as number) * my;
      if (sideA > 0 === sideB > 0) continue;

      // X = sideB A - sideA B lies in the meridian plane, on the arc or opposite it.
      const sign = sideB > sideA ? 1 : -1;
      const x = sign * (sideB * (v[3 * i] as number) - sideA * (v[3 * i + 3] as number));
      const y = sign * (sideB * (v[3 * i + 1] as number) - sideA * (v[3 * i + 4] as number));
      const z = sign * (sideB * (v[3 * i + 2] as number) - sideA * (v[3 * i + 5] as number));
      if (x * my - y * mx <= 0) continue;
      crossings.push(Math.atan2(z, Math.hypot(x, y)) * RAD_TO_DEG);
    }
  }
  return crossings;
}
