// Compares PreparedPolygon with PostGIS geography (ST_Covers, ST_Distance on the
// sphere) on the embedded store. The taxi part needs the real SF cabspotting
// trajectories where `defaultDataFile` looks for them. They are licensed for
// internal testing only, so they are read in place and never copied here, and the
// part skips only when the file is absent. The synthetic parts always run.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { silentLogger } from '../../common/logger.js';
import { seededRandom } from '../../common/seeded-random.js';
import { defaultDataFile } from '../../demo/data-files.js';
import { readTrajectories } from '../../demo/trajectories.js';
import { destinationPoint } from '../../engine/geo.js';
import { preparePolygon, type PreparedPolygon } from '../../engine/polygon.js';
import type { GeoJsonMultiPolygon, GeoJsonPolygon, Position } from '../../engine/types.js';
import { openPglite } from '../../store/pglite.js';
import type { Db } from '../../store/types.js';

const TRAJECTORIES = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

/** Points this close to the boundary (metres) are left out: the two implementations may round differently there. */
const BOUNDARY_BAND_M = 0.05;

/** Distances may differ by the two sphere radii (4.5e-9 relative, see EARTH_RADIUS_M) plus rounding. */
const DISTANCE_TOLERANCE_M = 0.001;
const DISTANCE_TOLERANCE_RELATIVE = 1e-8;

type Geometry = GeoJsonPolygon | GeoJsonMultiPolygon;

/** Downtown San Francisco: a concave outer ring with two holes. */
const DOWNTOWN: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-122.435, 37.768],
      [-122.405, 37.762],
      [-122.388, 37.775],
      [-122.392, 37.795],
      [-122.405, 37.808],
      [-122.414, 37.79],
      [-122.425, 37.806],
      [-122.44, 37.79],
      [-122.435, 37.768],
    ],
    [
      [-122.42, 37.775],
      [-122.41, 37.774],
      [-122.409, 37.781],
      [-122.418, 37.783],
      [-122.42, 37.775],
    ],
    [
      [-122.4, 37.785],
      [-122.395, 37.79],
      [-122.401, 37.792],
      [-122.4, 37.785],
    ],
  ],
};

/** The Mission with a hole, and the airport: two parts far apart. */
const MISSION_AND_AIRPORT: GeoJsonMultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [-122.43, 37.748],
        [-122.405, 37.748],
        [-122.405, 37.77],
        [-122.43, 37.77],
        [-122.43, 37.748],
      ],
      [
        [-122.42, 37.755],
        [-122.413, 37.755],
        [-122.413, 37.762],
        [-122.42, 37.762],
        [-122.42, 37.755],
      ],
    ],
    [
      [
        [-122.4, 37.6],
        [-122.37, 37.605],
        [-122.375, 37.63],
        [-122.395, 37.625],
        [-122.4, 37.6],
      ],
    ],
  ],
};

/** Returns a comb of 8 teeth over downtown: 36 edges, so queries use more than one chunk of edges. */
function combPolygon(): GeoJsonPolygon {
  const ring: Position[] = [[-122.45, 37.76]];
  for (let tooth = 0; tooth < 8; tooth++) {
    const west = -122.45 + tooth * 0.0075;
    ring.push([west + 0.0025, 37.76], [west + 0.0025, 37.8], [west + 0.005, 37.8], [west + 0.005, 37.76]);
  }
  ring.push([-122.39, 37.76], [-122.39, 37.81], [-122.45, 37.81], [-122.45, 37.76]);
  return { type: 'Polygon', coordinates: [ring] };
}

/** Islands across the antimeridian, with a hole that crosses it too. */
const ANTIMERIDIAN: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [177.5, -19.5],
      [-178.5, -19.8],
      [-178.0, -17.0],
      [-179.5, -16.0],
      [179.0, -15.6],
      [178.0, -16.8],
      [177.5, -19.5],
    ],
    [
      [179.6, -18.2],
      [-179.6, -18.2],
      [-179.6, -17.4],
      [179.6, -17.4],
      [179.6, -18.2],
    ],
  ],
};

