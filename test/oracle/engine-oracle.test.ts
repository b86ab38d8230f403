// Compares the inside/outside results of ProximityEngine with PostGIS geography on
// the embedded store: circles against ST_DWithin and polygons against ST_Covers, both
// on the sphere. The points are the real SF cabspotting taxi fixes, in San Francisco
// and moved to the antimeridian and near the north pole. The trajectories are
// licensed for internal testing only, so they are read in place where
// `defaultDataFile` looks for them, never copied here, and every test skips only when
// that file is absent. The fences are built from the bundled SF permit file.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { silentLogger } from '../../common/logger.js';
import { BUNDLED_PERMITS, defaultDataFile } from '../../demo/data-files.js';
import { readApprovedPermits } from '../../demo/permits.js';
import { readTrajectories, type TrajectoryFix } from '../../demo/trajectories.js';
import { DEG_TO_RAD, destinationPoint, distanceM } from '../../engine/geo.js';
import { ProximityEngine } from '../../engine/index.js';
import type { CircleFence, Fence, FenceRules, GeoJsonMultiPolygon, GeoJsonPolygon, PolygonFence, Position } from '../../engine/index.js';
import { openPglite } from '../../store/pglite.js';
import type { Db } from '../../store/types.js';

const TRAJECTORIES = defaultDataFile('sf_cabspotting_2008-06-04_1100-1300_PDT.csv');

/** Pairs this close to a fence boundary (metres) are left out: the two implementations may round differently there. */
const BOUNDARY_BAND_M = 0.05;

/** Radii of the circles around every truck. Both are below the R-tree threshold (about 2 km at resolution 9). */
const SMALL_RADII_M = [150, 400];

/**
 * Circles above the R-tree threshold, around trucks by permit location id: downtown
 * (100 Geary St), the Mission (1800 Mission St) and the Bayview (220 Rankin St).
 */
const LARGE_CIRCLES = [
  { locationId: '1571660', radiusM: 3_000 },
  { locationId: '1568965', radiusM: 4_000 },
  { locationId: '1575170', radiusM: 5_000 },
];

/** The truck whose place the moved fixes and fences are centred on: 100 Geary St, where taxi fixes are densest. */
const HUB_LOCATION_ID = '1571660';

/**
 * Rules under which a device's inside set after each ping is exactly the set of fences
 * containing that ping: no exit margin, and no speed or stale limit to hold a ping back.
 */
const TRACKING_RULES: Partial<FenceRules> = { exitMarginM: 0, maxSpeedMps: Infinity, staleAfterMs: Infinity };

type Geometry = GeoJsonPolygon | GeoJsonMultiPolygon;

/** A truck position in one place: [lat, lon] by permit location id. */
type Trucks = Map<string, [number, number]>;

interface Place {
  name: string;
  /** Temporary table of this place's fixes. */
  table: string;
  /** Where the hub truck is moved to, with every fix and truck kept at its distance and bearing from it. Undefined: SF as recorded. */
  hub: [number, number] | undefined;
  /** Circles that only make sense in this place, as [lat, lon, radius in metres]. */
  extraCircles: (hub: [number, number]) => Array<[number, number, number]>;
}

const PLACES: Place[] = [
  { name: 'SF', table: 'sf_fix', hub: undefined, extraCircles: () => [] },
  {
    // The hub lands 0.002° west of the antimeridian, so the downtown trucks' circles cross it.
    name: 'antimeridian',
    table: 'antimeridian_fix',
    hub: [-17, 179.998],
    // One circle in the cell index centred at lon 180, and one in the R-tree centred at lon -180.
    extraCircles: () => [
      [-17.005, 180, 1_000],
      [-16.99, -180, 2_500],
    ],
  },
  {
    name: 'north pole',
    table: 'polar_fix',
    hub: [89.3, 30],
    // A cap around the pole whose boundary runs through the hub.
    extraCircles: ([lat, lon]) => [[90, 0, distanceM(90, 0, lat, lon)]],
  },
];

/** One place's points and trucks, loaded into PostGIS. */
interface PlaceData {
  place: Place;
  fixes: TrajectoryFix[];
  trucks: Trucks;
}

/** PostGIS's result for one point: the fences covering it and those within `BOUNDARY_BAND_M` of their boundary. */
interface PostgisResult {
  inside: Set<string>;
  nearBoundary: Set<string>;
}

interface Disagreement {
  path: 'fencesNear' | 'process';
  trajectoryId: string;
  lat: number;
  lon: number;
  fenceId: string;
  engine: boolean;
  postgis: boolean;
}

