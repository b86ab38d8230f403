import type { Queryable } from '../../store/types.js';
import type { OfferBenefit, OfferPayload } from '../../common/protocol.js';

interface OfferRow {
  id: string;
  campaign_id: string;
  campaign_name: string;
  device_id: string;
  truck_id: string;
  truck_name: string;
  truck_lat: number;
  truck_lon: number;
  code: string;
  benefit: OfferBenefit | string;
  valid_until: Date | string;
  ping_seq: number | string;
  ping_ts: Date | string;
  ping_lat: number;
  ping_lon: number;
  distance_m: number;
  decided_at: Date | string;
}

const SELECT = `SELECT o.id, o.campaign_id, c.name AS campaign_name, o.device_id, o.truck_id, t.name AS truck_name,
    ST_Y(t.position::geometry) AS truck_lat, ST_X(t.position::geometry) AS truck_lon,
    o.code, c.benefit, k.valid_until, o.ping_seq, o.ping_ts,
    ST_Y(o.ping_position::geometry) AS ping_lat, ST_X(o.ping_position::geometry) AS ping_lon,
    o.distance_m, o.decided_at
  FROM offers o
  JOIN campaigns c ON c.id = o.campaign_id
  JOIN trucks t ON t.id = o.truck_id
  JOIN codes k ON k.code = o.code`;

function toPayload(row: OfferRow): OfferPayload {
  return {
    offerId: row.id,
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    deviceId: row.device_id,
    truck: { id: row.truck_id, name: row.truck_name, lat: Number(row.truck_lat), lon: Number(row.truck_lon) },
    code: row.code,
    benefit: typeof row.benefit === 'string' ? (JSON.parse(row.benefit) as OfferBenefit) : row.benefit,
    validUntil: new Date(row.valid_until).toISOString(),
    ping: { seq: Number(row.ping_seq), ts: new Date(row.ping_ts).getTime(), lat: Number(row.ping_lat), lon: Number(row.ping_lon) },
    distanceM: Number(row.distance_m),
    decidedAt: new Date(row.decided_at).toISOString(),
  };
}

export interface NewOffer {
  offerId: string;
  campaignId: string;
  deviceId: string;
  truckId: string;
  fenceId: string;
  code: string;
  validFrom: number;
  validUntil: number;
  ping: { seq: number; ts: number; lat: number; lon: number };
  distanceM: number;
  decidedAt: number;
}

/**
 * Records an offer, its single-use code and its push delivery in one statement,
 * unless the device already has an offer for the campaign. Returns false in that
 * case, so a replayed decision changes nothing. One statement keeps the embedded
 * store's single connection free for the next offer as soon as possible. Throws on
 * a code collision (unique violation); the caller draws a new code and retries.
 */
export async function insertOffer(db: Queryable, offer: NewOffer, pushStatus: 'pending' | 'sent'): Promise<boolean> {
  const rows = await db.query(
    `WITH existing AS (
       SELECT 1 FROM offers WHERE id = $1 OR (campaign_id = $2 AND device_id = $3)
     ), segment AS (
       SELECT id FROM segments WHERE campaign_id = $2 AND source = 'nearby' ORDER BY created_at, id LIMIT 1
     ), code AS (
       INSERT INTO codes (code, campaign_id, segment_id, device_id, single_use, valid_from, valid_until)
       SELECT $6, $2, (SELECT id FROM segment), $3, true, $13::timestamptz, $14::timestamptz
       WHERE NOT EXISTS (SELECT 1 FROM existing)
       RETURNING code, segment_id
     ), offer AS (
       INSERT INTO offers (id, campaign_id, device_id, truck_id, fence_id, segment_id, code, ping_seq, ping_ts, ping_position, distance_m, decided_at)
       SELECT $1, $2, $3, $4, $5, code.segment_id, code.code, $7, $8::timestamptz,
              ST_SetSRID(ST_MakePoint($9, $10), 4326)::geography, $11, $12::timestamptz
       FROM code
       RETURNING id
     )
     INSERT INTO deliveries (offer_id, channel, status, attempts, sent_at)
     SELECT id, 'push', $15, CASE WHEN $15 = 'sent' THEN 1 ELSE 0 END, CASE WHEN $15 = 'sent' THEN now() END FROM offer
     RETURNING offer_id`,
    [
      offer.offerId,
      offer.campaignId,
      offer.deviceId,
      offer.truckId,
      offer.fenceId,
      offer.code,
      offer.ping.seq,
      iso(offer.ping.ts),
      offer.ping.lon,
      offer.ping.lat,
      offer.distanceM,
      iso(offer.decidedAt),
      iso(offer.validFrom),
      iso(offer.validUntil),
      pushStatus,
    ],
  );
  return rows.length > 0;
}

export async function getOffer(db: Queryable, offerId: string): Promise<OfferPayload | undefined> {
  const rows = await db.query<OfferRow>(`${SELECT} WHERE o.id = $1`, [offerId]);
  return rows[0] ? toPayload(rows[0]) : undefined;
}

export async function listOffersOfCampaign(db: Queryable, campaignId: string, limit: number): Promise<OfferPayload[]> {
  const rows = await db.query<OfferRow>(`${SELECT} WHERE o.campaign_id = $1 ORDER BY o.decided_at, o.id LIMIT $2`, [campaignId, limit]);
  return rows.map(toPayload);
}

export async function listRecentOffers(db: Queryable, limit: number): Promise<OfferPayload[]> {
  const rows = await db.query<OfferRow>(`${SELECT} ORDER BY o.decided_at DESC, o.id LIMIT $1`, [limit]);
  return rows.map(toPayload);
}

/** Offers whose push was not yet acknowledged by the device, oldest first. */
export async function listUndeliveredOffers(db: Queryable, deviceId: string): Promise<OfferPayload[]> {
  const rows = await db.query<OfferRow>(
    `${SELECT} JOIN deliveries d ON d.offer_id = o.id AND d.channel = 'push'
     WHERE o.device_id = $1 AND d.status IN ('pending', 'sent') ORDER BY o.decided_at, o.id`,
    [deviceId],
  );
  return rows.map(toPayload);
}

/** Lists every (campaign, device) pair that already has an offer, to rebuild the engine after a restart. */
export async function listOfferedPairs(db: Queryable): Promise<Array<{ campaignId: string; deviceId: string }>> {
  const rows = await db.query<{ campaign_id: string; device_id: string }>(`SELECT campaign_id, device_id FROM offers`);
  return rows.map((row) => ({ campaignId: row.campaign_id, deviceId: row.device_id }));
}

/** Marks the push delivered; only the device that owns the offer can acknowledge it. */
export async function markPushDelivered(db: Queryable, offerId: string, deviceId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE deliveries SET status = 'delivered', delivered_at = now()
     WHERE channel = 'push' AND status <> 'delivered'
       AND offer_id = (SELECT id FROM offers WHERE id = $1 AND device_id = $2)
     RETURNING id`,
    [offerId, deviceId],
  );
  return rows.length > 0;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
