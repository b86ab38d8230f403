import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/types.js';
import type { OfferBenefit } from '../../common/protocol.js';
import { resolveRules, type FenceRules } from '../../engine/index.js';

export interface Campaign {
  id: string;
  name: string;
  status: 'draft' | 'scheduled' | 'active' | 'ended';
  window: { start: string; end: string };
  radiusM: number;
  benefit: OfferBenefit;
  truckIds: string[];
  segments: Array<{ id: string; source: string; name: string }>;
  /** The transition rules in force: those the campaign set, over the engine's defaults. */
  rules: FenceRules;
  createdAt: string;
}

interface CampaignRow {
  id: string;
  name: string;
  status: Campaign['status'];
  window_start_local: string;
  window_end_local: string;
  radius_m: number;
  benefit: OfferBenefit | string;
  created_at: Date | string;
  truck_ids: string[] | null;
  segments: Array<{ id: string; source: string; name: string }> | string | null;
  rules: Partial<FenceRules> | string;
}

const SELECT = `SELECT c.id, c.name, c.status, c.window_start_local, c.window_end_local, c.radius_m, c.benefit, c.rules, c.created_at,
    (SELECT array_agg(ct.truck_id::text ORDER BY ct.truck_id) FROM campaign_trucks ct WHERE ct.campaign_id = c.id) AS truck_ids,
    (SELECT json_agg(json_build_object('id', s.id, 'source', s.source, 'name', s.name) ORDER BY s.created_at, s.id)
       FROM segments s WHERE s.campaign_id = c.id) AS segments
  FROM campaigns c`;

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    window: { start: row.window_start_local, end: row.window_end_local },
    radiusM: Number(row.radius_m),
    benefit: parseJson(row.benefit),
    truckIds: row.truck_ids ?? [],
    segments: row.segments === null ? [] : parseJson(row.segments),
    rules: { ...resolveRules('rules', parseJson(row.rules)) },
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export interface NewCampaign {
  name: string;
  window: { start: string; end: string };
  radiusM: number;
  benefit: OfferBenefit;
  truckIds: string[];
  segments: Array<{ source: string; name: string }>;
  rules?: Partial<FenceRules>;
}

/** Inserts the campaign, its trucks and its segments; the caller runs it in a transaction with the fences. */
export async function insertCampaign(db: Queryable, input: NewCampaign): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO campaigns (id, name, status, window_start_local, window_end_local, radius_m, benefit, rules)
     VALUES ($1, $2, 'active', $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [id, input.name, input.window.start, input.window.end, input.radiusM, JSON.stringify(input.benefit), JSON.stringify(input.rules ?? {})],
  );
  await db.query(`INSERT INTO campaign_trucks (campaign_id, truck_id) SELECT $1, unnest($2::uuid[])`, [id, input.truckIds]);
  for (const segment of input.segments) {
    await db.query(`INSERT INTO segments (id, campaign_id, source, name) VALUES ($1, $2, $3, $4)`, [
      randomUUID(),
      id,
      segment.source,
      segment.name,
    ]);
  }
  return id;
}

export async function getCampaign(db: Queryable, id: string): Promise<Campaign | undefined> {
  const rows = await db.query<CampaignRow>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ? toCampaign(rows[0]) : undefined;
}

export async function listCampaigns(db: Queryable): Promise<Campaign[]> {
  const rows = await db.query<CampaignRow>(`${SELECT} ORDER BY c.created_at DESC, c.id`);
  return rows.map(toCampaign);
}