/** A ring near the north pole, with a hole. It spans 160° of longitude, so its edges bulge far poleward. */
const NORTH_POLAR: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-40, 88.5],
      [40, 88.8],
      [120, 88.5],
      [110, 89.8],
      [0, 89.9],
      [-30, 89.6],
      [-40, 88.5],
    ],
    [
      [20, 89.0],
      [60, 89.0],
      [60, 89.4],
      [20, 89.4],
      [20, 89.0],
    ],
  ],
};

/** A ring near the south pole, across the antimeridian. */
const SOUTH_POLAR: GeoJsonPolygon = {
  type: 'Polygon',
  coordinates: [
    [
      [150, -89.0],
      [-150, -89.2],
      [-120, -88.0],
      [170, -87.5],
      [150, -89.0],
    ],
  ],
};

interface Comparison {
  compared: number;
  inside: number;
  disagreements: Array<{ lat: number; lon: number; ours: boolean; postgis: boolean; boundaryM: number }>;
  distanceErrors: Array<{ lat: number; lon: number; oursM: number; postgisM: number }>;
}

/**
 * Runs contains() and distanceOutsideM() on every point and compares them with one
 * batched PostGIS query. Points within `BOUNDARY_BAND_M` of the boundary are skipped.
 */
async function compareWithPostgis(db: Db, geometry: Geometry, points: Array<[number, number]>): Promise<Comparison> {
  const prepared = preparePolygon('geometry', geometry);
  const offBoundary = points.filter(([lat, lon]) => prepared.boundaryDistanceM(lat, lon) >= BOUNDARY_BAND_M);
  const rows = await db.query<{ covers: boolean; distance_m: number }>(
    `WITH poly AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)::geography AS g)
     SELECT ST_Covers(poly.g, p.g) AS covers, ST_Distance(poly.g, p.g, false) AS distance_m
     FROM poly, (
       SELECT n, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS g
       FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS u(lat, lon, n)
     ) AS p
     ORDER BY p.n`,
    [JSON.stringify(geometry), offBoundary.map(([lat]) => lat), offBoundary.map(([, lon]) => lon)],
  );
  expect(rows).toHaveLength(offBoundary.length);

  const result: Comparison = { compared: offBoundary.length, inside: 0, disagreements: [], distanceErrors: [] };
  offBoundary.forEach(([lat, lon], i) => {
    const row = rows[i]!;
    const ours = prepared.contains(lat, lon);
    if (ours) result.inside++;
    if (ours !== row.covers) {
      result.disagreements.push({ lat, lon, ours, postgis: row.covers, boundaryM: prepared.boundaryDistanceM(lat, lon) });
    }

    const oursM = prepared.distanceOutsideM(lat, lon);
    const postgisM = Number(row.distance_m);
    if (Math.abs(oursM - postgisM) > DISTANCE_TOLERANCE_M + DISTANCE_TOLERANCE_RELATIVE * postgisM) {
      result.distanceErrors.push({ lat, lon, oursM, postgisM });
    }
  });
  return result;
}

/**
 * Returns points a few centimetres to 50 m from the boundary in random directions,
 * where great-circle edges and straight lon/lat edges disagree the most.
 */
function pointsNearBoundary(geometry: Geometry, count: number, seed: number): Array<[number, number]> {
  const next = seededRandom(seed);
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  const edges = rings.flatMap((ring) => ring.slice(1).map((end, i) => [ring[i]!, end] as const));
  const points: Array<[number, number]> = [];

  for (let i = 0; i < count; i++) {
    const [a, b] = edges[Math.floor(next() * edges.length)]!;
    const [lat, lon] = pointOnArc(a, b, next());
    points.push(destinationPoint(lat, lon, next() * 360, 0.06 + next() * 50));
  }
  return points;
}

