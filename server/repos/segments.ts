import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../store/types.js';

export type SegmentSource = 'nearby' | 'facebook' | 'twitter' | 'point_of_sale' | 'group';

export interface Segment {
  id: string;
  source: SegmentSource;
  name: string;
  codeMode: 'shared' | 'unique';
  sharedCode: string | null;
  members: number;
}

export interface SegmentWithCampaign extends Segment {
  campaignId: string;
}

interface SegmentRow {
  id: string;
  campaign_id: string;
  source: SegmentSource;
  name: string;
  code_mode: 'shared' | 'unique';
  shared_code: string | null;
  members: number | string;
}

const SELECT = `SELECT s.id, s.campaign_id, s.source, s.name, s.code_mode, s.shared_code,
    (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id) AS members
  FROM segments s`;

function toSegment(row: SegmentRow): SegmentWithCampaign {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    source: row.source,
    name: row.name,
    codeMode: row.code_mode,
    sharedCode: row.shared_code,
    members: Number(row.members),
  };
}

/**
 * Adds a segment. `clock_timestamp()` rather than the transaction's `now()` keeps
 * the order segments were added in, which is the order the console lists them.
 */
export async function insertSegment(
  db: Queryable,
  campaignId: string,
  segment: { source: string; name: string; codeMode?: 'shared' | 'unique' },
): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO segments (id, campaign_id, source, name, code_mode, created_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())`,
    [id, campaignId, segment.source, segment.name, segment.codeMode ?? defaultCodeMode(segment.source)],
  );
  return id;
}

/**
 * Returns the code mode of a segment source left without one. Point-of-sale sign-ups share
 * one code printed next to the QR code, and X followers one code that a public post can
 * carry. Every other source gets a single-use code per recipient, so a forwarded message
 * is worth one order.
 */
export function defaultCodeMode(source: string): 'shared' | 'unique' {
  return source === 'point_of_sale' || source === 'twitter' ? 'shared' : 'unique';
}

export async function updateSegment(db: Queryable, id: string, fields: { name: string; codeMode: 'shared' | 'unique' }): Promise<void> {
  await db.query(`UPDATE segments SET name = $2, code_mode = $3 WHERE id = $1`, [id, fields.name, fields.codeMode]);
}

export async function deleteSegment(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM segments WHERE id = $1`, [id]);
}

export async function getSegment(db: Queryable, id: string): Promise<SegmentWithCampaign | undefined> {
  const rows = await db.query<SegmentRow>(`${SELECT} WHERE s.id = $1`, [id]);
  return rows[0] ? toSegment(rows[0]) : undefined;
}

export async function listSegmentsOfCampaign(db: Queryable, campaignId: string): Promise<SegmentWithCampaign[]> {
  const rows = await db.query<SegmentRow>(`${SELECT} WHERE s.campaign_id = $1 ORDER BY s.created_at, s.id`, [campaignId]);
  return rows.map(toSegment);
}

/** Adds contacts to a segment; those already in it stay as they are. Returns how many were new. */
export async function addSegmentMembers(db: Queryable, segmentId: string, contactIds: string[], importId?: string): Promise<number> {
  if (contactIds.length === 0) return 0;
  const rows = await db.query(
    `INSERT INTO segment_members (segment_id, contact_id, import_id)
     SELECT $1, unnest($2::uuid[]), $3
     ON CONFLICT DO NOTHING RETURNING contact_id`,
    [segmentId, contactIds, importId ?? null],
  );
  return rows.length;
}
