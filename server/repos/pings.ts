import type { Queryable } from '../../store/types.js';
import type { PingRecord } from '../../common/protocol.js';

/** A ping with the bus partition and offset it was read from. */
export interface PingOnBus {
  ping: PingRecord;
  partition: number;
  offset: number;
}

/** Inserts a batch of pings in one statement; a ping already stored (same device and seq) is skipped. */
export async function insertPings(db: Queryable, records: PingOnBus[]): Promise<void> {
  if (records.length === 0) return;
  const pings = records.map((record) => record.ping);
  await db.query(
    `INSERT INTO pings (device_id, seq, ts, position, accuracy_m, received_at, bus_partition, bus_offset)
     SELECT d, s, to_timestamp(t / 1000.0), ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, a, to_timestamp(r / 1000.0), bp, bo
     FROM unnest($1::uuid[], $2::bigint[], $3::double precision[], $4::double precision[], $5::double precision[],
                 $6::double precision[], $7::double precision[], $8::integer[], $9::bigint[]) AS p(d, s, t, lat, lon, a, r, bp, bo)
     ON CONFLICT (device_id, seq) DO NOTHING`,
    [
      pings.map((p) => p.deviceId),
      pings.map((p) => p.seq),
      pings.map((p) => p.ts),
      pings.map((p) => p.lat),
      pings.map((p) => p.lon),
      pings.map((p) => p.accuracy),
      pings.map((p) => p.receivedAt),
      records.map((record) => record.partition),
      records.map((record) => record.offset),
    ],
  );
}

/**
 * Returns the last recorded ping of each device whose fix is at or after `since`.
 * With `before`, only pings read from a listed partition below its offset count, i.e.
 * those a consumer group had already handled; without it, every recorded ping counts.
 */
export async function listLastPings(db: Queryable, since: number, before?: Map<number, number>): Promise<PingRecord[]> {
  const rows = await db.query<{ device_id: string; seq: string | number; ts: number; lat: number; lon: number; accuracy_m: number; received_at: number }>(
    `SELECT DISTINCT ON (p.device_id) p.device_id, p.seq,
            extract(epoch FROM p.ts) * 1000 AS ts, ST_Y(p.position::geometry) AS lat, ST_X(p.position::geometry) AS lon,
            p.accuracy_m, extract(epoch FROM p.received_at) * 1000 AS received_at
     FROM pings p
     WHERE p.ts >= to_timestamp($1 / 1000.0)
       AND ($2::boolean OR EXISTS (
         SELECT 1 FROM unnest($3::integer[], $4::bigint[]) AS c(partition, next_offset)
         WHERE c.partition = p.bus_partition AND p.bus_offset < c.next_offset))
     ORDER BY p.device_id, p.seq DESC`,
    [since, before === undefined, [...(before?.keys() ?? [])], [...(before?.values() ?? [])]],
  );
  return rows.map((row) => ({
    deviceId: row.device_id,
    seq: Number(row.seq),
    ts: Math.round(Number(row.ts)),
    lat: Number(row.lat),
    lon: Number(row.lon),
    accuracy: Number(row.accuracy_m),
    receivedAt: Math.round(Number(row.received_at)),
  }));
}

/** Deletes pings older than the retention; returns how many were deleted. */
export async function deletePingsBefore(db: Queryable, before: number): Promise<number> {
  const rows = await db.query<{ deleted: number | string }>(
    `WITH gone AS (DELETE FROM pings WHERE ts < to_timestamp($1 / 1000.0) RETURNING 1) SELECT count(*) AS deleted FROM gone`,
    [before],
  );
  return Number(rows[0]?.deleted ?? 0);
}
