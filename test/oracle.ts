import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

export interface OracleTruck {
  id: string;
  lat: number;
  lon: number;
}

export interface OracleFix {
  trajectoryId: string;
  lat: number;
  lon: number;
}

export interface OraclePair {
  trajectoryId: string;
  truckId: string;
  distanceM: number;
  /** Index of the triggering fix in the `fixes` argument. */
  fixIndex: number;
}

/**
 * Computes, with PostGIS alone, the first fix of each trajectory within `radiusM`
 * of any truck (great-circle distance on the sphere, as `ST_DWithin(..., false)`)
 * and the nearest truck at that fix. `fixes` must be in sending order.
 */
export async function firstInFencePairs(trucks: OracleTruck[], fixes: OracleFix[], radiusM: number): Promise<OraclePair[]> {
  const db = await PGlite.create({ extensions: { postgis } });
  try {
    await db.exec(`
      CREATE EXTENSION postgis;
      CREATE TABLE truck (id text PRIMARY KEY, g geography(Point, 4326) NOT NULL);
      CREATE TABLE fix (trajectory text NOT NULL, idx integer NOT NULL, g geography(Point, 4326) NOT NULL);
      CREATE INDEX truck_g ON truck USING gist (g);
    `);
    await db.query(
      `INSERT INTO truck SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS t(id, lat, lon)`,
      [trucks.map((t) => t.id), trucks.map((t) => t.lat), trucks.map((t) => t.lon)],
    );
    await db.query(
      `INSERT INTO fix SELECT trajectory, idx, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
       FROM unnest($1::text[], $2::int[], $3::float8[], $4::float8[]) AS f(trajectory, idx, lat, lon)`,
      [fixes.map((f) => f.trajectoryId), fixes.map((_, i) => i), fixes.map((f) => f.lat), fixes.map((f) => f.lon)],
    );

    const result = await db.query<{ trajectory: string; truck_id: string; distance_m: number; idx: number }>(
      `WITH hit AS (
         SELECT f.trajectory, f.idx, t.id AS truck_id, ST_Distance(f.g, t.g, false) AS distance_m
         FROM fix f JOIN truck t ON ST_DWithin(f.g, t.g, $1, false)
       ), first_hit AS (
         SELECT trajectory, min(idx) AS idx FROM hit GROUP BY trajectory
       )
       SELECT DISTINCT ON (h.trajectory) h.trajectory, h.truck_id, h.distance_m, h.idx
       FROM hit h JOIN first_hit USING (trajectory, idx)
       ORDER BY h.trajectory, h.distance_m, h.truck_id`,
      [radiusM],
    );
    return result.rows.map((row) => ({
      trajectoryId: row.trajectory,
      truckId: row.truck_id,
      distanceM: Number(row.distance_m),
      fixIndex: Number(row.idx),
    }));
  } finally {
    await db.close();
  }
}

/** Sphere distance by PostGIS, for judging disagreements at the fence boundary. */
export async function postgisDistances(pairs: Array<{ a: { lat: number; lon: number }; b: { lat: number; lon: number } }>): Promise<number[]> {
  if (pairs.length === 0) return [];
  const db = await PGlite.create({ extensions: { postgis } });
  try {
    await db.exec('CREATE EXTENSION postgis');
    const result = await db.query<{ d: number }>(
      `SELECT ST_Distance(ST_SetSRID(ST_MakePoint(alon, alat), 4326)::geography,
                          ST_SetSRID(ST_MakePoint(blon, blat), 4326)::geography, false) AS d
       FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) WITH ORDINALITY AS p(alat, alon, blat, blon, n)
       ORDER BY n`,
      [pairs.map((p) => p.a.lat), pairs.map((p) => p.a.lon), pairs.map((p) => p.b.lat), pairs.map((p) => p.b.lon)],
    );
    return result.rows.map((row) => Number(row.d));
  } finally {
    await db.close();
  }
}
