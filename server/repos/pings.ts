import type { Queryable } from '../../store/types.js';
import type { PingRecord } from '../../common/protocol.js';
import type { EnginePing } from '../../engine/index.js';

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

/**
 * Counts the pings whose fix time is in [from, to), stopping at `max` + 1 so that
 * checking a large range against a limit costs at most that many index entries.
 */
export async function countPingsBetween(db: Queryable, from: number, to: number, max: number): Promise<number> {
  const rows = await db.query<{ pings: number | string }>(
    `SELECT count(*) AS pings FROM (
       SELECT 1 FROM pings WHERE ts >= to_timestamp($1 / 1000.0) AND ts < to_timestamp($2 / 1000.0) LIMIT $3
     ) AS bounded`,
    [from, to, max + 1],
  );
  return Number(rows[0]?.pings ?? 0);
}

interface StoredPingRow {
  device_id: string;
  seq: string | number;
  ts: number;
  lat: number;
  lon: number;
  accuracy_m: number;
}

/** Width of the first time slice that `readPingPages` reads. */
const INITIAL_SLICE_MS = 60_000;

/**
 * Reads the pings whose fix time is in [from, to), as engine input, in pages ordered by
 * fix time, device id and seq. Each page is one time slice, read by a range scan of the
 * `ts` index, so no transaction or cursor stays open and other queries run between
 * pages. The slice doubles after a page of less than half `pageSize` pings, and a
 * bounded count narrows it before reading when it contains more than twice `pageSize`,
 * so a page has at most 2 × `pageSize` pings unless they share one millisecond.
 * Slices keep the cost of a page independent of the planner's row estimates, which
 * PGlite never gathers because it runs no autovacuum.
 */
export async function* readPingPages(db: Queryable, from: number, to: number, pageSize: number): AsyncGenerator<EnginePing[]> {
  const maxPage = 2 * pageSize;
  let sliceMs = INITIAL_SLICE_MS;
  let start = from;

  while (start < to) {
    let end = Math.min(to, start + sliceMs);
    while (end - start > 1 && (await countPingsBetween(db, start, end, maxPage)) > maxPage) {
      sliceMs = Math.max(1, Math.floor(sliceMs / 2));
      end = Math.min(to, start + sliceMs);
    }

    const rows = await db.query<StoredPingRow>(
      `SELECT device_id, seq, extract(epoch FROM ts) * 1000 AS ts,
              ST_Y(position::geometry) AS lat, ST_X(position::geometry) AS lon, accuracy_m
       FROM pings
       WHERE pings.ts >= to_timestamp($1 / 1000.0) AND pings.ts < to_timestamp($2 / 1000.0)
       ORDER BY pings.ts, device_id, seq`,
      [start, end],
    );
    if (rows.length > 0) {
      yield rows.map((row) => ({
        deviceId: row.device_id,
        seq: Number(row.seq),
        ts: Math.round(Number(row.ts)),
        lat: Number(row.lat),
        lon: Number(row.lon),
        accuracyM: Number(row.accuracy_m),
      }));
    }

    if (rows.length < pageSize / 2) sliceMs = Math.min(sliceMs * 2, to - from);
    start = end;
  }
}
