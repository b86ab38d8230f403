import type { Queryable } from '../../store/types.js';
import type { PingRecord } from '../../common/protocol.js';

/** Inserts a batch of pings in one statement; a ping already stored (same device and seq) is skipped. */
export async function insertPings(db: Queryable, pings: PingRecord[]): Promise<void> {
  if (pings.length === 0) return;
  await db.query(
    `INSERT INTO pings (device_id, seq, ts, position, accuracy_m, received_at)
     SELECT d, s, to_timestamp(t / 1000.0), ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, a, to_timestamp(r / 1000.0)
     FROM unnest($1::uuid[], $2::bigint[], $3::double precision[], $4::double precision[], $5::double precision[],
                 $6::double precision[], $7::double precision[]) AS p(d, s, t, lat, lon, a, r)
     ON CONFLICT (device_id, seq) DO NOTHING`,
    [
      pings.map((p) => p.deviceId),
      pings.map((p) => p.seq),
      pings.map((p) => p.ts),
      pings.map((p) => p.lat),
      pings.map((p) => p.lon),
      pings.map((p) => p.accuracy),
      pings.map((p) => p.receivedAt),
    ],
  );
}

/** Deletes pings older than the retention; returns how many were deleted. */
export async function deletePingsBefore(db: Queryable, before: number): Promise<number> {
  const rows = await db.query<{ deleted: number | string }>(
    `WITH gone AS (DELETE FROM pings WHERE ts < to_timestamp($1 / 1000.0) RETURNING 1) SELECT count(*) AS deleted FROM gone`,
    [before],
  );
  return Number(rows[0]?.deleted ?? 0);
}