interface Comparison {
  points: number;
  fences: number;
  /** (point, fence) pairs compared: every pair except the excluded ones. */
  comparedPairs: number;
  /** Compared pairs PostGIS finds inside. */
  insidePairs: number;
  /** Points inside at least one fence, by PostGIS, not counting excluded pairs. */
  pointsInside: number;
  /** Pairs left out because the point is within `BOUNDARY_BAND_M` of the fence boundary. */
  excludedPairs: number;
  disagreements: Disagreement[];
}

// ---------------------------------------------------------------------------
// Places: moving fixes and trucks

/** Returns the initial bearing in degrees, clockwise from north, of the great circle from the first point to the second. */
function initialBearingDeg(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const phi1 = lat1 * DEG_TO_RAD;
  const phi2 = lat2 * DEG_TO_RAD;
  const deltaLon = (lon2 - lon1) * DEG_TO_RAD;
  const y = Math.sin(deltaLon) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(deltaLon);
  return Math.atan2(y, x) / DEG_TO_RAD;
}

/**
 * Returns the point at the same great-circle distance and initial bearing from `to` as
 * (lat, lon) has from `from`. This map is a rotation of the sphere, so the distances
 * between fixes and trucks, and the fix density, stay as recorded in SF.
 */
function movePoint(lat: number, lon: number, from: [number, number], to: [number, number]): [number, number] {
  const distance = distanceM(from[0], from[1], lat, lon);
  const bearing = initialBearingDeg(from[0], from[1], lat, lon);
  return destinationPoint(to[0], to[1], bearing, distance);
}

function placeData(place: Place, sfFixes: TrajectoryFix[], sfTrucks: Trucks): PlaceData {
  if (place.hub === undefined) return { place, fixes: sfFixes, trucks: sfTrucks };

  const from = truckAt(sfTrucks, HUB_LOCATION_ID);
  const to = place.hub;
  const fixes = sfFixes.map((fix) => {
    const [lat, lon] = movePoint(fix.lat, fix.lon, from, to);
    return { ...fix, lat, lon };
  });
  const trucks: Trucks = new Map();
  for (const [id, [lat, lon]] of sfTrucks) trucks.set(id, movePoint(lat, lon, from, to));
  return { place, fixes, trucks };
}

function truckAt(trucks: Trucks, locationId: string): [number, number] {
  const position = trucks.get(locationId);
  if (position === undefined) {
    throw new Error(
      `permit location ${locationId} not found among the ${trucks.size} approved locations of ${BUNDLED_PERMITS}: choose a location id from that file`,
    );
  }
  return position;
}

// ---------------------------------------------------------------------------
// Fences

function commonFields(id: string, truckId: string) {
  return { id, campaignId: 'oracle', truckId, activeFrom: -Infinity, activeUntil: Infinity, rules: TRACKING_RULES };
}

function circle(id: string, truckId: string, lat: number, lon: number, radiusM: number): CircleFence {
  return { ...commonFields(id, truckId), shape: 'circle', lat, lon, radiusM };
}

/** Returns circles of every small radius around every truck, the large circles and the place's own circles. */
function circleFences(data: PlaceData): CircleFence[] {
  const fences: CircleFence[] = [];
  for (const [id, [lat, lon]] of data.trucks) {
    for (const radiusM of SMALL_RADII_M) fences.push(circle(`truck-${id}-${radiusM}`, id, lat, lon, radiusM));
  }
  for (const { locationId, radiusM } of LARGE_CIRCLES) {
    const [lat, lon] = truckAt(data.trucks, locationId);
    fences.push(circle(`large-${locationId}-${radiusM}`, locationId, lat, lon, radiusM));
  }

  const hub = truckAt(data.trucks, HUB_LOCATION_ID);
  data.place.extraCircles(hub).forEach(([lat, lon, radiusM], i) => {
    fences.push(circle(`extra-${i}`, HUB_LOCATION_ID, lat, lon, radiusM));
  });
  return fences;
}

/**
 * Returns a closed ring of `vertices` points at `circumradiusM` from the centre, the
 * first at bearing `rotationDeg`. With 4 vertices, rotation 45 gives a square whose
 * edges run roughly east-west and north-south, and rotation 0 a diamond.
 */
function ringAround(centre: [number, number], circumradiusM: number, vertices: number, rotationDeg: number): Position[] {
  const ring: Position[] = [];
  for (let k = 0; k < vertices; k++) {
    const [lat, lon] = destinationPoint(centre[0], centre[1], rotationDeg + (k * 360) / vertices, circumradiusM);
    ring.push([lon, lat]);
  }
  ring.push(ring[0]!);
  return ring;
}

