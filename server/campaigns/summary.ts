import type { Queryable } from '../../store/types.js';
import type { Campaign } from '../repos/campaigns.js';
import { countSends, type SendStatus } from '../repos/send-jobs.js';

export interface CampaignSummary {
  campaign: Pick<Campaign, 'id' | 'name' | 'status' | 'goal' | 'channels' | 'window' | 'timeZone'>;
  /** People reached: phones offered a code nearby, plus contacts a message was sent to. */
  reached: number;
  /** Codes redeemed. */
  converted: number;
  offers: number;
  segments: Array<{ id: string; source: string; name: string; members: number; sharedCode: string | null; sends: Partial<Record<SendStatus, number>> }>;
  sends: Partial<Record<SendStatus, number>>;
  /** The next queued send, ISO 8601; null when nothing is queued. */
  nextSendAt: string | null;
}

/** The campaign's progress against its goal, per segment and overall. */
export async function summarizeCampaign(db: Queryable, campaign: Campaign): Promise<CampaignSummary> {
  const [counts] = await db.query<{ offers: string | number; messaged: string | number; redeemed: string | number }>(
    `SELECT
       (SELECT count(*) FROM offers WHERE campaign_id = $1) AS offers,
       (SELECT count(DISTINCT contact_id) FROM send_jobs WHERE campaign_id = $1 AND status IN ('sent', 'delivered')) AS messaged,
       (SELECT count(*) FROM codes WHERE campaign_id = $1 AND redeemed_at IS NOT NULL)
         + (SELECT count(*) FROM redemptions r JOIN codes k ON k.code = r.code WHERE k.campaign_id = $1) AS redeemed`,
    [campaign.id],
  );
  const sendCounts = await countSends(db, campaign.id);
  const sends: Partial<Record<SendStatus, number>> = {};
  const perSegment = new Map<string, Partial<Record<SendStatus, number>>>();
  let nextSendAt: string | null = null;
  for (const row of sendCounts) {
    sends[row.status] = (sends[row.status] ?? 0) + row.count;
    const segment = perSegment.get(row.segmentId) ?? {};
    segment[row.status] = (segment[row.status] ?? 0) + row.count;
    perSegment.set(row.segmentId, segment);
    if (row.nextAt !== null && (nextSendAt === null || row.nextAt < nextSendAt)) nextSendAt = row.nextAt;
  }
  const offers = Number(counts!.offers);
  return {
    campaign: {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      goal: campaign.goal,
      channels: campaign.channels,
      window: campaign.window,
      timeZone: campaign.timeZone,
    },
    reached: offers + Number(counts!.messaged),
    converted: Number(counts!.redeemed),
    offers,
    segments: campaign.segments.map((segment) => ({
      id: segment.id,
      source: segment.source,
      name: segment.name,
      members: segment.members,
      sharedCode: segment.sharedCode,
      sends: perSegment.get(segment.id) ?? {},
    })),
    sends,
    nextSendAt,
  };
}
