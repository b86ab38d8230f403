import type { Queryable } from '../../store/types.js';
import { getCampaign, type Campaign } from '../repos/campaigns.js';
import { getSegment, type SegmentWithCampaign } from '../repos/segments.js';
import { getTrucks } from '../repos/trucks.js';
import { uuidParam } from '../routes/params.js';
import { SIGNUP_CHANNELS, type SignupChannel } from './input.js';

/** A segment whose campaign takes sign-ups now. */
export interface OpenSignupTarget {
  state: 'open';
  segment: SegmentWithCampaign;
  campaign: Campaign;
  /** Sender of the offers: the truck's name, or the campaign's when it runs on several trucks. */
  senderName: string;
  /** Channels the page offers a consent box for: those of sms and email that the campaign uses. */
  channels: SignupChannel[];
}

/**
 * Destination of a sign-up link. `unknown` covers ids that are no UUID and segments
 * of other sources, so the page never reveals that such a segment exists.
 */
export type SignupTarget =
  | { state: 'unknown' }
  | { state: 'closed'; segment: SegmentWithCampaign; campaign: Campaign }
  | OpenSignupTarget;

/** Only scheduled and active campaigns take sign-ups: a draft has no codes yet and an ended one is over. */
const OPEN_STATUSES: ReadonlySet<string> = new Set(['scheduled', 'active']);

/** Looks up the point-of-sale segment `segmentId` and whether its campaign takes sign-ups. */
export async function findSignupTarget(db: Queryable, segmentId: string): Promise<SignupTarget> {
  const id = uuidParam.safeParse(segmentId);
  if (!id.success) return { state: 'unknown' };

  const segment = await getSegment(db, id.data);
  if (!segment || segment.source !== 'point_of_sale') return { state: 'unknown' };
  const campaign = await getCampaign(db, segment.campaignId);
  if (!campaign) return { state: 'unknown' };
  if (!OPEN_STATUSES.has(campaign.status)) return { state: 'closed', segment, campaign };

  const trucks = campaign.truckIds.length === 1 ? await getTrucks(db, campaign.truckIds) : [];
  return {
    state: 'open',
    segment,
    campaign,
    senderName: trucks[0]?.name ?? campaign.name,
    channels: SIGNUP_CHANNELS.filter((channel) => campaign.channels.includes(channel)),
  };
}