function offset(centre: [number, number], bearingDeg: number, distance: number): [number, number] {
  return destinationPoint(centre[0], centre[1], bearingDeg, distance);
}

function polygon(id: string, truckId: string, geometry: Geometry): PolygonFence {
  return { ...commonFields(id, truckId), shape: 'polygon', geometry };
}

/**
 * Returns polygons with holes built around trucks. A block with an off-centre hole and
 * a multipolygon of two blocks 2.3 km apart go to the cell index. An octagon 7 km across
 * with a pentagon hole goes to the R-tree.
 */
function polygonFences(data: PlaceData): PolygonFence[] {
  const geary = truckAt(data.trucks, '1571660');
  const spear = truckAt(data.trucks, '1575156');
  const larkin = truckAt(data.trucks, '1577113');
  const mission = truckAt(data.trucks, '1568965');

  const block: GeoJsonPolygon = {
    type: 'Polygon',
    coordinates: [ringAround(geary, 700, 4, 45), ringAround(offset(geary, 45, 250), 250, 4, 45)],
  };
  const twoBlocks: GeoJsonMultiPolygon = {
    type: 'MultiPolygon',
    coordinates: [[ringAround(spear, 500, 7, 10), ringAround(spear, 150, 4, 0)], [ringAround(larkin, 450, 4, 0)]],
  };
  const district: GeoJsonPolygon = {
    type: 'Polygon',
    coordinates: [ringAround(mission, 3_500, 8, 22.5), ringAround(mission, 1_000, 5, 0)],
  };
  return [
    polygon('block-with-hole', '1571660', block),
    polygon('two-blocks', '1575156', twoBlocks),
    polygon('district-with-hole', '1568965', district),
  ];
}

// ---------------------------------------------------------------------------
// PostGIS results

/**
 * Loads the points into a temporary table with a GiST index, numbered from 1 in array
 * order. With the index, one fence-set query over the 45,886 SF fixes took about 1 s.
 * A cross join of unnested arrays took about 9 s (measured with these queries, PGlite
 * 0.5.8 on a 2-core machine).
 */
async function loadPoints(db: Db, table: string, fixes: TrajectoryFix[]): Promise<void> {
  await db.query(`CREATE TEMP TABLE ${table} (n integer PRIMARY KEY, g geography(Point, 4326) NOT NULL)`);
  await db.query(
    `INSERT INTO ${table}
     SELECT n, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
     FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lat, lon, n)`,
    [fixes.map((fix) => fix.lat), fixes.map((fix) => fix.lon)],
  );
  await db.query(`CREATE INDEX ${table}_g ON ${table} USING gist (g)`);
  await db.query(`ANALYZE ${table}`);
}

/**
 * Turns per-point rows into one result per point. Points neither inside nor within
 * `BOUNDARY_BAND_M` of any fence have no row, and their result is empty.
 */
function resultsByPoint(
  rows: Array<{ n: number; inside: string[] | null; near_boundary: string[] | null }>,
  pointCount: number,
): PostgisResult[] {
  const results: PostgisResult[] = Array.from({ length: pointCount }, () => ({ inside: new Set(), nearBoundary: new Set() }));
  for (const row of rows) {
    results[row.n - 1] = { inside: new Set(row.inside ?? []), nearBoundary: new Set(row.near_boundary ?? []) };
  }
  return results;
}

/**
 * Returns, for every point of the table, the circles that contain it by
 * `ST_DWithin(point, centre, radius, false)` on the sphere, in one query. The join
 * widens each radius by the boundary band, so the index finds every pair that is
 * inside or near the boundary, and `ST_Distance` marks the pairs near it.
 */
async function postgisCircleResults(db: Db, table: string, fences: CircleFence[], pointCount: number): Promise<PostgisResult[]> {
  const rows = await db.query<{ n: number; inside: string[] | null; near_boundary: string[] | null }>(
    `WITH fence AS MATERIALIZED (
       SELECT id, radius_m, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS centre
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[]) AS f(id, lat, lon, radius_m)
     )
     SELECT p.n,
            array_agg(f.id) FILTER (WHERE ST_DWithin(p.g, f.centre, f.radius_m, false)) AS inside,
            array_agg(f.id) FILTER (WHERE abs(ST_Distance(p.g, f.centre, false) - f.radius_m) < $5) AS near_boundary
     FROM fence f JOIN ${table} p ON ST_DWithin(p.g, f.centre, f.radius_m + $5, false)
     GROUP BY p.n`,
    [fences.map((f) => f.id), fences.map((f) => f.lat), fences.map((f) => f.lon), fences.map((f) => f.radiusM), BOUNDARY_BAND_M],
  );
  return resultsByPoint(rows, pointCount);
}

