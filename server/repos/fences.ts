import type { Queryable } from '../../store/types.js';
import type { CircleFence, FenceRules } from '../../engine/index.js';

interface FenceRow {
  id: string;
  campaign_id: string;
  truck_id: string;
  lat: number;
  lon: number;
  radius_m: number;
  active_from: Date | string;
  active_until: Date | string;
  rules: Partial<FenceRules> | string;
}

const COLUMNS = `id, campaign_id, truck_id, ST_Y(center::geometry) AS lat, ST_X(center::geometry) AS lon,
  radius_m, active_from, active_until, rules`;

function toFence(row: FenceRow): CircleFence {
  const rules = typeof row.rules === 'string' ? (JSON.parse(row.rules) as Partial<FenceRules>) : row.rules;
  return {
    id: row.id,
    campaignId: row.campaign_id,
    truckId: row.truck_id,
    lat: Number(row.lat),
    lon: Number(row.lon),
    radiusM: Number(row.radius_m),
    activeFrom: new Date(row.active_from).getTime(),
    activeUntil: new Date(row.active_until).getTime(),
    ...(Object.keys(rules).length > 0 ? { rules } : {}),
  };
}

export function fenceIdFor(campaignId: string, truckId: string): string {
  return `${campaignId}:${truckId}`;
}

export async function insertFence(db: Queryable, fence: CircleFence): Promise<void> {
  await db.query(
    `INSERT INTO fences (id, campaign_id, truck_id, center, radius_m, active_from, active_until, rules)
     VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography, $6, $7::timestamptz, $8::timestamptz, $9::jsonb)`,
    [
      fence.id,
      fence.campaignId,
      fence.truckId,
      fence.lon,
      fence.lat,
      fence.radiusM,
      new Date(fence.activeFrom).toISOString(),
      new Date(fence.activeUntil).toISOString(),
      JSON.stringify(fence.rules ?? {}),
    ],
  );
}

/** Fences of campaigns that are not ended and whose window has not closed. */
export async function listLiveFences(db: Queryable, now: number): Promise<CircleFence[]> {
  const rows = await db.query<FenceRow>(
    `SELECT ${COLUMNS} FROM fences
     WHERE campaign_id IN (SELECT id FROM campaigns WHERE status <> 'ended') AND active_until > $1::timestamptz
     ORDER BY id`,
    [new Date(now).toISOString()],
  );
  return rows.map(toFence);
}

export async function listFencesOfTruck(db: Queryable, truckId: string): Promise<CircleFence[]> {
  const rows = await db.query<FenceRow>(`SELECT ${COLUMNS} FROM fences WHERE truck_id = $1 ORDER BY id`, [truckId]);
  return rows.map(toFence);
}

export async function listFencesOfCampaign(db: Queryable, campaignId: string): Promise<CircleFence[]> {
  const rows = await db.query<FenceRow>(`SELECT ${COLUMNS} FROM fences WHERE campaign_id = $1 ORDER BY id`, [campaignId]);
  return rows.map(toFence);
}

export async function deleteFencesOfCampaign(db: Queryable, campaignId: string): Promise<void> {
  await db.query(`DELETE FROM fences WHERE campaign_id = $1`, [campaignId]);
}
