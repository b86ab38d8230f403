import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/types.js';
import type { OfferBenefit } from '../../common/protocol.js';
import type { ChannelName } from '../../channels/types.js';
import { resolveRules, type FenceRules } from '../../engine/index.js';
import type { CampaignStatus } from '../campaigns/status.js';
import { insertSegment, type Segment } from './segments.js';

export interface CampaignGoal {
  reach: number;
  convert: number;
  revenueMinor?: number;
  currency?: string;
}

/** The benefit as stored: what the phone is shown, plus the redemption rules. */
export interface CampaignBenefit extends OfferBenefit {
  minSpendMinor?: number;
  /** Local date-times in the campaign's zone; the campaign window when absent. */
  valid?: { start: string; end: string };
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  window: { start: string; end: string };
  radiusM: number;
  benefit: CampaignBenefit;
  truckIds: string[];
  segments: Segment[];
  /** The transition rules in force: those the campaign set, over the engine's defaults. */
  rules: FenceRules;
  goal: CampaignGoal | null;
  channels: ChannelName[];
  /** Zone of the benefit's validity window and of `sendAt`. */
  timeZone: string;
  sendAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface CampaignRow {
  id: string;
  name: string;
  status: CampaignStatus;
  window_start_local: string;
  window_end_local: string;
  radius_m: number;
  benefit: CampaignBenefit | string;
  created_at: Date | string;
  updated_at: Date | string;
  truck_ids: string[] | null;
  segments: Array<Record<string, unknown>> | string | null;
  rules: Partial<FenceRules> | string;
  goal: CampaignGoal | string | null;
  channels: ChannelName[];
  time_zone: string | null;
  first_truck_zone: string | null;
  send_at_local: string | null;
}

const SELECT = `SELECT c.id, c.name, c.status, c.window_start_local, c.window_end_local, c.radius_m, c.benefit, c.rules,
    c.goal, c.channels, c.time_zone, c.send_at_local, c.created_at, c.updated_at,
    (SELECT array_agg(ct.truck_id::text ORDER BY ct.truck_id) FROM campaign_trucks ct WHERE ct.campaign_id = c.id) AS truck_ids,
    (SELECT t.time_zone FROM campaign_trucks ct JOIN trucks t ON t.id = ct.truck_id WHERE ct.campaign_id = c.id ORDER BY t.created_at, t.id LIMIT 1) AS first_truck_zone,
    (SELECT json_agg(json_build_object('id', s.id, 'source', s.source, 'name', s.name, 'codeMode', s.code_mode,
              'sharedCode', s.shared_code, 'members', (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id))
            ORDER BY s.created_at, s.id)
       FROM segments s WHERE s.campaign_id = c.id) AS segments
  FROM campaigns c`;

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toCampaign(row: CampaignRow): Campaign {
  const segments = row.segments === null ? [] : parseJson(row.segments);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    window: { start: row.window_start_local, end: row.window_end_local },
    radiusM: Number(row.radius_m),
    benefit: parseJson(row.benefit),
    truckIds: row.truck_ids ?? [],
    segments: segments.map((segment) => ({ ...(segment as unknown as Segment), members: Number(segment.members) })),
    rules: { ...resolveRules('rules', parseJson(row.rules)) },
    goal: row.goal === null ? null : parseJson(row.goal),
    channels: row.channels,
    timeZone: row.time_zone ?? row.first_truck_zone ?? 'UTC',
    sendAt: row.send_at_local,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The stored fields of a campaign, as createCampaign and updateCampaign write them. */
export interface CampaignFields {
  name: string;
  window: { start: string; end: string };
  radiusM: number;
  benefit: CampaignBenefit;
  truckIds: string[];
  rules?: Partial<FenceRules>;
  status?: CampaignStatus;
  goal?: CampaignGoal | null;
  channels?: ChannelName[];
  timeZone?: string | null;
  sendAt?: string | null;
}

export interface NewCampaign extends CampaignFields {
  segments: Array<{ source: string; name: string; codeMode?: 'shared' | 'unique' }>;
}

/** Inserts the campaign, its trucks and its segments; the caller runs it in a transaction with the fences. */
export async function insertCampaign(db: Queryable, input: NewCampaign): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO campaigns (id, name, status, window_start_local, window_end_local, radius_m, benefit, rules, goal, channels, time_zone, send_at_local)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::text[], $11, $12)`,
    [id, ...fieldParams(input)],
  );
  await setCampaignTrucks(db, id, input.truckIds);
  for (const segment of input.segments) await insertSegment(db, id, segment);
  return id;
}

/** Rewrites the campaign's own fields and trucks; segments are the caller's business. */
export async function updateCampaignFields(db: Queryable, id: string, input: CampaignFields): Promise<void> {
  await db.query(
    `UPDATE campaigns SET name = $2, status = $3, window_start_local = $4, window_end_local = $5, radius_m = $6,
       benefit = $7::jsonb, rules = $8::jsonb, goal = $9::jsonb, channels = $10::text[], time_zone = $11, send_at_local = $12,
       updated_at = now()
     WHERE id = $1`,
    [id, ...fieldParams(input)],
  );
  await db.query(`DELETE FROM campaign_trucks WHERE campaign_id = $1`, [id]);
  await setCampaignTrucks(db, id, input.truckIds);
}

function fieldParams(input: CampaignFields): unknown[] {
  return [
    input.name,
    input.status ?? 'active',
    input.window.start,
    input.window.end,
    input.radiusM,
    JSON.stringify(input.benefit),
    JSON.stringify(input.rules ?? {}),
    input.goal ? JSON.stringify(input.goal) : null,
    input.channels ?? ['push'],
    input.timeZone ?? null,
    input.sendAt ?? null,
  ];
}

async function setCampaignTrucks(db: Queryable, id: string, truckIds: string[]): Promise<void> {
  await db.query(`INSERT INTO campaign_trucks (campaign_id, truck_id) SELECT $1, unnest($2::uuid[])`, [id, truckIds]);
}

/**
 * Moves the campaign from `from` to `to` in one conditional statement, so two
 * concurrent moves cannot both start from the same state. Returns false when the
 * campaign was no longer in `from`.
 */
export async function setCampaignStatus(db: Queryable, id: string, from: CampaignStatus, to: CampaignStatus): Promise<boolean> {
  const rows = await db.query(`UPDATE campaigns SET status = $3, updated_at = now() WHERE id = $1 AND status = $2 RETURNING id`, [id, from, to]);
  return rows.length === 1;
}

export async function getCampaign(db: Queryable, id: string): Promise<Campaign | undefined> {
  const rows = await db.query<CampaignRow>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0] ? toCampaign(rows[0]) : undefined;
}

export async function listCampaigns(db: Queryable): Promise<Campaign[]> {
  const rows = await db.query<CampaignRow>(`${SELECT} ORDER BY c.created_at DESC, c.id`);
  return rows.map(toCampaign);
}