/**
 * Returns, for every point of the table, the polygons that cover it by
 * `ST_Covers(polygon, point)` on geography, in one query. Points within the boundary
 * band of a polygon are joined to it, and `ST_Distance` to its boundary, on the
 * sphere, marks those near the boundary.
 */
async function postgisPolygonResults(db: Db, table: string, fences: PolygonFence[], pointCount: number): Promise<PostgisResult[]> {
  const rows = await db.query<{ n: number; inside: string[] | null; near_boundary: string[] | null }>(
    `WITH fence AS MATERIALIZED (
       SELECT id, geom::geography AS area, ST_Boundary(geom)::geography AS boundary
       FROM (
         SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326) AS geom
         FROM unnest($1::text[], $2::text[]) AS f(id, geojson)
       ) AS parsed
     )
     SELECT p.n,
            array_agg(f.id) FILTER (WHERE ST_Covers(f.area, p.g)) AS inside,
            array_agg(f.id) FILTER (WHERE ST_Distance(f.boundary, p.g, false) < $3) AS near_boundary
     FROM fence f JOIN ${table} p ON ST_DWithin(f.area, p.g, $3, false)
     GROUP BY p.n`,
    [fences.map((f) => f.id), fences.map((f) => JSON.stringify(f.geometry)), BOUNDARY_BAND_M],
  );
  return resultsByPoint(rows, pointCount);
}

// ---------------------------------------------------------------------------
// Engine results and the comparison

function engineWith(fences: Fence[]): ProximityEngine {
  const engine = new ProximityEngine();
  for (const fence of fences) engine.upsertFence(fence);
  return engine;
}

/** Returns the ids of the fences `fencesNear` finds at each fix. It runs the exact test on every candidate. */
function fencesNearIds(engine: ProximityEngine, fixes: TrajectoryFix[]): string[][] {
  return fixes.map((fix) => engine.fencesNear(fix.lat, fix.lon).map((fence) => fence.id));
}

/**
 * Returns the inside set of each fix's device right after `process` applies the fix,
 * replaying every trajectory in time order. Unlike `fencesNear`, this path trusts the
 * cell index for the fences that contain a whole cell and reuses a device's last cell.
 * NOTE: a wrong cell from that reuse changes the result only where a fence is listed
 * under one of two neighbouring cells, so this tests the reuse weakly: a reuse radius
 * 15% above the cell's inradius gave no disagreement here.
 */
function processInsideIds(engine: ProximityEngine, fixes: TrajectoryFix[]): string[][] {
  return fixes.map((fix, i) => {
    engine.process({ deviceId: fix.trajectoryId, seq: i + 1, lat: fix.lat, lon: fix.lon, accuracyM: 0, ts: fix.time });
    return engine.insideFences(fix.trajectoryId);
  });
}

function compareWithPostgis(
  fixes: TrajectoryFix[],
  fenceCount: number,
  postgis: PostgisResult[],
  engineInsideIds: Record<Disagreement['path'], string[][]>,
): Comparison {
  const result: Comparison = {
    points: fixes.length,
    fences: fenceCount,
    comparedPairs: 0,
    insidePairs: 0,
    pointsInside: 0,
    excludedPairs: 0,
    disagreements: [],
  };

  fixes.forEach((fix, i) => {
    const { inside, nearBoundary } = postgis[i]!;
    result.excludedPairs += nearBoundary.size;
    const insideAwayFromBoundary = [...inside].filter((id) => !nearBoundary.has(id)).length;
    result.insidePairs += insideAwayFromBoundary;
    if (insideAwayFromBoundary > 0) result.pointsInside++;

    for (const path of ['fencesNear', 'process'] as const) {
      const engineInside = new Set(engineInsideIds[path][i]);
      for (const fenceId of new Set([...engineInside, ...inside])) {
        if (nearBoundary.has(fenceId) || engineInside.has(fenceId) === inside.has(fenceId)) continue;
        result.disagreements.push({
          path,
          trajectoryId: fix.trajectoryId,
          lat: fix.lat,
          lon: fix.lon,
          fenceId,
          engine: engineInside.has(fenceId),
          postgis: inside.has(fenceId),
        });
      }
    }
  });
  result.comparedPairs = fixes.length * fenceCount - result.excludedPairs;
  return result;
}

