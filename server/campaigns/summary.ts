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
  /** Orders that came with the campaign's codes and were paid (refunded and cancelled ones left out). */
  orders: CampaignOrders;
}

/** Order counts and revenue in minor units of `currency`. */
export interface OrderTotals {
  count: number;
  revenueMinor: number;
  discountMinor: number;
}

export interface CampaignOrders extends OrderTotals {
  /** The menus' currency; null when there are no orders, or the campaign's trucks sell in several currencies and the sums mix them. */
  currency: string | null;
  /** Per segment id; orders whose code belongs to no segment are under `none`. */
  bySegment: Record<string, OrderTotals>;
  /** Per channel that brought the customer (push, sms, email...). */
  byChannel: Record<string, OrderTotals>;
}

/** Statuses of orders whose money the truck keeps. */
const KEPT_STATUSES = ['paid', 'preparing', 'ready', 'picked_up'];

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
  const orders = await summarizeOrders(db, campaign.id);
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
    orders,
  };
}

async function summarizeOrders(db: Queryable, campaignId: string): Promise<CampaignOrders> {
  const rows = await db.query<{ segment_id: string | null; channel: string | null; currency: string; n: number | string; revenue: number | string; discount: number | string }>(
    `SELECT segment_id, channel, currency, count(*) AS n, sum(total_minor) AS revenue, sum(discount_minor) AS discount
     FROM orders WHERE campaign_id = $1 AND status = ANY($2::text[])
     GROUP BY segment_id, channel, currency`,
    [campaignId, KEPT_STATUSES],
  );
  const empty = (): OrderTotals => ({ count: 0, revenueMinor: 0, discountMinor: 0 });
  const add = (totals: OrderTotals, row: (typeof rows)[number]) => {
    totals.count += Number(row.n);
    totals.revenueMinor += Number(row.revenue);
    totals.discountMinor += Number(row.discount);
  };

  const summary: CampaignOrders = { ...empty(), currency: null, bySegment: {}, byChannel: {} };
  const currencies = new Set(rows.map((row) => row.currency));
  if (currencies.size === 1) summary.currency = [...currencies][0]!;
  for (const row of rows) {
    add(summary, row);
    add((summary.bySegment[row.segment_id ?? 'none'] ??= empty()), row);
    add((summary.byChannel[row.channel ?? 'none'] ??= empty()), row);
  }
  return summary;
}
