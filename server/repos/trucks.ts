import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/types.js';
import type { LiveTruck } from '../../common/protocol.js';

export type Truck = LiveTruck;

const COLUMNS = `id, name, permit_location_id, time_zone,
  ST_Y(position::geometry) AS lat, ST_X(position::geometry) AS lon`;

interface TruckRow {
  id: string;
  name: string;
  permit_location_id: string | null;
  time_zone: string;
  lat: number;
  lon: number;
}

function toTruck(row: TruckRow): Truck {
  return {
    id: row.id,
    name: row.name,
    permitLocationId: row.permit_location_id,
    timeZone: row.time_zone,
    lat: Number(row.lat),
    lon: Number(row.lon),
  };
}

export interface NewTruck {
  name: string;
  lat: number;
  lon: number;
  timeZone: string;
  permitLocationId?: string | null;
}

/**
 * Inserts a truck, or updates the one with the same permit location id (and moves
 * its fences with it). `created` is true for an insert.
 */
export async function upsertTruck(db: Queryable, input: NewTruck): Promise<{ truck: Truck; created: boolean }> {
  const rows = await db.query<TruckRow & { created: boolean }>(
    `INSERT INTO trucks (id, name, permit_location_id, time_zone, position)
     VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography)
     ON CONFLICT (permit_location_id) DO UPDATE
       SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone, position = EXCLUDED.position, updated_at = now()
     RETURNING ${COLUMNS}, (xmax = 0) AS created`,
    [randomUUID(), input.name, input.permitLocationId ?? null, input.timeZone, input.lon, input.lat],
  );
  const row = rows[0]!;
  const truck = toTruck(row);
  if (!row.created) await moveFencesOfTruck(db, truck.id, truck.lat, truck.lon);
  return { truck, created: row.created };
}

export async function listTrucks(db: Queryable): Promise<Truck[]> {
  const rows = await db.query<TruckRow>(`SELECT ${COLUMNS} FROM trucks ORDER BY name, id`);
  return rows.map(toTruck);
}

export async function getTrucks(db: Queryable, ids: string[]): Promise<Truck[]> {
  const rows = await db.query<TruckRow>(`SELECT ${COLUMNS} FROM trucks WHERE id = ANY($1::uuid[]) ORDER BY name, id`, [ids]);
  return rows.map(toTruck);
}

/** Moves a truck and every fence attached to it; returns the truck, or undefined when no such truck. */
export async function moveTruck(db: Queryable, id: string, lat: number, lon: number): Promise<Truck | undefined> {
  const rows = await db.query<TruckRow>(
    `UPDATE trucks SET position = ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, lon, lat],
  );
  if (rows.length === 0) return undefined;
  await moveFencesOfTruck(db, id, lat, lon);
  return toTruck(rows[0]!);
}

async function moveFencesOfTruck(db: Queryable, id: string, lat: number, lon: number): Promise<void> {
  await db.query(`UPDATE fences SET center = ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography WHERE truck_id = $1`, [id, lon, lat]);
}