function expectAgreement(name: string, comparison: Comparison, minimumInsidePairs: number): void {
  expect(comparison.points, `${name}: points`).toBeGreaterThan(40_000);
  expect(comparison.comparedPairs, `${name}: (point, fence) pairs compared`).toBeGreaterThan(100_000);
  expect(comparison.insidePairs, `${name}: pairs inside by PostGIS`).toBeGreaterThan(minimumInsidePairs);
  expect(comparison.pointsInside, `${name}: points inside some fence`).toBeGreaterThan(5_000);
  expect(comparison.pointsInside, `${name}: points outside every fence`).toBeLessThan(comparison.points);
  expect(comparison.excludedPairs, `${name}: pairs within ${BOUNDARY_BAND_M} m of a boundary`).toBeLessThan(comparison.insidePairs / 100);
  expect(comparison.disagreements.slice(0, 10), `${name}: ${comparison.disagreements.length} disagreements`).toEqual([]);
}

describe.skipIf(!existsSync(TRAJECTORIES))('ProximityEngine against PostGIS geography on taxi fixes (skipped without the cabspotting data file)', () => {
  let db: Db;
  const data = new Map<string, PlaceData>();

  beforeAll(async () => {
    const { fixes } = await readTrajectories(TRAJECTORIES);
    const permits = await readApprovedPermits(BUNDLED_PERMITS);
    const sfTrucks: Trucks = new Map(permits.map((permit) => [permit.locationId, [permit.lat, permit.lon]]));

    db = await openPglite({ logger: silentLogger() });
    await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
    for (const place of PLACES) {
      const placed = placeData(place, fixes, sfTrucks);
      await loadPoints(db, place.table, placed.fixes);
      data.set(place.name, placed);
    }
  });

  afterAll(async () => {
    await db?.close();
  });

  /** Builds the fences of a place and compares the results of PostGIS and of both engine paths. */
  async function compareFences(placeName: string, shape: 'circles' | 'polygons') {
    const placed = data.get(placeName)!;
    const { fixes, place } = placed;
    let fences: Fence[];
    let postgis: PostgisResult[];
    if (shape === 'circles') {
      const circles = circleFences(placed);
      postgis = await postgisCircleResults(db, place.table, circles, fixes.length);
      fences = circles;
    } else {
      const polygons = polygonFences(placed);
      postgis = await postgisPolygonResults(db, place.table, polygons, fixes.length);
      fences = polygons;
    }

    const nearEngine = engineWith(fences);
    const engineInsideIds = { fencesNear: fencesNearIds(nearEngine, fixes), process: processInsideIds(engineWith(fences), fixes) };
    const comparison = compareWithPostgis(fixes, fences.length, postgis, engineInsideIds);
    return { comparison, stats: nearEngine.indexStats() };
  }

  it('agrees on circles around SF trucks', async () => {
    const { comparison, stats } = await compareFences('SF', 'circles');
    expect(stats.treeItems, 'R-tree entries: one per large circle').toBe(LARGE_CIRCLES.length);
    expect(stats.cells, 'cells listing a small circle').toBeGreaterThan(0);
    expectAgreement('SF circles', comparison, 50_000);
  });

  it('agrees on polygons with holes in SF', async () => {
    const { comparison, stats } = await compareFences('SF', 'polygons');
    expect(stats.treeItems, 'R-tree entries: the district polygon').toBe(1);
    expect(stats.cells, 'cells listing a small polygon').toBeGreaterThan(0);
    expectAgreement('SF polygons', comparison, 10_000);
  });

  it('agrees on circles across the antimeridian', async () => {
    const { comparison, stats } = await compareFences('antimeridian', 'circles');
    // Four circles go to the R-tree, so a fifth entry means one was split at the antimeridian.
    expect(stats.treeItems, 'R-tree entries: large circles, some split in two').toBeGreaterThan(LARGE_CIRCLES.length + 1);
    expectAgreement('antimeridian circles', comparison, 50_000);
  });

  it('agrees on polygons across the antimeridian', async () => {
    const { comparison, stats } = await compareFences('antimeridian', 'polygons');
    expect(stats.treeItems, 'R-tree entries: the district polygon, split in two').toBe(2);
    expectAgreement('antimeridian polygons', comparison, 10_000);
  });

  it('agrees on circles near the north pole', async () => {
    const { comparison, stats } = await compareFences('north pole', 'circles');
    expect(stats.treeItems, 'R-tree entries: the large circles and the polar cap').toBe(LARGE_CIRCLES.length + 1);
    expectAgreement('north pole circles', comparison, 50_000);
  });

  it('agrees on polygons near the north pole', async () => {
    const { comparison, stats } = await compareFences('north pole', 'polygons');
    expect(stats.treeItems, 'R-tree entries: the district polygon').toBe(1);
    expectAgreement('north pole polygons', comparison, 10_000);
  });
});