/** Returns the point at fraction `t` of the chord between a and b, projected onto the sphere: a point of the arc from a to b. */
function pointOnArc(a: Position, b: Position, t: number): [number, number] {
  const va = unitVector(a);
  const vb = unitVector(b);
  const x = va[0] + t * (vb[0] - va[0]);
  const y = va[1] + t * (vb[1] - va[1]);
  const z = va[2] + t * (vb[2] - va[2]);
  return [(Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI, (Math.atan2(y, x) * 180) / Math.PI];
}

function unitVector([lon, lat]: Position): [number, number, number] {
  const latRad = (lat * Math.PI) / 180;
  const lonRad = (lon * Math.PI) / 180;
  return [Math.cos(latRad) * Math.cos(lonRad), Math.cos(latRad) * Math.sin(lonRad), Math.sin(latRad)];
}

/** Returns `count` points uniform in the lon/lat box, which may cross the antimeridian (west > east). */
function pointsInBox(west: number, south: number, east: number, north: number, count: number, seed: number): Array<[number, number]> {
  const next = seededRandom(seed);
  const width = east >= west ? east - west : east + 360 - west;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const lon = west + next() * width;
    points.push([south + next() * (north - south), lon > 180 ? lon - 360 : lon]);
  }
  return points;
}

function expectAgreement(name: string, comparison: Comparison, minimumCompared: number): void {
  expect(comparison.compared, `${name}: points compared`).toBeGreaterThan(minimumCompared);
  expect(comparison.inside, `${name}: points inside`).toBeGreaterThan(comparison.compared / 20);
  expect(comparison.inside, `${name}: points outside`).toBeLessThan(comparison.compared * 0.95);
  expect(comparison.disagreements.slice(0, 10), `${name}: ${comparison.disagreements.length} disagreements`).toEqual([]);
  expect(comparison.distanceErrors.slice(0, 10), `${name}: ${comparison.distanceErrors.length} distance errors`).toEqual([]);
}

describe('PreparedPolygon against PostGIS geography', () => {
  let db: Db;

  beforeAll(async () => {
    db = await openPglite({ logger: silentLogger() });
    await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
  });

  afterAll(async () => {
    await db?.close();
  });

  describe.skipIf(!existsSync(TRAJECTORIES))('SF taxi fixes (skipped without the cabspotting data file)', () => {
    let fixes: Array<[number, number]>;

    beforeAll(async () => {
      const { fixes: all } = await readTrajectories(TRAJECTORIES);
      fixes = all.map((fix) => [fix.lat, fix.lon]);
    });

    const polygons: Array<{ name: string; geometry: Geometry }> = [
      { name: 'downtown with two holes', geometry: DOWNTOWN },
      { name: 'Mission and airport', geometry: MISSION_AND_AIRPORT },
      { name: 'comb', geometry: combPolygon() },
    ];
    for (const { name, geometry } of polygons) {
      it(`agrees on every fix (${name})`, async () => {
        const comparison = await compareWithPostgis(db, geometry, fixes);
        expectAgreement(name, comparison, 40_000);
      });
    }

    it('agrees near the boundaries of the SF polygons', async () => {
      for (const { name, geometry } of polygons) {
        const comparison = await compareWithPostgis(db, geometry, pointsNearBoundary(geometry, 3_000, 17));
        expectAgreement(name, comparison, 2_900);
      }
    });
  });

  it('agrees around a polygon across the antimeridian', async () => {
    const points = [...pointsInBox(177, -20.3, -177.5, -15, 6_000, 31), ...pointsNearBoundary(ANTIMERIDIAN, 3_000, 32)];
    expectAgreement('antimeridian', await compareWithPostgis(db, ANTIMERIDIAN, points), 8_900);
  });

  it('agrees around polygons near the poles', async () => {
    const north = [...pointsInBox(-180, 88.2, 180, 90, 6_000, 41), ...pointsNearBoundary(NORTH_POLAR, 3_000, 42)];
    expectAgreement('north pole', await compareWithPostgis(db, NORTH_POLAR, north), 8_900);

    const south = [...pointsInBox(-180, -90, 180, -87.2, 6_000, 43), ...pointsNearBoundary(SOUTH_POLAR, 3_000, 44)];
    expectAgreement('south pole', await compareWithPostgis(db, SOUTH_POLAR, south), 8_900);
  });
});
